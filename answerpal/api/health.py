"""GET /healthz: 200 when the database answers and the broker is reachable, else 503."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from answerpal.celery import app as celery_app


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, reported as text
        return f"error: {error.__class__.__name__}"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"


def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value in {"ok", "in-process"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
