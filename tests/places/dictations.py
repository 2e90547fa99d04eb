"""Dictated rooms shared by the offline write-up and export tests."""

# A dozen dictated rooms (four Dutch, four English, four French), each sentence with the element it describes.
DICTATED_ROOMS = [
    (
        "Keuken",
        [
            ("Er zit een barst in de gootsteen.", "fixtures"),
            ("De keukenkasten sluiten goed.", "fixtures"),
            ("De dampkap werkt niet.", "fixtures"),
            ("De muur achter de kookplaat is vuil.", "walls"),
            ("De vloertegels zijn heel.", "floor"),
            ("De spoelbak is gebarsten.", "fixtures"),  # the lexicon makes it a gootsteen
        ],
    ),
    (
        "Badkamer",
        [
            ("De lavabo heeft een schilfer.", "sanitary"),
            ("De ventilator is stuk.", "heating"),
            ("De wandtegels rond het bad zijn gebarsten.", "walls"),
            ("De mengkraan van de douche lekt.", "sanitary"),
            ("Het plafond vertoont schimmel.", "ceiling"),
        ],
    ),
    (
        "Woonkamer",
        [
            ("Naast de deur zit een los stopcontact.", "electricity"),
            ("De radiator onder het raam is roestig.", "heating"),
            ("Het parket heeft krassen.", "floor"),
            ("De ramen zijn dubbel glas.", "windows"),
            ("De kamer ruikt muf.", "general"),
        ],
    ),
    (
        "Inkomhal",
        [
            ("De voordeur sluit goed.", "doors"),
            ("De elektriciteitsmeter staat op 12345 kWh.", "meters"),
            ("De scheur in de vloer is 1 meter lang.", "floor"),
            ("De deurbel werkt.", "electricity"),
            ("Het behang is beschadigd.", "walls"),
        ],
    ),
    (
        "Kitchen",
        [
            ("There is a crack in the sink.", "fixtures"),
            ("The extractor fan is broken.", "heating"),
            ("The worktop is scratched.", "fixtures"),
            ("The tiles next to the oven are chipped.", "floor"),
            ("The cupboard doors do not close.", "fixtures"),
        ],
    ),
    (
        "Bathroom",
        [
            ("The toilet flush is weak.", "sanitary"),
            ("The wall above the bath has mould.", "walls"),
            ("The shower tray is cracked.", "sanitary"),
            ("The fan does not work.", "heating"),
            ("The light switch is loose.", "electricity"),
        ],
    ),
    (
        "Bedroom",
        [
            ("The carpet is stained near the window.", "floor"),
            ("The window sill is damaged.", "windows"),
            ("The radiator valve leaks.", "heating"),
            ("The door handle is loose.", "doors"),
            ("The socket next to the bed is broken.", "electricity"),
        ],
    ),
    (
        "Hallway",
        [
            ("The gas meter reads 4567.", "meters"),
            ("The ceiling has a crack two metres long.", "ceiling"),
            ("The front door lock is stiff.", "doors"),
            ("The skirting boards are scuffed.", "floor"),
            ("Everything is clean and tidy.", "general"),
        ],
    ),
    (
        "Cuisine",
        [
            ("L'évier est fissuré.", "fixtures"),
            ("La hotte ne fonctionne plus.", "fixtures"),
            ("Le carrelage du sol est propre.", "floor"),
            ("Le mur derrière la cuisinière est taché.", "walls"),
            ("Le four est sale.", "fixtures"),
        ],
    ),
    (
        "Salle de bain",
        [
            ("Le lavabo a un éclat.", "sanitary"),
            ("Le ventilateur est cassé.", "heating"),
            ("La baignoire est en bon état.", "sanitary"),
            ("Le robinet de la douche fuit.", "sanitary"),
            ("Le plafond présente des taches d'humidité.", "ceiling"),
        ],
    ),
    (
        "Séjour",
        [
            ("La fenêtre ferme mal.", "windows"),
            ("À côté de la porte, la prise est descellée.", "electricity"),
            ("Le radiateur est froid.", "heating"),
            ("Le parquet est rayé.", "floor"),
            ("La porte d'entrée grince.", "doors"),
        ],
    ),
    (
        "Cave",
        [
            ("Le compteur d'eau indique 1234.", "meters"),
            ("Le compteur électrique est dans le couloir.", "meters"),
            ("Les murs sont humides.", "walls"),
            ("L'interrupteur est cassé.", "electricity"),
            ("Le volet roulant est bloqué.", "windows"),
        ],
    ),
]
