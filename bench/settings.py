"""Benchmark settings: the local settings with DEBUG off, a throttle budget that does not interfere
with a load run, and bench/urls.py (the production URLs plus the ceiling view)."""

import os

from answerpal.settings.local import *  # noqa: F403
from answerpal.settings.local import REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "customer": os.environ.get("API_RATE_LIMIT", "10000000/min"),
    },
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
