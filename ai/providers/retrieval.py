"""Passage retrieval for the offline provider: BM25 (bm25s) over per-language Snowball stems (PyStemmer), typo-tolerant
(one edit away from a word of the documents), combined with the cosine of multilingual sentence embeddings
(ai.providers.embeddings) when the encoder is installed, lexical alone when it is not.

Scores are calibrated to 0..1 so one threshold (settings in ai/conf.py) decides between answering and abstaining:
the lexical part is the BM25 score divided by the query's own IDF mass (words the documents never use count against
the match), the semantic part maps the cosine between AI_LOCAL_SEMANTIC_FLOOR and AI_LOCAL_SEMANTIC_CEILING to 0..1.

An index is built once per document set and kept per process (`index_for`, keyed by the documents' content)."""

import hashlib
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import bm25s
import numpy as np
import Stemmer
from scipy import sparse

from ai.conf import ai_float
from ai.providers import embeddings, lexicon
from ai.providers.passages import KnowledgePassage, split_passages
from ai.providers.text import STOP_WORDS, fold, stop_word_language

_WORD = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)
STEMMER_LANGUAGES = {
    "en": "english",
    "nl": "dutch",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}
# Words that say a message asks something, not what it is about (the shared stop words carry the rest).
QUESTION_WORDS = frozenset(
    [
        "how",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "whether",
        "does",
        "did",
        "doing",
        "done",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "would",
        "will",
        "any",
        "some",
        "much",
        "many",
        "also",
        "just",
        "about",
        "there",
        "here",
        "want",
        "wanted",
        "wondering",
        "know",
        "like",
        "need",
        "get",
        "got",
        "tell",
        "question",
        "questions",
        "hoe",
        "wat",
        "welke",
        "wie",
        "wanneer",
        "waar",
        "waarom",
        "kan",
        "kun",
        "kunt",
        "mag",
        "moet",
        "moeten",
        "wil",
        "wilt",
        "zou",
        "zouden",
        "heb",
        "hebt",
        "heeft",
        "hebben",
        "ben",
        "bent",
        "worden",
        "wordt",
        "word",
        "ook",
        "even",
        "eens",
        "iets",
        "vraag",
        "vragen",
        "weten",
        "graag",
        "alstublieft",
        "aub",
        "comment",
        "quoi",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "qui",
        "quand",
        "pourquoi",
        "combien",
        "est",
        "peut",
        "peux",
        "puis",
        "pouvez",
        "voudrais",
        "veux",
        "faut",
        "fait",
        "faire",
        "savoir",
        "question",
        "questions",
        "svp",
        "plait",
        "ai",
        "as",
        "avoir",
        "etre",
        "sera",
        "ca",
        "cela",
        "long",
        "take",
        "takes",
        "possible",
        "lang",
        "mogelijk",
        "longtemps",
    ]
)
_ALL_STOP = STOP_WORDS | QUESTION_WORDS
# Words customers and documents use for the same thing, across en, nl and fr (accent-folded, one word each): a
# question about "shipping" finds the "levering"/"delivery" passage. Generic customer-service vocabulary only.
SAME_MEANING = (
    "return returns returning retour retourneren retourneer terugsturen terugbrengen renvoyer retourner",
    "refund refunds refunded terugbetaling terugbetalen remboursement rembourser rembourse",
    "deliver delivery delivered deliveries shipping ship shipped levering leveren geleverd verzending verzenden "
    "livraison livrer livre expedition",
    "instalments installments instalment installment termijnen termijn afbetalen afbetaling mensualites mensualite",
    "open opening openingsuren openingstijden openingsuur horaires horaire ouvert ouverts ouverture",
    "cancel cancellation cancelled annuleren annulering annuler annulation",
    "warranty guarantee garantie waarborg",
    "password wachtwoord passe",
    "address adres adresse",
    "phone telephone telefoon telefonisch bellen appeler",
    "pay payment payments paying betalen betaling betaalmiddelen betaalmiddel payer paiement paiements",
    "parking park parkeren parkeerplaats stationnement garer",
    "pet pets dog dogs huisdier huisdieren hond honden animal animaux chien chiens",
    "luggage baggage suitcase suitcases bagage bagages koffer koffers valise valises",
    "breakfast ontbijt",
    "rent rental hire huren huur verhuur louer location",
    "newsletter nieuwsbrief",
    "unsubscribe uitschrijven afmelden desabonner desinscrire",
    "invoice invoices factuur facturen facture factures",
    "repair repairs repaired herstelling herstellen reparatie repareren reparation reparer",
    "appointment afspraak rendez",
    "store shop winkel magasin boutique",
    "price prices prijs prijzen tarif tarifs prix",
    "cost costs kost kosten coute couter",
)
_SAME_MEANING = {word: group.split() for group in SAME_MEANING for word in group.split()}
INDEX_CACHE_SIZE = 64
COMPOUNDS_PER_WORD = 4
UNSEEN_WORD_WEIGHT = 0.8  # query words no passage has (new subjects, leftover names) weigh this share of a rare word


def _lexicon_words(word: str, lang: str) -> list[str]:
    """The single-word forms of `word`'s lexicon concepts in the languages of nl, en and fr other than the message's
    `lang` (ai.providers.lexicon): a Dutch "band" also looks for "pneu" and "tyre". Only across languages: within one
    language the documents' own words and SAME_MEANING decide, as before."""
    same = []
    if len(word) >= 3:
        for index in lexicon.concepts(word):
            for other in lexicon.LANGUAGES:
                if other == (lang or "")[:2]:
                    continue
                same += [form for form in lexicon.forms(index, other) if " " not in form and "-" not in form]
    return list(dict.fromkeys(same))


def stemmer_for(lang: str):
    name = STEMMER_LANGUAGES.get((lang or "").lower()[:2])
    return _stemmer(name) if name else None


_stemmers = threading.local()  # PyStemmer objects are not thread-safe: one set per thread


def _stemmer(name: str):
    cache = getattr(_stemmers, "by_name", None)
    if cache is None:
        cache = _stemmers.by_name = {}
    stemmer = cache.get(name)
    if stemmer is None:
        stemmer = cache[name] = Stemmer.Stemmer(name)
    return stemmer


def words(text: str) -> list[str]:
    """Accent-folded content words (stop and question words of every supported language left out)."""
    return [word for word in _WORD.findall(fold(text or "")) if word not in _ALL_STOP]


def stems(text: str, lang: str) -> list[str]:
    stemmer = stemmer_for(lang)
    found = words(text)
    return stemmer.stemWords(found) if stemmer else found


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Hit:
    passage: KnowledgePassage
    score: float  # 0..1, calibrated
    lexical: float
    semantic: float | None
    foreign: bool = False  # the passage is in another language than the message


class PassageIndex:
    """BM25 over the passages' stems plus their sentence embeddings (computed once, here)."""

    def __init__(self, passages: list[KnowledgePassage], *, languages: list[str]):
        self.passages = passages
        self.languages = languages
        token_lists, surface_to_stem = [], {}
        for passage, lang in zip(passages, languages, strict=True):
            found = words(passage.index_text)
            stemmer = stemmer_for(lang)
            stemmed = stemmer.stemWords(found) if stemmer else found
            surface_to_stem.update(zip(found, stemmed, strict=True))
            token_lists.append(stemmed)
        self.lang_set = sorted(set(languages))
        self.surface_to_stem = surface_to_stem
        self.long_surfaces = [surface for surface in surface_to_stem if len(surface) >= 7]
        self.deletions: dict[str, str] = {}
        for surface in surface_to_stem:
            if len(surface) >= 5:
                for variant in _deletions(surface) | {surface}:
                    self.deletions.setdefault(variant, surface)
        self.token_ids = {token: i for i, token in enumerate(sorted({t for tokens in token_lists for t in tokens}))}
        rows = [i for i, tokens in enumerate(token_lists) for _ in set(tokens)]
        columns = [self.token_ids[t] for tokens in token_lists for t in set(tokens)]
        self.incidence = sparse.csc_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(passages), len(self.token_ids))
        )
        count = len(passages)
        seen = np.asarray(self.incidence.sum(axis=0)).ravel()
        self.idf = dict(zip(self.token_ids, np.log(1 + (count - seen + 0.5) / (seen + 0.5)), strict=True))
        # Relative to a word only one passage has, so small and large document sets weigh unknown words alike.
        self.unseen_idf = math.log(1 + (count - 0.5) / 1.5) * UNSEEN_WORD_WEIGHT
        self.bm25 = None
        if passages and self.token_ids:
            self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
            self.bm25.index([tokens or [""] for tokens in token_lists], show_progress=False)
        self.vectors = self._embed_passages()

    def _embed_passages(self) -> np.ndarray | None:
        """Per passage its whole text's vector and its question's (the text's again without a question): a question
        matches a question best, so both are kept. None without the encoder."""
        if not self.passages:
            return None
        texts = [passage.index_text for passage in self.passages]
        asked = [i for i, passage in enumerate(self.passages) if passage.question]
        vectors = embeddings.embed(texts + [self.passages[i].question for i in asked])
        if vectors is None:
            return None
        questions = vectors[: len(texts)].copy()
        questions[asked] = vectors[len(texts) :]
        return np.stack([vectors[: len(texts)], questions])

    def exact_tokens(self, word: str, lang: str) -> list[str]:
        """The index tokens of `word` stemmed in the message language or a document language."""
        stemmers = [stemmer for stemmer in map(stemmer_for, dict.fromkeys([lang, *self.lang_set])) if stemmer]
        exact = [token for token in {stemmer.stemWord(word) for stemmer in stemmers} if token in self.token_ids]
        if word in self.surface_to_stem:
            exact.append(self.surface_to_stem[word])
        return list(dict.fromkeys(exact))

    def word_tokens(self, word: str, lang: str) -> list[str]:
        """The index tokens a query word may stand for: its stem in the message language or a document language and
        those of words of the same meaning, else the same word one typo away, or compounds it starts or ends
        ("fiets" → "stadsfiets", "open" → "openingsuren")."""
        exact = [token for same in _SAME_MEANING.get(word, [word]) for token in self.exact_tokens(same, lang)]
        if not exact:  # no word of the documents: the lexicon's words of the same meaning, in any language
            exact = [token for same in _lexicon_words(word, lang) for token in self.exact_tokens(same, lang)]
        if exact:
            return list(dict.fromkeys(exact))
        if len(word) >= 5:
            near = self.deletions.get(word) or next(
                (self.deletions[variant] for variant in _deletions(word) if variant in self.deletions), None
            )
            if near:
                return [self.surface_to_stem[near]]
        if len(word) >= 4:
            parts = [
                s for s in self.long_surfaces if len(s) >= len(word) + 3 and (s.startswith(word) or s.endswith(word))
            ]
            return list(dict.fromkeys(self.surface_to_stem[surface] for surface in parts[:COMPOUNDS_PER_WORD]))
        return []

    def search(self, text: str, *, lang: str, limit: int = 5) -> list[Hit]:
        """The best passages for `text`, best first, with calibrated scores: each passage scores its best match with
        the whole message or one of its sentences (a long e-mail asks its question in one of them)."""
        if not self.passages:
            return []
        segments = query_segments(text)
        lexical = np.stack([self.lexical_scores(segment, lang) for segment in segments])
        if lang and self.vectors is not None:
            # Across languages shared words are mostly accidents (loanwords, brand names): the meaning must carry.
            foreign = np.array([passage_lang != lang[:2] for passage_lang in self.languages])
            lexical[:, foreign] *= ai_float("AI_LOCAL_CROSS_LANGUAGE_LEXICAL")
        semantic, foreign = None, None
        if lang and self.vectors is not None:
            foreign = np.array([passage_lang != lang[:2] for passage_lang in self.languages])
        if self.vectors is not None:
            queries = embeddings.embed(segments)
            if queries is not None:
                text_cosine, question_cosine = self.vectors @ queries.T  # (passages, segments) each
                margin = ai_float("AI_LOCAL_QUESTION_COSINE_MARGIN")
                semantic = np.maximum(text_cosine, question_cosine - margin).T
        scores = combine(lexical, semantic, foreign=foreign)
        best_segment = np.argmax(scores, axis=0)
        columns = np.arange(len(self.passages))
        best = scores[best_segment, columns]
        order = np.argsort(-best, kind="stable")[:limit]
        return [
            Hit(
                passage=self.passages[i],
                score=float(best[i]),
                lexical=float(lexical[best_segment[i], i]),
                semantic=None if semantic is None else float(semantic[best_segment[i], i]),
                foreign=bool(foreign is not None and foreign[i]),
            )
            for i in order
        ]

    def lexical_scores(self, text: str, lang: str) -> np.ndarray:
        """Per passage: the IDF share of the query's words it contains, mixed with BM25 (normalised by the same
        IDF mass) so frequency and passage length still order passages that contain the same words."""
        coverage, bm25 = self.lexical_parts(text, lang)
        share = ai_float("AI_LOCAL_BM25_SHARE")
        return ((1 - share) * coverage + share * bm25).astype(np.float32)

    def lexical_parts(self, text: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        coverage = np.zeros(len(self.passages), dtype=np.float32)
        tokens, mass = [], 0.0
        for word in dict.fromkeys(words(text)):
            candidates = self.word_tokens(word, lang)
            if not candidates:
                mass += 0.0 if word.isdigit() else self.unseen_idf  # order numbers and dates ask nothing
                continue
            weight = max(self.idf[token] for token in candidates)
            mass += weight
            columns = self.incidence[:, [self.token_ids[token] for token in candidates]]
            coverage += weight * (np.asarray(columns.max(axis=1).todense()).ravel() > 0)
            tokens += candidates
        if not tokens or mass <= 0 or self.bm25 is None:
            return coverage, coverage
        bm25 = np.minimum(self.bm25.get_scores(list(dict.fromkeys(tokens))) / mass, 1.0)
        return coverage / mass, bm25


_SEGMENT_END = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_SEGMENTS = 6


def query_segments(text: str) -> list[str]:
    """The whole message, and its sentences of two content words or more when it has several."""
    sentences = [part.strip() for part in _SEGMENT_END.split(text or "") if part and part.strip()]
    sentences = [sentence for sentence in sentences if len(words(sentence)) >= 2]
    if len(sentences) <= 1:
        return [text or ""]
    return [text, *sentences[:MAX_SEGMENTS]]


def combine(lexical: np.ndarray, semantic: np.ndarray | None, *, foreign: np.ndarray | None = None) -> np.ndarray:
    """One 0..1 score: lexical alone without embeddings, else a weighted mean with the rescaled cosine. For passages
    in another language than the message (`foreign`, one flag per passage column) the cosine has its own scale
    (cross-lingual cosines of one meaning run lower) and weighs more, since few words can be shared."""
    if semantic is None:
        return lexical
    floor, ceiling = ai_float("AI_LOCAL_SEMANTIC_FLOOR"), ai_float("AI_LOCAL_SEMANTIC_CEILING")
    rescaled = np.clip((semantic - floor) / max(ceiling - floor, 1e-6), 0.0, 1.0)
    weight = ai_float("AI_LOCAL_SEMANTIC_WEIGHT")
    scores = (1 - weight) * lexical + weight * rescaled
    if foreign is not None and foreign.any():
        floor, ceiling = ai_float("AI_LOCAL_CROSS_SEMANTIC_FLOOR"), ai_float("AI_LOCAL_CROSS_SEMANTIC_CEILING")
        weight = ai_float("AI_LOCAL_CROSS_SEMANTIC_WEIGHT")
        cross = np.clip((semantic[:, foreign] - floor) / max(ceiling - floor, 1e-6), 0.0, 1.0)
        scores[:, foreign] = (1 - weight) * lexical[:, foreign] + weight * cross
    return scores


def answer_threshold(hits: list[Hit]) -> float:
    """The calibrated score the best passage must reach; higher when it is in another language than the message
    (fewer shared words, so the evidence is thinner at the same score)."""
    semantic = bool(hits) and hits[0].semantic is not None
    if semantic and hits[0].foreign:
        return ai_float("AI_LOCAL_CROSS_ANSWER_MIN_SCORE")
    return ai_float("AI_LOCAL_ANSWER_MIN_SCORE" if semantic else "AI_LOCAL_ANSWER_MIN_SCORE_LEXICAL")


def answer_hits(hits: list[Hit]) -> list[Hit]:
    """The passage that answers (above the calibrated threshold), with the next ones of the same list, table or
    section when they score almost as well (never for question/answer pairs, which each answer their own question);
    empty when nothing clears the threshold (abstain)."""
    if not hits or hits[0].score < answer_threshold(hits):
        return []
    best = hits[0]
    together = [best]
    if best.passage.question:
        return together  # a question/answer pair answers alone
    for hit in hits[1:3]:
        same_block = hit.passage.title == best.passage.title and hit.passage.block == best.passage.block
        if (
            same_block
            and not hit.passage.question
            and hit.score >= best.score * ai_float("AI_LOCAL_ANSWER_TOGETHER_RATIO")
        ):
            together.append(hit)
    return sorted(together, key=lambda hit: hit.passage.position)


def documents_fingerprint(documents) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for document in documents:
        digest.update(document.title.encode())
        digest.update(b"\0")
        digest.update(document.text.encode())
        digest.update(b"\1")
    return digest.hexdigest()


def index_build(documents, *, default_lang: str = "en") -> PassageIndex:
    """The passages of `documents` (objects with .title and .text, markdown) and their index; each document's
    language (for its stems) is guessed from its stop words."""
    passages, languages = [], []
    for document in documents:
        lang = stop_word_language(f"{document.title}\n{document.text}", tuple(STEMMER_LANGUAGES)) or default_lang
        for passage in split_passages(document.title, document.text):
            passages.append(replace(passage, position=len(passages)))
            languages.append(lang)
    return PassageIndex(passages, languages=languages)


_indexes: OrderedDict[str, PassageIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def index_for(documents) -> PassageIndex:
    """The index of this exact document set, built once per process (the last INDEX_CACHE_SIZE sets are kept)."""
    key = documents_fingerprint(documents)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is not None:
            _indexes.move_to_end(key)
            return index
    index = index_build(documents)
    with _indexes_lock:
        _indexes[key] = index
        while len(_indexes) > INDEX_CACHE_SIZE:
            _indexes.popitem(last=False)
    return index
