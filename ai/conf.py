"""AI settings: a Django setting of the same name wins, then the environment variable, then the default."""

import os

from django.conf import settings

DEFAULTS = {
    "AI_DEFAULT_MODEL": "gpt-4o-mini",  # OpenAI model when a slot is empty but OpenAI is configured
    "AI_TRANSLATION_MODEL": "gpt-4o-mini",  # translate and detect-language-ai (spec: gpt-4o-mini)
    "AI_TRANSCRIBE_MODEL": "whisper-1",
    "AI_OPENAI_TIMEOUT_SECONDS": "60",
    "AI_OPENAI_MAX_RETRIES": "3",
    "AI_OPENAI_MAX_CONNECTIONS": "200",
    "AI_LOCAL_LANGUAGES": "en,nl,fr,de,es,it,pt",
    "AI_LOCAL_TOPIC_MIN_SCORE": "0.05",  # lexical floor, used when the embedding model is absent or off
    "AI_LOCAL_TOPIC_MIN_CONFIDENCE": "0.18",  # embedding + lexical confidence below which no topic is given
    "AI_LOCAL_EMBEDDINGS": "on",  # "off": the offline provider runs on lexical features only
    "AI_LOCAL_SPAM_THRESHOLD": "0.5",  # offline spam probability at or above which a message is spam
    # Offline answers (ai/providers/retrieval.py), calibrated on ai/evaluation/data/answers.json: a passage answers
    # when its 0..1 score reaches the minimum (lexical-only minimum when the sentence encoder is not installed).
    "AI_LOCAL_ANSWER_MIN_SCORE": "0.31",
    "AI_LOCAL_ANSWER_MIN_SCORE_LEXICAL": "0.34",
    "AI_LOCAL_SEMANTIC_WEIGHT": "0.4",  # share of the embedding cosine in the score
    "AI_LOCAL_SEMANTIC_FLOOR": "0.1",  # cosine that counts as 0 ...
    "AI_LOCAL_SEMANTIC_CEILING": "0.7",  # ... and as 1
    "AI_LOCAL_BM25_SHARE": "0.4",  # share of BM25 in the lexical score (the rest: IDF share of the words found)
    "AI_LOCAL_QUESTION_COSINE_MARGIN": "0.2",  # a passage's question must beat its text by this much to count
    "AI_LOCAL_CROSS_LANGUAGE_LEXICAL": "1.0",  # lexical share kept for passages in another language than the message
    "AI_LOCAL_CROSS_ANSWER_MIN_SCORE": "0.42",  # answer threshold when the best passage is in another language
    "AI_LOCAL_CROSS_SEMANTIC_WEIGHT": "0.5",  # share of the cosine for passages in another language than the message
    "AI_LOCAL_CROSS_SEMANTIC_FLOOR": "0.1",  # cross-language cosine that counts as 0 ...
    "AI_LOCAL_CROSS_SEMANTIC_CEILING": "0.55",  # ... and as 1
    "AI_LOCAL_ANSWER_TOGETHER_RATIO": "0.9",  # next passages of the same list/section join at this share of the best
    "AI_HISTORY_MESSAGES": "10",  # earlier messages of the ticket given to the reply draft
    "AI_KNOWLEDGE_RECHECK_SECONDS": "30",  # how stale the per-process knowledge index may be
    "AI_PIPELINE_MAX_RETRIES": "5",
    "AI_PIPELINE_RETRY_BASE_SECONDS": "5",
    "AI_PIPELINE_STALE_MINUTES": "15",  # the sweeper re-drives pipelines unfinished after this long
}


def ai_setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name) or DEFAULTS[name]
    return value


def ai_int(name: str) -> int:
    return int(ai_setting(name))


def ai_float(name: str) -> float:
    return float(ai_setting(name))


def ai_list(name: str) -> list[str]:
    value = ai_setting(name)
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else list(value)
