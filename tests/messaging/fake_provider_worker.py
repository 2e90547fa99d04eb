"""A real `celery worker` process (solo pool, queue `outbound`) whose outside HTTP is mocked under the
real msal/httpx code: Graph's sendMail records the Message-ID it received in `$FAKE_PROVIDER_DIR/sent.log`
and, while `$FAKE_PROVIDER_DIR/block` exists, never answers (the process is then killed by the test);
Sent Items answers from that log.

Run as `python -m tests.messaging.fake_provider_worker`; used by test_worker_faults.py."""

import base64
import email
import os
import time
from email import policy
from pathlib import Path

import django
import httpx
import responses
import respx

STATE = Path(os.environ["FAKE_PROVIDER_DIR"])
AUTHORITY = "https://login.microsoftonline.com/tenant-1"
GRAPH = "https://graph.microsoft.com/v1.0"


def _sent_ids() -> list[str]:
    log = STATE / "sent.log"
    return log.read_text().split() if log.exists() else []


def _send_mail(request: httpx.Request) -> httpx.Response:
    mime = email.message_from_bytes(base64.b64decode(request.content), policy=policy.default)
    with open(STATE / "sent.log", "a") as log:
        log.write(f"{mime['Message-ID']}\n")
        log.flush()
        os.fsync(log.fileno())
    while (STATE / "block").exists():
        time.sleep(0.2)
    return httpx.Response(202)


def _sent_items(request: httpx.Request) -> httpx.Response:
    wanted = request.url.params.get("$filter", "")
    found = [{"id": f"sent-{n}"} for n, value in enumerate(_sent_ids()) if value in wanted]
    return httpx.Response(200, json={"value": found[:1]})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "answerpal.settings.test")
    django.setup()
    from django.conf import settings

    from answerpal.celery import app

    settings.OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))

    requests_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    requests_mock.start()
    requests_mock.get(
        f"{AUTHORITY}/v2.0/.well-known/openid-configuration",
        json={
            "token_endpoint": f"{AUTHORITY}/oauth2/v2.0/token",
            "issuer": f"{AUTHORITY}/v2.0",
            "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
        },
    )
    requests_mock.post(f"{AUTHORITY}/oauth2/v2.0/token", json={"access_token": "t", "expires_in": 3599})
    router = respx.MockRouter(assert_all_called=False)
    router.post(url__regex=rf"{GRAPH}/users/[^/]+/sendMail").mock(side_effect=_send_mail)
    router.get(url__regex=rf"{GRAPH}/users/[^/]+/mailFolders/sentitems/messages.*").mock(side_effect=_sent_items)
    router.start()
    app.conf.update(task_always_eager=False, broker_url=os.environ["REDIS_URL"])
    (STATE / f"ready-{os.getpid()}").write_text("ready")
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "-Q",
            "outbound",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"fault-{os.getpid()}@%h",
            "--loglevel=WARNING",
        ]
    )


if __name__ == "__main__":
    main()
