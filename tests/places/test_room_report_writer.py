"""The offline room write-up of the ai provider layer: lexicon formats, element grouping per language."""

from ai.providers.base import RoomReportRequest
from ai.providers.local import LocalProvider
from ai.providers.room_report import apply_lexicon, element_of, lexicon_terms, room_report_html
from ai.providers.text import stop_word_language


def test_lexicon_lines_and_tables_with_header_rows_skipped():
    text = """Onze termen (uitleg die genegeerd wordt).
| Vermijden | Gebruiken |
|---|---|
| vlekken, vlekjes | verkleuringen |
- muur -> wand
* zoldering => plafond
deurkruk = deurklink
"""
    assert dict(lexicon_terms(text)) == {
        "vlekken": "verkleuringen",
        "vlekjes": "verkleuringen",
        "muur": "wand",
        "zoldering": "plafond",
        "deurkruk": "deurklink",
    }


def test_lexicon_replaces_whole_words_keeping_capitals():
    terms = lexicon_terms("muur -> wand\nwc -> toilet")
    assert apply_lexicon("Muur en muurtje, de wc.", terms) == "Wand en muurtje, de toilet."


def test_elements_follow_the_first_word_naming_one():
    assert element_of("Het plafond boven het raam is vergeeld", "nl") == "ceiling"
    assert element_of("Door de ramen komt tocht binnen", "nl") == "windows"  # Dutch "door" is not a door
    assert element_of("La porte de la cuisine ferme mal", "fr") == "doors"
    assert element_of("Keukenvloer vertoont krassen", "nl") == "floor"
    assert element_of("Alles is proper", "nl") == "general"


def test_french_dictation_gets_french_headings():
    result = LocalProvider().write_room_report(
        model="local",
        request=RoomReportRequest(
            room_name="Cuisine", transcript="Le carrelage est fissuré. Les murs sont propres et la peinture est neuve."
        ),
    )
    assert result.value == (
        "<h3>Sol</h3><ul><li>Le carrelage est fissuré.</li></ul>"
        "<h3>Murs</h3><ul><li>Les murs sont propres et la peinture est neuve.</li></ul>"
    )
    assert result.provider == "local" and "Cuisine" in result.prompt


def test_markup_in_the_dictation_is_escaped():
    html = room_report_html(transcript="De vloer <script>x</script> is nat", lang="nl", lexicon="")
    assert html == "<h3>Vloer</h3><ul><li>De vloer &lt;script&gt;x&lt;/script&gt; is nat.</li></ul>"


def test_export_labels_language_guess_from_stop_words():
    assert stop_word_language("De vloer is nat en de muur heeft een barst", ("nl", "en", "fr")) == "nl"
    assert stop_word_language("The floor is wet and the wall has a crack", ("nl", "en", "fr")) == "en"
    assert stop_word_language("Le sol est mouillé et le mur a une fissure", ("nl", "en", "fr")) == "fr"
    assert stop_word_language("Tegelvloer", ("nl", "en", "fr")) is None
