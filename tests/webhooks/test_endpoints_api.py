"""WebhookEndpoints routes: CRUD with the secret shown once, rotate-secret, test, the delivery log and its
retry, WebhookEventTypes; validation (400 with codes, internal addresses refused), 401, 403 for a
Representative, 404 for another tenant's endpoint, and query-count pins on the lists."""

import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from answerpal.outbox import OutboxStatus
from tests.answerpal.outbound_cases import INTERNAL_LITERALS, url_host
from tests.conftest import assert_problem
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

URL = "/api/WebhookEndpoints"
BODY = {"url": "https://crm.example.com/hooks", "description": "CRM", "eventTypes": ["ticket.created"]}


def _delivery(endpoint, *, status=OutboxStatus.SENT, attempts=1, event_type="ticket.created"):
    event = WebhookEvent.objects.create(
        customer=endpoint.customer,
        message_id=f"msg_{WebhookEvent.objects.count() + 1}",
        event_type=event_type,
        body=json.dumps({"type": event_type, "timestamp": timezone.now().isoformat(), "data": {"ticketID": 1}}),
    )
    delivery = WebhookDelivery.objects.create(
        customer=endpoint.customer,
        endpoint=endpoint,
        event=event,
        status=status,
        attempts=attempts,
        next_attempt_at=timezone.now(),
        last_status_code=200 if status == OutboxStatus.SENT else 500,
    )
    for number in range(1, attempts + 1):
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, attempted_at=timezone.now(), duration_ms=12, status_code=500
        )
    return delivery


class TestCrud:
    def test_create_shows_the_secret_once(self, admin_client, customer):
        response = admin_client.post(URL, BODY, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["secret"].startswith("whsec_") and body["enabled"] is True
        assert body["eventTypes"] == ["ticket.created"] and body["url"] == BODY["url"]
        endpoint = WebhookEndpoint.objects.get(pk=body["webhookEndpointID"])
        assert endpoint.customer_id == customer.pk and endpoint.secret == body["secret"]

        read = admin_client.get(f"{URL}/{endpoint.pk}").json()
        assert "secret" not in read and body["secret"] not in str(read)
        listed = admin_client.get(URL).json()
        assert body["secret"] not in str(listed)

    def test_patch_put_and_delete(self, admin_client, customer):
        endpoint = WebhookEndpointFactory(customer=customer)
        response = admin_client.patch(f"{URL}/{endpoint.pk}", {"enabled": False}, format="json")
        assert response.status_code == 200 and response.json()["enabled"] is False
        response = admin_client.put(
            f"{URL}/{endpoint.pk}",
            {**BODY, "eventTypes": ["ticket.closed", "call.ended", "ticket.closed"]},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["eventTypes"] == ["call.ended", "ticket.closed"]
        assert response.json()["description"] == "CRM"
        _delivery(endpoint)
        assert admin_client.delete(f"{URL}/{endpoint.pk}").status_code == 204
        assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
        assert not WebhookDelivery.objects.exists()

    def test_list_is_paged_filtered_and_pins_queries(self, admin_client, customer, django_assert_num_queries):
        for index in range(5):
            WebhookEndpointFactory(customer=customer, enabled=index % 2 == 0)
        with django_assert_num_queries(3):  # auth rep + count + page
            response = admin_client.get(URL, {"pageSize": 2})
        body = response.json()
        assert body["totalCount"] == 5 and body["totalPages"] == 3 and len(body["items"]) == 2
        enabled = admin_client.get(URL, {"enabled": "false"}).json()
        assert enabled["totalCount"] == 2

    @pytest.mark.parametrize(
        ("change", "field", "code"),
        [
            ({"eventTypes": ["ticket.exploded"]}, "eventTypes", "ValidationFailed"),
            ({"eventTypes": []}, "eventTypes", "ValidationFailed"),
            ({"eventTypes": "ticket.created"}, "eventTypes", "ValidationFailed"),
            ({"url": "ftp://crm.example.com/x"}, "url", "InvalidWebhookUrl"),
            ({"url": "https://crm.example.com:99999/x"}, "url", "InvalidWebhookUrl"),
            ({"url": "not a url"}, "url", "ValidationFailed"),
            ({"url": None}, "url", "ValidationFailed"),
            ({"enabled": "maybe"}, "enabled", "ValidationFailed"),
        ],
    )
    def test_invalid_bodies_answer_400(self, admin_client, change, field, code):
        body = assert_problem(admin_client.post(URL, {**BODY, **change}, format="json"), 400, code)
        assert field in body["errors"]
        assert not WebhookEndpoint.objects.exists()

    def test_credentials_in_the_url_are_refused(self, admin_client):
        response = admin_client.post(URL, {**BODY, "url": "https://user:pw@crm.example.com/x"}, format="json")
        assert "url" in assert_problem(response, 400, "InvalidWebhookUrl")["errors"]

    @pytest.mark.parametrize("host", [h for h in INTERNAL_LITERALS if h not in ("mail.localhost", "localhost")])
    def test_internal_ip_literals_are_refused(self, admin_client, host):
        response = admin_client.post(URL, {**BODY, "url": f"http://{url_host(host)}/hooks"}, format="json")
        assert response.status_code == 400, (host, response.json())
        assert response.json()["code"] in ("OutboundAddressRefused", "ValidationFailed")
        assert not WebhookEndpoint.objects.exists()

    @pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "[::1]", "10.0.0.1", "localhost"])
    def test_internal_hosts_answer_outbound_address_refused(self, admin_client, customer, host):
        response = admin_client.post(URL, {**BODY, "url": f"http://{host}/hooks"}, format="json")
        assert "url" in assert_problem(response, 400, "OutboundAddressRefused")["errors"]
        endpoint = WebhookEndpointFactory(customer=customer)
        response = admin_client.patch(f"{URL}/{endpoint.pk}", {"url": f"http://{host}:8080/x"}, format="json")
        assert_problem(response, 400, "OutboundAddressRefused")
        endpoint.refresh_from_db()
        assert host not in endpoint.url


class TestAccess:
    def test_anonymous_is_401(self, anon_client, customer):
        endpoint = WebhookEndpointFactory(customer=customer)
        assert_problem(anon_client.get(URL), 401)
        assert_problem(anon_client.post(f"{URL}/{endpoint.pk}/test"), 401)
        assert_problem(anon_client.get("/api/WebhookEventTypes"), 401)

    def test_a_representative_is_403(self, rep_client, customer):
        endpoint = WebhookEndpointFactory(customer=customer)
        assert_problem(rep_client.get(URL), 403)
        assert_problem(rep_client.post(URL, BODY, format="json"), 403)
        assert_problem(rep_client.post(f"{URL}/{endpoint.pk}/rotate-secret", {}, format="json"), 403)
        assert_problem(rep_client.get(f"{URL}/{endpoint.pk}/deliveries"), 403)
        assert_problem(rep_client.get("/api/WebhookEventTypes"), 403)
        assert not WebhookDelivery.objects.exists()

    def test_another_tenants_endpoint_is_404(self, admin_client, other_customer):
        endpoint = WebhookEndpointFactory(customer=other_customer)
        delivery = _delivery(endpoint, status=OutboxStatus.FAILED)
        secret = endpoint.secret
        for method, path in [
            ("get", f"{URL}/{endpoint.pk}"),
            ("patch", f"{URL}/{endpoint.pk}"),
            ("delete", f"{URL}/{endpoint.pk}"),
            ("post", f"{URL}/{endpoint.pk}/rotate-secret"),
            ("post", f"{URL}/{endpoint.pk}/test"),
            ("get", f"{URL}/{endpoint.pk}/deliveries"),
            ("post", f"{URL}/{endpoint.pk}/deliveries/{delivery.pk}/retry"),
        ]:
            assert_problem(getattr(admin_client, method)(path, {}, format="json"), 404, "NotFound")
        endpoint.refresh_from_db()
        assert endpoint.secret == secret and WebhookDelivery.objects.count() == 1
        assert admin_client.get(URL).json()["totalCount"] == 0

    def test_a_delivery_of_another_endpoint_is_404(self, admin_client, customer):
        mine, other = WebhookEndpointFactory(customer=customer), WebhookEndpointFactory(customer=customer)
        delivery = _delivery(other, status=OutboxStatus.FAILED)
        assert_problem(admin_client.post(f"{URL}/{mine.pk}/deliveries/{delivery.pk}/retry"), 404, "NotFound")


class TestRotateSecret:
    def test_rotation_returns_a_new_secret_and_keeps_the_old_during_the_overlap(self, admin_client, customer):
        endpoint = WebhookEndpointFactory(customer=customer)
        old = endpoint.secret
        response = admin_client.post(f"{URL}/{endpoint.pk}/rotate-secret", {"overlapSeconds": 600}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["secret"].startswith("whsec_") and body["secret"] != old
        endpoint.refresh_from_db()
        assert endpoint.secret == body["secret"] and endpoint.previous_secret == old
        remaining = (endpoint.previous_secret_expires_at - timezone.now()).total_seconds()
        assert 590 <= remaining <= 600
        assert body["previousSecretExpiresAt"] is not None

    def test_default_overlap_comes_from_the_setting(self, admin_client, customer, settings):
        settings.WEBHOOK_SECRET_OVERLAP_SECONDS = 3600
        endpoint = WebhookEndpointFactory(customer=customer)
        assert admin_client.post(f"{URL}/{endpoint.pk}/rotate-secret").status_code == 200
        endpoint.refresh_from_db()
        assert 3590 <= (endpoint.previous_secret_expires_at - timezone.now()).total_seconds() <= 3600

    @pytest.mark.parametrize("overlap", [-1, 10**9, "soon"])
    def test_invalid_overlap_is_400(self, admin_client, customer, overlap):
        endpoint = WebhookEndpointFactory(customer=customer)
        secret = endpoint.secret
        response = admin_client.post(f"{URL}/{endpoint.pk}/rotate-secret", {"overlapSeconds": overlap}, format="json")
        assert "overlapSeconds" in assert_problem(response, 400, "ValidationFailed")["errors"]
        endpoint.refresh_from_db()
        assert endpoint.secret == secret


class TestSendTestEvent:
    def test_the_test_event_is_delivered_signed_and_logged(
        self, admin_client, customer, receiver, django_capture_on_commit_callbacks
    ):
        created = admin_client.post(URL, {**BODY, "url": receiver.url}, format="json").json()
        receiver.secrets = [created["secret"]]
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"{URL}/{created['webhookEndpointID']}/test")
        assert response.status_code == 202, response.json()
        assert response.json()["eventType"] == "webhook.test"
        (item,) = receiver.accepted
        assert item["type"] == "webhook.test" and item["data"]["webhookEndpointID"] == created["webhookEndpointID"]
        Webhook(created["secret"]).verify(item["body"], item["headers"])

        log = admin_client.get(f"{URL}/{created['webhookEndpointID']}/deliveries").json()
        (delivery,) = log["items"]
        assert delivery["eventID"] == item["id"] and delivery["status"] == "Delivered"
        assert delivery["nextAttemptAt"] is None and delivery["lastStatusCode"] == 200
        assert [(a["attempt"], a["statusCode"]) for a in delivery["attemptLog"]] == [(1, 200)]
        assert delivery["attemptLog"][0]["durationMs"] >= 0

    def test_a_disabled_endpoint_answers_409(self, admin_client, customer):
        endpoint = WebhookEndpointFactory(customer=customer, enabled=False)
        assert_problem(admin_client.post(f"{URL}/{endpoint.pk}/test"), 409, "WebhookEndpointDisabled")
        assert not WebhookEvent.objects.exists()


class TestDeliveryLog:
    def test_log_is_paged_filtered_and_pins_queries(self, admin_client, customer, django_assert_num_queries):
        endpoint = WebhookEndpointFactory(customer=customer)
        for _ in range(3):
            _delivery(endpoint, status=OutboxStatus.FAILED, attempts=3)
        _delivery(endpoint, status=OutboxStatus.QUEUED, attempts=1, event_type="ticket.closed")
        _delivery(WebhookEndpointFactory(customer=customer))  # another endpoint's
        with django_assert_num_queries(5):  # auth rep + endpoint + count + page + attempt logs
            response = admin_client.get(f"{URL}/{endpoint.pk}/deliveries", {"pageSize": 10})
        body = response.json()
        assert body["totalCount"] == 4 and len(body["items"]) == 4
        queued = body["items"][0]
        assert queued["status"] == "Queued" and queued["nextAttemptAt"] is not None
        assert all(len(item["attemptLog"]) == 3 for item in body["items"][1:])

        failed = admin_client.get(f"{URL}/{endpoint.pk}/deliveries", {"status": "Failed"}).json()
        assert failed["totalCount"] == 3 and {item["status"] for item in failed["items"]} == {"Failed"}
        both = admin_client.get(f"{URL}/{endpoint.pk}/deliveries?status=Failed&status=Queued").json()
        assert both["totalCount"] == 4
        closed = admin_client.get(f"{URL}/{endpoint.pk}/deliveries", {"eventType": "ticket.closed"}).json()
        assert closed["totalCount"] == 1

    @pytest.mark.parametrize("params", [{"status": "Exploded"}, {"eventType": "nope"}])
    def test_invalid_filters_are_400(self, admin_client, customer, params):
        endpoint = WebhookEndpointFactory(customer=customer)
        assert_problem(admin_client.get(f"{URL}/{endpoint.pk}/deliveries", params), 400, "ValidationFailed")

    def test_retry_requeues_a_failed_delivery(
        self, admin_client, customer, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = WebhookEndpointFactory(customer=customer, url=receiver.url)
        receiver.secrets = [endpoint.secret]
        delivery = _delivery(endpoint, status=OutboxStatus.FAILED, attempts=2)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"{URL}/{endpoint.pk}/deliveries/{delivery.pk}/retry")
        assert response.status_code == 200, response.json()
        delivery.refresh_from_db()
        assert delivery.status == OutboxStatus.SENT and delivery.attempts == 3
        assert receiver.ids() == [delivery.event.message_id]
        assert_problem(admin_client.post(f"{URL}/{endpoint.pk}/deliveries/{delivery.pk}/retry"), 409)


def test_event_types_are_listed(admin_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = admin_client.get("/api/WebhookEventTypes")
    names = [item["name"] for item in response.json()]
    assert {"ticket.created", "message.received", "ai_draft.ready", "ticket.closed", "call.ended"} <= set(names)


def test_endpoint_and_secret_changes_are_audited_without_the_secret(admin_client, admin_rep, customer):
    from audit.models import AuditAction, AuditEntry

    created = admin_client.post(URL, BODY, format="json").json()
    endpoint_id = created["webhookEndpointID"]
    admin_client.patch(f"{URL}/{endpoint_id}", {"enabled": False}, format="json")
    rotated = admin_client.post(f"{URL}/{endpoint_id}/rotate-secret", {"overlapSeconds": 600}, format="json").json()
    admin_client.delete(f"{URL}/{endpoint_id}")

    entries = list(AuditEntry.objects.filter(object_type="WebhookEndpoint").order_by("id"))
    assert [entry.action for entry in entries] == [
        AuditAction.WEBHOOK_ENDPOINT_CREATED,
        AuditAction.WEBHOOK_ENDPOINT_UPDATED,
        AuditAction.WEBHOOK_SECRET_ROTATED,
        AuditAction.WEBHOOK_ENDPOINT_DELETED,
    ]
    assert {(entry.customer_id, entry.actor_id, entry.object_id) for entry in entries} == {
        (customer.pk, admin_rep.pk, str(endpoint_id))
    }
    assert entries[1].detail == {"fields": ["enabled"]} and entries[2].detail == {"overlapSeconds": 600}
    assert all(
        secret not in str(entry.detail) for entry in entries for secret in (created["secret"], rotated["secret"])
    )
