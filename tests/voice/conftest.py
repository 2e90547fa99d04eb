"""Voice fixtures: a customer with its own Twilio account, signed Twilio callbacks, Twilio's REST API
mocked with `responses` under the real twilio client, OpenAI mocked with respx under the real openai client."""

import io
import math
import struct
import wave
from urllib.parse import urlencode

import pytest
import responses
import respx
from twilio.request_validator import RequestValidator

from tests.ai import respx_httpx2  # noqa: F401 - registers respx's "httpx2" mocker
from tests.ai.openai_fakes import BASE_URL
from tests.voice.factories import VoiceSettingsFactory

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-acme"
OTHER_ACCOUNT_SID = "AC" + "2" * 32
OTHER_AUTH_TOKEN = "twilio-auth-token-globex"
PUBLIC = "https://api.answerpal.test"
TWILIO_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"


def wav_bytes(seconds: float = 1.0, *, rate: int = 8000, frequency: int = 440) -> bytes:
    """A real mono 16-bit PCM WAV tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * index / rate)))
            for index in range(int(seconds * rate))
        )
        audio.writeframes(frames)
    return buffer.getvalue()


def signed_post(client, path: str, params: dict, *, token: str = AUTH_TOKEN, query: dict | None = None, **headers):
    """POSTs form `params` to `path` as Twilio does: signed over PUBLIC_BASE_URL + path (+ query)."""
    full_path = f"{path}?{urlencode(query)}" if query else path
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{full_path}", params)
    return client.post(
        full_path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **headers,
    )


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture
def twilio_customer(customer):
    customer.twilio_account_sid = ACCOUNT_SID
    customer.twilio_auth_token = AUTH_TOKEN
    customer.save()
    VoiceSettingsFactory(customer=customer)
    return customer


@pytest.fixture
def other_twilio_customer(other_customer):
    other_customer.twilio_account_sid = OTHER_ACCOUNT_SID
    other_customer.twilio_auth_token = OTHER_AUTH_TOKEN
    other_customer.save()
    VoiceSettingsFactory(customer=other_customer)
    return other_customer


@pytest.fixture
def twilio_api():
    """Twilio's REST API (the twilio client sends it with requests); an unexpected call fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def openai_mock():
    with respx.mock(using="httpx2", base_url=BASE_URL, assert_all_called=False) as router:
        yield router
