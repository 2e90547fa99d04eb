"""The webhook event types a tenant can subscribe to, the domain event each comes from, and the `data` of its
payload. Payloads are thin on purpose: ids and states, no personal data (an integrator fetches the rest through
the API with its own credentials, and an erased person leaves nothing behind in stored webhook bodies)."""

from collections.abc import Callable
from dataclasses import dataclass

from answerpal.events import Event
from tickets.models import Ticket, TicketMessage
from voice.models import PhoneCall

TEST_EVENT_TYPE = "webhook.test"


@dataclass(frozen=True)
class WebhookEventType:
    name: str
    bus_event: str
    description: str
    data: Callable[..., dict | None]  # the bus payload → the webhook's `data`, None when the row is gone


def _ticket_data(*, ticket_id: int, **_) -> dict | None:
    ticket = Ticket.objects.filter(pk=ticket_id).values("id", "status", "channel_type", "channel_id").first()
    if ticket is None:
        return None
    return {
        "ticketID": ticket["id"],
        "status": ticket["status"],
        "channel": ticket["channel_type"],
        "channelID": ticket["channel_id"],
    }


def _message_data(*, message_id: int, **_) -> dict | None:
    message = TicketMessage.objects.filter(pk=message_id).values("id", "ticket_id", "channel_id").first()
    if message is None:
        return None
    return {"messageID": message["id"], "ticketID": message["ticket_id"], "channelID": message["channel_id"]}


def _end_user_data(*, end_user_id: int, **_) -> dict:
    return {"endUserID": end_user_id}


def _call_data(*, call_id: int, **_) -> dict | None:
    call = (
        PhoneCall.objects.filter(pk=call_id)
        .values("id", "call_sid", "status", "duration_seconds", "direction", "ticket_id", "message_id")
        .first()
    )
    if call is None:
        return None
    return {
        "callID": call["id"],
        "callSid": call["call_sid"],
        "status": call["status"],
        "direction": call["direction"],
        "durationSeconds": call["duration_seconds"],
        "ticketID": call["ticket_id"],
        "messageID": call["message_id"],
    }


EVENT_TYPES: dict[str, WebhookEventType] = {
    event.name: event
    for event in (
        WebhookEventType("ticket.created", Event.TICKET_CREATED, "A ticket was opened on any channel.", _ticket_data),
        WebhookEventType("ticket.closed", Event.TICKET_CLOSED, "A ticket was closed.", _ticket_data),
        WebhookEventType("ticket.escalated", Event.TICKET_ESCALATED, "A ticket was escalated.", _ticket_data),
        WebhookEventType(
            "message.received", Event.MESSAGE_RECEIVED, "An end user's message (or call) arrived.", _message_data
        ),
        WebhookEventType(
            "message.sent", Event.MESSAGE_SENT, "An outbound message reached the end user.", _message_data
        ),
        WebhookEventType(
            "ai_draft.ready", Event.AI_DRAFT_STORED, "An AI draft answering the message is ready.", _message_data
        ),
        WebhookEventType("call.ended", Event.CALL_ENDED, "A phone call reached its final status.", _call_data),
        WebhookEventType("end_user.created", Event.END_USER_ADDED, "An end user was added.", _end_user_data),
        WebhookEventType("end_user.updated", Event.END_USER_UPDATED, "An end user was changed.", _end_user_data),
        WebhookEventType("end_user.deleted", Event.END_USER_DELETED, "An end user was deleted.", _end_user_data),
    )
}
