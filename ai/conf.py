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
    "AI_LOCAL_TOPIC_MIN_CONFIDENCE": "0.12",  # embedding + lexical confidence below which no topic is given
    "AI_LOCAL_EMBEDDINGS": "on",  # "off": the offline provider runs on lexical features only
    "AI_LOCAL_SPAM_THRESHOLD": "0.5",  # offline spam probability at or above which a message is spam
    "AI_LOCAL_PASSAGE_MIN_SCORE": "0.12",
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
