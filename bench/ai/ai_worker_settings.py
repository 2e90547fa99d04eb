"""Settings of the benchmark's ai worker: the local settings as a production worker runs them (DEBUG off, so Django
does not keep every query) plus a psycopg connection pool, which is how an ai worker with many threads keeps its
database connections bounded (ai.services gives the connection back to the pool while it waits on the model).
Production: DEBUG is already off; add the two DATABASES lines to the ai worker's settings."""

from answerpal.settings.local import *  # noqa: F403

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 - pooling replaces persistent connections
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 12, "timeout": 30}  # noqa: F405
