"""POST /api/realtime/calls (+ hangup) and POST /api/Transcriptions/file: the real openai client against respx,
the offline default (503), the AI phone budget (402) and the cost rows of minutes."""

import json
from decimal import Decimal

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import CostEntry, CustomerSubscription
from customers.models import AIProvider, ModelPurpose
from tests.ai.openai_fakes import BASE_URL
from tests.automation.factories import TopicDocumentFactory
from tests.billing.factories import CostEntryFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory
from tests.documents.factories import DocumentFactory
from tests.voice.conftest import wav_bytes
from tests.voice.factories import RealtimeSessionFactory
from voice.models import RealtimeSession
from voice.selectors import month_start, phone_ai_budget

OFFER = "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
ANSWER = "v=0\r\no=- 99 2 IN IP4 10.0.0.1\r\ns=OpenAI\r\nt=0 0\r\nm=audio 3478 UDP/TLS/RTP/SAVPF 111\r\n"


@pytest.fixture
def ai_customer(customer):
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    customer.default_realtime_model = AIModelFactory(
        customer=None,
        model_name="gpt-realtime-test",
        model_type=ModelPurpose.REALTIME,
        provider=AIProvider.OPENAI,
        price_per_minute="0.0600",
    )
    customer.default_transcribe_model = AIModelFactory(
        customer=None,
        model_name="whisper-test",
        model_type=ModelPurpose.TRANSCRIBE,
        provider=AIProvider.OPENAI,
        price_per_minute="0.0060",
    )
    customer.save()
    return customer


def _spend(customer, amount: str):
    CostEntryFactory(customer=customer, purpose="transcribe", amount=Decimal(amount), occurred_at=timezone.now())


# --- realtime -------------------------------------------------------------------------------------------


def test_realtime_call_hands_the_offer_to_openai_with_instructions_and_tools(ai_customer, rep, rep_client, openai_mock):
    channel = ChannelFactory(customer=ai_customer, channel_type="Phone", phone_number="+3225550100")
    DocumentFactory(
        customer=ai_customer, name="Voice rules", content="Speak briefly.", include_in_realtime_instructions=True
    )
    prompt = DocumentFactory(customer=ai_customer, name="Phone prompt", content="You answer for Acme.")
    TopicDocumentFactory(customer=ai_customer, topic=None, special_topic="All", channel=channel, document=prompt)
    DocumentFactory(
        customer=ai_customer,
        name="Order status",
        description="Looks an order up",
        is_function_tool=True,
        function_parameters_schema={"type": "object", "properties": {"order": {"type": "string"}}},
    )
    route = openai_mock.post("/realtime/calls").mock(
        return_value=httpx.Response(
            201, text=ANSWER, headers={"content-type": "application/sdp", "location": "/v1/realtime/calls/rtc_abc123"}
        )
    )
    response = rep_client.post("/api/realtime/calls", {"sdp": OFFER, "channelID": channel.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sdp"] == ANSWER and body["callID"] == "rtc_abc123" and body["model"] == "gpt-realtime-test"
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer sk-test"
    content = sent.content.decode()
    assert OFFER in content
    session = json.loads(content.split('name="session"')[1].split("\r\n\r\n", 1)[1].split("\r\n--")[0])
    assert session["model"] == "gpt-realtime-test" and session["type"] == "realtime"
    assert session["instructions"] == "Speak briefly.\n\nYou answer for Acme."
    assert [tool["name"] for tool in session["tools"]] == [
        f"Order_status_{ai_customer.documents.get(name='Order status').pk}"
    ]
    realtime = RealtimeSession.objects.get(pk=body["realtimeSessionID"])
    assert (realtime.customer_rep_id, realtime.channel_id) == (rep.pk, channel.pk)


def test_realtime_hangup_books_the_minutes_once(ai_customer, rep_client, openai_mock):
    realtime = RealtimeSessionFactory(customer=ai_customer, call_id="rtc_abc123", model_name="gpt-realtime-test")
    RealtimeSession.objects.filter(pk=realtime.pk).update(started_at=timezone.now() - timezone.timedelta(seconds=90))
    hangup = openai_mock.post("/realtime/calls/rtc_abc123/hangup").mock(return_value=httpx.Response(200, json={}))
    response = rep_client.post(f"/api/realtime/calls/{realtime.pk}/hangup")
    assert response.status_code == 200 and response.json()["seconds"] in (90, 91)
    again = rep_client.post(f"/api/realtime/calls/{realtime.pk}/hangup")
    assert again.status_code == 200 and hangup.call_count == 1
    row = CostEntry.objects.get(customer=ai_customer, purpose="realtime")
    assert row.amount == (Decimal(row.seconds) * Decimal("0.06") / 60).quantize(Decimal("0.000001"))


def test_realtime_validation_access_and_other_tenant(
    ai_customer, other_customer, anon_client, phone_client, rep_client, openai_mock
):
    assert_problem(rep_client.post("/api/realtime/calls", {"sdp": "hello"}, format="json"), 400)
    assert_problem(rep_client.post("/api/realtime/calls", {}, format="json"), 400)
    assert_problem(anon_client.post("/api/realtime/calls", {"sdp": OFFER}, format="json"), 401)
    assert_problem(phone_client.post("/api/realtime/calls", {"sdp": OFFER}, format="json"), 403)
    foreign = ChannelFactory(customer=other_customer, channel_type="Phone")
    body = {"sdp": OFFER, "channelID": foreign.pk}
    assert_problem(rep_client.post("/api/realtime/calls", body, format="json"), 404, "ChannelNotFound")
    assert not openai_mock.calls and not RealtimeSession.objects.exists()


def test_realtime_offline_answers_503_and_a_spent_budget_402(customer, ai_customer, rep_client, openai_mock):
    _spend(ai_customer, "39.80")  # the business plan: min(100 EUR, 20 % of 199 EUR) = 39.80 EUR
    assert_problem(rep_client.post("/api/realtime/calls", {"sdp": OFFER}, format="json"), 402, "AIPhoneBudgetExhausted")
    ai_customer.openai_api_key = ""
    ai_customer.openai_base_url = ""
    ai_customer.save()
    body = assert_problem(
        rep_client.post("/api/realtime/calls", {"sdp": OFFER}, format="json"), 503, "AIProviderUnavailable"
    )
    assert "openAIApiKey" in body["detail"]
    assert not openai_mock.calls


# --- transcription --------------------------------------------------------------------------------------


def _file(content: bytes, name: str = "memo.wav"):
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


def test_transcribes_a_wav_file(ai_customer, rep_client, openai_mock):
    route = openai_mock.post("/audio/transcriptions").mock(
        return_value=httpx.Response(200, json={"text": "Goedemorgen, ik bel over mijn factuur van vorige maand."})
    )
    response = rep_client.post("/api/Transcriptions/file", _file(wav_bytes(1.25)), format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "text": "Goedemorgen, ik bel over mijn factuur van vorige maand.",
        "language": "nl",
        "duration": 1.25,
    }
    assert b'name="model"\r\n\r\nwhisper-test' in route.calls.last.request.content
    assert CostEntry.objects.filter(customer=ai_customer, purpose="transcribe", model_name="whisper-test").count() == 1


def test_transcription_validation_and_access(ai_customer, anon_client, phone_client, rep_client, settings):
    assert_problem(rep_client.post("/api/Transcriptions/file", {}, format="multipart"), 400)
    assert_problem(rep_client.post("/api/Transcriptions/file", _file(b"%PDF-1.7 no audio" * 20)), 400, "InvalidAudio")
    assert_problem(anon_client.post("/api/Transcriptions/file", _file(wav_bytes(0.1))), 401)
    assert_problem(phone_client.post("/api/Transcriptions/file", _file(wav_bytes(0.1))), 403)
    settings.VOICE_TRANSCRIPTION_MAX_BYTES = 100
    assert_problem(rep_client.post("/api/Transcriptions/file", _file(wav_bytes(0.1))), 413, "FileTooLarge")


def test_transcription_offline_503_and_budget_402(customer, rep_client, openai_mock):
    body = assert_problem(
        rep_client.post("/api/Transcriptions/file", _file(wav_bytes(0.2))), 503, "AIProviderUnavailable"
    )
    assert "defaultTranscribeModelId" in body["detail"]
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    customer.save()
    CustomerSubscription.objects.filter(customer=customer).update(
        override_ai_phone_budget_eur=Decimal("0"), override_ai_phone_budget_percent=Decimal("0")
    )
    assert_problem(rep_client.post("/api/Transcriptions/file", _file(wav_bytes(0.2))), 402, "AIPhoneBudgetNotIncluded")
    assert not openai_mock.calls


def test_phone_ai_budget_counts_this_months_phone_ai_only(customer):
    _spend(customer, "10.00")
    CostEntryFactory(customer=customer, purpose="email", amount=Decimal("500"), occurred_at=timezone.now())
    CostEntryFactory(
        customer=customer,
        purpose="realtime",
        amount=Decimal("7"),
        occurred_at=month_start() - timezone.timedelta(seconds=1),
    )
    budget = phone_ai_budget(customer_id=customer.pk, now=timezone.now())
    assert budget.limit_eur == Decimal("39.80") and budget.spent_eur == Decimal("10.00")
    assert budget.remaining_eur == Decimal("29.80") and not budget.exhausted


def test_realtime_hangup_books_the_minutes_even_when_openai_fails_to_hang_up(ai_customer, rep_client, openai_mock):
    realtime = RealtimeSessionFactory(customer=ai_customer, call_id="rtc_gone", model_name="gpt-realtime-test")
    openai_mock.post("/realtime/calls/rtc_gone/hangup").mock(return_value=httpx.Response(500, json={}))
    response = rep_client.post(f"/api/realtime/calls/{realtime.pk}/hangup")
    assert response.status_code == 200
    realtime.refresh_from_db()
    assert realtime.ended_at is not None
    assert CostEntry.objects.filter(customer=ai_customer, purpose="realtime").count() == 1
