import pytest
from django.utils import timezone

from messaging.models import OutboxMessage, OutboxStatus
from tests.admin_helpers import operator_login
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory, ChannelTranslationFactory
from tests.messaging.factories import (
    GraphSubscriptionFactory,
    InboundReceiptFactory,
    MailboxSyncStateFactory,
    OutboxMessageFactory,
)
from tickets.models import MessageStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    return operator_login()


def test_changelists_load_and_hide_secrets(operator_client, customer):
    channel = ChannelFactory(customer=customer, override_graph_client_secret="super-secret-graph-value")
    ChannelFolderFactory(customer=customer, channel=channel)
    ChannelTranslationFactory(customer=customer, channel=channel)
    GraphSubscriptionFactory(customer=customer, channel=channel)
    MailboxSyncStateFactory(customer=customer)
    InboundReceiptFactory(customer=customer)
    OutboxMessageFactory(customer=customer)
    for model in (
        "channels_cfg/channel",
        "channels_cfg/channelfolder",
        "channels_cfg/channeltranslation",
        "messaging/graphsubscription",
        "messaging/mailboxsyncstate",
        "messaging/inboundreceipt",
        "messaging/outboxmessage",
    ):
        response = operator_client.get(f"/admin/{model}/", {"q": "x"})
        assert response.status_code == 200, model
    page = operator_client.get(f"/admin/channels_cfg/channel/{channel.pk}/change/").content.decode()
    assert "super-secret-graph-value" not in page and "********alue" in page


def test_retry_action_requeues_failed_rows(operator_client, customer, django_capture_on_commit_callbacks):
    failed = OutboxMessageFactory(customer=customer, status=OutboxStatus.FAILED, attempts=8, last_error="boom")
    sent = OutboxMessageFactory(customer=customer, status=OutboxStatus.SENT)
    response = operator_client.post(
        "/admin/messaging/outboxmessage/",
        {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.QUEUED and failed.next_attempt_at <= timezone.now()
    assert failed.max_attempts == 16 and failed.message.status == MessageStatus.QUEUED
    assert OutboxMessage.objects.get(pk=sent.pk).status == OutboxStatus.SENT
