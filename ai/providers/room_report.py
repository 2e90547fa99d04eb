"""Offline write-up of one room of a property condition report: the dictation's sentences grouped per element
(floor, walls, ceiling, windows, doors, fixtures, then anything else), the lexicon's preferred terms substituted,
headings in the dictation's language (Dutch, English and French; other languages get English headings).

Lexicon format (a tenant document): one mapping per line, `avoid → prefer` (also `->`, `=>` or `=`; several
avoided terms may be comma-separated), or a markdown table whose first column is avoided and second preferred
(its header row is skipped). Other lines are ignored, so the lexicon may carry explanations."""

import html
import re

from ai.providers.text import fold, sentences

ELEMENTS = ("floor", "walls", "ceiling", "windows", "doors", "fixtures")
GENERAL = "general"

HEADINGS = {
    "nl": {
        "floor": "Vloer",
        "walls": "Wanden",
        "ceiling": "Plafond",
        "windows": "Ramen",
        "doors": "Deuren",
        "fixtures": "Uitrusting",
        "general": "Algemeen",
    },
    "en": {
        "floor": "Floor",
        "walls": "Walls",
        "ceiling": "Ceiling",
        "windows": "Windows",
        "doors": "Doors",
        "fixtures": "Fixtures",
        "general": "General",
    },
    "fr": {
        "floor": "Sol",
        "walls": "Murs",
        "ceiling": "Plafond",
        "windows": "Fenêtres",
        "doors": "Portes",
        "fixtures": "Équipements",
        "general": "Général",
    },
}

# Accent-folded word stems per language and element. A word belongs to an element when it is a stem, or, for stems
# longer than three letters, starts or ends with one, which catches compounds ("keukenvloer", "vloertegels",
# "deurklink"). Languages without a list use all lists together.
_KEYWORDS = {
    "nl": {
        "floor": "vloer tegel parket laminaat plint vinyl tapijt",
        "walls": "muur muren wand behang pleister schilderwerk bepleistering",
        "ceiling": "plafond sierlijst",
        "windows": "raam ramen venster beglazing vensterbank rolluik glas",
        "doors": "deur klink scharnier dorpel",
        "fixtures": "stopcontact schakelaar lamp verlichting radiator verwarming kraan lavabo wastafel toilet douche "
        "badkuip kast aanrecht dampkap kookplaat oven thermostaat",
    },
    "en": {
        "floor": "floor tile tiles tiling parquet laminate skirting carpet vinyl",
        "walls": "wall walls plaster wallpaper paintwork",
        "ceiling": "ceiling cornice",
        "windows": "window glazing sill pane shutter",
        "doors": "door handle hinge lock threshold",
        "fixtures": "socket switch light lighting heater radiator tap sink basin shower bathtub toilet cupboard "
        "worktop hob oven extractor thermostat",
    },
    "fr": {
        "floor": "sol carrelage parquet plinthe moquette",
        "walls": "mur murs enduit tapisserie peinture",
        "ceiling": "plafond corniche",
        "windows": "fenetre vitrage chassis volet",
        "doors": "porte poignee serrure seuil",
        "fixtures": "prise interrupteur luminaire radiateur robinet evier lavabo douche baignoire armoire four",
    },
}
_STEMS = {
    lang: {element: tuple(words.split()) for element, words in elements.items()} for lang, elements in _KEYWORDS.items()
}
_ALL_STEMS = {element: tuple(stem for stems in _STEMS.values() for stem in stems[element]) for element in ELEMENTS}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ARROW = re.compile(r"\s*(?:→|->|=>|=)\s*")
_TABLE_SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")


def lexicon_terms(text: str) -> list[tuple[str, str]]:
    """(avoided, preferred) pairs of a lexicon document, longest avoided term first."""
    pairs: list[tuple[str, str]] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for index, line in enumerate(lines):
        if line.startswith("|"):
            if _TABLE_SEPARATOR.match(line):
                continue
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if following.startswith("|") and _TABLE_SEPARATOR.match(following):
                continue  # the table's header row
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if len(cells) >= 2 and cells[0] and cells[1]:
                pairs += [(avoided.strip(), cells[1]) for avoided in cells[0].split(",") if avoided.strip()]
            continue
        parts = _ARROW.split(line.lstrip("-*• ").strip(), maxsplit=1)
        if len(parts) == 2 and parts[0] and parts[1]:
            pairs += [(avoided.strip(), parts[1].strip()) for avoided in parts[0].split(",") if avoided.strip()]
    return sorted(dict(pairs).items(), key=lambda pair: -len(pair[0]))


def apply_lexicon(text: str, terms: list[tuple[str, str]]) -> str:
    """`text` with every avoided term (whole words, any casing) replaced by the preferred one; a capitalised
    avoided term gives a capitalised preferred one."""
    if not terms:
        return text
    preferred = {fold(avoided): prefer for avoided, prefer in terms}
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(avoided) for avoided, _ in terms) + r")(?!\w)", re.IGNORECASE)

    def replace(match: re.Match) -> str:
        found = match.group(0)
        prefer = preferred.get(fold(found), found)
        return prefer[:1].upper() + prefer[1:] if found[:1].isupper() else prefer

    return pattern.sub(replace, text)


def _names(word: str, stem: str) -> bool:
    return word == stem or (len(stem) > 3 and (word.startswith(stem) or word.endswith(stem)))


def element_of(sentence: str, lang: str) -> str:
    """The element the sentence is about: that of its first word naming one, else `general`."""
    stems = _STEMS.get(lang, _ALL_STEMS)
    for word in _WORD.findall(fold(sentence)):
        for element in ELEMENTS:
            if any(_names(word, stem) for stem in stems[element]):
                return element
    return GENERAL


def _sentence(text: str) -> str:
    text = text.strip().rstrip(",;")
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."


def room_report_html(*, transcript: str, lang: str, lexicon: str) -> str:
    """Sanitisation-safe HTML: one `<h3>` per element that the dictation mentions, in element order, with its
    sentences as a list; sentences are split on punctuation and line breaks."""
    labels = HEADINGS.get(lang, HEADINGS["en"])
    terms = lexicon_terms(lexicon)
    grouped: dict[str, list[str]] = {}
    for line in (transcript or "").splitlines():
        for part in sentences(line):
            sentence = _sentence(apply_lexicon(part, terms))
            if sentence:
                grouped.setdefault(element_of(sentence, lang), []).append(sentence)
    blocks = []
    for element in (*ELEMENTS, GENERAL):
        if element in grouped:
            items = "".join(f"<li>{html.escape(sentence, quote=False)}</li>" for sentence in grouped[element])
            blocks.append(f"<h3>{labels[element]}</h3><ul>{items}</ul>")
    return "".join(blocks)
