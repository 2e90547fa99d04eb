"""Offline topic detection across languages: a message in any of the tenant's languages is compared with each
topic's name, description (whole and phrase by phrase) and the examples representatives confirmed or corrected
to it, in a multilingual sentence-embedding space (ai.providers.embeddings), plus a lexical TF-IDF score over the
same texts. The best topic is returned only when its confidence clears AI_LOCAL_TOPIC_MIN_CONFIDENCE: below it,
no topic rather than a wrong one.

Learning: every corrected example is a labelled neighbour; a message close to a topic's examples scores by its
nearest ones (mean of the two closest), so a few corrections per topic move the verdict.

Without the embedding model (package absent) the lexical score alone decides, against AI_LOCAL_TOPIC_MIN_SCORE
(the earlier behaviour; weak across languages)."""

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np

from ai.conf import ai_float, ai_setting
from ai.providers import embeddings
from ai.providers.base import TopicCandidate
from ai.providers.text import TfIdfIndex, tokens

_PHRASE_SPLIT = re.compile(r"[,.;:/()\n]+|\s(?:and|or|en|of|et|ou|und|oder|y|o)\s", re.IGNORECASE)
LEXICAL_WEIGHT = 0.35  # weight of the TF-IDF cosine next to the embedding similarity
WHOLE_WEIGHT = 0.75  # the whole "name. description" vs. its best-matching phrase
# Learned examples are whole customer messages: any two messages in one language are ~0.2 more alike than a message
# and a topic description, so example similarity is brought to the description's scale before the two compete.
EXAMPLE_OFFSET = 0.2
EXAMPLE_NEIGHBOURS = 2
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


def _lexical_bag(topic: TopicCandidate) -> Counter:
    bag = Counter(tokens(topic.name) * 3)
    bag.update(tokens(topic.description))
    for example in topic.examples:
        bag.update(tokens(example))
    return bag


def _profile(topics: list[TopicCandidate]) -> _Profile | None:
    if not embeddings_enabled():
        return None
    key = tuple((topic.topic_id, topic.name, topic.description, topic.examples) for topic in topics)
    with _lock:
        profile = _profiles.get(key)
        if profile is not None:
            _profiles.move_to_end(key)
            return profile
    phrases, phrase_owner, examples, example_owner = [], [], [], []
    for index, topic in enumerate(topics):
        for phrase in _phrases(topic):
            phrases.append(phrase)
            phrase_owner.append(index)
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
    )
    with _lock:
        _profiles[key] = profile
        while len(_profiles) > _PROFILE_CACHE_SIZE:
            _profiles.popitem(last=False)
    return profile


def topic_scores(text: str, topics: list[TopicCandidate]) -> list[TopicScore]:
    """Every topic with its confidence for `text`, best first (empty without topics or text)."""
    if not topics or not (text or "").strip():
        return []
    query = Counter(tokens(text))
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
        lexical = np.asarray(profile.lexical.scores(query) if query else [0.0] * count)
        described = WHOLE_WEIGHT * whole + (1 - WHOLE_WEIGHT) * phrase + LEXICAL_WEIGHT * lexical
        learned = np.full(count, -1.0)
        if len(profile.examples):
            similarities = profile.examples @ vector
            for index in range(count):
                own = np.sort(similarities[profile.example_owner == index])[::-1][:EXAMPLE_NEIGHBOURS]
                if len(own):
                    learned[index] = float(own.mean()) - EXAMPLE_OFFSET
        scores = np.maximum(described, learned + LEXICAL_WEIGHT * lexical)
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
