import httpx
import pytest

from channels_cfg.models import ChannelFolder
from messaging import services
from messaging.graph import GraphClient, GraphSecretExpired, GraphThrottled
from messaging.mail_settings import graph_credentials
from messaging.models import InboundReceipt, MailboxSyncState
from tests.messaging.conftest import GRAPH, MAILBOX, graph_message, mock_graph_messages, token_endpoint_mock
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import EndUserUID, Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def test_token_is_cached_per_client(http_mocks, graph_channel):
    requests_mock, router = http_mocks
    token_call = token_endpoint_mock(requests_mock)
    route = router.get(f"{GRAPH}/users/{MAILBOX}/mailFolders/inbox").respond(json={"id": "i", "displayName": "Inbox"})
    client = GraphClient(graph_credentials(graph_channel))
    client.mailbox_check(MAILBOX)
    client.mailbox_check(MAILBOX)
    assert token_call.call_count == 1
    assert route.calls[0].request.headers["Authorization"] == "Bearer graph-token-1"


def test_expired_secret_is_recognised(http_mocks, graph_channel):
    requests_mock, _ = http_mocks
    token_endpoint_mock(
        requests_mock, error="AADSTS7000222: The provided client secret keys for app 'x' are expired.\nTrace ID: 1"
    )
    with pytest.raises(GraphSecretExpired) as caught:
        GraphClient(graph_credentials(graph_channel)).mailbox_check(MAILBOX)
    assert caught.value.step == "token"


def test_recorded_expiry_refuses_without_calling(http_mocks, graph_channel):
    from django.utils import timezone

    customer = graph_channel.customer
    customer.graph_client_secret_expires_at = timezone.now() - timezone.timedelta(days=1)
    customer.save()
    graph_channel.refresh_from_db()
    with pytest.raises(GraphSecretExpired):
        GraphClient(graph_credentials(graph_channel)).mailbox_check(MAILBOX)
    assert len(http_mocks[0].calls) == 0


def test_throttling_waits_for_retry_after(graph_mock, graph_channel, monkeypatch):
    slept = []
    monkeypatch.setattr("messaging.graph.time.sleep", slept.append)
    graph_mock.get(f"{GRAPH}/users/{MAILBOX}/mailFolders/inbox").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"code": "TooManyRequests"}}),
            httpx.Response(200, json={"id": "i", "displayName": "Inbox"}),
        ]
    )
    assert GraphClient(graph_credentials(graph_channel)).mailbox_check(MAILBOX)["displayName"] == "Inbox"
    assert slept == [3]


def test_long_throttling_raises_for_a_later_retry(graph_mock, graph_channel, monkeypatch):
    monkeypatch.setattr("messaging.graph.time.sleep", lambda seconds: None)
    graph_mock.get(f"{GRAPH}/users/{MAILBOX}/mailFolders/inbox").respond(429, headers={"Retry-After": "120"})
    with pytest.raises(GraphThrottled) as caught:
        GraphClient(graph_credentials(graph_channel)).mailbox_check(MAILBOX)
    assert caught.value.retry_after == 120


def test_channel_override_credentials_win(http_mocks, graph_channel):
    graph_channel.override_email_settings = True
    graph_channel.override_graph_tenant_id = "tenant-1"
    graph_channel.override_graph_client_id = "override-client"
    graph_channel.override_graph_client_secret = "override-secret"
    credentials = graph_credentials(graph_channel)
    assert credentials.client_id == "override-client" and credentials.authority.endswith("/tenant-1")


def test_import_creates_ticket_end_user_and_attachments_once(graph_mock, graph_folder):
    mock_graph_messages(graph_mock, [graph_message(1, attachments=True), graph_message(2, sender="other@example.com")])
    assert services.graph_folder_import(folder=graph_folder) == 2
    state = MailboxSyncState.objects.get(folder=graph_folder)
    assert state.delta_link == "https://graph.microsoft.com/v1.0/delta-2" and state.last_error == ""
    first = TicketMessage.objects.get(message_identifier="<mail-1@example.com>")
    assert first.incoming and first.from_address == "client@example.com" and first.email_address == MAILBOX
    assert first.html_body.startswith("<p>Hello") and first.has_attachment
    assert first.attachments.get().file_name == "invoice.pdf"
    assert EndUserUID.objects.filter(customer=graph_folder.customer, uid="client@example.com").exists()
    # same conversation id: the second mail joins the first ticket
    assert TicketMessage.objects.get(message_identifier="<mail-2@example.com>").ticket_id == first.ticket_id

    graph_mock.get(url__regex=r".*/delta-2").respond(
        json={"value": [{"id": "msg-1", "internetMessageId": "<mail-1@example.com>"}], "@odata.deltaLink": "d3"}
    )
    assert services.graph_folder_import(folder=graph_folder) == 0
    assert TicketMessage.objects.filter(customer=graph_folder.customer).count() == 2
    assert InboundReceipt.objects.filter(customer=graph_folder.customer).count() == 2


def test_import_threads_by_in_reply_to(graph_mock, graph_folder):
    earlier = TicketMessageFactory(
        customer=graph_folder.customer, message_identifier="<our-reply@acme.test>", incoming=False
    )
    mock_graph_messages(
        graph_mock,
        [graph_message(5, conversation="other", headers=[("In-Reply-To", "<our-reply@acme.test>")], subject="Re: x")],
    )
    services.graph_folder_import(folder=graph_folder)
    assert TicketMessage.objects.get(message_identifier="<mail-5@example.com>").ticket_id == earlier.ticket_id


def test_import_threads_by_subject_token(graph_mock, graph_folder):
    ticket = TicketFactory(customer=graph_folder.customer)
    mock_graph_messages(
        graph_mock, [graph_message(6, conversation="conv-unknown", subject=f"Re: your order [#{ticket.pk}]")]
    )
    services.graph_folder_import(folder=graph_folder)
    assert TicketMessage.objects.get(message_identifier="<mail-6@example.com>").ticket_id == ticket.pk


def test_subject_token_of_another_customer_opens_a_new_ticket(graph_mock, graph_folder, other_customer):
    foreign = TicketFactory(customer=other_customer)
    mock_graph_messages(graph_mock, [graph_message(7, conversation="conv-x", subject=f"Hi [#{foreign.pk}]")])
    services.graph_folder_import(folder=graph_folder)
    message = TicketMessage.objects.get(message_identifier="<mail-7@example.com>")
    assert message.ticket_id != foreign.pk and message.ticket.customer_id == graph_folder.customer_id


def test_shared_mailbox_is_addressed_by_users_path(graph_mock, graph_customer):
    from tests.channels_cfg.factories import ChannelFactory

    shared = ChannelFactory(customer=graph_customer, email_address="shared-desk@acme.test")
    folder = ChannelFolder.objects.create(customer=graph_customer, channel=shared, folder_id="f1")
    route = graph_mock.get(url__regex=r".*/users/shared-desk@acme.test/mailFolders/f1/messages/delta.*").respond(
        json={"value": [], "@odata.deltaLink": "d"}
    )
    assert services.graph_folder_import(folder=folder) == 0
    assert route.called


def test_import_failure_is_recorded_on_the_sync_state(graph_mock, graph_folder):
    from messaging.graph import GraphError

    graph_mock.get(url__regex=r".*/messages/delta.*").respond(
        403, json={"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}
    )
    with pytest.raises(GraphError):
        services.graph_folder_import(folder=graph_folder)
    assert "Access is denied" in MailboxSyncState.objects.get(folder=graph_folder).last_error
    assert not Ticket.objects.filter(customer=graph_folder.customer).exists()


def test_first_import_reads_a_recent_window_only(graph_mock, graph_folder, settings):
    settings.MAIL_IMPORT_INITIAL_DAYS = 3
    route = graph_mock.get(url__regex=r".*/mailFolders/inbox-id/messages/delta.*").respond(
        json={"value": [], "@odata.deltaLink": "https://graph.microsoft.com/v1.0/next-delta"}
    )
    services.graph_folder_import(folder=graph_folder)
    first_filter = route.calls[0].request.url.params["$filter"]
    assert first_filter.startswith("receivedDateTime ge ")
    later = graph_mock.get("https://graph.microsoft.com/v1.0/next-delta").respond(
        json={"value": [], "@odata.deltaLink": "https://graph.microsoft.com/v1.0/next-delta"}
    )
    services.graph_folder_import(folder=graph_folder)
    assert later.called and "$filter" not in later.calls[0].request.url.params


def test_own_mail_is_not_imported(graph_mock, graph_folder):
    mock_graph_messages(graph_mock, [graph_message(8, sender=MAILBOX.upper())])
    assert services.graph_folder_import(folder=graph_folder) == 0
    assert not TicketMessage.objects.exists()


def test_known_thread_wins_over_a_subject_token(graph_mock, graph_folder):
    earlier = TicketMessageFactory(customer=graph_folder.customer, conversation_id="conv-known")
    other = TicketFactory(customer=graph_folder.customer)
    mock_graph_messages(graph_mock, [graph_message(9, conversation="conv-known", subject=f"Fwd [#{other.pk}]")])
    services.graph_folder_import(folder=graph_folder)
    assert TicketMessage.objects.get(message_identifier="<mail-9@example.com>").ticket_id == earlier.ticket_id


def test_expired_delta_token_restarts_the_round(graph_mock, graph_folder):
    MailboxSyncState.objects.create(
        customer=graph_folder.customer,
        channel=graph_folder.channel,
        folder=graph_folder,
        delta_link="https://graph.microsoft.com/v1.0/old-delta",
    )
    graph_mock.get("https://graph.microsoft.com/v1.0/old-delta").respond(
        410, json={"error": {"code": "SyncStateNotFound", "message": "The sync state is gone."}}
    )
    mock_graph_messages(graph_mock, [graph_message(11)])
    assert services.graph_folder_import(folder=graph_folder) == 1
    assert MailboxSyncState.objects.get(folder=graph_folder).delta_link.endswith("delta-2")


def test_a_mail_the_store_refuses_does_not_block_the_folder(graph_mock, graph_folder, settings):
    settings.ANSWERPAL_MAX_UPLOAD_BYTES = 4
    mock_graph_messages(graph_mock, [graph_message(12, sender="not an address"), graph_message(13, attachments=True)])
    assert services.graph_folder_import(folder=graph_folder) == 1
    kept = TicketMessage.objects.get(message_identifier="<mail-13@example.com>")
    assert not kept.attachments.exists()  # larger than the upload limit: the mail is kept without it
