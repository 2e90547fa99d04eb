"""Real Celery workers on Redis and PostgreSQL: the happy path end to end, a worker killed in the
middle of a send, and a broker that lost its queued messages."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from messaging import services
from messaging.models import OutboxMessage, OutboxStatus
from tests.conftest import client_with_token, rep_token
from tests.messaging.conftest import GRAPH, MAILBOX, graph_message, mock_graph_messages
from tests.messaging.factories import GraphSubscriptionFactory
from tickets.models import MessageStatus, TicketMessage

pytestmark = pytest.mark.worker
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout=30, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def test_notification_import_reply_outbox_sent(live_worker, graph_mock, graph_folder, rep):
    """Graph notification → import task → ticket → representative's reply → outbox task → sent."""
    cache.clear()
    subscription = GraphSubscriptionFactory(
        customer=graph_folder.customer, channel=graph_folder.channel, folder=graph_folder
    )
    mock_graph_messages(graph_mock, [graph_message(1, subject="Broken blender")])
    send = graph_mock.post(f"{GRAPH}/users/{MAILBOX}/sendMail").respond(202)
    anonymous = client_with_token(None)
    payload = {"value": [{"subscriptionId": subscription.subscription_id, "clientState": subscription.client_state}]}
    response = anonymous.post("/api/GraphWebhook", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202
    wait_for(lambda: TicketMessage.objects.filter(message_identifier="<mail-1@example.com>").exists(), what="import")
    inbound = TicketMessage.objects.get(message_identifier="<mail-1@example.com>")
    TicketMessage.objects.filter(pk=inbound.pk).update(ai_generated_response="We will replace it.")

    reply = client_with_token(rep_token(rep)).post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    assert reply.status_code == 202, reply.content
    outbound_id = reply.json()["messageID"]
    wait_for(lambda: TicketMessage.objects.get(pk=outbound_id).status == MessageStatus.SENT, what="the outbox delivery")
    assert send.call_count == 1
    assert OutboxMessage.objects.get(message_id=outbound_id).status == OutboxStatus.SENT


def _start_worker(state_dir: Path, redis_url: str) -> subprocess.Popen:
    settings = connection.settings_dict
    database_url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "answerpal.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FAKE_PROVIDER_DIR": str(state_dir),
        "OUTBOX_LEASE_SECONDS": "3",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.messaging.fake_provider_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(state_dir / f"worker-{time.monotonic_ns()}.log", "w"),  # noqa: SIM115 - lives as long as the worker
    )
    wait_for(lambda: (state_dir / f"ready-{process.pid}").exists(), timeout=60, what="the worker to start")
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def _sent_log(state_dir: Path) -> list[str]:
    log = state_dir / "sent.log"
    return log.read_text().split() if log.exists() else []


def test_worker_killed_during_send_delivers_exactly_once(redis_broker, tmp_path, graph_channel):
    from messaging.tasks import outbox_deliver, outbox_sweep
    from tests.messaging.test_send import _queued_outbox

    redis_url = redis_broker
    outbox = _queued_outbox(graph_channel)
    (tmp_path / "block").write_text("hold the send")
    first = _start_worker(tmp_path, redis_url)
    try:
        outbox_deliver.delay(outbox.pk)
        wait_for(lambda: _sent_log(tmp_path), what="the provider to receive the first attempt")
        os.kill(first.pid, signal.SIGKILL)  # dies after the provider accepted, before recording it
        first.wait(timeout=10)
    finally:
        _stop(first)
    outbox.refresh_from_db()
    assert outbox.status == OutboxStatus.SENDING and outbox.attempts == 1
    (tmp_path / "block").unlink()

    second = _start_worker(tmp_path, redis_url)
    try:
        wait_for(lambda: services.outbox_stuck_ids() == [outbox.pk], timeout=15, what="the lease to expire")
        assert outbox_sweep() == 1
        wait_for(
            lambda: OutboxMessage.objects.get(pk=outbox.pk).status == OutboxStatus.SENT,
            what="the re-driven delivery",
        )
    finally:
        _stop(second)
    outbox.refresh_from_db()
    assert outbox.attempts == 2
    assert _sent_log(tmp_path) == [outbox.internet_message_id]  # the provider got it exactly once
    assert TicketMessage.objects.get(pk=outbox.message_id).status == MessageStatus.SENT


def test_broker_that_lost_its_messages_loses_nothing(redis_broker, tmp_path, graph_channel, settings):
    """Rows are queued (their tasks in Redis), Redis is flushed (a restart without persistence), a
    worker starts: the sweeper re-drives every row and each is sent once."""
    import redis
    from django.db import transaction

    from messaging.tasks import outbox_deliver, outbox_sweep
    from tests.messaging.test_send import _queued_outbox

    redis_url = redis_broker
    rows = [_queued_outbox(graph_channel) for _ in range(3)]
    for row in rows:
        transaction.on_commit(lambda row_id=row.pk: outbox_deliver.delay(row_id))
    assert redis.Redis.from_url(redis_url).llen("outbound") == 3
    redis.Redis.from_url(redis_url).flushdb()
    worker = _start_worker(tmp_path, redis_url)
    try:
        settings.OUTBOX_QUEUED_GRACE_SECONDS = 0
        assert sorted(services.outbox_stuck_ids()) == sorted(row.pk for row in rows)
        assert outbox_sweep() == 3
        wait_for(
            lambda: OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 3, what="all rows to be sent"
        )
    finally:
        _stop(worker)
    assert sorted(_sent_log(tmp_path)) == sorted(row.internet_message_id for row in rows)
