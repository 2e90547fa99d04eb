"""Microsoft Graph change-notification subscriptions: create, renew, drop and accept their notifications."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from channels_cfg.models import Channel, ChannelFolder
from messaging import selectors
from messaging.graph import GraphError, graph_client_for, graph_datetime
from messaging.mail_settings import graph_credentials
from messaging.models import (
    GraphSubscription,
)

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)

SUBSCRIPTION_MINUTES = 4200  # Graph's limit for mail resources is 4230 minutes


def graph_notification_url() -> str:
    """Where Graph posts notifications: this deployment's public address (PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/GraphWebhook"


def _subscription_resource(channel: Channel, folder: ChannelFolder) -> str:
    return f"users/{channel.email_address}/mailFolders('{folder.folder_id}')/messages"


def graph_subscriptions_sync(*, channel_id: int) -> dict:
    """Makes Graph's subscriptions match the channel: one live subscription per auto-retrieving folder
    of an active Microsoft 365 channel, none otherwise (deleted folders/channels unsubscribe)."""
    channel = Channel.objects.select_related("customer").filter(pk=channel_id).first()
    if channel is None:
        return {"created": 0, "deleted": 0}
    wanted = {folder.pk: folder for folder in selectors.graph_subscribed_folders(channel)}
    existing = list(GraphSubscription.objects.filter(channel_id=channel_id))
    created = deleted = 0
    client = graph_client_for(channel) if (wanted or existing) and graph_credentials(channel).complete else None
    for subscription in existing:
        expired = subscription.expires_at <= timezone.now()
        folder = wanted.get(subscription.folder_id)
        if folder is not None and not expired and subscription.resource == _subscription_resource(channel, folder):
            wanted.pop(subscription.folder_id)
            continue
        if client is not None and not expired:
            client.subscription_delete(subscription.subscription_id)
        subscription.delete()
        deleted += 1
    for folder in wanted.values():
        subscription = GraphSubscription(customer_id=channel.customer_id, channel=channel, folder=folder)
        expires = timezone.now() + timedelta(minutes=SUBSCRIPTION_MINUTES)
        body = client.subscription_create(
            resource=_subscription_resource(channel, folder),
            notification_url=graph_notification_url(),
            client_state=subscription.client_state,
            expires=expires,
        )
        subscription.subscription_id = body["id"]
        subscription.resource = _subscription_resource(channel, folder)
        subscription.expires_at = graph_datetime(body.get("expirationDateTime")) or expires
        subscription.save()
        created += 1
    return {"created": created, "deleted": deleted}


def graph_subscription_renew(*, subscription: GraphSubscription) -> bool:
    """Extends one subscription; one Graph has forgotten (404) is dropped and re-created by a sync."""
    channel = Channel.objects.select_related("customer").get(pk=subscription.channel_id)
    expires = timezone.now() + timedelta(minutes=SUBSCRIPTION_MINUTES)
    try:
        body = graph_client_for(channel).subscription_renew(subscription.subscription_id, expires)
    except GraphError as error:
        if error.status == 404:
            subscription.delete()
            graph_subscriptions_sync(channel_id=channel.pk)
            return True
        GraphSubscription.objects.filter(pk=subscription.pk).update(last_error=str(error)[:2000])
        return False
    GraphSubscription.objects.filter(pk=subscription.pk).update(
        expires_at=graph_datetime(body.get("expirationDateTime")) or expires,
        renewed_at=timezone.now(),
        last_error="",
    )
    return True


def graph_notifications_accept(*, payload: dict) -> list[int]:
    """Checks each notification's clientState against its subscription and returns the folder ids to
    import (auto-retrieve on for the folder and its channel); unknown or forged ones are ignored."""
    folder_ids = []
    for notification in payload.get("value") or []:
        if not isinstance(notification, dict):
            continue
        subscription = (
            GraphSubscription.objects.select_related("folder", "channel")
            .filter(subscription_id=str(notification.get("subscriptionId", "")))
            .first()
        )
        if subscription is None or subscription.folder is None:
            continue
        if not constant_time_compare(str(notification.get("clientState", "")), subscription.client_state):
            logger.warning("Graph notification with a wrong clientState for %s", subscription.subscription_id)
            continue
        folder, channel = subscription.folder, subscription.channel
        wanted = folder.auto_retrieve_emails and channel.auto_retrieve_emails and channel.deleted_at is None
        if wanted and folder.pk not in folder_ids:
            folder_ids.append(folder.pk)
    return folder_ids
