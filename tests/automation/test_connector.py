"""The outbound connector: an ApiCall end to end against a real HTTP server on 127.0.0.1, auth types,
limits, logging, and the SSRF guard (private targets, DNS answers, redirects) with the setting off."""

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import respx

from answerpal.outbound_guard import OutboundAddressRefused, destination_resolve
from automation import services
from automation.connector import (
    BlockedDestination,
    CallDefinition,
    ConnectorError,
    connector_call,
    loggable_url,
)
from automation.models import ActionType, ConnectorCall, TicketMessageAction
from tests.answerpal.outbound_cases import INTERNAL_DESTINATIONS, fake_dns, forbid_connections, url_host
from tests.automation.factories import ActionFactory, HookActionFactory
from tests.tickets.factories import TicketMessageFactory

pytestmark = pytest.mark.django_db


class _Handler(BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        type(self).requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/orders"):
            self._reply(200, json.dumps({"data": {"status": "shipped", "carrier": {"name": "DHL"}}}).encode())
        elif self.path == "/big":
            self._reply(200, b"x" * 5000, {"Content-Type": "text/plain"})
        elif self.path == "/chunked-big":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"400\r\n" + b"y" * 1024 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._reply(200, b"{}")
        elif self.path.startswith("/redirect"):
            self._reply(302, b"", {"Location": self.path.split("to=", 1)[1]})
        else:
            self._reply(500, b'{"error": "nope"}')


@pytest.fixture
def http_server():
    _Handler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True


def test_api_call_end_to_end(customer, http_server, allow_loopback):
    customer.api_base_url = http_server
    customer.api_authentication_type = "Bearer"
    customer.api_token = "customer-token-123"
    customer.save()
    message = TicketMessageFactory(
        customer=customer, subject='Where is "my" order?', custom_fields_data={"order": "A 1"}
    )
    action = ActionFactory(
        customer=customer,
        action_type=ActionType.API_CALL,
        api_endpoint="/orders/{{customFields.order}}?key=secret-key",
        api_method="POST",
        api_headers='{"X-Ticket": "{{ticket.id}}"}',
        api_body_template='{"subject": "{{message.subject}}", "from": "{{message.from}}"}',
        response_field_mapping='[{"source": "data.status", "target": "orderStatus"},'
        ' {"source": "data.carrier.name", "target": "carrier"}, {"source": "data.missing", "target": "x"}]',
    )
    HookActionFactory(customer=customer, special_topic="PostSpam", action=action, priority=5)
    services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PostSpam")
    services.action_chain_run(message_id=message.pk, trigger="PostSpam")

    run = TicketMessageAction.objects.get(message=message, action=action)
    assert run.status == "Succeeded", run.result
    assert "set carrier, orderStatus" in run.result
    message.refresh_from_db()
    assert message.custom_fields_data == {"order": "A 1", "orderStatus": "shipped", "carrier": "DHL"}

    [request] = _Handler.requests
    assert request["path"] == "/orders/A%201?key=secret-key"
    assert request["headers"]["Authorization"] == "Bearer customer-token-123"
    assert request["headers"]["X-Ticket"] == str(message.ticket_id)
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"subject": 'Where is "my" order?', "from": message.from_address}

    call = ConnectorCall.objects.get(action=action)
    assert call.status_code == 200 and call.message_id == message.pk and call.response_bytes > 0
    assert call.url.endswith("/orders/A%201?key=***") and "secret-key" not in call.url
    assert call.duration_ms >= 0 and not call.error_code


def test_action_overrides_and_basic_auth(customer, http_server, allow_loopback):
    customer.api_base_url = "https://unused.example.com"
    customer.api_token = "customer-token"
    customer.save()
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(
        customer=customer,
        action_type=ActionType.API_CALL,
        api_endpoint="orders",
        api_method="GET",
        override_api_base_url=http_server,
        override_api_authentication_type="Basic",
        override_api_username="bot",
        override_api_password="pw",
        field_mapping='[{"source": "ticket.id", "target": "ticketId"}]',
    )
    result = services.action_execute(message=message, action=action)
    assert result.status == "Succeeded", result.message
    [request] = _Handler.requests
    assert request["path"] == f"/orders?ticketId={message.ticket_id}"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"bot:pw").decode()


def test_api_call_http_error_is_a_failed_run(customer, http_server, allow_loopback):
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(customer=customer, action_type=ActionType.API_CALL, api_endpoint=f"{http_server}/fail")
    result = services.action_execute(message=message, action=action)
    assert result.status == "Failed" and "HTTP 500" in result.message
    assert ConnectorCall.objects.get(action=action).status_code == 500


@pytest.mark.parametrize("path", ["/big", "/chunked-big"])
def test_response_size_cap(customer, http_server, allow_loopback, settings, path):
    settings.OUTBOUND_MAX_RESPONSE_BYTES = 2048
    with pytest.raises(ConnectorError) as error:
        connector_call(definition=CallDefinition(endpoint=http_server + path), context={}, customer_id=customer.pk)
    assert error.value.code == "ResponseTooLarge"
    assert ConnectorCall.objects.get().error_code == "ResponseTooLarge"


def test_timeout(customer, http_server, allow_loopback, settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.3
    with pytest.raises(ConnectorError) as error:
        connector_call(definition=CallDefinition(endpoint=f"{http_server}/slow"), context={}, customer_id=customer.pk)
    assert error.value.code == "Timeout"


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/", "http://0.0.0.0/"],
)
def test_guard_refuses_private_targets(customer, settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(BlockedDestination):
        connector_call(definition=CallDefinition(endpoint=url), context={}, customer_id=customer.pk)
    call = ConnectorCall.objects.get()
    assert call.error_code == "BlockedDestination" and call.status_code is None


def test_guard_refuses_a_name_resolving_to_loopback(customer, settings, monkeypatch, http_server):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    port = int(http_server.rsplit(":", 1)[1])

    def fake_getaddrinfo(host, *args, **kwargs):
        assert host == "innocent.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(BlockedDestination):
        connector_call(
            definition=CallDefinition(endpoint=f"http://innocent.example.com:{port}/orders"),
            context={},
            customer_id=customer.pk,
        )
    assert _Handler.requests == []  # nothing reached the server


def test_guard_checks_every_dns_answer(settings, monkeypatch):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    answers = [("93.184.216.34", 80), ("192.168.1.5", 80)]
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ip) for ip in answers]
    )
    with pytest.raises(OutboundAddressRefused):
        destination_resolve("mixed.example.com", 80)
    answers[:] = [("93.184.216.34", 80)]
    assert destination_resolve("mixed.example.com", 80).addresses == ("93.184.216.34",)


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_api_call_refuses_every_internal_form(customer, monkeypatch, host):
    """The shared SSRF list: literals in every spelling and names whose DNS answer is internal."""
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    with pytest.raises(BlockedDestination):
        connector_call(
            definition=CallDefinition(endpoint=f"http://{url_host(host)}:8080/orders"),
            context={},
            customer_id=customer.pk,
        )
    assert attempts == []
    assert ConnectorCall.objects.get().error_code == "BlockedDestination"


def test_api_call_allow_list_lets_one_internal_host_through(customer, http_server, settings, monkeypatch):
    settings.OUTBOUND_ALLOWED_NETWORKS = "127.0.0.1/32"
    port = int(http_server.rsplit(":", 1)[1])
    fake_dns(monkeypatch, {"erp.corp.example": ["127.0.0.1"]})
    response = connector_call(
        definition=CallDefinition(endpoint=f"http://erp.corp.example:{port}/orders"),
        context={},
        customer_id=customer.pk,
    )
    assert response.status_code == 200 and response.data["data"]["status"] == "shipped"
    with pytest.raises(BlockedDestination):  # the allow-list is exact: the rest stays refused
        connector_call(definition=CallDefinition(endpoint="http://10.0.0.1/"), context={}, customer_id=customer.pk)


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_redirect_to_an_internal_address_is_refused(customer, http_server, settings, monkeypatch, host):
    """The first hop is an allow-listed name served on loopback; every redirect target is checked again."""
    settings.OUTBOUND_ALLOWED_NETWORKS = "partner.example"
    port = int(http_server.rsplit(":", 1)[1])
    fake_dns(monkeypatch, {"partner.example": ["127.0.0.1"]})
    start = f"http://partner.example:{port}"
    target = f"http://{url_host(host)}:{port}/orders"
    with pytest.raises(ConnectorError) as refused:
        connector_call(
            definition=CallDefinition(endpoint=f"{start}/redirect?to={target}"), context={}, customer_id=customer.pk
        )
    # httpx itself refuses a Location with a non-standard IPv4 spelling (0177.0.0.1) as an invalid URL
    assert refused.value.code == (
        "ConnectionFailed" if host in ("0177.0.0.1", "0251.0376.0251.0376") else "BlockedDestination"
    )
    assert len(_Handler.requests) == 1 and _Handler.requests[0]["path"].startswith("/redirect?to=")
    # a redirect to an allowed address is followed
    response = connector_call(
        definition=CallDefinition(endpoint=f"{start}/redirect?to={start}/orders"), context={}, customer_id=customer.pk
    )
    assert response.status_code == 200 and response.data["data"]["status"] == "shipped"


def test_api_key_and_bearer_headers_under_respx(customer):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://api.example.com/v1/ping").mock(return_value=httpx.Response(204))
        definition = CallDefinition(
            endpoint="/v1/ping", base_url="https://api.example.com", authentication_type="ApiKey", token="k-1"
        )
        assert connector_call(definition=definition, context={}, customer_id=customer.pk).status_code == 204
        assert route.calls.last.request.headers["X-API-Key"] == "k-1"
        definition.username = "X-Custom-Key"
        connector_call(definition=definition, context={}, customer_id=customer.pk)
        assert route.calls.last.request.headers["X-Custom-Key"] == "k-1"
    with pytest.raises(ConnectorError) as error:
        connector_call(
            definition=CallDefinition(endpoint="https://api.example.com/", authentication_type="Bearer"),
            context={},
            customer_id=customer.pk,
        )
    assert error.value.code == "MissingCredentials"


@pytest.mark.parametrize(
    "definition, code",
    [
        (CallDefinition(endpoint=""), "MissingEndpoint"),
        (CallDefinition(endpoint="/relative"), "MissingBaseUrl"),
        (CallDefinition(endpoint="file:///etc/passwd"), "InvalidEndpoint"),
        (CallDefinition(endpoint="https://a.example.com", headers_template="[]"), "InvalidDefinition"),
    ],
)
def test_definition_errors(customer, definition, code):
    with pytest.raises(ConnectorError) as error:
        connector_call(definition=definition, context={}, customer_id=customer.pk)
    assert error.value.code == code


def test_loggable_url_hides_credentials_and_query_values():
    assert loggable_url("https://user:pw@api.example.com:8443/a/b?token=abc&x=1#frag") == (
        "https://api.example.com:8443/a/b?token=***&x=***"
    )
    assert loggable_url("http://[::1]/x") == "http://[::1]/x"


def test_request_mapping_keeps_the_endpoint_query(customer):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://api.example.com/find").mock(return_value=httpx.Response(200, json={}))
        definition = CallDefinition(
            endpoint="https://api.example.com/find?kind=order",
            request_mapping='[{"source": "customFields.order", "target": "order"}]',
        )
        connector_call(definition=definition, context={"customFields": {"order": "A-1"}}, customer_id=customer.pk)
        assert dict(route.calls.last.request.url.params) == {"kind": "order", "order": "A-1"}


def test_credentials_do_not_follow_a_cross_origin_redirect(customer):
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://api.example.com/start").mock(
            return_value=httpx.Response(302, headers={"Location": "https://elsewhere.example.net/land"})
        )
        landing = mock.get("https://elsewhere.example.net/land").mock(return_value=httpx.Response(200, json={}))
        definition = CallDefinition(endpoint="https://api.example.com/start", authentication_type="ApiKey", token="k-9")
        assert connector_call(definition=definition, context={}, customer_id=customer.pk).status_code == 200
        assert "X-API-Key" not in landing.calls.last.request.headers
