import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from channels_cfg.models import ChannelFolder
from messaging.models import GraphSubscription
from tests.conftest import assert_problem
from tests.messaging.conftest import GRAPH, MAILBOX, SUBSCRIPTION_EXPIRY, graph_message, mock_graph_messages
from tests.messaging.factories import GraphSubscriptionFactory
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


class TestValidation:
    def test_get_echoes_the_token_as_plain_text(self, anon_client):
        response = anon_client.get("/api/GraphWebhook", {"validationToken": "Validation: Token 1 <&>"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode() == "Validation: Token 1 <&>"

    def test_get_without_token_is_400(self, anon_client):
        assert_problem(anon_client.get("/api/GraphWebhook"), 400, "ValidationTokenMissing")

    def test_post_with_token_echoes(self, anon_client):
        response = anon_client.post("/api/GraphWebhook?validationToken=abc", data="", content_type="text/plain")
        assert response.status_code == 200 and response.content == b"abc"

    def test_lowercase_path(self, anon_client):
        assert anon_client.get("/api/graphwebhook", {"validationToken": "x"}).content == b"x"

    def test_empty_post_is_200(self, anon_client):
        assert anon_client.post("/api/GraphWebhook", data="", content_type="application/json").status_code == 200

    def test_malformed_json_is_400(self, anon_client):
        response = anon_client.post("/api/GraphWebhook", data="{not json", content_type="application/json")
        assert_problem(response, 400)


def _notify(client, subscription, client_state=None):
    payload = {
        "value": [
            {
                "subscriptionId": subscription.subscription_id,
                "clientState": client_state if client_state is not None else subscription.client_state,
                "changeType": "created",
                "resource": f"Users/{MAILBOX}/Messages/msg-1",
                "resourceData": {"id": "msg-1"},
            }
        ]
    }
    return client.post("/api/GraphWebhook", data=json.dumps(payload), content_type="application/json")


def test_notification_imports_the_folder(anon_client, graph_mock, graph_folder, django_capture_on_commit_callbacks):
    subscription = GraphSubscriptionFactory(
        customer=graph_folder.customer, channel=graph_folder.channel, folder=graph_folder
    )
    mock_graph_messages(graph_mock, [graph_message(1)])
    response = _notify(anon_client, subscription)
    assert response.status_code == 202
    assert TicketMessage.objects.filter(message_identifier="<mail-1@example.com>").count() == 1


def test_wrong_client_state_imports_nothing(anon_client, graph_mock, graph_folder):
    subscription = GraphSubscriptionFactory(
        customer=graph_folder.customer, channel=graph_folder.channel, folder=graph_folder
    )
    delta = graph_mock.get(url__regex=r".*/messages/delta.*").respond(json={"value": [], "@odata.deltaLink": "d"})
    assert _notify(anon_client, subscription, client_state="forged").status_code == 202
    assert not delta.called


def test_folder_without_auto_retrieve_is_not_imported(anon_client, graph_mock, graph_folder):
    ChannelFolder.objects.filter(pk=graph_folder.pk).update(auto_retrieve_emails=False)
    subscription = GraphSubscriptionFactory(
        customer=graph_folder.customer, channel=graph_folder.channel, folder=graph_folder
    )
    delta = graph_mock.get(url__regex=r".*/messages/delta.*").respond(json={"value": [], "@odata.deltaLink": "d"})
    _notify(anon_client, subscription)
    assert not delta.called


def test_unknown_subscription_is_ignored(anon_client):
    payload = {"value": [{"subscriptionId": "nope", "clientState": "x"}, "garbage"]}
    response = anon_client.post("/api/GraphWebhook", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202


class TestSubscriptions:
    def test_linking_a_folder_subscribes_and_unlinking_unsubscribes(
        self, admin_client, graph_mock, graph_channel, django_capture_on_commit_callbacks
    ):
        create = graph_mock.post(f"{GRAPH}/subscriptions").respond(
            201, json={"id": "sub-42", "resource": "r", "expirationDateTime": SUBSCRIPTION_EXPIRY}
        )
        delete = graph_mock.delete(f"{GRAPH}/subscriptions/sub-42").respond(204)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/api/ChannelFolders", {"channelID": graph_channel.pk, "folderID": "inbox-id"}, format="json"
            )
        assert response.status_code == 201
        sent = json.loads(create.calls[0].request.content)
        assert sent["notificationUrl"] == "https://api.answerpal.test/api/GraphWebhook"
        assert sent["resource"] == f"users/{MAILBOX}/mailFolders('inbox-id')/messages"
        assert sent["changeType"] == "created"
        subscription = GraphSubscription.objects.get(subscription_id="sub-42")
        assert sent["clientState"] == subscription.client_state
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.delete(f"/api/ChannelFolders/{response.json()['channelFolderID']}")
        assert delete.called and not GraphSubscription.objects.exists()

    def test_deleting_the_channel_unsubscribes(
        self, admin_client, graph_mock, graph_folder, django_capture_on_commit_callbacks
    ):
        GraphSubscriptionFactory(
            customer=graph_folder.customer, channel=graph_folder.channel, folder=graph_folder, subscription_id="s-1"
        )
        delete = graph_mock.delete(f"{GRAPH}/subscriptions/s-1").respond(404)
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.delete(f"/api/Channels/{graph_folder.channel_id}").status_code == 204
        assert delete.called and not GraphSubscription.objects.exists()

    def test_renewal_command_extends_due_subscriptions(self, graph_mock, graph_folder, capsys):
        due = GraphSubscriptionFactory(
            customer=graph_folder.customer,
            channel=graph_folder.channel,
            folder=graph_folder,
            subscription_id="due-1",
            expires_at=timezone.now() + timezone.timedelta(hours=3),
        )
        later = GraphSubscriptionFactory(customer=graph_folder.customer, channel=graph_folder.channel, folder=None)
        renew = graph_mock.patch(f"{GRAPH}/subscriptions/due-1").respond(
            json={"id": "due-1", "expirationDateTime": "2026-12-30T10:00:00Z"}
        )
        call_command("renew_graph_subscriptions")
        assert renew.called and "renewed=1 failed=0" in capsys.readouterr().out
        due.refresh_from_db()
        assert due.expires_at.year == 2026 and due.expires_at.month == 12 and due.renewed_at is not None
        assert GraphSubscription.objects.filter(pk=later.pk).exists()

    def test_renewal_of_a_forgotten_subscription_recreates_it(self, graph_mock, graph_folder):
        from messaging.tasks import renew_graph_subscriptions

        GraphSubscriptionFactory(
            customer=graph_folder.customer,
            channel=graph_folder.channel,
            folder=graph_folder,
            subscription_id="gone-1",
            expires_at=timezone.now() + timezone.timedelta(hours=1),
        )
        graph_mock.patch(f"{GRAPH}/subscriptions/gone-1").respond(404, json={"error": {"code": "ResourceNotFound"}})
        graph_mock.post(f"{GRAPH}/subscriptions").respond(
            201, json={"id": "fresh-1", "expirationDateTime": SUBSCRIPTION_EXPIRY}
        )
        assert renew_graph_subscriptions() == {"renewed": 1, "failed": 0}
        assert list(GraphSubscription.objects.values_list("subscription_id", flat=True)) == ["fresh-1"]


def test_changed_mailbox_moves_the_subscription(graph_mock, graph_folder):
    from messaging import services

    GraphSubscriptionFactory(
        customer=graph_folder.customer,
        channel=graph_folder.channel,
        folder=graph_folder,
        subscription_id="old-1",
        resource=f"users/{MAILBOX}/mailFolders('inbox-id')/messages",
    )
    graph_mock.delete(f"{GRAPH}/subscriptions/old-1").respond(204)
    create = graph_mock.post(f"{GRAPH}/subscriptions").respond(
        201, json={"id": "new-1", "expirationDateTime": SUBSCRIPTION_EXPIRY}
    )
    assert services.graph_subscriptions_sync(channel_id=graph_folder.channel_id) == {"created": 0, "deleted": 0}
    graph_folder.channel.email_address = "renamed@acme.test"
    graph_folder.channel.save()
    assert services.graph_subscriptions_sync(channel_id=graph_folder.channel_id) == {"created": 1, "deleted": 1}
    assert json.loads(create.calls[0].request.content)["resource"].startswith("users/renamed@acme.test/")
