"""Operator admin for webhooks: changelists render with a bounded query count, secrets are never shown,
the retry action re-queues failed deliveries through the service."""

import pytest
from django.utils import timezone

from answerpal.outbox import OutboxStatus
from tests.admin_helpers import operator_login
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def _failed_delivery(endpoint, number):
    event = WebhookEvent.objects.create(
        customer=endpoint.customer, message_id=f"msg_admin_{number}", event_type="ticket.created", body="{}"
    )
    delivery = WebhookDelivery.objects.create(
        customer=endpoint.customer,
        endpoint=endpoint,
        event=event,
        status=OutboxStatus.FAILED,
        attempts=3,
        next_attempt_at=timezone.now(),
    )
    WebhookAttempt.objects.create(delivery=delivery, number=3, attempted_at=timezone.now(), error="HTTP 500")
    return delivery


def test_changelists_and_pages_render_without_secrets(operator_client, customer, django_assert_max_num_queries):
    endpoints = [WebhookEndpointFactory(customer=customer) for _ in range(6)]
    deliveries = [_failed_delivery(endpoint, index) for index, endpoint in enumerate(endpoints)]
    for url in ("/admin/webhooks/webhookendpoint/", "/admin/webhooks/webhookdelivery/"):
        with django_assert_max_num_queries(10):
            response = operator_client.get(url)
        assert response.status_code == 200, url
        assert operator_client.get(url, {"q": "example"}).status_code == 200
    page = operator_client.get(f"/admin/webhooks/webhookendpoint/{endpoints[0].pk}/change/")
    assert page.status_code == 200 and endpoints[0].secret.encode() not in page.content
    page = operator_client.get(f"/admin/webhooks/webhookdelivery/{deliveries[0].pk}/change/")
    assert page.status_code == 200 and b"HTTP 500" in page.content


def test_retry_action_requeues_failed_deliveries(operator_client, customer, monkeypatch):
    from webhooks.tasks import delivery_deliver

    monkeypatch.setattr(delivery_deliver, "apply_async", lambda *args, **kwargs: None)  # queued, not sent here
    delivery = _failed_delivery(WebhookEndpointFactory(customer=customer), 1)
    operator_client.post("/admin/webhooks/webhookdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.QUEUED and delivery.max_attempts > delivery.attempts
