"""Retention and erasure through a real worker (PostgreSQL + Redis leg): the beat task fans out per customer and
deletes only what the settings say; an erasure request is finished by the worker."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.models import ErasureJob, RetentionRun
from privacy.tasks import retention_enqueue_all


def _wait(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_beat_retention_runs_on_a_real_worker_and_deletes_only_what_is_due(live_worker):
    from tests.customers.factories import CustomerFactory
    from tests.tickets.factories import TicketFactory
    from tickets.models import Ticket, TicketStatus

    keeping = CustomerFactory()
    pruning = CustomerFactory(retention_closed_tickets_days=30)
    due = TicketFactory(customer=pruning, status=TicketStatus.CLOSED)
    recent = TicketFactory(customer=pruning, status=TicketStatus.CLOSED)
    held = TicketFactory(customer=pruning, status=TicketStatus.CLOSED)
    kept_elsewhere = TicketFactory(customer=keeping, status=TicketStatus.CLOSED)
    old = timezone.now() - timedelta(days=45)
    Ticket.objects.filter(pk__in=[due.pk, held.pk, kept_elsewhere.pk]).update(close_date=old)
    Ticket.objects.filter(pk=held.pk).update(legal_hold=True)

    retention_enqueue_all.delay()

    assert _wait(lambda: RetentionRun.objects.filter(customer=pruning, finished_at__isnull=False).exists())
    run = RetentionRun.objects.get(customer=pruning)
    assert run.counts == {"closedTickets": 1} and run.complete and not run.dry_run
    assert set(Ticket.objects.values_list("pk", flat=True)) == {recent.pk, held.pk, kept_elsewhere.pk}
    assert not RetentionRun.objects.filter(customer=keeping).exists()


@pytest.mark.worker
def test_erasure_request_is_finished_by_the_worker(live_worker):
    from privacy import services
    from tests.tickets.factories import EndUserUIDFactory, TicketFactory
    from tickets.models import EndUser, Ticket

    uid = EndUserUIDFactory(uid="worker.erase@example.be")
    ticket = TicketFactory(customer=uid.customer, end_user=uid.end_user, uid=uid.uid)

    job = services.enduser_erase(customer_id=uid.customer_id, end_user_id=uid.end_user_id)

    assert _wait(lambda: ErasureJob.objects.filter(pk=job.pk, state="Done").exists())
    assert not EndUser.objects.filter(pk=uid.end_user_id).exists() and not Ticket.objects.filter(pk=ticket.pk).exists()
    assert ErasureJob.objects.get(pk=job.pk).counts["tickets"] == 1


@pytest.mark.worker
def test_workers_answer_the_cache_clear_broadcast(live_worker):
    from ai.providers import topics as topic_matching
    from answerpal.celery import app

    topic_matching._vectors["a customer's message text"] = None

    replies = app.control.broadcast("privacy_caches_clear", reply=True, timeout=5)

    assert replies and all(reply == {"ok": "caches cleared"} for answer in replies for reply in answer.values())
    assert "a customer's message text" not in topic_matching._vectors
