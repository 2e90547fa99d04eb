"""Timing of POST /api/Auth/request-password-reset for a known and an unknown e-mail (run by hand, not in CI).

    .venv/bin/python bench/reset_timing.py [--requests 200]

Migrates a scratch SQLite database in a temporary directory, creates one customer with one representative, and
times the route through Django's test client (the whole middleware stack), known and unknown addresses
interleaved, in the two runtime modes: with a broker (tasks are only enqueued; the in-memory broker stands in for
Redis) and embedded (tasks run inside the request, as without REDIS_URL), with and without the response floor
PASSWORD_RESET_MIN_RESPONSE_MS. Prints median and p90 in milliseconds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="reset-timing-")
    os.environ["ANSWERPAL_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "answerpal.settings.local")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.PASSWORD_RESET_REQUESTS_PER_ACCOUNT = settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 10**9
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"] = "1000000/min"
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    call_command("migrate", verbosity=0)

    from accounts.services import customer_onboard
    from answerpal.celery import app
    from billing.services import plans_ensure_default

    plans_ensure_default()
    customer, _, _ = customer_onboard(
        name="Bench",
        hostname="bench.answerpal.test",
        plan_code="business",
        admin_username="admin",
        admin_password="Bench-pass-12345",
        admin_email="known@example.com",
    )
    client = Client()

    def one(email: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/Auth/request-password-reset",
            {"email": email, "hostname": customer.hostname},
            content_type="application/json",
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content
        return elapsed

    floor = settings.PASSWORD_RESET_MIN_RESPONSE_MS
    modes = (
        ("broker (tasks enqueued)", False, 0),
        (f"embedded, floor {floor} ms (default)", True, floor),
        ("embedded, no floor", True, 0),
    )
    for mode, eager, minimum in modes:
        app.conf.task_always_eager = eager
        settings.PASSWORD_RESET_MIN_RESPONSE_MS = minimum
        for _ in range(20):  # warm-up
            one("known@example.com")
            one("nobody@example.com")
        known, unknown = [], []
        for _ in range(args.requests):
            known.append(one("known@example.com"))
            unknown.append(one("nobody@example.com"))
        for label, values in (("known", known), ("unknown", unknown)):
            values.sort()
            p90 = values[int(len(values) * 0.9)]
            print(f"{mode:36} {label:8} median {statistics.median(values):6.2f} ms   p90 {p90:6.2f} ms")


if __name__ == "__main__":
    main()
