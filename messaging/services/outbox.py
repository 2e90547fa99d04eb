"""The outbox: claim a row under a lease, deliver it through its transport exactly once, back off and
retry, and let the sweeper re-drive rows whose task was lost (see OutboxMessage for the rules)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from answerpal.celery import enqueue_after_commit
from answerpal.outbox import (
    outbox_row_claim,
    outbox_row_failed,
    outbox_row_sent,
    outbox_row_still_leased,
    worker_identity,
)
from answerpal.outbox import outbox_stuck_ids as kernel_outbox_stuck_ids
from channels_cfg.models import Channel
from messaging import compose
from messaging.graph import GraphError, GraphSecretExpired, GraphThrottled, graph_client_for
from messaging.mail_settings import smtp_settings
from messaging.models import (
    InboundReceipt,
    OutboxMessage,
    OutboxStatus,
    Transport,
)
from messaging.services.inbound_mail import PROVIDER_MAIL
from messaging.smtp import SmtpError, smtp_send
from messaging.whatsapp import (
    TwilioAccount,
    WhatsAppError,
    whatsapp_send,
    whatsapp_sent_since,
)
from tickets import services as ticket_services
from tickets.answer_policy import ai_answer_verdict_by_id
from tickets.models import SenderType, TicketMessage

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """A send that retrying cannot fix (bad address, no credentials, refused by the provider)."""


def outbox_claim(*, outbox_id: int, owner: str) -> OutboxMessage | None:
    """Takes the lease on a due row (the kernel's outbox_row_claim); None if another worker holds it or it is
    finished."""
    return outbox_row_claim(
        model=OutboxMessage, row_id=outbox_id, owner=owner, select_related=("message", "channel__customer")
    )


def _still_leased(outbox: OutboxMessage, owner: str) -> bool:
    return outbox_row_still_leased(model=OutboxMessage, row_id=outbox.pk, owner=owner)


def outbox_deliver(*, outbox_id: int, owner: str | None = None) -> str:
    """Delivers one outbox row under a lease: checks with the provider whether an earlier attempt
    already went out, sends otherwise, records the provider id, and marks the message Sent; failures
    are retried with capped exponential backoff or end Failed. Returns the row's resulting status."""
    owner = owner or worker_identity()
    outbox = outbox_claim(outbox_id=outbox_id, owner=owner)
    if outbox is None:
        return "skipped"
    if outbox.attempts > outbox.max_attempts:  # workers kept dying on this row
        return _outbox_failed(outbox, outbox.last_error or "Too many interrupted attempts.", permanent=True)
    try:
        provider_id = _deliver(outbox, owner)
    except PermanentFailure as error:
        return _outbox_failed(outbox, str(error), permanent=True)
    except GraphThrottled as error:
        return _outbox_failed(outbox, str(error), permanent=False, retry_after=error.retry_after)
    except (GraphError, SmtpError, WhatsAppError) as error:
        permanent = getattr(error, "permanent", False) or isinstance(error, GraphSecretExpired)
        permanent = permanent or (isinstance(error, GraphError) and error.status in (400, 403, 404))
        return _outbox_failed(outbox, f"{getattr(error, 'step', 'send')}: {error}", permanent=permanent)
    except Exception as error:  # an unexpected failure is retried like an outage, and logged in full
        logger.exception("outbox %s: unexpected delivery error", outbox.pk)
        return _outbox_failed(outbox, f"{type(error).__name__}: {error}", permanent=False)
    return _outbox_sent(outbox, provider_id)


def _ai_answer_still_allowed(outbox: OutboxMessage, message: TicketMessage) -> None:
    """An automated AI answer leaves only while the answer policy still allows it (the end user may have asked for
    a person, or a representative replied, since it was queued): else it ends Failed with the rule's name. An answer
    whose question is gone (deleted, erased) does not leave either."""
    if not (outbox.automated and message.sender_type == SenderType.SYSTEM and message.reply_to_message_id):
        return
    verdict = ai_answer_verdict_by_id(message_id=message.reply_to_message_id, customer_id=message.customer_id)
    if not verdict:
        raise PermanentFailure(f"AI answer withheld by the answer policy: {verdict.reason}: {verdict.detail}")


def _deliver(outbox: OutboxMessage, owner: str) -> str:
    message = TicketMessage.objects.select_related("customer_rep").get(pk=outbox.message_id)
    channel = outbox.channel
    if channel is None:
        raise PermanentFailure("The channel was deleted.")
    _ai_answer_still_allowed(outbox, message)
    if outbox.transport == Transport.TWILIO:
        return _deliver_whatsapp(outbox, message, channel)
    mail = compose.outbound_email_build(
        message=message,
        body_text=message.html_body or message.message or message.text_body,
        from_address=channel.email_address,
        automated=outbox.automated,
    )
    if outbox.transport == Transport.GRAPH:
        client = graph_client_for(channel)
        if outbox.attempts > 1 and client.sent_message_exists(channel.email_address, mail.internet_message_id):
            return mail.internet_message_id  # an earlier attempt went out; do not send twice
        if not _still_leased(outbox, owner):
            raise GraphError("The lease expired before sending.", step="lease")
        client.send_mime(channel.email_address, mail.as_bytes())
        return mail.internet_message_id
    if not _still_leased(outbox, owner):
        raise SmtpError("The lease expired before sending.", step="lease")
    smtp_send(smtp_settings(channel), mail.email)
    return mail.internet_message_id


def _deliver_whatsapp(outbox: OutboxMessage, message: TicketMessage, channel: Channel) -> str:
    account = TwilioAccount.of(channel.customer)
    if outbox.provider_message_id:
        return outbox.provider_message_id  # the SID was recorded: it went out
    body = message.message or message.text_body or strip_tags(message.html_body)
    if outbox.attempts > 1:
        sid = whatsapp_sent_since(
            account,
            from_number=channel.phone_number,
            to_number=message.to_number,
            body=body,
            since=outbox.first_attempt_at - timedelta(minutes=1),
        )
        if sid:
            return sid
    media_urls = [
        settings.PUBLIC_BASE_URL.rstrip("/") + reverse("file-download", kwargs={"access_token": token})
        for token in message.attachments.values_list("access_token", flat=True)
    ]
    sid = whatsapp_send(
        account,
        from_number=channel.phone_number,
        to_number=message.to_number,
        body=body,
        media_urls=media_urls,
        status_callback=settings.PUBLIC_BASE_URL.rstrip("/") + reverse("twilio-whatsapp-status"),
    )
    OutboxMessage.objects.filter(pk=outbox.pk).update(provider_message_id=sid)  # recorded before anything else
    return sid


def _outbox_sent(outbox: OutboxMessage, provider_id: str) -> str:
    with transaction.atomic():
        outbox_row_sent(model=OutboxMessage, row_id=outbox.pk, provider_message_id=provider_id, sent_at=timezone.now())
        message = TicketMessage.objects.get(pk=outbox.message_id)
        ticket_services.message_mark_sent(message=message, message_identifier=outbox.internet_message_id or provider_id)
        if outbox.internet_message_id:
            InboundReceipt.objects.get_or_create(
                customer_id=outbox.customer_id,
                provider=PROVIDER_MAIL,
                external_id=outbox.internet_message_id,
                defaults={"channel_id": outbox.channel_id, "message": message},
            )
    return OutboxStatus.SENT


def _outbox_failed(outbox: OutboxMessage, error: str, *, permanent: bool, retry_after: int = 0) -> str:
    with transaction.atomic():
        final, delay = outbox_row_failed(
            model=OutboxMessage, row=outbox, error=error, permanent=permanent, retry_after=retry_after
        )
        if final:
            ticket_services.message_mark_failed(message_id=outbox.message_id)
    if not final:
        from messaging.tasks import outbox_deliver

        enqueue_after_commit(outbox_deliver, outbox.pk, countdown=delay)
    logger.warning(
        "outbox %s attempt %s failed (%s): %s", outbox.pk, outbox.attempts, "final" if final else "retry", error
    )
    return OutboxStatus.FAILED if final else OutboxStatus.QUEUED


def whatsapp_status_record(*, outbox: OutboxMessage, status: str, error_code: str = "") -> bool:
    """Twilio's later delivery report: `failed`/`undelivered` turns a sent WhatsApp message Failed
    (visible on the message and in the admin, with Twilio's error code); True when it did."""
    if status not in ("failed", "undelivered"):
        return False
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.FAILED, last_error=f"Twilio reported {status} (error {error_code or 'unknown'})."
        )
        ticket_services.message_mark_failed(message_id=outbox.message_id)
    return True


def outbox_retry(*, outbox: OutboxMessage) -> bool:
    """Re-queues a failed row now with a fresh attempt budget (admin action); False if not failed."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=outbox.pk, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.QUEUED, next_attempt_at=timezone.now(), max_attempts=outbox.attempts + 8
        )
        if not updated:
            return False
        ticket_services.message_mark_queued(message_id=outbox.message_id)
        from messaging.tasks import outbox_deliver

        enqueue_after_commit(outbox_deliver, outbox.pk)
    return True


def outbox_stuck_ids() -> list[int]:
    """Rows a lost broker message or a dead worker left behind (the kernel's rule)."""
    return kernel_outbox_stuck_ids(model=OutboxMessage)
