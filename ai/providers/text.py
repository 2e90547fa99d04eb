"""Language-independent text features for the offline provider: accent-folded tokens, stop words, light stems."""

import math
import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")

# The commonest function words of en, nl, fr, de, es (accent-folded); they carry no topic.
_STOP_WORDS_BY_LANGUAGE = {
    "en": "a an and are as at be been but by can could do does for from had has have hello hi how i if in is it its "
    "me my no not of on or our please so that the their them then there these they this to us was we were what when "
    "where which who why will with would you your yours dear thanks thank regards kind best",
    "nl": "aan al als bij dan dat de deze die dit door een en er ik in is je jij kan kunnen maar me met mijn niet nog "
    "nu of om ons onze op te tot u uw van voor wat we wij zijn zou graag bedankt dank beste groeten vriendelijke "
    "hallo het",
    "fr": "au aux avec ce ces dans de des du elle en est et il ils je la le les leur lui ma mais me mes moi mon ne nos "
    "notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous bonjour "
    "merci cordialement madame monsieur suis sont avez avons",
    "de": "aber als am an auch auf aus bei bin bis das dass dem den der des die doch du ein eine einem einen einer er "
    "es fur hat habe haben ich ihr ihre im in ist ja kann mein meine mit nach nicht noch nur oder sehr sie sind so und "
    "uns unser vom von vor war was wie wir zu zum zur hallo danke grusse freundlichen geehrte damen herren bitte",
    "es": "al como con de del el ella en es esta este estoy ha he la las le lo los me mi mis muy no nos nuestro os "
    "para pero por que se si sin entre sobre su sus te tu un una uno y ya hola gracias saludos estimado estimados "
    "buenos dias",
}
STOP_WORDS = frozenset(" ".join(_STOP_WORDS_BY_LANGUAGE.values()).split())
_STOP_WORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOP_WORDS_BY_LANGUAGE.items()}


def fold(text: str) -> str:
    """Lower-case without accents: "Geïnteresseerd" → "geinteresseerd"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(token: str) -> str:
    """A light, language-agnostic stem: the first five letters, which joins inflections and many cognates
    (invoices/invoice → invoi; facturen/factuur/facture/factura → factu; Rechnungen/Rechnung → rechn)."""
    return token[:5]


def tokens(text: str) -> list[str]:
    """Stems of the content words of `text`."""
    return [stem(word) for word in _WORD.findall(fold(text)) if word not in STOP_WORDS]


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text or "") if part and part.strip()]


class TfIdfIndex:
    """Cosine similarity of bag-of-stems vectors weighted by inverse document frequency over `documents`."""

    def __init__(self, documents: list[Counter]):
        self.documents = documents
        count = len(documents) or 1
        frequency: Counter = Counter()
        for document in documents:
            frequency.update(document.keys())
        self.idf = {term: math.log((1 + count) / (1 + seen)) + 1.0 for term, seen in frequency.items()}
        self.vectors = [self._weigh(document) for document in documents]

    def _weigh(self, bag: Counter) -> dict[str, float]:
        vector = {term: (1 + math.log(n)) * self.idf.get(term, 0.0) for term, n in bag.items()}
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        return {term: weight / norm for term, weight in vector.items()}

    def scores(self, query: Counter) -> list[float]:
        vector = self._weigh(query)
        return [sum(weight * document.get(term, 0.0) for term, weight in vector.items()) for document in self.vectors]


def stop_word_language(text: str, candidates: tuple[str, ...]) -> str | None:
    """The candidate language (of en, nl, fr, de, es) whose stop words occur most often in `text`, None when none
    occurs: a cheap guess where loading the lingua models is not worth it (labels of an exported document)."""
    words = _WORD.findall(fold(text or ""))
    counts = {
        lang: sum(1 for word in words if word in _STOP_WORD_SETS[lang])
        for lang in candidates
        if lang in _STOP_WORD_SETS
    }
    best = max(counts, key=counts.get, default=None)
    return best if best is not None and counts[best] else None
