"""Provider mocks under the real client libraries: msal (requests → `responses`), Graph REST
(httpx → respx) and Twilio (requests → `responses`)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import responses
import respx

from channels_cfg.models import ChannelType, EmailProvider
from messaging import graph
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory

AUTHORITY = "https://login.microsoftonline.com/tenant-1"
GRAPH = "https://graph.microsoft.com/v1.0"
MAILBOX = "support@acme.test"
# Graph answers a new subscription with its expiry, always ahead of the clock.
SUBSCRIPTION_EXPIRY = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(autouse=True)
def _fresh_msal_apps():
    graph._apps.clear()
    yield
    graph._apps.clear()


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://api.answerpal.test"


@pytest.fixture
def http_mocks():
    """`responses` for requests (msal, twilio) and respx for httpx (Graph), both strict about unmocked calls."""
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as requests_mock,
        respx.mock(assert_all_called=False) as httpx_mock,
    ):
        yield requests_mock, httpx_mock


def token_endpoint_mock(requests_mock, *, token="graph-token-1", error=None):
    requests_mock.get(
        f"{AUTHORITY}/v2.0/.well-known/openid-configuration",
        json={
            "token_endpoint": f"{AUTHORITY}/oauth2/v2.0/token",
            "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
            "issuer": f"{AUTHORITY}/v2.0",
        },
    )
    if error:
        return requests_mock.post(
            f"{AUTHORITY}/oauth2/v2.0/token",
            status=401,
            json={"error": "invalid_client", "error_description": error},
        )
    return requests_mock.post(
        f"{AUTHORITY}/oauth2/v2.0/token",
        json={"access_token": token, "token_type": "Bearer", "expires_in": 3599},
    )


@pytest.fixture
def graph_mock(http_mocks):
    """Token endpoint mocked; returns the respx router for Graph routes."""
    requests_mock, httpx_mock = http_mocks
    token_endpoint_mock(requests_mock)
    return httpx_mock


@pytest.fixture
def graph_customer(customer):
    customer.email_provider_type = EmailProvider.MICROSOFT365
    customer.graph_tenant_id = "tenant-1"
    customer.graph_client_id = "client-1"
    customer.graph_client_secret = "graph-secret-value"
    customer.save()
    return customer


@pytest.fixture
def graph_channel(graph_customer):
    return ChannelFactory(
        customer=graph_customer, channel_type=ChannelType.EMAIL, email_address=MAILBOX, auto_retrieve_emails=True
    )


@pytest.fixture
def graph_folder(graph_channel, django_capture_on_commit_callbacks):
    return ChannelFolderFactory(
        customer=graph_channel.customer, channel=graph_channel, folder_id="inbox-id", folder_name="Inbox"
    )


def graph_message(
    number: int,
    *,
    subject="Question",
    sender="client@example.com",
    headers=(),
    conversation="conv-1",
    attachments=False,
    body="<p>Hello, my order is late.</p>",
):
    return {
        "id": f"msg-{number}",
        "internetMessageId": f"<mail-{number}@example.com>",
        "conversationId": conversation,
        "subject": subject,
        "from": {"emailAddress": {"address": sender, "name": "Client Person"}},
        "toRecipients": [{"emailAddress": {"address": MAILBOX}}],
        "ccRecipients": [],
        "bccRecipients": [],
        "receivedDateTime": "2026-11-20T10:00:00Z",
        "body": {"contentType": "html", "content": body},
        "bodyPreview": "Hello, my order is late.",
        "hasAttachments": attachments,
        "internetMessageHeaders": [{"name": name, "value": value} for name, value in headers],
        "isDraft": False,
    }


def mock_graph_messages(router, messages, *, folder="inbox-id", delta_link="https://graph.microsoft.com/v1.0/delta-2"):
    """Delta of `folder` lists `messages`; each message (and its attachments) can be fetched."""
    router.get(
        url__regex=rf"{re.escape(GRAPH)}/users/{re.escape(MAILBOX)}/mailFolders/{folder}/messages/delta.*"
    ).respond(
        json={
            "value": [{"id": m["id"], "internetMessageId": m["internetMessageId"]} for m in messages],
            "@odata.deltaLink": delta_link,
        }
    )
    for item in messages:
        router.get(url__regex=rf"{re.escape(GRAPH)}/users/{re.escape(MAILBOX)}/messages/{item['id']}\?.*").respond(
            json=item
        )
        router.get(f"{GRAPH}/users/{MAILBOX}/messages/{item['id']}/attachments").respond(
            json={
                "value": [
                    {
                        "@odata.type": "#microsoft.graph.fileAttachment",
                        "name": "invoice.pdf",
                        "contentType": "application/pdf",
                        "contentBytes": "JVBERi0xLjQKJcfs",
                    }
                ]
            }
        )
