"""The offline room write-up of the ai provider layer: lexicon formats, element grouping per language."""

import html
import re

from ai.providers.base import RoomReportRequest
from ai.providers.local import LocalProvider
from ai.providers.room_report import (
    HEADINGS,
    apply_lexicon,
    element_heading,
    element_of,
    lexicon_terms,
    room_report_html,
)
from ai.providers.text import stop_word_language
from tests.places.dictations import DICTATED_ROOMS


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


def _sections(report_html: str) -> dict[str, list[str]]:
    """{heading: [sentences]} of an offline write-up."""
    sections = {}
    for heading, items in re.findall(r"<h3>(.*?)</h3><ul>(.*?)</ul>", report_html):
        sections[html.unescape(heading)] = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", items)]
    return sections


def test_a_dozen_dictated_rooms_land_under_the_elements_they_describe_with_the_reports_headings():
    provider = LocalProvider()
    for name, dictated in DICTATED_ROOMS:
        request = RoomReportRequest(
            room_name=name,
            transcript=" ".join(sentence for sentence, _ in dictated),
            lexicon="spoelbak -> gootsteen",
            lang="nl",  # a Dutch report: English and French rooms get Dutch headings too
        )
        sections = _sections(provider.write_room_report(model="local", request=request).value)
        assert set(sections) <= set(HEADINGS["nl"].values()), (name, sections)
        placed = {sentence: heading for heading, items in sections.items() for sentence in items}
        for sentence, element in dictated:
            sentence = sentence.replace("spoelbak", "gootsteen")
            assert placed.get(sentence) == HEADINGS["nl"][element], (name, sentence, sections)
        assert sum(len(items) for items in sections.values()) == len(dictated)


def test_headings_follow_the_report_language_and_the_sentences_stay_as_dictated():
    request = RoomReportRequest(room_name="Keuken", transcript="The sink is cracked. The fan is broken.", lang="fr")
    assert LocalProvider().write_room_report(model="local", request=request).value == (
        "<h3>Équipements</h3><ul><li>The sink is cracked.</li></ul>"
        "<h3>Chauffage et ventilation</h3><ul><li>The fan is broken.</li></ul>"
    )


def test_element_headings_of_any_language_map_to_the_reports():
    assert element_heading("Floor", "nl") == "Vloer"
    assert element_heading(" sanitaires ", "en") == "Sanitary"
    assert element_heading("Algemeen", "fr") == "Général"
    assert element_heading("Tuin", "nl") is None


def test_a_subject_wins_over_an_element_named_after_a_preposition_of_place():
    assert element_of("Naast de deur zit een los stopcontact", "nl") == "electricity"
    assert element_of("De deur naast het stopcontact klemt", "nl") == "doors"
    assert element_of("The wall above the sink is damp", "en") == "walls"
    assert element_of("Above the sink the tiles are cracked", "en") == "floor"
    # only a preposition: the element it names is still the one
    assert element_of("Er zit een vlek naast de deur", "nl") == "doors"


def test_compound_heads_and_lengths():
    assert element_of("Vloerverwarming werkt", "nl") == "heating"
    assert element_of("De meterkast is afgesloten", "nl") == "meters"
    assert element_of("De scheur is 2 meter lang", "nl") == "general"
    assert element_of("Het is een vierkante meter", "nl") == "general"
