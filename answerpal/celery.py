"""The one Celery app; configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "answerpal.settings.local")

app = Celery("answerpal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_after_commit(task, *args, countdown: float | None = None, **kwargs) -> None:
    """Sends `task(*args, **kwargs)` once the current transaction commits (at once outside one), so a
    worker never looks for rows that are not committed yet and a rolled-back write enqueues nothing."""
    from django.db import transaction

    transaction.on_commit(lambda: task.apply_async(args, kwargs, countdown=countdown or None))
