"""Embedded default: SQLite under var/, eager tasks, offline AI, DEBUG on, development keys."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, STATIC_ROOT, VAR_DIR, env_bool

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "answerpal-local-development-key-not-for-production-use-0123456789"
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or "answerpal-local-field-encryption-key"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY}  # noqa: F405
