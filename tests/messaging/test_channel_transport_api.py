import imaplib

import pytest
from django.utils import timezone

from channels_cfg.models import ChannelFolder, ChannelType, EmailProvider
from tests.answerpal.outbound_cases import fake_dns
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory
from tests.conftest import assert_problem
from tests.messaging.conftest import GRAPH, MAILBOX, SUBSCRIPTION_EXPIRY, mock_graph_messages, token_endpoint_mock

pytestmark = pytest.mark.django_db


class TestImportEmails:
    def test_queues_and_imports_every_mail_channel(
        self, supervisor_client, graph_mock, graph_folder, django_capture_on_commit_callbacks
    ):
        from tests.messaging.conftest import graph_message

        mock_graph_messages(graph_mock, [graph_message(1)])
        graph_mock.get(f"{GRAPH}/users/{MAILBOX}").respond(json={"id": "u"})
        ChannelFactory(customer=graph_folder.customer, channel_type=ChannelType.CHAT)
        with django_capture_on_commit_callbacks(execute=True):
            response = supervisor_client.post("/api/Channels/import-emails")
        assert response.status_code == 202, response.content
        assert response.json() == {"channelIDs": [graph_folder.channel_id], "queued": 1}
        assert graph_folder.channel.tickets.count() == 1

    def test_one_channel_links_inbox_when_no_folder(
        self, admin_client, graph_mock, graph_channel, django_capture_on_commit_callbacks
    ):
        graph_mock.get(f"{GRAPH}/users/{MAILBOX}").respond(json={"id": "u"})
        route = graph_mock.get(url__regex=r".*/mailFolders/inbox/messages/delta.*").respond(
            json={"value": [], "@odata.deltaLink": "d"}
        )
        graph_mock.post(f"{GRAPH}/subscriptions").respond(
            201, json={"id": "sub-new", "expirationDateTime": SUBSCRIPTION_EXPIRY}
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/api/Channels/{graph_channel.pk}/import-emails")
        assert response.status_code == 202
        assert route.called
        assert ChannelFolder.objects.filter(channel=graph_channel, folder_id="inbox").exists()

    def test_expired_secret_is_409(self, admin_client, http_mocks, graph_channel):
        token_endpoint_mock(http_mocks[0], error="AADSTS7000222: The provided client secret keys are expired.")
        assert_problem(admin_client.post("/api/Channels/import-emails"), 409, "GraphClientSecretExpired")
        response = admin_client.post("/api/TicketMessages/import-emails")
        assert_problem(response, 409, "GraphClientSecretExpired")

    def test_recorded_expiry_is_409(self, admin_client, graph_channel):
        customer = graph_channel.customer
        customer.graph_client_secret_expires_at = timezone.now() - timezone.timedelta(hours=1)
        customer.save()
        response = admin_client.post(f"/api/Channels/{graph_channel.pk}/import-emails")
        assert_problem(response, 409, "GraphClientSecretExpired")

    def test_chat_channel_is_400(self, admin_client, customer):
        chat = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
        assert_problem(admin_client.post(f"/api/Channels/{chat.pk}/import-emails"), 400, "NotAMailChannel")

    def test_roles_and_tenancy(self, rep_client, anon_client, other_admin_client, graph_channel):
        assert_problem(rep_client.post("/api/Channels/import-emails"), 403)
        assert_problem(rep_client.post("/api/TicketMessages/import-emails"), 403)
        assert_problem(anon_client.post("/api/Channels/import-emails"), 401)
        assert_problem(other_admin_client.post(f"/api/Channels/{graph_channel.pk}/import-emails"), 404, "NotFound")


class TestConnection:
    def test_graph_token_and_mailbox(self, admin_client, graph_mock, graph_channel):
        graph_mock.get(f"{GRAPH}/users/{MAILBOX}/mailFolders/inbox").respond(json={"id": "i", "displayName": "Inbox"})
        response = admin_client.post(
            "/api/Channels/test-connection", {"channelID": graph_channel.pk, "channelType": "Email"}, format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["success"] is True and body["provider"] == "Microsoft365"
        assert [step["step"] for step in body["steps"]] == ["token", "mailbox"]

    def test_unsaved_settings_report_the_failing_step(self, admin_client, http_mocks, customer):
        requests_mock, router = http_mocks
        token_endpoint_mock(requests_mock)
        router.get(f"{GRAPH}/users/nobody@acme.test/mailFolders/inbox").respond(
            404, json={"error": {"code": "ErrorInvalidUser", "message": "The requested user is invalid."}}
        )
        response = admin_client.post(
            "/api/Channels/test-connection",
            {
                "channelType": "Email",
                "emailAddress": "nobody@acme.test",
                "emailProviderType": "Microsoft365",
                "overrideEmailSettings": True,
                "overrideGraphTenantID": "tenant-1",
                "overrideGraphClientID": "client-9",
                "overrideGraphClientSecret": "secret-9",
            },
            format="json",
        )
        body = response.json()
        assert body["success"] is False and body["failedStep"] == "mailbox"
        assert "requested user is invalid" in body["error"]

    def test_token_failure(self, admin_client, http_mocks, graph_channel):
        token_endpoint_mock(http_mocks[0], error="AADSTS7000215: Invalid client secret provided.")
        body = admin_client.post(
            "/api/Channels/test-connection", {"channelID": graph_channel.pk, "channelType": "Email"}, format="json"
        ).json()
        assert body["failedStep"] == "token" and "AADSTS7000215" in body["error"]

    def test_imap_login_then_smtp_handshake(self, admin_client, customer, monkeypatch):
        events = []

        class FakeImap:
            untagged_responses = {}

            def __init__(self, host, port, destination=None, ssl_context=None, timeout=None):
                events.append(("imap-connect", host, port, destination.addresses))

            def login(self, user, password):
                if password != "right":
                    raise imaplib.IMAP4.error(b"[AUTHENTICATIONFAILED] Invalid credentials")
                events.append(("imap-login", user))

            def list(self):
                return "OK", [b'(\\HasNoChildren) "/" "INBOX"', b'(\\Noselect) "/" "[Gmail]"']

            def logout(self):
                events.append(("imap-logout",))

        class FakeSmtp:
            def __init__(self, host, port, timeout=None, context=None, destination=None):
                events.append(("smtp-connect", host, port, destination.addresses))

            def ehlo(self):
                return 250, b"hello"

            def login(self, user, password):
                events.append(("smtp-login", user))

            def quit(self):
                pass

        monkeypatch.setattr("messaging.imap.GuardedIMAP4_SSL", FakeImap)
        monkeypatch.setattr("messaging.smtp.GuardedSMTP_SSL", FakeSmtp)
        lookups = fake_dns(monkeypatch, {"imap.acme.test": ["93.184.216.34"], "smtp.acme.test": ["93.184.216.35"]})
        customer.imap_server, customer.smtp_server = "imap.acme.test", "smtp.acme.test"
        customer.save()
        body = {
            "channelType": "Email",
            "emailAddress": "desk@acme.test",
            "emailProviderType": "Imap",
            "overrideImapPassword": "right",
        }
        result = admin_client.post("/api/Channels/test-connection", body, format="json").json()
        assert result["success"], result
        assert [step["step"] for step in result["steps"]] == ["imap-login", "smtp-connect", "smtp-ehlo", "smtp-login"]
        # each server resolved once, before anything connected, and the checked addresses handed to the client
        assert ("imap-connect", "imap.acme.test", 993, ("93.184.216.34",)) in events
        assert ("smtp-connect", "smtp.acme.test", 465, ("93.184.216.35",)) in events
        assert lookups == ["imap.acme.test", "smtp.acme.test"]
        result = admin_client.post(
            "/api/Channels/test-connection", {**body, "overrideImapPassword": "wrong"}, format="json"
        ).json()
        assert result["failedStep"] == "imap-login" and "Invalid credentials" in result["error"]

    def test_missing_provider_is_reported(self, admin_client):
        body = admin_client.post(
            "/api/Channels/test-connection", {"channelType": "Email", "emailAddress": "a@b.test"}, format="json"
        ).json()
        assert body["success"] is False and body["failedStep"] == "configuration"

    def test_validation_and_auth(self, admin_client, supervisor_client, anon_client, other_admin_client, customer):
        response = admin_client.post("/api/Channels/test-connection", {"channelType": "Pigeon"}, format="json")
        assert "channelType" in assert_problem(response, 400)["errors"]
        response = admin_client.post("/api/Channels/test-connection", {"channelID": "abc"}, format="json")
        assert "channelID" in assert_problem(response, 400)["errors"]
        assert_problem(supervisor_client.post("/api/Channels/test-connection", {}, format="json"), 403)
        assert_problem(anon_client.post("/api/Channels/test-connection", {}, format="json"), 401)
        channel = ChannelFactory(customer=customer)
        response = other_admin_client.post(
            "/api/Channels/test-connection", {"channelID": channel.pk, "channelType": "Email"}, format="json"
        )
        assert_problem(response, 404)

    def test_whatsapp_checks_the_twilio_account(self, admin_client, http_mocks, customer):
        customer.twilio_account_sid, customer.twilio_auth_token = "AC123", "twilio-token"
        customer.save()
        http_mocks[0].get(
            "https://api.twilio.com/2010-04-01/Accounts/AC123.json",
            json={"sid": "AC123", "friendly_name": "Acme", "status": "active"},
        )
        body = admin_client.post(
            "/api/Channels/test-connection", {"channelType": "WhatsApp", "phoneNumber": "+32470000001"}, format="json"
        ).json()
        assert body["success"] and body["steps"][0]["detail"] == "Account 'Acme' is active."


class TestFromMailbox:
    def test_lists_live_folders_with_children_and_links(self, admin_client, graph_mock, graph_folder):
        graph_mock.get(url__regex=rf".*/users/{MAILBOX}/mailFolders\?.*").respond(
            json={
                "value": [
                    {"id": "inbox-id", "displayName": "Inbox", "childFolderCount": 1, "totalItemCount": 4},
                    {"id": "sent-id", "displayName": "Sent Items", "childFolderCount": 0, "totalItemCount": 2},
                ]
            }
        )
        graph_mock.get(url__regex=r".*/mailFolders/inbox-id/childFolders.*").respond(
            json={"value": [{"id": "vip-id", "displayName": "VIP", "childFolderCount": 0, "totalItemCount": 1}]}
        )
        response = admin_client.get(f"/api/ChannelFolders/fromMailbox/{graph_folder.channel_id}")
        assert response.status_code == 200, response.content
        folders = {item["folderID"]: item for item in response.json()}
        assert folders["vip-id"]["folderName"] == "Inbox/VIP"
        assert folders["inbox-id"]["isLinked"] and folders["inbox-id"]["channelFolderID"] == graph_folder.pk
        assert not folders["sent-id"]["isLinked"]

    def test_expired_secret_is_409(self, admin_client, http_mocks, graph_channel):
        token_endpoint_mock(http_mocks[0], error="AADSTS7000222: expired")
        response = admin_client.get(f"/api/ChannelFolders/fromMailbox/{graph_channel.pk}")
        assert_problem(response, 409, "GraphClientSecretExpired")

    def test_unconfigured_is_400_and_auth(self, admin_client, rep_client, other_admin_client, customer):
        channel = ChannelFactory(customer=customer)
        assert_problem(admin_client.get(f"/api/ChannelFolders/fromMailbox/{channel.pk}"), 400, "MailboxNotConfigured")
        assert_problem(rep_client.get(f"/api/ChannelFolders/fromMailbox/{channel.pk}"), 403)
        assert_problem(other_admin_client.get(f"/api/ChannelFolders/fromMailbox/{channel.pk}"), 404)


def test_imap_import_tracks_uidvalidity(customer, monkeypatch):
    from messaging import services
    from tickets.models import TicketMessage

    raw = (
        b"From: Client <client@example.com>\r\nTo: desk@acme.test\r\nSubject: Hello\r\n"
        b"Message-ID: <imap-1@example.com>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nBody text\r\n"
    )
    state = {"validity": b"7", "selected": None}

    class FakeImap:
        def __init__(self, *args, **kwargs):
            self.untagged_responses = {}

        def login(self, user, password):
            pass

        def select(self, folder, readonly=False):
            state["selected"] = folder
            self.untagged_responses["UIDVALIDITY"] = [state["validity"]]
            return "OK", [b"1"]

        def uid(self, command, *args):
            if command == "SEARCH":
                start = int(args[1].split()[1].split(":")[0])
                return "OK", [b"41" if start <= 41 else b""]
            return "OK", [(b"1 (UID 41 BODY[] {100}", raw), b")"]

        def logout(self):
            pass

    monkeypatch.setattr("messaging.imap.GuardedIMAP4_SSL", FakeImap)
    fake_dns(monkeypatch, {"imap.acme.test": ["93.184.216.34"]})
    customer.email_provider_type, customer.imap_server = EmailProvider.IMAP, "imap.acme.test"
    customer.save()
    channel = ChannelFactory(customer=customer, email_address="desk@acme.test", override_imap_password="pw")
    folder = ChannelFolderFactory(customer=customer, channel=channel, folder_id="INBOX")
    assert services.folder_import(folder=folder) == 1
    assert state["selected"] == '"INBOX"'
    folder.sync_state.refresh_from_db()
    assert folder.sync_state.imap_uidvalidity == 7 and folder.sync_state.imap_last_uid == 41
    assert services.folder_import(folder=folder) == 0  # nothing above UID 41
    state["validity"] = b"8"  # the server renumbered: read everything again, de-duplicated by Message-ID
    assert services.folder_import(folder=folder) == 0
    folder.sync_state.refresh_from_db()
    assert folder.sync_state.imap_uidvalidity == 8
    assert TicketMessage.objects.filter(message_identifier="<imap-1@example.com>").count() == 1


def test_rfc822_parse_is_lenient_and_deterministic():
    from email import policy
    from email.parser import BytesParser

    from messaging.services import rfc822_mail_parse

    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen?= <Juergen@Example.com>\r\nSubject: Hallo\r\n"
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\nGr\xfc\xdfe\r\n"
    )
    first = rfc822_mail_parse(BytesParser(policy=policy.default).parsebytes(raw), "desk@acme.test")
    second = rfc822_mail_parse(BytesParser(policy=policy.default).parsebytes(raw), "desk@acme.test")
    assert first.from_address == "juergen@example.com" and first.from_name == "Jürgen"
    assert first.fields["text_body"].startswith("Gr")
    assert first.internet_message_id.startswith("sha256:") and first.internet_message_id == second.internet_message_id
