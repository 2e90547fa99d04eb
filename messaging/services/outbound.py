"""Outbound send routes: `send`, `send-new` and `send-forward` store the outbound TicketMessage and its
OutboxMessage in one transaction and enqueue delivery after commit."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerRep
from answerpal.api.errors import ApiError, Conflict, field_error
from answerpal.celery import enqueue_after_commit
from answerpal.mail_html import html_is_markup, html_text, message_html_clean
from channels_cfg.models import Channel, ChannelType, EmailProvider
from messaging import compose
from messaging.mail_settings import mail_provider
from messaging.models import (
    OutboxMessage,
    Transport,
)
from tickets import services as ticket_services
from tickets.answer_policy import ai_answer_verdict
from tickets.models import MessageStatus, SenderType, Ticket, TicketMessage

logger = logging.getLogger(__name__)

ANSWER_WITHHELD = "AIAnswerWithheld"


def _transport_for(channel: Channel) -> str | None:
    """The transport of a channel; None for web chat (the widget reads the message directly)."""
    if channel.channel_type == ChannelType.WHATSAPP:
        return Transport.TWILIO
    if channel.channel_type == ChannelType.EMAIL:
        provider = mail_provider(channel)
        if provider == EmailProvider.MICROSOFT365:
            return Transport.GRAPH
        if provider == EmailProvider.IMAP:
            return Transport.SMTP
        raise ApiError(400, "MailboxNotConfigured", "The channel has no mail provider (Microsoft365 or Imap).")
    if channel.channel_type == ChannelType.CHAT:
        return None
    raise ApiError(400, "ChannelCannotSend", f"Messages cannot be sent on a {channel.channel_type} channel.")


def _queue(message: TicketMessage, channel: Channel, *, automated: bool = False) -> TicketMessage:
    """Queues an outbound message for delivery (web chat: visible at once, nothing to deliver)."""
    transport = _transport_for(channel)
    if transport is None:
        return ticket_services.message_mark_sent(message=message)
    from messaging.tasks import outbox_deliver

    outbox = OutboxMessage.objects.create(
        customer_id=message.customer_id,
        message=message,
        channel=channel,
        transport=transport,
        idempotency_key=f"message-{message.pk}",
        internet_message_id=compose.internet_message_id_for(message) if transport != Transport.TWILIO else "",
        automated=automated,
        next_attempt_at=timezone.now(),
    )
    ticket_services.message_mark_queued(message_id=message.pk)
    message.status = MessageStatus.QUEUED
    enqueue_after_commit(outbox_deliver, outbox.pk)
    return message


def _live_channel(message: TicketMessage) -> Channel:
    channel = Channel.objects.select_related("customer").filter(pk=message.channel_id, deleted_at__isnull=True).first()
    if channel is None:
        raise ApiError(400, "ChannelUnavailable", "The message's channel no longer exists; it cannot be sent.")
    return channel


def _customer_channel_of_type(customer_id: int, channel_type: str) -> Channel | None:
    return (
        Channel.objects.select_related("customer")
        .filter(customer_id=customer_id, channel_type=channel_type, deleted_at__isnull=True)
        .first()
    )


def _rep_draft_create(
    source: TicketMessage,
    channel: Channel,
    *,
    customer_rep_id: int | None,
    fields: dict,
    sender_type: str = SenderType.CUSTOMER_REP,
):
    """An outbound draft on `source`'s ticket, answering `source`, sent through `channel`: a representative's, or
    the platform's (`sender_type` System) when the AI answers on its own."""
    return ticket_services.message_create(
        customer_id=source.customer_id,
        ticket=source.ticket,
        channel_id=channel.pk,
        channel_type=channel.channel_type,
        incoming=False,
        sender_type=sender_type,
        customer_rep_id=customer_rep_id,
        create_ticket=False,
        fields={
            "lang": source.lang,
            "reply_to_message_id": source.pk,
            "email_address": channel.email_address,
            "status": MessageStatus.DRAFT,
            **fields,
        },
    )


def _address_fields(channel: Channel, source: TicketMessage) -> dict:
    if channel.channel_type == ChannelType.WHATSAPP:
        return {"to_number": source.from_number or source.uid, "from_number": channel.phone_number}
    return {"to_address": source.from_address or source.uid, "from_address": channel.email_address}


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:")) else f"Re: {subject}".strip()


def _answer_bodies(answer: str) -> tuple[str, str]:
    """(html, text) of an answer: HTML (it has an element's tag) is sanitised and its text derived; plain text,
    angle brackets and all ("use <Ctrl>+<F5>"), is kept as typed with no HTML, and so is markup with no text left
    once sanitised (a "<script>x</script>" is shown as written, never as "x")."""
    if html_is_markup(answer):
        html = message_html_clean(answer)
        if html.strip():
            return html, html_text(html)
    return "", answer


def message_reply_send(
    *, message: TicketMessage, rep: CustomerRep | None, modified_answer: str | None, automated: bool = False
) -> TicketMessage:
    """POST /send (and the ReplySend action, `automated`): sends the answer to `message` (modifiedAnswer,
    else the stored modified or AI response); an edited answer is recorded as aI_ModifiedResponse.
    An `automated` send is the AI answering on its own: it goes out only when the answer policy allows it
    (tickets.answer_policy, checked on the locked ticket; else 409 AIAnswerWithheld naming the rule) and is
    stored as a System message, so it never counts as a representative's reply. Returns the outbound message."""
    answer = modified_answer if modified_answer is not None else ""
    answer = answer.strip() or message.ai_modified_response.strip() or message.ai_generated_response.strip()
    if not answer:
        raise field_error("modifiedAnswer", "There is no answer to send: write one or generate an AI reply first.")
    channel = _live_channel(message)
    with transaction.atomic():
        if automated:
            ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
            verdict = ai_answer_verdict(message=message, ticket=ticket)
            if not verdict:
                raise Conflict(ANSWER_WITHHELD, f"{verdict.reason}: {verdict.detail}")
        if modified_answer and modified_answer.strip() != message.ai_generated_response.strip():
            ticket_services.message_update(message=message, changes={"ai_modified_response": modified_answer})
        # A chat line is plain text, kept as written (the widget renders it as text): only mail may carry HTML.
        html, text = ("", answer) if channel.channel_type == ChannelType.CHAT else _answer_bodies(answer)
        outbound = _rep_draft_create(
            message,
            channel,
            customer_rep_id=rep.pk if rep else message.ticket.customer_rep_id,
            sender_type=SenderType.SYSTEM if automated else SenderType.CUSTOMER_REP,
            fields={
                "message": text,
                "html_body": html,
                "text_body": text,
                "subject": _reply_subject(message.subject or message.ticket.subject),
                "in_reply_to": message.message_identifier,
                "references": " ".join(v for v in (message.references, message.message_identifier) if v),
                "conversation_id": message.conversation_id,
                **_address_fields(channel, message),
            },
        )
        return _queue(outbound, channel, automated=automated)


def message_draft_send(*, message: TicketMessage) -> TicketMessage:
    """POST /send-new: queues a newly composed outbound message (a draft created with create-new)."""
    if message.incoming:
        raise ApiError(400, "NotAnOutboundMessage", "Only an outbound (composed) message can be sent with send-new.")
    if message.status not in (MessageStatus.DRAFT, MessageStatus.FAILED):
        raise Conflict("MessageAlreadySent", f"The message is already {message.status}.")
    channel = _live_channel(message)
    if channel.channel_type == ChannelType.EMAIL and not message.to_address:
        raise field_error("toAddress", "The message has no recipient.")
    if channel.channel_type == ChannelType.WHATSAPP and not message.to_number:
        raise field_error("toNumber", "The message has no recipient number.")
    with transaction.atomic():
        message = TicketMessage.objects.select_for_update().get(pk=message.pk)
        if message.status == MessageStatus.FAILED:
            OutboxMessage.objects.filter(message=message).delete()
        changes = {"status": MessageStatus.DRAFT}
        if channel.channel_type == ChannelType.EMAIL and not message.email_address:
            changes["email_address"] = channel.email_address
            changes["from_address"] = message.from_address or channel.email_address
        ticket_services.message_update(message=message, changes=changes)
        message.channel = channel
        return _queue(message, channel)


def message_forward_send(
    *,
    message: TicketMessage,
    rep: CustomerRep | None,
    to_address: str = "",
    to_number: str = "",
    cc: str = "",
    comment: str = "",
    automated: bool = False,
) -> TicketMessage:
    """POST /send-forward (and the Forward action, `automated`: stored as a System message, the platform's send,
    not a representative's): forwards `message` with its attachments to an e-mail address (mail channel) or a
    WhatsApp number."""
    channel = _live_channel(message)
    if to_number:
        channel = _customer_channel_of_type(message.customer_id, ChannelType.WHATSAPP)
        if channel is None:
            raise ApiError(400, "NoWhatsAppChannel", "Forwarding to a phone number needs a WhatsApp channel.")
    elif not to_address:
        raise field_error("toAddress", "Give toAddress or toNumber.")
    elif channel.channel_type != ChannelType.EMAIL:
        channel = _customer_channel_of_type(message.customer_id, ChannelType.EMAIL)
        if channel is None:
            raise ApiError(400, "NoEmailChannel", "Forwarding by e-mail needs an Email channel.")
    original = message.text_body or message.message or html_text(message.html_body)
    quoted = (
        f"{comment}\n\n---------- Forwarded message ----------\nFrom: {message.from_name} "
        f"<{message.from_address or message.from_number}>\nSubject: {message.subject}\n\n{original}"
    ).strip()
    with transaction.atomic():
        forward = _rep_draft_create(
            message,
            channel,
            customer_rep_id=rep.pk if rep else None,
            sender_type=SenderType.SYSTEM if automated else SenderType.CUSTOMER_REP,
            fields={
                "message": quoted,
                "text_body": quoted,
                "subject": f"Fw: {message.subject or message.ticket.subject}".strip(),
                **(
                    {"to_number": to_number, "from_number": channel.phone_number}
                    if to_number
                    else {"to_address": to_address, "cc_address": cc, "from_address": channel.email_address}
                ),
            },
        )
        for attachment in message.attachments.all():  # e-mail attachments, or WhatsApp media by file link
            with attachment.file.open("rb") as handle:
                ticket_services.attachment_store(
                    message=forward,
                    content=handle.read(),
                    file_name=attachment.file_name,
                    content_type=attachment.content_type,
                    is_customer_rep_provided=True,
                )
        return _queue(forward, channel, automated=automated)
