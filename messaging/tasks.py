"""Thin Celery tasks of the transports: ids in, one service call, idempotent."""

import logging

from celery import shared_task
from django.core.cache import cache

from answerpal import outbox
from answerpal.outbound_guard import REFUSED_CODE
from channels_cfg.models import Channel, ChannelFolder, EmailProvider
from messaging import selectors, services
from messaging.graph import GraphError, GraphThrottled
from messaging.imap import ImapError
from messaging.mail_settings import mail_provider
from messaging.models import GraphSubscription, OutboxMessage

logger = logging.getLogger(__name__)


def import_pending_key(folder_id: int) -> str:
    return f"messaging:import-pending:{folder_id}"


@shared_task(name="messaging.folder_import", queue="import", acks_late=True, bind=True, max_retries=5)
def folder_import(self, folder_id: int) -> int:
    """Imports one linked folder (Graph delta or IMAP UIDs); throttling and outages retry later."""
    cache.delete(import_pending_key(folder_id))
    folder = ChannelFolder.objects.select_related("channel__customer").filter(pk=folder_id).first()
    if folder is None or folder.channel.deleted_at is not None:
        return 0
    try:
        return services.folder_import(folder=folder)
    except GraphThrottled as error:
        raise self.retry(countdown=error.retry_after) from error
    except (GraphError, ImapError) as error:
        if (
            getattr(error, "status", None) in (401, 403)
            or getattr(error, "step", "") in ("token", "login")
            or getattr(error, "code", "") == REFUSED_CODE
        ):
            logger.warning("import of folder %s failed: %s", folder_id, error)
            return 0  # recorded on the sync state; retrying cannot fix credentials or a refused server
        raise self.retry(countdown=60 * (self.request.retries + 1)) from error


def folder_import_enqueue(folder_id: int) -> bool:
    """Queues an import unless one is already waiting for this folder (notification bursts)."""
    if cache.add(import_pending_key(folder_id), 1, timeout=300):
        folder_import.delay(folder_id)
        return True
    return False


@shared_task(name="messaging.channel_import", queue="import", acks_late=True)
def channel_import(channel_id: int) -> int:
    """Queues an import of every folder of a mail channel (its Inbox when none is linked)."""
    channel = Channel.objects.select_related("customer").filter(pk=channel_id, deleted_at__isnull=True).first()
    if channel is None:
        return 0
    folders = services.channel_default_folder(channel=channel)
    for folder in folders:
        folder_import_enqueue(folder.pk)
    return len(folders)


@shared_task(
    name="messaging.graph_subscriptions_sync",
    queue="import",
    acks_late=True,
    max_retries=5,
    autoretry_for=(GraphError,),
    retry_backoff=True,
)
def graph_subscriptions_sync(channel_id: int) -> dict:
    return services.graph_subscriptions_sync(channel_id=channel_id)


@shared_task(name="messaging.renew_graph_subscriptions", queue="import", acks_late=True)
def renew_graph_subscriptions() -> dict:
    """Beat: renews every subscription expiring within the renewal window."""
    renewed = failed = 0
    for subscription in selectors.graph_subscriptions_due().select_related("channel"):
        if services.graph_subscription_renew(subscription=subscription):
            renewed += 1
        else:
            failed += 1
    return {"renewed": renewed, "failed": failed}


@shared_task(name="messaging.imap_poll", queue="import", acks_late=True)
def imap_poll() -> int:
    """Beat: IMAP has no push, so auto-retrieving IMAP folders are imported periodically."""
    queued = 0
    for folder in ChannelFolder.objects.filter(
        auto_retrieve_emails=True,
        channel__auto_retrieve_emails=True,
        channel__deleted_at__isnull=True,
        channel__is_active=True,
    ).select_related("channel__customer"):
        if mail_provider(folder.channel) == EmailProvider.IMAP and folder_import_enqueue(folder.pk):
            queued += 1
    return queued


@shared_task(name="messaging.outbox_deliver", queue="outbound", acks_late=True)
def outbox_deliver(outbox_id: int) -> str:
    """Delivers one outbox row (lease-guarded; a duplicate task finds the row taken and skips)."""
    return services.outbox_deliver(outbox_id=outbox_id)


@shared_task(name="messaging.outbox_sweep", queue="outbound", acks_late=True)
def outbox_sweep() -> int:
    """Beat: re-drives rows a dead worker or a lost broker message left queued or sending."""
    return outbox.outbox_sweep(model=OutboxMessage, deliver_task=outbox_deliver)


@shared_task(
    name="messaging.whatsapp_media_fetch",
    queue="import",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OSError,),
    retry_backoff=True,
)
def whatsapp_media_fetch(message_id: int, media: list) -> int:
    return services.whatsapp_media_fetch(message_id=message_id, media=[tuple(item) for item in media])


def channel_saved(*, channel_id: int, customer_id: int) -> None:
    """ChannelSaved / ChannelDeleted handler: reconcile the channel's Graph subscriptions in a task."""
    if GraphSubscription.objects.filter(channel_id=channel_id).exists() or selectors.subscription_wanted(
        channel_id=channel_id
    ):
        graph_subscriptions_sync.delay(channel_id)
