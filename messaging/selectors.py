"""Reads of the transports: mail channels, receipts and threads, Graph subscriptions, WhatsApp numbers."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from channels_cfg.models import Channel, ChannelFolder, ChannelType, EmailProvider
from messaging import compose
from messaging.mail_settings import graph_credentials, mail_provider
from messaging.models import GraphSubscription, InboundReceipt, OutboxMessage, Transport
from tickets.models import Ticket, TicketMessage

SUBSCRIPTION_RENEW_WINDOW = timedelta(hours=24)


def inbound_receipt_exists(customer_id: int, provider: str, external_id: str) -> bool:
    """Whether the provider message `external_id` was stored before (re-deliveries are skipped)."""
    return InboundReceipt.objects.filter(customer_id=customer_id, provider=provider, external_id=external_id).exists()


def ticket_by_subject_token(customer_id: int, subject: str) -> Ticket | None:
    """The customer's ticket named by a `[#id]` token in the subject, if any."""
    ticket_id = compose.ticket_id_from_subject(subject)
    if ticket_id is None:
        return None
    return Ticket.objects.filter(customer_id=customer_id, pk=ticket_id).first()


def mail_thread_known(customer_id: int, fields: dict) -> bool:
    """Whether the headers (In-Reply-To, References, conversation id) lead to a stored message; then
    tickets' threading places the mail and the subject token is not needed."""
    identifiers = [fields.get("in_reply_to", ""), *(fields.get("references") or "").split()]
    identifiers = [value.strip() for value in identifiers if value and value.strip()]
    messages = TicketMessage.objects.filter(customer_id=customer_id)
    condition = Q(message_identifier__in=identifiers) if identifiers else Q(pk__in=[])
    if fields.get("conversation_id"):
        condition |= Q(conversation_id=fields["conversation_id"])
    return messages.filter(condition).exists()


def mail_channels(*, customer_id: int, channel_id: int | None = None):
    """The customer's active Email channels (or just `channel_id` among them)."""
    channels = Channel.objects.filter(
        customer_id=customer_id, channel_type=ChannelType.EMAIL, deleted_at__isnull=True, is_active=True
    ).select_related("customer")
    return channels.filter(pk=channel_id) if channel_id is not None else channels


def graph_subscribed_folders(channel: Channel) -> list[ChannelFolder]:
    """The folders that should hold Graph subscriptions: auto-retrieving folders of a live Microsoft 365
    channel with complete credentials."""
    live = channel.deleted_at is None and channel.is_active and channel.auto_retrieve_emails
    if not live or channel.channel_type != ChannelType.EMAIL or mail_provider(channel) != EmailProvider.MICROSOFT365:
        return []
    if not graph_credentials(channel).complete:
        return []
    return list(channel.folders.filter(auto_retrieve_emails=True))


def subscription_wanted(*, channel_id: int) -> bool:
    """Whether the channel should hold Graph subscriptions (an auto-retrieving Microsoft 365 folder)."""
    channel = Channel.objects.select_related("customer").filter(pk=channel_id).first()
    return bool(channel and graph_subscribed_folders(channel))


def graph_subscriptions_due():
    """Subscriptions expiring within the renewal window."""
    return GraphSubscription.objects.filter(expires_at__lte=timezone.now() + SUBSCRIPTION_RENEW_WINDOW)


def whatsapp_channel_for(to_address: str) -> Channel | None:
    """The live WhatsApp channel owning the number Twilio delivered to (`whatsapp:+…`)."""
    from messaging.whatsapp import whatsapp_number

    return (
        Channel.objects.select_related("customer")
        .filter(
            channel_type=ChannelType.WHATSAPP,
            phone_number=whatsapp_number(to_address),
            deleted_at__isnull=True,
            is_active=True,
        )
        .first()
    )


def twilio_outbox_for(*, message_sid: str) -> OutboxMessage | None:
    """The outbox row we sent through Twilio as `message_sid` (for its delivery reports), with its channel."""
    if not message_sid:
        return None
    return (
        OutboxMessage.objects.select_related("channel__customer")
        .filter(transport=Transport.TWILIO, provider_message_id=message_sid)
        .first()
    )
