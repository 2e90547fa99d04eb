"""On the real Celery worker (PostgreSQL + Redis): a ticket event reaches the receiver signed, and a delivery
that failed while the receiver was down goes out once through the sweeper when it is back."""

import time

import pytest
from django.utils import timezone

from answerpal.outbox import OutboxStatus


def _wait_for(predicate, *, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.worker
def test_deliveries_go_through_the_worker_and_the_sweeper(live_worker, receiver):
    from tests.customers.factories import CustomerFactory
    from tickets import services as ticket_services
    from webhooks import services
    from webhooks.models import WebhookDelivery, WebhookEvent
    from webhooks.tasks import delivery_sweep

    customer = CustomerFactory()
    endpoint, secret = services.endpoint_create(
        customer_id=customer.pk, url=receiver.url, event_types=["ticket.created"]
    )
    receiver.secrets = [secret]

    first = ticket_services.ticket_create(customer_id=customer.pk, channel_type="Email", subject="One")
    _wait_for(lambda: len(receiver.accepted) == 1, what="the first delivery")
    assert receiver.accepted[0]["data"]["ticketID"] == first.pk and receiver.refused_signatures == 0
    _wait_for(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status=OutboxStatus.SENT).count() == 1,
        what="the first delivery to be marked sent",
    )

    receiver.stop()
    second = ticket_services.ticket_create(customer_id=customer.pk, channel_type="Email", subject="Two")
    pending = lambda: WebhookDelivery.objects.filter(endpoint=endpoint, event__body__contains=f'"ticketID":{second.pk}')  # noqa: E731
    _wait_for(
        lambda: pending().filter(status=OutboxStatus.QUEUED, attempts=1).exists(), what="the failed first attempt"
    )
    receiver.start()
    pending().update(next_attempt_at=timezone.now() - timezone.timedelta(hours=1))  # as if the backoff had passed
    delivery_sweep.delay()  # the beat task, on the worker
    _wait_for(lambda: pending().filter(status=OutboxStatus.SENT).exists(), what="the swept delivery", timeout=10)

    assert sorted(receiver.ids()) == sorted(WebhookEvent.objects.values_list("message_id", flat=True))
    assert [item["data"]["ticketID"] for item in receiver.accepted] == [first.pk, second.pk]
