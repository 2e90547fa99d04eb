"""Whole calls as Twilio drives them: every callback signed with RequestValidator, Twilio's REST API mocked
with `responses` under the twilio client, OpenAI mocked with respx under the openai client."""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
import responses
from django.db import transaction

from automation.models import ActionType, HookName
from billing.models import CostEntry
from customers.models import AIProvider, ModelPurpose
from tests.ai.openai_fakes import BASE_URL, stream_body
from tests.automation.factories import ActionFactory, HookActionFactory, TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import AIModelFactory
from tests.voice.conftest import ACCOUNT_SID, TWILIO_API, signed_post, wav_bytes
from tests.voice.factories import VoiceAgentFactory
from tickets.models import AIStepStatus, Ticket, TicketMessage, TicketMessageAttachment
from voice.models import PhoneCall, TranscriptionStatus

CALL_SID = "CA" + "c" * 32
RECORDING_SID = "RE" + "d" * 32
RECORDING_URL = f"{TWILIO_API}/Recordings/{RECORDING_SID}"
TRANSCRIPT = "Hello, I am calling about my invoice of last month, it is too high. Can you check the invoice please?"


@pytest.fixture
def phone_ai_customer(twilio_customer):
    """Acme with an OpenAI key: transcription and the phone reply draft on OpenAI, the other steps offline."""
    customer = twilio_customer
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    customer.default_transcribe_model = AIModelFactory(
        customer=None,
        model_name="gpt-4o-transcribe",
        model_type=ModelPurpose.TRANSCRIBE,
        provider=AIProvider.OPENAI,
        price_per_minute="0.0060",
    )
    customer.default_call_model = AIModelFactory(
        customer=None, model_name="gpt-call", model_type=ModelPurpose.CALL, provider=AIProvider.OPENAI
    )
    local = AIModelFactory(customer=None, model_name="local", model_type=ModelPurpose.SPAM, provider=AIProvider.LOCAL)
    customer.default_spam_model = customer.default_topic_model = customer.default_summary_model = local
    customer.save()
    TopicFactory(customer=customer, name="Invoice", description="invoice billing amount too high")
    return customer


def _openai_routes(openai_mock):
    transcription = openai_mock.post("/audio/transcriptions").mock(
        return_value=httpx.Response(200, json={"text": TRANSCRIPT, "usage": {"type": "duration", "seconds": 2}})
    )
    chat = openai_mock.post("/chat/completions").mock(
        return_value=httpx.Response(
            200,
            content=stream_body(["Dear customer, ", "we will check your invoice."]),
            headers={"content-type": "text/event-stream"},
        )
    )
    return transcription, chat


def test_outbound_call_becomes_one_phone_ticket_with_recording_transcript_and_draft(
    phone_ai_customer, rep, rep_client, anon_client, twilio_api, openai_mock, django_capture_on_commit_callbacks
):
    channel = ChannelFactory(customer=phone_ai_customer, channel_type="Phone", phone_number="+3225550100")
    twilio_api.add(
        responses.POST,
        f"{TWILIO_API}/Calls.json",
        json={"sid": CALL_SID, "status": "queued", "account_sid": ACCOUNT_SID},
        status=201,
    )
    response = rep_client.post(
        "/api/TwilioCalls/initiate-call", {"fromNumber": "+32 2 555 01 00", "toNumber": "0470 12 34 56"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "callSid": CALL_SID,
        "status": "queued",
        "fromNumber": "+3225550100",
        "toNumber": "+32470123456",
    }
    placed = parse_qs(twilio_api.calls[0].request.body)
    assert placed["From"] == ["+3225550100"] and placed["To"] == ["+32470123456"]
    assert placed["Url"] == [f"https://api.answerpal.test/api/TwilioCalls/voice?RepID={rep.pk}&Leg=callee"]
    assert placed["StatusCallback"] == ["https://api.answerpal.test/api/TwilioCalls/status"]

    # The callee answers: Twilio asks for TwiML (signed, the query included), we connect the rep's browser phone.
    answered = {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "From": "+3225550100",
        "To": "+32470123456",
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
    }
    twiml = signed_post(anon_client, "/api/TwilioCalls/voice", answered, query={"RepID": rep.pk, "Leg": "callee"})
    assert twiml.status_code == 200 and twiml["Content-Type"].startswith("text/xml")
    body = twiml.content.decode()
    assert f"<Client>c{phone_ai_customer.pk}-r{rep.pk}</Client>" in body
    assert 'record="record-from-answer-dual"' in body
    assert f'recordingStatusCallback="https://api.answerpal.test/api/TwilioCalls/{rep.pk}/recordingcallback"' in body

    status = signed_post(
        anon_client, "/api/TwilioCalls/status", {**answered, "CallStatus": "completed", "CallDuration": "4"}
    )
    assert status.status_code == 204

    # Twilio reports the recording, and retries the callback: one ticket, one message, one file.
    audio = wav_bytes(1.5)
    twilio_api.add(responses.GET, f"{RECORDING_URL}.mp3", body=audio, content_type="audio/mpeg")
    transcription, chat = _openai_routes(openai_mock)
    recording = {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": RECORDING_URL,
        "RecordingStatus": "completed",
        "RecordingDuration": "4",
        "RecordingStartTime": "Fri, 04 Dec 2026 21:00:00 +0000",
    }
    path = f"/api/TwilioCalls/{rep.pk}/recordingcallback"
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert signed_post(anon_client, path, recording).status_code == 204

    tickets = Ticket.objects.filter(customer=phone_ai_customer)
    assert tickets.count() == 1
    ticket = tickets.get()
    assert (ticket.channel_type, ticket.channel_id, ticket.customer_rep_id) == ("Phone", channel.pk, rep.pk)
    assert ticket.twilio_call_sid == CALL_SID and ticket.uid == "+32470123456"
    message = TicketMessage.objects.get(ticket=ticket)
    assert TicketMessageAttachment.objects.filter(message=message).count() == 1
    assert len([c for c in twilio_api.calls if c.request.url.endswith(".mp3")]) == 1  # the retry downloads nothing
    assert transcription.call_count == 1

    call = PhoneCall.objects.get(call_sid=CALL_SID)
    assert call.transcription_status == TranscriptionStatus.COMPLETED and call.transcript == TRANSCRIPT
    assert call.recording.message_id == message.pk and call.duration_seconds == 4
    assert call.transcript_language == "en"
    message.refresh_from_db()
    assert message.message == TRANSCRIPT and message.lang == "en"
    assert message.ai_reply_status == AIStepStatus.COMPLETED
    assert message.ai_generated_response.startswith("Dear customer, we will check your invoice.")
    assert list(message.topics.values_list("topic__name", flat=True)) == ["Invoice"]
    ticket.refresh_from_db()
    assert "invoice" in ticket.summary.lower()
    row = CostEntry.objects.get(customer=phone_ai_customer, purpose="transcribe")
    assert row.seconds == 2 and row.amount == Decimal("0.000200")  # 2 s at 0.006 EUR per minute
    assert json.loads(chat.calls.last.request.content)["model"] == "gpt-call"

    # The rep plays the recording, whole and by range.
    played = rep_client.get(f"/api/Tickets/{ticket.pk}/play")
    assert played.status_code == 200 and played["Content-Type"] == "audio/x-wav"
    assert b"".join(played.streaming_content) == audio
    ranged = rep_client.get(f"/api/Tickets/{ticket.pk}/play", HTTP_RANGE="bytes=0-43")
    assert ranged.status_code == 206 and ranged["Content-Range"] == f"bytes 0-43/{len(audio)}"
    assert b"".join(ranged.streaming_content) == audio[:44]


def test_inbound_call_says_the_pickup_text_rings_the_available_reps_and_records_a_voicemail(
    twilio_customer, rep, anon_client, twilio_api, django_capture_on_commit_callbacks
):
    channel = ChannelFactory(
        customer=twilio_customer, channel_type="Phone", phone_number="+3225550199", name="Acme support"
    )
    agent = VoiceAgentFactory(customer=twilio_customer, rep=rep)
    say = ActionFactory(
        customer=twilio_customer,
        action_type=ActionType.SAY,
        say_text="Welcome to {{channel.name}}, you are calling from {{message.from}}.",
        say_language="en-GB",
    )
    HookActionFactory(customer=twilio_customer, action=say, special_topic=HookName.ON_PHONE_PICKUP_SAY)
    close = ActionFactory(customer=twilio_customer, action_type=ActionType.WAIT, wait_seconds=0)
    HookActionFactory(customer=twilio_customer, action=close, special_topic=HookName.ON_PHONE_PICKUP)
    ringing = {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "From": "+32470999888",
        "To": "+3225550199",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    response = signed_post(anon_client, "/api/TwilioCalls/voice", ringing)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert re.search(r'<Say language="en-GB">Welcome to Acme support, you are calling from \+32470999888\.</Say>', body)
    assert f'statusCallbackEvent="answered" statusCallbackMethod="POST">{agent.identity}</Client>' in body
    assert 'action="https://api.answerpal.test/api/TwilioCalls/voice?Stage=dialed"' in body
    call = PhoneCall.objects.get(call_sid=CALL_SID)
    assert call.direction == "Inbound" and call.channel_id == channel.pk and call.message_id is not None
    assert call.message.action_runs.filter(action=close, trigger=HookName.ON_PHONE_PICKUP).exists()

    # A rep's browser phone answers, then hangs up: the call and its ticket are that rep's.
    answered = {
        "CallSid": "CA" + "9" * 32,
        "ParentCallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "To": f"client:{agent.identity}",
        "CallStatus": "in-progress",
    }
    assert signed_post(anon_client, "/api/TwilioCalls/status", answered).status_code == 204
    call.refresh_from_db()
    assert call.customer_rep_id == rep.pk and call.ticket.customer_rep_id == rep.pk

    nobody = signed_post(
        anon_client, "/api/TwilioCalls/voice", {**ringing, "DialCallStatus": "no-answer"}, query={"Stage": "dialed"}
    )
    voicemail = nobody.content.decode()
    assert "<Record" in voicemail and "leave a message" in voicemail
    assert 'recordingStatusCallback="https://api.answerpal.test/api/TwilioCalls/0/recordingcallback?Voicemail=1"' in (
        voicemail
    )

    audio = wav_bytes(0.5)
    twilio_api.add(responses.GET, f"{RECORDING_URL}.mp3", body=audio, content_type="audio/mpeg")
    recording = {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": RECORDING_URL,
        "RecordingStatus": "completed",
        "RecordingDuration": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        stored = signed_post(anon_client, "/api/TwilioCalls/0/recordingcallback", recording, query={"Voicemail": "1"})
    assert stored.status_code == 204
    call.refresh_from_db()
    assert call.is_voicemail and call.recording is not None
    # The embedded default has no transcription provider: the call says so and the pipeline still runs.
    assert call.transcription_status == TranscriptionStatus.UNAVAILABLE
    assert "openAIApiKey" in call.transcription_error
    ticket = Ticket.objects.get(customer=twilio_customer)
    assert ticket.uid == "+32470999888" and ticket.messages.count() == 1
    assert (
        signed_post(
            anon_client, "/api/TwilioCalls/voice", {**ringing, "CallStatus": "completed"}, query={"Stage": "done"}
        )
        .content.decode()
        .endswith("<Hangup /></Response>")
    )


def test_a_rolled_back_recording_leaves_no_ticket(twilio_customer, rep, anon_client, twilio_api, monkeypatch):
    twilio_api.add(responses.GET, f"{RECORDING_URL}.mp3", body=wav_bytes(0.2), content_type="audio/mpeg")

    def broken(**kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr("tickets.services.attachment_store", broken)
    recording = {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": RECORDING_URL,
    }
    with pytest.raises(RuntimeError), transaction.atomic():
        signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording)
    assert not Ticket.objects.filter(customer=twilio_customer).exists()
    assert not PhoneCall.objects.filter(call_sid=CALL_SID, recording__isnull=False).exists()
