"""Each webhook event type comes from the service that owns the change (through the event bus, after commit):
ticket.closed from ticket_close, call.ended from Twilio's status callback, ai_draft.ready from the AI reply step."""

import pytest

from tests.customers.factories import CustomerFactory
from tests.voice.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC, signed_post
from tests.voice.factories import PhoneCallFactory, VoiceSettingsFactory
from tickets import services as ticket_services
from tickets.models import Ticket
from webhooks import services

pytestmark = pytest.mark.django_db


def _listen(customer, receiver, event_types):
    _, secret = services.endpoint_create(customer_id=customer.pk, url=receiver.url, event_types=event_types)
    receiver.secrets = [secret]


def _received(receiver) -> dict:
    assert receiver.refused_signatures == 0
    return {item["type"]: item["data"] for item in receiver.accepted}


def test_ticket_closed(receiver, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    _listen(customer, receiver, ["ticket.closed"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.ticket_create(customer_id=customer.pk, channel_type="Email", subject="Boiler")
        ticket_services.ticket_close(ticket=ticket)
    assert _received(receiver) == {
        "ticket.closed": {"ticketID": ticket.pk, "status": "Closed", "channel": "Email", "channelID": None}
    }


def test_call_ended_from_the_twilio_status_callback(
    receiver, settings, anon_client, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = PUBLIC
    customer = CustomerFactory(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN)
    VoiceSettingsFactory(customer=customer)
    _listen(customer, receiver, ["call.ended"])
    ticket = Ticket.objects.create(customer=customer, channel_type="Phone", subject="Call")
    call = PhoneCallFactory(customer=customer, ticket=ticket, status="ringing")
    params = {"CallSid": call.call_sid, "AccountSid": ACCOUNT_SID, "CallStatus": "in-progress"}
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(anon_client, "/api/TwilioCalls/status", params).status_code == 204
    assert receiver.accepted == []  # not final yet

    final = {**params, "CallStatus": "completed", "CallDuration": "61"}
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(anon_client, "/api/TwilioCalls/status", final).status_code == 204
        assert signed_post(anon_client, "/api/TwilioCalls/status", final).status_code == 204  # Twilio retried
    data = _received(receiver)["call.ended"]
    assert len(receiver.accepted) == 1
    assert data["callID"] == call.pk and data["ticketID"] == ticket.pk
    assert (data["status"], data["durationSeconds"]) == ("completed", 61)


def test_ai_draft_ready_from_the_reply_step(receiver, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    _listen(customer, receiver, ["ai_draft.ready", "message.received"])
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_services.message_create(
            customer_id=customer.pk,
            channel_type="Email",
            uid="client@example.com",
            fields={
                "subject": "Opening hours",
                "text_body": "When are you open?",
                "from_address": "client@example.com",
            },
        )
    message.refresh_from_db()
    assert message.ai_generated_response  # the offline provider drafted an answer
    data = _received(receiver)
    assert data["ai_draft.ready"] == {"messageID": message.pk, "ticketID": message.ticket_id, "channelID": None}
    assert [item["type"] for item in receiver.accepted] == ["message.received", "ai_draft.ready"]
