"""The outbound-address guard on messaging's connections: test-connection (IMAP, SMTP, Graph), live mailbox
folders, IMAP sessions, SMTP sends and handshakes, channel and customer save, WhatsApp media downloads.
Every case of the shared SSRF list is refused, before any connection is attempted."""

import socket
import ssl
import threading

import pytest
import responses
from django.core.mail import EmailMessage

from answerpal.outbound_guard import REFUSED_DETAIL
from channels_cfg.models import ChannelType, EmailProvider
from messaging import services, tasks
from messaging.imap import ImapError, imap_session
from messaging.mail_settings import ServerSettings
from messaging.smtp import SmtpError, smtp_handshake, smtp_send
from messaging.whatsapp import MediaHostRefused, TwilioAccount, media_download
from tests.answerpal.outbound_cases import (
    INTERNAL_DESTINATIONS,
    INTERNAL_LITERALS,
    PUBLIC_ADDRESS,
    fake_dns,
    forbid_connections,
    url_host,
)
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketMessageFactory

TEST_CONNECTION = "/api/Channels/test-connection"
PUBLIC_NAMES = {"imap.acme.test": [PUBLIC_ADDRESS], "smtp.acme.test": ["93.184.216.35"]}


def _imap_body(imap_host: str, smtp_host: str = "smtp.acme.test") -> dict:
    return {
        "channelType": "Email",
        "emailAddress": "desk@acme.test",
        "emailProviderType": "Imap",
        "overrideEmailSettings": True,
        "overrideImapServer": imap_host,
        "overrideImapPassword": "pw",
        "overrideSmtpServer": smtp_host,
        "overrideSmtpPassword": "pw",
    }


def _refusal(response) -> dict:
    body = assert_problem(response, 400, "OutboundAddressRefused")
    assert body["detail"] == REFUSED_DETAIL
    return {key: value for key, value in body.items() if key != "traceId"}


class TestConnectionTest:
    @pytest.mark.parametrize("server", ["imap", "smtp"])
    def test_every_internal_form_gets_the_same_400_before_any_connect(self, admin_client, monkeypatch, server):
        lookups = fake_dns(monkeypatch, PUBLIC_NAMES)
        attempts = forbid_connections(monkeypatch)
        answers = []
        for host in INTERNAL_DESTINATIONS:
            body = _imap_body(host) if server == "imap" else _imap_body("imap.acme.test", smtp_host=host)
            answers.append(_refusal(admin_client.post(TEST_CONNECTION, body, format="json")))
        # one answer for every form: no oracle on which internal address or port it was
        assert all(answer == answers[0] for answer in answers), answers
        assert answers[0]["errors"] == {f"{server}Server": [REFUSED_DETAIL]}
        assert attempts == []
        assert "imap.acme.test" not in lookups or server == "smtp"

    def test_a_stored_channel_with_an_internal_customer_server_is_refused(self, admin_client, customer, monkeypatch):
        fake_dns(monkeypatch)
        attempts = forbid_connections(monkeypatch)
        customer.email_provider_type, customer.imap_server = EmailProvider.IMAP, "169.254.169.254"
        customer.save()
        channel = ChannelFactory(customer=customer, email_address="desk@acme.test", override_imap_password="pw")
        response = admin_client.post(TEST_CONNECTION, {"channelID": channel.pk, "channelType": "Email"}, format="json")
        _refusal(response)
        assert attempts == []

    def test_an_unresolvable_server_is_a_failed_step_not_a_refusal(self, admin_client, monkeypatch):
        fake_dns(monkeypatch, PUBLIC_NAMES)
        forbid_connections(monkeypatch)
        result = admin_client.post(TEST_CONNECTION, _imap_body("typo.acme.test"), format="json").json()
        assert result["success"] is False and result["failedStep"] == "imap-connect"
        assert "could not be resolved" in result["error"]

    def test_the_allow_list_lets_the_on_premises_server_through(self, admin_client, settings, monkeypatch):
        """An allow-listed server is really connected to, at the address the name resolved to."""
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        accepted = []

        def serve():
            connection, peer = listener.accept()
            accepted.append(peer)
            connection.close()  # no IMAP greeting: the client reports a failed connect step

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        settings.OUTBOUND_ALLOWED_NETWORKS = "127.0.0.1/32"
        fake_dns(monkeypatch, {**PUBLIC_NAMES, "mail.corp.example": ["127.0.0.1"]})
        body = {**_imap_body("mail.corp.example"), "overrideImapPort": port, "overrideImapUseSsl": False}
        result = admin_client.post(TEST_CONNECTION, body, format="json").json()
        thread.join(5)
        listener.close()
        assert accepted and accepted[0][0] == "127.0.0.1"
        assert result["failedStep"] == "imap-connect"  # connected, then the fake server hung up
        # the same address without the allow-list is refused
        settings.OUTBOUND_ALLOWED_NETWORKS = ""
        _refusal(admin_client.post(TEST_CONNECTION, body, format="json"))

    @pytest.mark.parametrize(
        "authority", ["https://169.254.169.254", "https://[::1]", "https://metadata.attacker.example"]
    )
    def test_an_internal_graph_authority_is_refused(self, admin_client, monkeypatch, authority):
        fake_dns(monkeypatch)
        attempts = forbid_connections(monkeypatch)
        body = {
            "channelType": "Email",
            "emailAddress": "desk@acme.test",
            "emailProviderType": "Microsoft365",
            "overrideEmailSettings": True,
            "overrideGraphTenantID": "tenant-1",
            "overrideGraphClientID": "client-1",
            "overrideGraphClientSecret": "secret",
            "overrideGraphAuthorityURL": authority,
        }
        assert _refusal(admin_client.post(TEST_CONNECTION, body, format="json"))["errors"] == {
            "graphAuthorityURL": [REFUSED_DETAIL]
        }
        assert attempts == []


def test_live_mailbox_folders_refuse_an_internal_server(admin_client, customer, monkeypatch):
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    customer.email_provider_type, customer.imap_server = EmailProvider.IMAP, "rebind.attacker.example"
    customer.save()
    channel = ChannelFactory(customer=customer, email_address="desk@acme.test", override_imap_password="pw")
    _refusal(admin_client.get(f"/api/ChannelFolders/fromMailbox/{channel.pk}"))
    assert attempts == []


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_imap_and_smtp_connections_refuse_every_internal_form(host, monkeypatch):
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    server = ServerSettings(host=host, port=993, username="desk@acme.test", password="pw", use_ssl=True)
    with pytest.raises(ImapError) as imap_refused, imap_session(server):
        pass
    assert (imap_refused.value.code, imap_refused.value.step) == ("OutboundAddressRefused", "connect")
    with pytest.raises(SmtpError) as handshake_refused:
        smtp_handshake(server)
    assert handshake_refused.value.code == "OutboundAddressRefused"
    with pytest.raises(SmtpError) as send_refused:
        smtp_send(server, EmailMessage("Hi", "Body", "desk@acme.test", ["client@example.com"]))
    assert send_refused.value.code == "OutboundAddressRefused" and send_refused.value.permanent
    assert attempts == []


class _TlsSpy:
    """Stands in for the SSL context: records the server name TLS would verify, then fails the handshake."""

    def __init__(self):
        self.server_hostnames = []
        self.check_hostname = True

    def wrap_socket(self, sock, server_hostname=None, **kwargs):
        self.server_hostnames.append(server_hostname)
        sock.close()
        raise ssl.SSLError("handshake stopped by the test")


@pytest.fixture
def socket_spy(monkeypatch):
    """socket.create_connection records the address and returns one end of a socket pair."""
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        ours, theirs = socket.socketpair()
        theirs.close()
        return ours

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return connected


def test_imap_connects_to_the_checked_ip_and_verifies_tls_on_the_host_name(monkeypatch, socket_spy):
    lookups = fake_dns(monkeypatch, PUBLIC_NAMES)
    spy = _TlsSpy()
    monkeypatch.setattr("messaging.imap.ssl.create_default_context", lambda: spy)
    server = ServerSettings(host="imap.acme.test", port=993, username="u", password="p", use_ssl=True)
    with pytest.raises(ImapError) as failed, imap_session(server):
        pass
    assert failed.value.step == "connect" and not failed.value.code
    assert socket_spy == [(PUBLIC_ADDRESS, 993)] and spy.server_hostnames == ["imap.acme.test"]
    assert lookups == ["imap.acme.test"]


def test_smtp_connects_to_the_checked_ip_and_verifies_tls_on_the_host_name(monkeypatch, socket_spy):
    lookups = fake_dns(monkeypatch, PUBLIC_NAMES)
    spy = _TlsSpy()
    monkeypatch.setattr("messaging.smtp.ssl.create_default_context", lambda: spy)
    server = ServerSettings(host="smtp.acme.test", port=465, username="u", password="p", use_ssl=True)
    with pytest.raises(SmtpError) as failed:
        smtp_handshake(server)
    assert failed.value.step == "connect"
    assert socket_spy == [("93.184.216.35", 465)] and spy.server_hostnames == ["smtp.acme.test"]
    assert lookups == ["smtp.acme.test"]


def test_mail_import_of_an_internal_server_fails_without_connecting(customer, monkeypatch):
    from tests.channels_cfg.factories import ChannelFolderFactory

    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    customer.email_provider_type, customer.imap_server = EmailProvider.IMAP, "0x7f.1"
    customer.save()
    channel = ChannelFactory(customer=customer, email_address="desk@acme.test", override_imap_password="pw")
    folder = ChannelFolderFactory(customer=customer, channel=channel, folder_id="INBOX")
    with pytest.raises(ImapError) as refused:
        services.folder_import(folder=folder)
    assert refused.value.code == "OutboundAddressRefused" and attempts == []
    # the task records it and does not retry: a refused server stays refused
    assert tasks.folder_import.apply(args=[folder.pk]).get() == 0
    folder.sync_state.refresh_from_db()
    assert folder.sync_state.last_error and REFUSED_DETAIL in folder.sync_state.last_error


class TestChannelSave:
    @pytest.mark.parametrize("host", INTERNAL_LITERALS)
    def test_an_internal_literal_mail_server_is_refused_at_save(self, admin_client, host):
        for field in ("overrideImapServer", "overrideSmtpServer"):
            body = {
                "channelType": "Email",
                "name": "Desk",
                "emailAddress": "desk@acme.test",
                "overrideEmailSettings": True,
                field: host,
            }
            refusal = _refusal(admin_client.post("/api/Channels", body, format="json"))
            assert refusal["errors"] == {field: [REFUSED_DETAIL]}

    def test_names_and_public_addresses_are_saved_and_checked_when_connecting(self, admin_client, customer):
        body = {
            "channelType": "Email",
            "name": "Desk",
            "emailAddress": "desk@acme.test",
            "overrideEmailSettings": True,
            "overrideImapServer": "imap.acme.test",
            "overrideSmtpServer": PUBLIC_ADDRESS,
        }
        assert admin_client.post("/api/Channels", body, format="json").status_code == 201
        channel = ChannelFactory(customer=customer, channel_type=ChannelType.EMAIL, email_address="x@acme.test")
        response = admin_client.put(
            f"/api/Channels/{channel.pk}",
            {**body, "emailAddress": "x@acme.test", "overrideImapServer": "[::ffff:10.0.0.1]"},
            format="json",
        )
        assert _refusal(response)["errors"] == {"overrideImapServer": [REFUSED_DETAIL]}

    def test_an_internal_graph_authority_is_refused_at_save(self, admin_client):
        body = {
            "channelType": "Email",
            "name": "Desk",
            "emailAddress": "desk@acme.test",
            "overrideGraphAuthorityURL": "https://169.254.169.254/tenant",
        }
        assert _refusal(admin_client.post("/api/Channels", body, format="json"))["errors"] == {
            "overrideGraphAuthorityURL": [REFUSED_DETAIL]
        }

    def test_the_allow_list_lets_an_on_premises_server_be_saved(self, admin_client, settings):
        settings.OUTBOUND_ALLOWED_NETWORKS = "10.20.0.0/16"
        body = {
            "channelType": "Email",
            "name": "Desk",
            "emailAddress": "desk@acme.test",
            "overrideImapServer": "10.20.0.5",
        }
        assert admin_client.post("/api/Channels", body, format="json").status_code == 201

    @pytest.mark.parametrize(
        "field, value",
        [
            ("imapServer", "127.0.0.1"),
            ("smtpServer", "0177.0.0.1"),
            ("graphAuthorityURL", "https://169.254.169.254"),
            ("apiBaseUrl", "http://[::1]:8080"),
            ("openAIBaseUrl", "http://10.0.0.1:11434/v1"),
        ],
    )
    def test_customer_servers_are_checked_at_save_too(self, admin_client, field, value):
        refusal = _refusal(admin_client.put("/api/Customers/me", {field: value}, format="json"))
        assert refusal["errors"] == {field: [REFUSED_DETAIL]}


TWILIO = TwilioAccount("AC123", "twilio-token")
MEDIA_URL = "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages/SM9/Media/ME1"


class TestMediaDownload:
    @pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
    def test_media_urls_off_twilio_are_never_fetched(self, host, monkeypatch):
        fake_dns(monkeypatch)
        attempts = forbid_connections(monkeypatch)
        with pytest.raises(MediaHostRefused):
            media_download(TWILIO, f"https://{url_host(host)}/Media/ME1", 1000)
        assert attempts == []

    @pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:10.0.0.1", "fd00::1"])
    def test_twilio_resolving_to_an_internal_address_is_refused(self, address, monkeypatch):
        from answerpal.outbound_guard import OutboundAddressRefused

        fake_dns(monkeypatch, {"api.twilio.com": [address]})
        attempts = forbid_connections(monkeypatch)
        with pytest.raises(OutboundAddressRefused):
            media_download(TWILIO, MEDIA_URL, 1000)
        assert attempts == []

    @pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
    def test_a_redirect_off_twilio_is_refused(self, host):
        with responses.RequestsMock() as mock:
            mock.get(MEDIA_URL, status=307, headers={"Location": f"https://{url_host(host)}/media"})
            with pytest.raises(MediaHostRefused):
                media_download(TWILIO, MEDIA_URL, 1000)
            assert len(mock.calls) == 1

    def test_a_redirect_to_twilios_cdn_resolving_internal_is_refused(self, monkeypatch):
        from answerpal.outbound_guard import OutboundAddressRefused

        fake_dns(monkeypatch, {"mms.twiliocdn.com": ["169.254.169.254"]})
        attempts = forbid_connections(monkeypatch)
        with responses.RequestsMock() as mock:
            mock.add_passthru("https://mms.twiliocdn.com")  # the real guarded adapter handles the second hop
            mock.get(MEDIA_URL, status=307, headers={"Location": "https://mms.twiliocdn.com/AC123/ME1"})
            with pytest.raises(OutboundAddressRefused):
                media_download(TWILIO, MEDIA_URL, 1000)
        assert attempts == []

    def test_the_cdn_redirect_is_followed_without_the_credentials(self):
        with responses.RequestsMock() as mock:
            mock.get(MEDIA_URL, status=307, headers={"Location": "https://mms.twiliocdn.com/AC123/ME1?Expires=1"})
            cdn = mock.get("https://mms.twiliocdn.com/AC123/ME1", body=b"\x89PNG", content_type="image/png")
            assert media_download(TWILIO, MEDIA_URL, 1000) == (b"\x89PNG", "image/png")
            assert mock.calls[0].request.headers["Authorization"].startswith("Basic ")
            assert "Authorization" not in cdn.calls[0].request.headers

    def test_refused_media_is_skipped_and_the_rest_stored(self, customer, monkeypatch):
        fake_dns(monkeypatch)
        forbid_connections(monkeypatch)
        message = TicketMessageFactory(customer=customer)
        with responses.RequestsMock() as mock:
            mock.get(MEDIA_URL, body=b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
            stored = services.whatsapp_media_fetch(
                message_id=message.pk,
                media=[("https://169.254.169.254/latest/meta-data/", "image/png"), (MEDIA_URL, "image/png")],
            )
        assert stored == 1 and message.attachments.count() == 1
