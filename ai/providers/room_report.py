"""Offline write-up of one room of a property condition report: the dictation's sentences grouped per element
(floor, walls, ceiling, windows, doors, fixtures, sanitary, heating and ventilation, electricity, meters, then
anything else), the lexicon's preferred terms substituted, headings in the report's language (Dutch, English or
French; a room dictated in another language than the report's still gets the report's headings).

A sentence belongs to the element it talks about: its words are matched (accent-folded) against the terms of the
dictation's language, a whole word beating the head of a compound ("keukenvloer" is a floor, "wandtegels" a wall,
"watermeter" a meter) and that beating a compound's first part; the first element named wins, except that one
named after a preposition of place ("the wall above the sink", "naast de deur", "à côté de la porte") gives way
to one named as the subject. The lexicon is applied first, so its preferred terms are what is matched.

Lexicon format (a tenant document): one mapping per line, `avoid → prefer` (also `->`, `=>` or `=`; several
avoided terms may be comma-separated), or a markdown table whose first column is avoided and second preferred
(its header row is skipped). Other lines are ignored, so the lexicon may carry explanations."""

import html
import re

from ai.providers.text import fold, sentences

ELEMENTS = (
    "floor",
    "walls",
    "ceiling",
    "windows",
    "doors",
    "fixtures",
    "sanitary",
    "heating",
    "electricity",
    "meters",
)
GENERAL = "general"

HEADINGS = {
    "nl": {
        "floor": "Vloer",
        "walls": "Wanden",
        "ceiling": "Plafond",
        "windows": "Ramen",
        "doors": "Deuren",
        "fixtures": "Uitrusting",
        "sanitary": "Sanitair",
        "heating": "Verwarming en ventilatie",
        "electricity": "Elektriciteit",
        "meters": "Meters",
        "general": "Algemeen",
    },
    "en": {
        "floor": "Floor",
        "walls": "Walls",
        "ceiling": "Ceiling",
        "windows": "Windows",
        "doors": "Doors",
        "fixtures": "Fixtures",
        "sanitary": "Sanitary",
        "heating": "Heating and ventilation",
        "electricity": "Electricity",
        "meters": "Meters",
        "general": "General",
    },
    "fr": {
        "floor": "Sol",
        "walls": "Murs",
        "ceiling": "Plafond",
        "windows": "Fenêtres",
        "doors": "Portes",
        "fixtures": "Équipements",
        "sanitary": "Sanitaires",
        "heating": "Chauffage et ventilation",
        "electricity": "Électricité",
        "meters": "Compteurs",
        "general": "Général",
    },
}

# Accent-folded terms per language and element. A word names an element when it is a term (the strongest match),
# ends with a term of more than three letters (a compound's head, plurals in s, en, es, x or e allowed) or, weakest,
# starts with one. Fixtures are the kitchen and the furniture (sink, cupboards, hob); sanitary the bathroom's.
_TERMS = {
    "nl": {
        "floor": "vloer vloeren vloerbekleding tegel tegelvloer parket laminaat plint vinyl tapijt linoleum",
        "walls": "muur muren wand wanden wandtegel behang pleister pleisterwerk bepleistering schilderwerk faience "
        "gyproc",
        "ceiling": "plafond zoldering sierlijst",
        "windows": "raam ramen venster beglazing vensterbank rolluik glas ruit kozijn raamkader zonnewering",
        "doors": "deur klink scharnier dorpel sleutel deurkader",
        "fixtures": "kast keukenkast keukenblok keukeninrichting aanrecht werkblad gootsteen spoeltafel dampkap "
        "afzuigkap kookplaat kookvuur fornuis oven microgolfoven koelkast diepvriezer vaatwasser vaatwas lade "
        "schuif schap spiegel",
        "sanitary": "sanitair toilet wc lavabo wastafel douche douchebak douchescherm bad badkuip bidet kraan sifon "
        "afvoer stortbak urinoir",
        "heating": "verwarming radiator convector kachel ketel boiler thermostaat ventilator ventilatie verluchting "
        "afzuiging ventilatierooster",
        "electricity": "elektriciteit stopcontact schakelaar lichtschakelaar lichtpunt verlichting lamp spot zekering "
        "zekeringkast verdeelkast bekabeling parlofoon videofoon deurbel",
        "meters": "meter meterstand meterkast teller tellerstand",
    },
    "en": {
        "floor": "floor flooring floorboard tile tiles tiling parquet laminate skirting carpet vinyl lino linoleum",
        "walls": "wall plaster plasterwork wallpaper paintwork render",
        "ceiling": "ceiling cornice coving",
        "windows": "window glazing sill windowsill pane shutter blind blinds glass",
        "doors": "door doorframe handle hinge lock threshold key keys latch",
        "fixtures": "cupboard cabinet cabinets worktop countertop sink hob oven hood cooker fridge refrigerator "
        "freezer dishwasher drawer drawers shelf shelves wardrobe mirror",
        "sanitary": "sanitary toilet wc basin washbasin shower bath bathtub bidet tap taps faucet drain cistern flush",
        "heating": "heating radiator heater boiler thermostat fan ventilation vent extractor",
        "electricity": "electricity electrical electric socket switch outlet lighting bulb lamp spotlight fuse fusebox "
        "wiring doorbell intercom",
        "meters": "meter metre meters reading",
    },
    "fr": {
        "floor": "sol carrelage parquet plinthe moquette vinyle dalle linoleum",
        "walls": "mur murs enduit tapisserie papier peinture faience cloison platre crepi",
        "ceiling": "plafond corniche moulure",
        "windows": "fenetre vitrage chassis volet vitre appui store",
        "doors": "porte poignee serrure seuil charniere cle clef chambranle",
        "fixtures": "armoire placard evier hotte four cuisiniere cuisson frigo refrigerateur congelateur vaisselle "
        "tiroir etagere miroir meuble comptoir",
        "sanitary": "sanitaire toilette toilettes wc lavabo douche baignoire bidet robinet robinetterie siphon "
        "evacuation chasse mitigeur",
        "heating": "chauffage radiateur convecteur chaudiere thermostat ventilateur ventilation vmc aerateur",
        "electricity": "electricite electrique prise interrupteur luminaire lampe ampoule eclairage fusible spot cable "
        "sonnette parlophone",
        "meters": "compteur releve index",
    },
}
# Words after which an element is only where something else is ("next to the door"): a subject named elsewhere in
# the sentence wins over it.
_PLACE_PREPOSITIONS = {
    "nl": "naast boven onder achter rond rondom tussen bij langs tegen aan voor nabij",
    "en": "next beside above below under underneath behind near around between along against beneath by",
    "fr": "cote dessus dessous sous derriere pres autour entre contre devant long",
}
# A meter after a number or a measure word is a length ("2 meter", "square metre"), not a meter.
_UNIT_TERMS = frozenset({"meter", "meters", "metre", "metres"})
_MEASURE_WORDS = frozenset({"vierkante", "kubieke", "lopende", "anderhalve", "halve", "square", "cubic", "half"})
_PLURALS = ("", "s", "en", "es", "x", "e", "n")
_TERM_SETS = {
    lang: {element: tuple(words.split()) for element, words in elements.items()} for lang, elements in _TERMS.items()
}
_ALL_TERMS = {element: tuple(term for terms in _TERM_SETS.values() for term in terms[element]) for element in ELEMENTS}
_ALL_PREPOSITIONS = frozenset(" ".join(_PLACE_PREPOSITIONS.values()).split())
_PREPOSITION_SETS = {lang: frozenset(words.split()) for lang, words in _PLACE_PREPOSITIONS.items()}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PREPOSITION_REACH = 3  # "naast de oude deur": the preposition still governs three words on
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


def _match(word: str, terms: tuple[str, ...]) -> tuple[int, int]:
    """How strongly `word` names one of `terms`: (3 whole word, 2 compound head, 1 compound start or 0; the term's
    length)."""
    best = (0, 0)
    for term in terms:
        if word == term:
            rank = 3
        elif len(term) > 3 and any(word.endswith(term + plural) for plural in _PLURALS):
            rank = 2
        elif len(term) > 3 and word.startswith(term):
            rank = 1
        else:
            continue
        best = max(best, (rank, len(term)))
    return best


def _word_element(word: str, terms: dict) -> tuple[str, int]:
    """The element a word names best and how strongly (0: none)."""
    best_element, best = GENERAL, (0, 0)
    for element in ELEMENTS:
        score = _match(word, terms[element])
        if score > best:
            best_element, best = element, score
    return best_element, best[0]


def element_of(sentence: str, lang: str) -> str:
    """The element the sentence talks about (see the module docstring), else `general`. `lang` is the language the
    sentence is written in; a language without terms here is matched against all of them."""
    terms = _TERM_SETS.get(lang, _ALL_TERMS)
    prepositions = _PREPOSITION_SETS.get(lang, _ALL_PREPOSITIONS)
    found: list[tuple[int, int, int, str]] = []  # (not after a preposition, strength, -position, element)
    since_preposition = _PREPOSITION_REACH + 1
    previous = ""
    for position, word in enumerate(_TOKEN.findall(fold(sentence))):
        if word in prepositions:
            since_preposition = 0
            previous = word
            continue
        since_preposition += 1
        if word in _UNIT_TERMS and (previous.isdigit() or previous in _MEASURE_WORDS):
            previous = word
            continue
        previous = word
        element, strength = _word_element(word, terms)
        if strength:
            found.append((int(since_preposition > _PREPOSITION_REACH), strength > 1, -position, element))
            since_preposition = _PREPOSITION_REACH + 1
    return max(found)[3] if found else GENERAL


def _sentence(text: str) -> str:
    text = text.strip().rstrip(",;")
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."


def room_report_html(*, transcript: str, lang: str, lexicon: str, heading_lang: str = "") -> str:
    """Sanitisation-safe HTML: one `<h3>` per element that the dictation mentions, in element order, with its
    sentences as a list; sentences are split on punctuation and line breaks. `lang` is the dictation's language
    (which terms are matched), `heading_lang` the report's (the headings; default `lang`, English when unknown)."""
    labels = HEADINGS.get(heading_lang or lang, HEADINGS["en"])
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


def element_heading(text: str, lang: str) -> str | None:
    """`text` as the heading of `lang` when it is an element heading of any language here ("Floor" in a Dutch
    report is "Vloer"), else None."""
    key = fold(text.strip())
    for labels in HEADINGS.values():
        for element, label in labels.items():
            if fold(label) == key:
                return HEADINGS.get(lang, HEADINGS["en"])[element]
    return None
