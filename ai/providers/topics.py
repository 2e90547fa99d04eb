"""Offline topic detection across languages: a message in any of the tenant's languages is compared with each
topic's name, description (whole and phrase by phrase) and synthetic short forms of it in nl, en and fr (the
description's lexicon concepts, ai.providers.lexicon: "crevaison" also stands as "lekke band, lek" and "puncture,
flat tyre"), in a multilingual sentence-embedding space (ai.providers.embeddings), plus a lexical TF-IDF score over
the same texts whose bags also hold the lexicon concepts, so "lekke band" shares words with "crevaison, pneus". The
best topic is returned only when its confidence clears AI_LOCAL_TOPIC_MIN_CONFIDENCE: below it, no topic rather
than a wrong one.

Learning: the examples representatives confirmed or corrected are distance-weighted nearest neighbours. What they
add is relative (how much nearer a topic's examples are than the tenant's examples on average, centred across the
topics), so they re-rank topics without lifting an unrelated message over the floor; only a message close to one
example (cosine above LEARNED_SIMILAR) gains in absolute terms.

Without the embedding model (package absent) the lexical score alone decides, against AI_LOCAL_TOPIC_MIN_SCORE
(the earlier behaviour; weak across languages)."""

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np

from ai.conf import ai_float, ai_setting
from ai.providers import embeddings, lexicon
from ai.providers.base import TopicCandidate
from ai.providers.text import TfIdfIndex, tokens

_PHRASE_SPLIT = re.compile(r"[,.;:/()\n]+|\s(?:and|or|en|of|et|ou|und|oder|y|o)\s", re.IGNORECASE)
LEXICAL_WEIGHT = 0.35  # weight of the TF-IDF cosine next to the embedding similarity
WHOLE_WEIGHT = 0.75  # the whole "name. description" vs. its best-matching phrase
SECONDARY_SHARE = 0.9  # other topics are returned when they score at least this share of the best one
_VECTOR_CACHE_SIZE = 8192
_PROFILE_CACHE_SIZE = 256


@dataclass(frozen=True)
class TopicScore:
    topic_id: int
    confidence: float


@dataclass
class _Profile:
    """Per topic set: the vectors of every topic's description, phrases and examples (rows of one matrix each)."""

    full: np.ndarray  # topics x dims: "name. description"
    phrases: np.ndarray  # phrases x dims
    phrase_owner: np.ndarray  # topic index of each phrase row
    examples: np.ndarray  # examples x dims
    example_owner: np.ndarray
    lexical: TfIdfIndex
    synthetic: np.ndarray  # short forms of the description's lexicon concepts in every language x dims
    synthetic_owner: np.ndarray


_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
_profiles: OrderedDict[tuple, _Profile] = OrderedDict()
_lock = threading.Lock()


def embeddings_enabled() -> bool:
    """Whether topic (and spam-mark) matching uses sentence embeddings: AI_LOCAL_EMBEDDINGS on and the model present."""
    switch = ai_setting("AI_LOCAL_EMBEDDINGS").strip().lower()
    return switch not in ("off", "0", "false", "no") and embeddings.available()


def _embed_cached(texts: list[str]) -> np.ndarray | None:
    """Vectors of `texts`, computed once per process per distinct text (bounded LRU)."""
    missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    if missing:
        computed = embeddings.embed(missing)
        if computed is None:
            return None
        with _lock:
            for text, vector in zip(missing, computed, strict=True):
                _vectors[text] = vector
            while len(_vectors) > _VECTOR_CACHE_SIZE:
                _vectors.popitem(last=False)
    with _lock:
        rows = []
        for text in texts:
            vector = _vectors.get(text)
            if vector is None:  # evicted meanwhile by another thread
                vector = embeddings.embed([text])[0]
            rows.append(vector)
    return np.vstack(rows) if rows else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)


def caches_clear() -> None:
    """Drops every cached vector and topic profile of this process (an erasure: learned examples are customers'
    messages); they are rebuilt on the next use."""
    with _lock:
        _vectors.clear()
        _profiles.clear()


def vector_forget(text: str) -> None:
    """Drops one text's cached vector (the evaluation times messages as if they were new)."""
    with _lock:
        _vectors.pop(text, None)


def _phrases(topic: TopicCandidate) -> list[str]:
    parts = [part.strip() for part in _PHRASE_SPLIT.split(topic.description or "")]
    return [topic.name, *(part for part in parts if len(part) >= 3)]


CONCEPT_WEIGHT = 2  # a lexicon concept counts as this many occurrences in a topic's bag
SYNTHETIC_FORMS = 3  # words or phrases per concept and language in a synthetic short form


def _message_bag(text: str) -> Counter:
    return Counter(tokens(text) + lexicon.concept_tokens(text))


def _lexical_bag(topic: TopicCandidate) -> Counter:
    bag = Counter(tokens(topic.name) * 3)
    bag.update(tokens(topic.description))
    for token in lexicon.concept_tokens(f"{topic.name}. {topic.description}"):
        bag[token] += CONCEPT_WEIGHT
    for example in topic.examples:
        bag.update(_message_bag(example))
    return bag


def _synthetic_forms(topic: TopicCandidate) -> list[str]:
    """Short query-like forms of the topic in nl, en and fr: per lexicon concept of its name and description, the
    concept's first words in each language ("lekke band, lek" for a topic described with "crevaison")."""
    out = []
    for index in sorted(lexicon.concepts(f"{topic.name}. {topic.description}")):
        for lang in lexicon.LANGUAGES:
            words = lexicon.forms(index, lang)[:SYNTHETIC_FORMS]
            if words:
                out.append(", ".join(words))
    return out


def _profile(topics: list[TopicCandidate]) -> _Profile | None:
    if not embeddings_enabled():
        return None
    key = tuple((topic.topic_id, topic.name, topic.description, topic.examples) for topic in topics)
    with _lock:
        profile = _profiles.get(key)
        if profile is not None:
            _profiles.move_to_end(key)
            return profile
    phrases, phrase_owner, examples, example_owner, synthetic, synthetic_owner = [], [], [], [], [], []
    for index, topic in enumerate(topics):
        for phrase in _phrases(topic):
            phrases.append(phrase)
            phrase_owner.append(index)
        for form in _synthetic_forms(topic):
            synthetic.append(form)
            synthetic_owner.append(index)
        for example in topic.examples:
            examples.append(example)
            example_owner.append(index)
    profile = _Profile(
        full=_embed_cached([f"{topic.name}. {topic.description}".strip(" .") for topic in topics]),
        phrases=_embed_cached(phrases),
        phrase_owner=np.asarray(phrase_owner, dtype=np.int32),
        examples=_embed_cached(examples),
        example_owner=np.asarray(example_owner, dtype=np.int32),
        lexical=TfIdfIndex([_lexical_bag(topic) for topic in topics]),
        synthetic=_embed_cached(synthetic),
        synthetic_owner=np.asarray(synthetic_owner, dtype=np.int32),
    )
    with _lock:
        _profiles[key] = profile
        while len(_profiles) > _PROFILE_CACHE_SIZE:
            _profiles.popitem(last=False)
    return profile


LEARNED_RELATIVE = 0.3  # weight of how much nearer a topic's examples are than the other topics' examples
LEARNED_ABSOLUTE = 1.0  # weight of an example similarity above LEARNED_SIMILAR (close to a correction)
LEARNED_SIMILAR = 0.45
KNN_TEMPERATURE = 0.05  # softmax temperature of the neighbours' weights (cosine units)


def _learned(profile: _Profile, vector: np.ndarray, count: int) -> np.ndarray:
    """What the corrected examples add to each topic's score: the distance-weighted similarity of the topic's own
    examples, centred across the topics that have examples (messages of one tenant are alike whatever their topic,
    so only how much nearer one topic's examples are says something), plus a bonus for a message close to one
    example."""
    similarities = profile.examples @ vector
    weights = np.exp((similarities - similarities.max()) / KNN_TEMPERATURE)
    own = np.zeros(count)
    best = np.full(count, np.nan)
    for index in range(count):
        mask = profile.example_owner == index
        if mask.any():
            own[index] = float((weights[mask] * similarities[mask]).sum() / weights[mask].sum())
            best[index] = float(similarities[mask].max())
    have = ~np.isnan(best)
    adjust = np.zeros(count)
    adjust[have] = LEARNED_RELATIVE * (own[have] - own[have].mean())
    adjust[have] += LEARNED_ABSOLUTE * np.maximum(best[have] - LEARNED_SIMILAR, 0.0)
    return adjust


def topic_scores(text: str, topics: list[TopicCandidate]) -> list[TopicScore]:
    """Every topic with its confidence for `text`, best first (empty without topics or text)."""
    if not topics or not (text or "").strip():
        return []
    query = _message_bag(text)
    profile = _profile(topics)
    if profile is None:
        lexical = TfIdfIndex([_lexical_bag(topic) for topic in topics]).scores(query) if query else [0.0] * len(topics)
        scores = np.asarray(lexical, dtype=np.float64)
    else:
        vector = _embed_cached([text.strip()[:2000]])[0]
        count = len(topics)
        whole = profile.full @ vector
        phrase = np.full(count, -1.0)
        if len(profile.phrases):
            np.maximum.at(phrase, profile.phrase_owner, profile.phrases @ vector)
        if len(profile.synthetic):
            np.maximum.at(phrase, profile.synthetic_owner, profile.synthetic @ vector)
        lexical = np.asarray(profile.lexical.scores(query) if query else [0.0] * count)
        described = WHOLE_WEIGHT * whole + (1 - WHOLE_WEIGHT) * phrase + LEXICAL_WEIGHT * lexical
        scores = described
        if len(profile.examples):
            scores = described + _learned(profile, vector, count)
    ranked = sorted(zip(scores.tolist(), range(len(topics)), strict=True), key=lambda item: (-item[0], item[1]))
    return [TopicScore(topics[index].topic_id, round(score, 4)) for score, index in ranked]


def match_topics(text: str, topics: list[TopicCandidate], *, limit: int = 3) -> list[int]:
    """The best topic when its confidence clears the floor, plus others scoring nearly as well; [] when no topic
    is confident enough."""
    ranked = topic_scores(text, topics)
    if not ranked:
        return []
    floor = ai_float("AI_LOCAL_TOPIC_MIN_CONFIDENCE" if embeddings_enabled() else "AI_LOCAL_TOPIC_MIN_SCORE")
    best = ranked[0].confidence
    if best < floor:
        return []
    return [item.topic_id for item in ranked[:limit] if item.confidence >= max(floor, best * SECONDARY_SHARE)]
