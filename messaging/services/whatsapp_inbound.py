"""WhatsApp through Twilio, inbound: messages and their media into tickets exactly once (a receipt per
MessageSid)."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction

from answerpal.api.errors import field_error
from answerpal.celery import enqueue_after_commit
from answerpal.outbound_guard import OutboundError
from channels_cfg.models import Channel, ChannelType
from messaging.models import (
    InboundReceipt,
)
from messaging.whatsapp import MediaHostRefused, TwilioAccount, media_download
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessage, UidType

logger = logging.getLogger(__name__)

PROVIDER_TWILIO = "twilio"


def whatsapp_inbound(*, channel: Channel, params: dict) -> TicketMessage | None:
    """Stores an inbound WhatsApp message (end user by WhatsApp UID, ticket continued or opened);
    None for a MessageSid seen before. Its media (MediaUrl{n}/MediaContentType{n}) is fetched after commit
    by the `whatsapp_media_fetch` task."""
    from messaging.tasks import whatsapp_media_fetch as media_fetch_task
    from messaging.whatsapp import whatsapp_number

    sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
    from_number = whatsapp_number(params.get("From", ""))
    if not sid or not from_number:
        raise field_error("MessageSid", "A Twilio message needs MessageSid and From.")
    try:
        with transaction.atomic():
            receipt = InboundReceipt.objects.create(
                customer_id=channel.customer_id, channel=channel, provider=PROVIDER_TWILIO, external_id=sid
            )
            open_ticket = (
                Ticket.objects.filter(
                    customer_id=channel.customer_id, channel=channel, uid=from_number, is_closed=False
                )
                .order_by("-last_message_at")
                .first()
            )
            message = ticket_services.message_create(
                customer_id=channel.customer_id,
                ticket=open_ticket,
                channel_id=channel.pk,
                channel_type=ChannelType.WHATSAPP,
                incoming=True,
                uid=from_number,
                uid_type=UidType.WHATSAPP,
                fields={
                    "message": params.get("Body", ""),
                    "text_body": params.get("Body", ""),
                    "from_number": from_number,
                    "to_number": channel.phone_number,
                    "from_name": params.get("ProfileName", "")[:200],
                    "subject": f"WhatsApp {from_number}" if open_ticket is None else "",
                    "message_identifier": sid,
                },
            )
            receipt.message = message
            receipt.save(update_fields=["message"])
            media = [
                [params.get(f"MediaUrl{index}", ""), params.get(f"MediaContentType{index}", "")]
                for index in range(int(params.get("NumMedia") or 0))
            ]
            if media:
                enqueue_after_commit(media_fetch_task, message.pk, media)
    except IntegrityError:
        return None
    return message


def whatsapp_media_fetch(*, message_id: int, media: list[tuple[str, str]]) -> int:
    """Downloads the Twilio media of an inbound message and stores each file as an attachment."""
    message = TicketMessage.objects.select_related("customer").filter(pk=message_id).first()
    if message is None:
        return 0
    account = TwilioAccount.of(message.customer)
    stored = 0
    for index, (url, declared_type) in enumerate(media):
        try:
            content, content_type = media_download(account, url, settings.ANSWERPAL_MAX_UPLOAD_BYTES)
        except (MediaHostRefused, OutboundError) as error:
            # Not Twilio's host, or an internal address: never fetched, and retrying cannot change that.
            logger.warning("WhatsApp media %s of message %s refused: %s", index + 1, message_id, error)
            continue
        extension = (content_type or declared_type or "application/octet-stream").split("/")[-1].split(";")[0]
        ticket_services.attachment_store(
            message=message,
            content=content,
            file_name=f"whatsapp-media-{index + 1}.{extension}",
            content_type=content_type or declared_type,
            is_end_user_provided=True,
        )
        stored += 1
    return stored
