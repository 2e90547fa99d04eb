"""The tenant's OpenAI base URL goes through the outbound-address guard (the httpx2 transport of the client)."""

import httpx2
import openai
import pytest

from ai.providers import openai_compatible
from answerpal.outbound_guard import OutboundAddressRefused
from tests.answerpal.outbound_cases import INTERNAL_DESTINATIONS, fake_dns, forbid_connections, url_host


@pytest.fixture(autouse=True)
def _fresh_clients():
    openai_compatible._clients.clear()
    yield
    openai_compatible._clients.clear()


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_an_internal_base_url_is_refused_before_connecting(host, monkeypatch):
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    base_url = f"http://{url_host(host)}:11434/v1"
    with pytest.raises((openai.APIConnectionError, httpx2.InvalidURL)) as failed:
        openai_compatible.client_for("sk-test", base_url).with_options(max_retries=0).models.list()
    if isinstance(failed.value, openai.APIConnectionError):
        causes, error = [], failed.value
        while error is not None:
            causes.append(error)
            error = error.__cause__ or error.__context__
        assert any(isinstance(cause, OutboundAddressRefused) for cause in causes)
        assert openai_compatible.provider_error(failed.value).code == "AIProviderUnreachable"
    else:  # httpx2 itself rejects non-standard IPv4 spellings (0177.0.0.1) as invalid URLs
        assert host.startswith("0")
    assert attempts == []


def test_the_allow_list_lets_a_local_model_server_through(settings, monkeypatch):
    settings.OUTBOUND_ALLOWED_NETWORKS = "ollama.corp.example"
    fake_dns(monkeypatch, {"ollama.corp.example": ["10.0.0.7"]})
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("no model server in tests")

    monkeypatch.setattr("socket.create_connection", create_connection)
    client = openai_compatible.client_for("sk-test", "http://ollama.corp.example:11434/v1").with_options(max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        client.models.list()
    assert connected == [("10.0.0.7", 11434)]
