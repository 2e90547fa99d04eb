"""Settings of the benchmark's ai worker: the local settings plus a psycopg connection pool, which is how an ai
worker with many threads keeps its database connections bounded (ai.services releases the connection to the pool
while it waits on the model). Production: the same two lines in the worker's settings."""

from answerpal.settings.local import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 - pooling replaces persistent connections
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 12, "timeout": 30}  # noqa: F405
