"""Signed deliveries end to end against a real receiver on 127.0.0.1 that verifies each with `standardwebhooks`:
events from their real publishers, exactly once per endpoint and event, a receiver that is down or failing
receives every event once when it comes back (retries driven by the sweeper with a moved clock), secret
rotation with overlap, the outbound guard, timeouts and the response size cap."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from answerpal.outbox import OutboxStatus
from channels_cfg.models import ChannelType
from tests.answerpal.outbound_cases import fake_dns, forbid_connections
from tests.customers.factories import CustomerFactory
from tickets import services as ticket_services
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from webhooks.tasks import delivery_sweep

pytestmark = pytest.mark.django_db


def _endpoint(customer, url, event_types=("ticket.created", "message.received", "ticket.closed")):
    endpoint, secret = services.endpoint_create(customer_id=customer.pk, url=url, event_types=list(event_types))
    return endpoint, secret


def _later(seconds: int):
    """Moves the application clock (outbox due times, leases) forward; the signature clock stays real."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=seconds))


def _new_ticket(customer, run):
    with run(execute=True):
        return ticket_services.ticket_create(customer_id=customer.pk, channel_type=ChannelType.EMAIL, subject="Hi")


def test_ticket_and_message_events_arrive_signed_and_verified(receiver, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, receiver.url)
    receiver.secrets = [secret]

    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_services.message_create(
            customer_id=customer.pk,
            channel_type=ChannelType.EMAIL,
            uid="client@example.com",
            fields={"subject": "Leaking tap", "text_body": "The tap leaks.", "from_address": "client@example.com"},
        )

    assert receiver.refused_signatures == 0
    by_type = {item["type"]: item for item in receiver.accepted}
    assert set(by_type) == {"ticket.created", "message.received"}
    assert by_type["ticket.created"]["data"]["ticketID"] == message.ticket_id
    assert by_type["message.received"]["data"] == {
        "messageID": message.pk,
        "ticketID": message.ticket_id,
        "channelID": message.channel_id,
    }
    assert "client@example.com" not in str(by_type)  # thin payloads: ids and states, no personal data
    headers = by_type["ticket.created"]["headers"]
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {(row.status, row.attempts, row.last_status_code) for row in deliveries} == {(OutboxStatus.SENT, 1, 200)}
    assert WebhookAttempt.objects.filter(delivery__endpoint=endpoint, status_code=200).count() == 2


def test_only_subscribed_enabled_endpoints_of_the_tenant_receive(receiver, django_capture_on_commit_callbacks):
    customer, other = CustomerFactory(), CustomerFactory()
    listening, secret = _endpoint(customer, receiver.url, ["ticket.created"])
    receiver.secrets = [secret]
    _endpoint(customer, receiver.url, ["ticket.closed"])  # not subscribed to ticket.created
    disabled, _ = _endpoint(customer, receiver.url, ["ticket.created"])
    services.endpoint_update(endpoint=disabled, changes={"enabled": False})
    _endpoint(other, receiver.url, ["ticket.created"])  # another tenant's

    ticket = _new_ticket(customer, django_capture_on_commit_callbacks)

    assert [(item["type"], item["data"]["ticketID"]) for item in receiver.accepted] == [("ticket.created", ticket.pk)]
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [listening.pk]


def test_a_tenant_without_endpoints_costs_one_query_per_event(django_assert_num_queries):
    from answerpal.events import Event
    from tests.webhooks.factories import WebhookEndpointFactory

    customer = CustomerFactory()
    WebhookEndpointFactory(customer=CustomerFactory(), event_types=["message.received"])  # another tenant's
    with django_assert_num_queries(1):
        services.bus_handler(Event.MESSAGE_RECEIVED)(customer_id=customer.pk, message_id=1)
    assert not WebhookEvent.objects.exists()


def test_a_receiver_that_is_down_gets_every_event_exactly_once_when_it_comes_back(
    receiver, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, receiver.url)
    receiver.secrets = [secret]
    receiver.stop()  # connection refused

    tickets = [_new_ticket(customer, django_capture_on_commit_callbacks) for _ in range(3)]

    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert len(deliveries) == 3
    assert {(row.status, row.attempts) for row in deliveries} == {(OutboxStatus.QUEUED, 1)}
    assert all("ConnectError" in row.last_error for row in deliveries)
    assert all(25 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 31 for row in deliveries)
    assert delivery_sweep() == 0  # not due yet

    with _later(300), django_capture_on_commit_callbacks(execute=True):  # due + sweeper grace; still down
        assert delivery_sweep() == 3
    assert set(WebhookDelivery.objects.values_list("attempts", "status")) == {(2, OutboxStatus.QUEUED)}

    receiver.start()  # back, on the same port
    with _later(3600), django_capture_on_commit_callbacks(execute=True):
        assert delivery_sweep() == 3
    with _later(7200), django_capture_on_commit_callbacks(execute=True):
        assert delivery_sweep() == 0  # nothing left to re-drive
        for row in deliveries:
            assert services.delivery_deliver(delivery_id=row.pk) == "skipped"  # a duplicate task sends nothing

    event_ids = set(WebhookEvent.objects.values_list("message_id", flat=True))
    assert sorted(receiver.ids()) == sorted(event_ids)  # every event, each exactly once
    assert sorted(item["data"]["ticketID"] for item in receiver.accepted) == sorted(t.pk for t in tickets)
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 3)}
    log = list(WebhookAttempt.objects.filter(delivery=deliveries[0]).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, None), (2, None), (3, 200)]
    assert log[0].error and log[2].error == ""


def test_a_failing_receiver_is_retried_until_it_answers_2xx(receiver, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, receiver.url)
    receiver.secrets = [secret]
    receiver.answer_status = 500

    _new_ticket(customer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (OutboxStatus.QUEUED, 500, "HTTP 500")

    receiver.answer_status = 204
    with _later(3600), django_capture_on_commit_callbacks(execute=True):
        assert delivery_sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (OutboxStatus.SENT, 2, 204)
    assert receiver.requests == 2 and len(receiver.ids()) == 1
    assert len(set(receiver.ids())) == 1


def test_attempts_end_failed_after_the_budget(receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, receiver.url)
    receiver.secrets = [secret]
    receiver.answer_status = 503
    _new_ticket(customer, django_capture_on_commit_callbacks)
    with _later(3600), django_capture_on_commit_callbacks(execute=True):
        delivery_sweep()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (OutboxStatus.FAILED, 2)

    receiver.answer_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.SENT and len(receiver.ids()) == 1


def test_one_row_per_endpoint_and_event():
    from tests.webhooks.factories import WebhookEndpointFactory

    endpoint = WebhookEndpointFactory()
    event = WebhookEvent.objects.create(customer=endpoint.customer, message_id="msg_1", event_type="x", body="{}")
    WebhookDelivery.objects.create(
        customer=endpoint.customer, endpoint=endpoint, event=event, next_attempt_at=timezone.now()
    )
    with pytest.raises(IntegrityError):
        WebhookDelivery.objects.create(
            customer=endpoint.customer, endpoint=endpoint, event=event, next_attempt_at=timezone.now()
        )


class TestRotation:
    def _deliver_one(self, customer, run):
        _new_ticket(customer, run)

    def test_during_the_overlap_both_secrets_verify(self, receiver, django_capture_on_commit_callbacks):
        customer = CustomerFactory()
        endpoint, old_secret = _endpoint(customer, receiver.url)
        endpoint, new_secret = services.endpoint_secret_rotate(endpoint=endpoint, overlap_seconds=3600)
        assert new_secret != old_secret and new_secret.startswith("whsec_")
        receiver.secrets = [old_secret]  # the receiver has not switched yet

        self._deliver_one(customer, django_capture_on_commit_callbacks)

        (item,) = receiver.accepted
        signatures = item["headers"]["webhook-signature"].split(" ")
        assert len(signatures) == 2 and all(sig.startswith("v1,") for sig in signatures)
        Webhook(old_secret).verify(item["body"], item["headers"])
        Webhook(new_secret).verify(item["body"], item["headers"])

    def test_after_the_overlap_only_the_new_secret_signs(self, receiver, django_capture_on_commit_callbacks):
        customer = CustomerFactory()
        endpoint, old_secret = _endpoint(customer, receiver.url)
        endpoint, new_secret = services.endpoint_secret_rotate(endpoint=endpoint, overlap_seconds=60)
        receiver.secrets = [old_secret, new_secret]
        with _later(120):
            self._deliver_one(customer, django_capture_on_commit_callbacks)

        (item,) = receiver.accepted
        assert len(item["headers"]["webhook-signature"].split(" ")) == 1
        Webhook(new_secret).verify(item["body"], item["headers"])
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(item["body"], item["headers"])

    def test_zero_overlap_retires_the_old_secret_at_once(self, receiver, django_capture_on_commit_callbacks):
        customer = CustomerFactory()
        endpoint, old_secret = _endpoint(customer, receiver.url)
        endpoint, _ = services.endpoint_secret_rotate(endpoint=endpoint, overlap_seconds=0)
        receiver.secrets = [old_secret]
        self._deliver_one(customer, django_capture_on_commit_callbacks)
        assert receiver.accepted == [] and receiver.refused_signatures == 1
        assert WebhookDelivery.objects.get(endpoint=endpoint).last_status_code == 400


def test_secrets_are_encrypted_at_rest():
    from django.db import connection

    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, "https://hooks.example.com/x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored and secret.removeprefix("whsec_") not in stored


class TestGuard:
    @pytest.mark.parametrize("host", ["rebind.attacker.example", "metadata.attacker.example", "v6.attacker.example"])
    def test_a_name_resolving_to_an_internal_address_is_never_connected(
        self, host, monkeypatch, django_capture_on_commit_callbacks
    ):
        fake_dns(monkeypatch)
        attempts = forbid_connections(monkeypatch)
        customer = CustomerFactory()
        endpoint, _ = _endpoint(customer, f"https://{host}/hooks")  # a name passes at save time

        _new_ticket(customer, django_capture_on_commit_callbacks)

        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.status == OutboxStatus.FAILED  # permanent: retrying cannot fix a refused destination
        assert delivery.last_error.startswith("OutboundAddressRefused")
        assert attempts == []

    def test_loopback_is_refused_without_the_allow_list(self, receiver, settings, django_capture_on_commit_callbacks):
        customer = CustomerFactory()
        endpoint, _ = _endpoint(customer, receiver.url)  # registered while allowed
        settings.OUTBOUND_ALLOWED_NETWORKS = ""
        _new_ticket(customer, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.status == OutboxStatus.FAILED and "OutboundAddressRefused" in delivery.last_error
        assert receiver.requests == 0


class TestLimits:
    def test_a_slow_receiver_times_out_and_is_retried(self, receiver, settings, django_capture_on_commit_callbacks):
        settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
        customer = CustomerFactory()
        endpoint, secret = _endpoint(customer, receiver.url)
        receiver.secrets = [secret]
        receiver.answer_delay = 1.5
        _new_ticket(customer, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.status == OutboxStatus.QUEUED and delivery.last_error.startswith("Timeout")
        attempt = WebhookAttempt.objects.get(delivery=delivery)
        assert attempt.status_code is None and 250 <= attempt.duration_ms < 1500

    def test_the_response_is_read_only_up_to_the_cap(self, receiver, settings, django_capture_on_commit_callbacks):
        settings.WEBHOOK_MAX_RESPONSE_BYTES = 2048
        customer = CustomerFactory()
        endpoint, secret = _endpoint(customer, receiver.url)
        receiver.secrets = [secret]
        receiver.answer_body = b"x" * (4 * 1024 * 1024)
        _new_ticket(customer, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.status == OutboxStatus.SENT  # the 2xx counts; the rest of the body is never read
        attempt = WebhookAttempt.objects.get(delivery=delivery)
        assert "larger than 2048 bytes" in attempt.error and len(attempt.response_excerpt) <= 500


def test_the_log_keeps_pending_and_recent_events(settings):
    from tests.webhooks.factories import WebhookEndpointFactory
    from webhooks.tasks import log_prune

    settings.WEBHOOK_LOG_RETENTION_DAYS = 30
    endpoint = WebhookEndpointFactory()
    now = timezone.now()

    def event(days_old, status):
        row = WebhookEvent.objects.create(
            customer=endpoint.customer, message_id=f"msg_{days_old}_{status}", event_type="ticket.created", body="{}"
        )
        WebhookEvent.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days_old))
        WebhookDelivery.objects.create(
            customer=endpoint.customer, endpoint=endpoint, event=row, status=status, next_attempt_at=now
        )
        return row

    old_sent, old_failed = event(40, OutboxStatus.SENT), event(40, OutboxStatus.FAILED)
    old_queued, recent = event(40, OutboxStatus.QUEUED), event(5, OutboxStatus.SENT)
    assert log_prune() == 2
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {old_queued.pk, recent.pk}
    assert not WebhookDelivery.objects.filter(event_id__in=[old_sent.pk, old_failed.pk]).exists()


def test_a_dripping_body_cannot_hold_the_worker_past_the_timeout(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    customer = CustomerFactory()
    endpoint, secret = _endpoint(customer, receiver.url)
    receiver.secrets = [secret]
    receiver.answer_drip = True
    _new_ticket(customer, django_capture_on_commit_callbacks)
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.status_code == 200 and attempt.duration_ms < 1500
    assert "not complete within the timeout" in attempt.error
