"""The kernel's outbound-address guard: classification of every internal form, one resolution whose
addresses are the ones connected to, the operator's allow-list, and the requests/httpx adapters."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import httpx
import pytest
import requests

from answerpal import outbound_guard
from answerpal.outbound_guard import (
    REFUSED_DETAIL,
    Destination,
    GuardedTransport,
    OutboundAddressRefused,
    OutboundHostUnresolvable,
    address_is_public,
    destination_connect,
    destination_resolve,
    guarded_requests_session,
    host_check,
    ip_literal,
)
from tests.answerpal.outbound_cases import (
    INTERNAL_DESTINATIONS,
    INTERNAL_LITERALS,
    INTERNAL_NAMES,
    PUBLIC_ADDRESS,
    fake_dns,
    forbid_connections,
    url_host,
)


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),
        ("198.51.100.1", False),
        ("203.0.113.1", False),
        ("198.18.0.1", False),
        ("192.0.0.8", False),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),
        ("::ffff:0:7f00:1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b:1::1", False),
        ("2002:7f00:1::1", False),
        ("2002:a9fe:a9fe::1", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
        ("2001:db8::1", False),
        ("3fff::1", False),
        ("2001:2::1", False),
        ("100::1", False),
    ],
)
def test_address_classification(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize(
    "literal, address",
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("0", "0.0.0.0"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("93.184.216.34", "93.184.216.34"),
        ("256.1.1.1", None),
        ("08.1.1.1", None),
        ("1.2.3.4.5", None),
        ("mail.example.com", None),
        ("0x", "0.0.0.0"),
    ],
)
def test_ip_literal_reads_every_inet_aton_form(literal, address):
    parsed = ip_literal(literal)
    assert (str(parsed) if parsed is not None else None) == address


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_every_internal_form_is_refused_alike_before_any_connect(host, monkeypatch):
    lookups = fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    with pytest.raises(OutboundAddressRefused) as refused:
        destination_resolve(host, 993)
    assert str(refused.value) == REFUSED_DETAIL and refused.value.code == "OutboundAddressRefused"
    assert attempts == []
    # literals never reach DNS; names are looked up once
    assert lookups == ([host] if host in INTERNAL_NAMES else [])


@pytest.mark.parametrize("host", INTERNAL_LITERALS)
def test_save_time_check_refuses_literals_without_dns(host, monkeypatch):
    lookups = fake_dns(monkeypatch)
    with pytest.raises(OutboundAddressRefused):
        host_check(host)
    assert lookups == []


def test_save_time_check_leaves_names_to_connect_time(monkeypatch):
    lookups = fake_dns(monkeypatch)
    host_check("rebind.attacker.example")  # DNS can change: checked when connecting
    host_check("imap.gmail.com")
    host_check(PUBLIC_ADDRESS)
    assert lookups == []


def test_unresolvable_host(monkeypatch):
    fake_dns(monkeypatch)
    with pytest.raises(OutboundHostUnresolvable):
        destination_resolve("nowhere.example", 25)


def test_connects_to_the_checked_address_not_the_name(monkeypatch):
    lookups = fake_dns(monkeypatch, {"imap.example.com": [PUBLIC_ADDRESS, "2606:4700:4700::1111"]})
    connected = []

    def create_connection(address, timeout=None, source_address=None):
        connected.append(address)
        if address[0] == PUBLIC_ADDRESS:
            raise ConnectionRefusedError("first address down")
        return "socket"

    monkeypatch.setattr(socket, "create_connection", create_connection)
    destination = destination_resolve("imap.example.com", 993)
    assert destination == Destination("imap.example.com", 993, (PUBLIC_ADDRESS, "2606:4700:4700::1111"))
    assert destination_connect(destination, timeout=5) == "socket"
    assert connected == [(PUBLIC_ADDRESS, 993), ("2606:4700:4700::1111", 993)]
    assert lookups == ["imap.example.com"]  # resolved once


def test_allow_list_lets_the_operators_networks_and_hosts_through(settings, monkeypatch):
    fake_dns(monkeypatch, {"mail.corp.example": ["10.20.0.5"], "other.corp.example": ["10.30.0.5"]})
    settings.OUTBOUND_ALLOWED_NETWORKS = "10.20.0.0/16, 192.168.1.25 fd00:1::/64"
    assert destination_resolve("mail.corp.example", 993).addresses == ("10.20.0.5",)
    assert destination_resolve("192.168.1.25", 25).addresses == ("192.168.1.25",)
    assert destination_resolve("::ffff:10.20.1.1", 25).addresses == ("::ffff:a14:101",)
    assert destination_resolve("fd00:1::9", 25).addresses == ("fd00:1::9",)
    host_check("10.20.9.9")
    for host in ("other.corp.example", "192.168.1.26", "127.0.0.1", "169.254.169.254"):
        with pytest.raises(OutboundAddressRefused):
            destination_resolve(host, 25)
    settings.OUTBOUND_ALLOWED_NETWORKS = "other.corp.example"
    assert destination_resolve("other.corp.example", 993).addresses == ("10.30.0.5",)
    with pytest.raises(OutboundAddressRefused):
        destination_resolve("mail.corp.example", 993)


def test_allow_private_networks_switches_the_guard_off(settings, monkeypatch):
    fake_dns(monkeypatch)
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    assert destination_resolve("127.0.0.1", 25).addresses == ("127.0.0.1",)
    assert destination_resolve("rebind.attacker.example", 25).addresses == ("127.0.0.1",)


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_requests_session_refuses_before_connecting(host, monkeypatch):
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    with guarded_requests_session() as session, pytest.raises(OutboundAddressRefused):
        session.get(f"https://{url_host(host)}/token", timeout=5)
    assert attempts == []


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_httpx_transport_refuses_before_connecting(host, monkeypatch):
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    # httpx itself rejects some non-standard IPv4 spellings as invalid URLs: refused either way
    with (
        httpx.Client(transport=GuardedTransport(), trust_env=False) as client,
        pytest.raises((OutboundAddressRefused, httpx.InvalidURL)),
    ):
        client.get(f"https://{url_host(host)}/")
    assert attempts == []


def test_requests_session_connects_to_the_resolved_address(monkeypatch):
    fake_dns(monkeypatch, {"login.example.com": [PUBLIC_ADDRESS]})
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("closed")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with guarded_requests_session() as session, pytest.raises(requests.ConnectionError):
        session.get("https://login.example.com/x", timeout=5)
    assert connected == [(PUBLIC_ADDRESS, 443)]


class _Redirect(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/to="):
            self.send_response(302)
            self.send_header("Location", unquote(self.path[4:]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")


@pytest.fixture
def redirect_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_requests_redirect_to_an_internal_address_is_refused(host, redirect_server, settings, monkeypatch):
    """The first hop is an allow-listed name served on loopback; the redirect target is checked again."""
    settings.OUTBOUND_ALLOWED_NETWORKS = "partner.example"
    fake_dns(monkeypatch, {"partner.example": ["127.0.0.1"]})
    with guarded_requests_session() as session:
        assert session.get(f"http://partner.example:{redirect_server}/done", timeout=5).text == "ok"
        with pytest.raises(OutboundAddressRefused):
            session.get(f"http://partner.example:{redirect_server}/to=http://{url_host(host)}:{redirect_server}/")


def test_guard_is_the_module_resolver(monkeypatch):
    """Callers patch `resolve_addresses`; it must be what destination_resolve uses."""
    monkeypatch.setattr(outbound_guard, "resolve_addresses", lambda host, port: [PUBLIC_ADDRESS])
    assert destination_resolve("anything.example", 80).addresses == (PUBLIC_ADDRESS,)
