"""Writes of the web chat widget: opening a conversation from the pre-chat form, a visitor's file (a chat line with
the attachment, under the platform's upload rules), the AI's answer delivered to the visitor (a System line, sent
at once). The visitor's feedback and escalation are tickets' services (ticket_answer_rate, ticket_end_user_escalate)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from answerpal import live
from answerpal.api.errors import ApiError
from channels_cfg.models import ChannelType
from messaging import services as messaging_services
from tickets import services as ticket_services
from tickets.answer_policy import ai_answer_verdict
from tickets.models import MessageStatus, SenderType, Ticket, TicketMessage
from webwidget.models import ChatWidget

WIDGET_FIELDS = (
    "title",
    "accent_color",
    "position",
    "prechat_form",
    "ai_answers",
    "consent_text",
    "consent_url",
    "sound",
    "time_zone",
    "business_hours",
    "holidays",
    "away_message",
)


@transaction.atomic
def widget_settings_save(*, channel, data: dict) -> ChatWidget:
    """Creates or updates the chat channel's widget row with the given settings (validated by the caller; keys are
    the model's field names, unknown keys ignored)."""
    widget, _ = ChatWidget.objects.select_for_update().get_or_create(
        channel=channel, defaults={"customer_id": channel.customer_id}
    )
    for name in WIDGET_FIELDS:
        if name in data:
            setattr(widget, name, data[name])
    try:
        widget.full_clean(exclude=["customer", "channel"])
    except ValidationError as error:  # the API's serializer checks the same: a caller that skipped it gets a 400
        detail = "The widget settings are not valid."
        raise ApiError(400, "ValidationFailed", detail, errors=error.message_dict) from error
    widget.save()
    return widget


def rep_typing_announce(*, ticket: Ticket, rep, is_typing: bool) -> None:
    """Tells the visitor's widget (live event `typing` on the ticket's key) that a representative is typing, or
    stopped; nothing is stored (a visitor who connects later sees the next one)."""
    name = (getattr(rep, "name", "") or "").strip()
    live.publish(live.ticket_key(ticket.pk), {"type": "typing", "isTyping": is_typing, "name": name})


def conversation_start(*, channel, name: str = "", email: str = "") -> Ticket:
    """The pre-chat form: a chat ticket whose end user is found or created by the e-mail (named `name`)."""
    who = name or email or "a visitor"
    return ticket_services.chat_ticket_create(channel=channel, subject=f"Chat with {who}", uid=email, name=name)


@transaction.atomic
def visitor_file_post(*, channel, ticket: Ticket, upload, caption: str = "", page_url: str = "") -> TicketMessage:
    """The visitor's line carrying a file: the caption (else the file's name) as the text, the file stored with the
    attachment rules of every message (413 over ANSWERPAL_MAX_UPLOAD_BYTES, type sniffed from the content); the
    line is announced (MessageReceived) only with its attachment, after commit."""
    message = messaging_services.webchat_post(
        channel=channel, ticket=ticket, text=caption or upload.name, page_url=page_url
    )
    ticket_services.attachment_store(
        message=message,
        content=upload,
        file_name=upload.name,
        content_type=getattr(upload, "content_type", "") or "",
        is_end_user_provided=True,
    )
    return message


@transaction.atomic
def ai_answer_send(*, message_id: int, customer_id: int) -> TicketMessage | None:
    """Sends the AI draft of a visitor's chat line to the visitor as a System line (status Sent, so MessageSent
    announces it) when the answer policy allows it (tickets.answer_policy: AI answers on, not escalated, spam,
    taken or answered by a representative, plan, the visitor's own conversation; checked on the locked ticket), the
    line is still the newest of the visitor and nothing answered it yet. Idempotent: a second call sends nothing
    (None)."""
    source = (
        TicketMessage.objects.select_related("channel")
        .filter(
            pk=message_id,
            customer_id=customer_id,
            incoming=True,
            sender_type=SenderType.END_USER,
            channel__channel_type=ChannelType.CHAT,
        )
        .first()
    )
    if source is None or not source.ai_generated_response.strip():
        return None
    ticket = Ticket.objects.select_for_update().get(pk=source.ticket_id)
    if not ai_answer_verdict(message=source, ticket=ticket):
        return None
    if ticket.last_end_user_message_id not in (None, source.pk):
        return None
    if TicketMessage.objects.filter(reply_to_message=source, incoming=False).exists():
        return None
    text = (source.ai_modified_response or source.ai_generated_response).strip()
    answer = ticket_services.message_create(
        customer_id=customer_id,
        ticket=ticket,
        channel_id=source.channel_id,
        channel_type=ChannelType.CHAT,
        incoming=False,
        sender_type=SenderType.SYSTEM,
        create_ticket=False,
        fields={
            "message": text,
            "text_body": text,
            "lang": source.lang,
            "reply_to_message_id": source.pk,
            "status": MessageStatus.DRAFT,
        },
    )
    return ticket_services.message_mark_sent(message=answer)
