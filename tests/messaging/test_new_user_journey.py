"""A new administrator connects Microsoft 365, tests it, receives a mail and answers it — through the
API only, with Graph and the token endpoint mocked under the real msal/httpx code."""

import json

import pytest

from tests.conftest import assert_problem
from tests.messaging.conftest import GRAPH, SUBSCRIPTION_EXPIRY, graph_message, mock_graph_messages

pytestmark = pytest.mark.django_db
MAILBOX = "support@acme.test"


def test_connect_test_receive_reply(admin_client, customer, graph_mock, django_capture_on_commit_callbacks):
    # 1. Connect: customer defaults stay empty, the channel carries its own app registration.
    with django_capture_on_commit_callbacks(execute=True):
        created = admin_client.post(
            "/api/Channels",
            {
                "channelType": "Email",
                "name": "Support",
                "emailAddress": MAILBOX,
                "emailProviderType": "Microsoft365",
                "autoRetrieveEmails": True,
                "overrideEmailSettings": True,
                "overrideGraphTenantID": "tenant-1",
                "overrideGraphClientID": "client-1",
                "overrideGraphClientSecret": "app-secret-value",
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    channel = created.json()
    assert channel["overrideGraphClientSecret"] == "********alue"

    # 2. Test the connection (token + mailbox read).
    graph_mock.get(f"{GRAPH}/users/{MAILBOX}/mailFolders/inbox").respond(
        json={"id": "inbox-id", "displayName": "Inbox"}
    )
    tested = admin_client.post(
        "/api/Channels/test-connection", {"channelID": channel["channelID"], "channelType": "Email"}, format="json"
    ).json()
    assert tested["success"], tested

    # 3. Pick the folder from the live list and link it: a Graph subscription is created.
    graph_mock.get(url__regex=rf".*/users/{MAILBOX}/mailFolders\?.*").respond(
        json={"value": [{"id": "inbox-id", "displayName": "Inbox", "childFolderCount": 0, "totalItemCount": 1}]}
    )
    folders = admin_client.get(f"/api/ChannelFolders/fromMailbox/{channel['channelID']}").json()
    assert folders[0]["isLinked"] is False
    subscribe = graph_mock.post(f"{GRAPH}/subscriptions").respond(
        201, json={"id": "sub-1", "expirationDateTime": SUBSCRIPTION_EXPIRY}
    )
    with django_capture_on_commit_callbacks(execute=True):
        linked = admin_client.post(
            "/api/ChannelFolders",
            {"channelID": channel["channelID"], "folderID": folders[0]["folderID"], "folderName": "Inbox"},
            format="json",
        )
    assert linked.status_code == 201 and subscribe.called
    client_state = json.loads(subscribe.calls[0].request.content)["clientState"]
    duplicate = admin_client.post(
        "/api/ChannelFolders", {"channelID": channel["channelID"], "folderID": "inbox-id"}, format="json"
    )
    assert_problem(duplicate, 409, "DuplicateChannelFolder")

    # 4. Receive: Graph notifies, the folder is imported, the ticket appears in the inbox.
    mock_graph_messages(graph_mock, [graph_message(1, subject="Invoice question")])
    with django_capture_on_commit_callbacks(execute=True):
        notified = admin_client.post(
            "/api/GraphWebhook",
            data=json.dumps({"value": [{"subscriptionId": "sub-1", "clientState": client_state}]}),
            content_type="application/json",
        )
    assert notified.status_code == 202
    tickets = admin_client.get("/api/Tickets").json()["items"]
    assert [ticket["subject"] for ticket in tickets] == ["Invoice question"]
    messages = admin_client.get("/api/TicketMessages", {"ticketId": tickets[0]["ticketID"]}).json()["items"]
    inbound_id = messages[0]["messageID"]

    # 5. Reply: the answer leaves by Graph sendMail, the message turns Sent.
    send = graph_mock.post(f"{GRAPH}/users/{MAILBOX}/sendMail").respond(202)
    with django_capture_on_commit_callbacks(execute=True):
        replied = admin_client.post(
            f"/api/TicketMessages/{inbound_id}/send", {"modifiedAnswer": "We corrected the invoice."}, format="json"
        )
    assert replied.status_code == 202 and send.call_count == 1
    detail = admin_client.get(f"/api/TicketMessages/{replied.json()['messageID']}").json()
    assert detail["status"] == "Sent"
