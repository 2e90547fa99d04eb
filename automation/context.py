"""The values behind `{{…}}` placeholders and conditional rules: a message, its ticket, end user and custom fields.

Registered with documents.placeholders in AutomationConfig.ready(); the group and key names are listed in
documents/placeholders.py."""

from automation.models import Topic
from documents.placeholders import PlaceholderSourceNotFound
from tickets.models import EndUser, Ticket, TicketMessage, UidType


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _end_user_values(end_user: EndUser | None) -> dict:
    if end_user is None:
        return {}
    uids = list(end_user.uids.all())

    def first_uid(*types):
        return next((row.uid for row in uids if row.uid_type in types), "")

    return {
        "id": end_user.pk,
        "firstname": end_user.firstname,
        "lastname": end_user.lastname,
        "name": end_user.name,
        "company": end_user.company,
        "customerRef": end_user.customer_ref,
        "customerType": end_user.customer_type,
        "country": end_user.country,
        "lang": end_user.lang,
        "street": end_user.street,
        "houseNumber": end_user.house_number,
        "postalCode": end_user.postal_code,
        "city": end_user.city,
        "email": first_uid(UidType.EMAIL),
        "phone": first_uid(UidType.PHONE, UidType.WHATSAPP),
    }


def _ticket_values(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "channelType": ticket.channel_type,
        "uid": ticket.uid,
        "summary": ticket.summary,
        "isSpam": ticket.is_spam,
        "isClosed": ticket.is_closed,
        "escalated": ticket.escalated,
        "dateCreated": _iso(ticket.created_at),
        "customerRepID": ticket.customer_rep_id,
    }


def _message_values(message: TicketMessage) -> dict:
    return {
        "id": message.pk,
        "subject": message.subject,
        "text": message.message or message.text_body,
        "htmlBody": message.html_body,
        "from": message.from_address or message.from_number,
        "fromName": message.from_name,
        "to": message.to_address or message.to_number,
        "cc": message.cc_address,
        "lang": message.lang,
        "uid": message.uid,
        "incoming": message.incoming,
        "senderType": message.sender_type,
        "status": message.status,
        "date": _iso(message.message_date or message.created_at),
        "additionalInfo": message.additional_info,
        "pageURL": message.page_url,
        "aiResponse": message.ai_modified_response or message.ai_generated_response,
    }


def _channel_values(channel) -> dict:
    if channel is None:
        return {}
    return {"id": channel.pk, "name": channel.name, "type": channel.channel_type}


def message_context(message: TicketMessage) -> dict:
    """Placeholder/rule values of a message loaded with ticket, end user (and uids) and channel."""
    end_user = message.end_user or message.ticket.end_user
    return {
        "message": _message_values(message),
        "ticket": _ticket_values(message.ticket),
        "endUser": _end_user_values(end_user),
        "customFields": dict(message.custom_fields_data or {}),
        "channel": _channel_values(message.channel or message.ticket.channel),
    }


def message_for_context(*, customer_id: int, message_id: int) -> TicketMessage | None:
    return (
        TicketMessage.objects.filter(customer_id=customer_id, pk=message_id)
        .select_related("ticket__end_user", "ticket__channel", "end_user", "channel")
        .prefetch_related("end_user__uids", "ticket__end_user__uids")
        .first()
    )


def placeholder_values(*, customer_id: int, message_id: int | None, ticket_id: int | None) -> dict:
    """documents' context provider: customer values, plus message/ticket values when an id is given."""
    context = {
        "TopicList": "\n".join(
            Topic.objects.filter(customer_id=customer_id, is_active=True).values_list("name", flat=True)
        ),
    }
    if message_id is not None:
        message = message_for_context(customer_id=customer_id, message_id=message_id)
        if message is None:
            raise PlaceholderSourceNotFound("messageId", f"No message {message_id} exists.")
        context.update(message_context(message))
    elif ticket_id is not None:
        ticket = (
            Ticket.objects.filter(customer_id=customer_id, pk=ticket_id)
            .select_related("end_user", "channel")
            .prefetch_related("end_user__uids")
            .first()
        )
        if ticket is None:
            raise PlaceholderSourceNotFound("ticketId", f"No ticket {ticket_id} exists.")
        latest = ticket.messages.order_by("-created_at", "-id").first()
        context.update(
            {
                "ticket": _ticket_values(ticket),
                "endUser": _end_user_values(ticket.end_user),
                "channel": _channel_values(ticket.channel),
                "message": _message_values(latest) if latest else {},
                "customFields": dict(latest.custom_fields_data or {}) if latest else {},
            }
        )
    return context
