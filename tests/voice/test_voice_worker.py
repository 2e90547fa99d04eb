"""A call recording is transcribed by a real Celery worker from the `voice` queue (PostgreSQL + Redis leg)."""

import time

import httpx
import pytest
import responses

from customers.models import AIProvider, ModelPurpose
from tests.ai.openai_fakes import BASE_URL
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import AIModelFactory
from tests.voice.conftest import ACCOUNT_SID, TWILIO_API, signed_post, wav_bytes
from tests.voice.factories import PhoneCallFactory
from voice.models import PhoneCall, TranscriptionStatus

CALL_SID = "CA" + "7" * 32


@pytest.mark.worker
def test_recording_is_transcribed_on_the_voice_queue(
    live_worker, twilio_customer, rep, anon_client, twilio_api, openai_mock
):
    twilio_customer.openai_api_key = "sk-test"
    twilio_customer.openai_base_url = BASE_URL
    twilio_customer.default_transcribe_model = AIModelFactory(
        customer=None, model_name="whisper-worker", model_type=ModelPurpose.TRANSCRIBE, provider=AIProvider.OPENAI
    )
    local = AIModelFactory(
        customer=None, model_name="local", model_type=ModelPurpose.SUMMARY, provider=AIProvider.LOCAL
    )
    twilio_customer.default_summary_model = twilio_customer.default_spam_model = local
    twilio_customer.default_topic_model = twilio_customer.default_call_model = local
    twilio_customer.save()
    channel = ChannelFactory(customer=twilio_customer, channel_type="Phone", phone_number="+3225550100")
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID, channel=channel, customer_rep=rep)
    url = f"{TWILIO_API}/Recordings/RE{'7' * 32}"
    twilio_api.add(responses.GET, f"{url}.mp3", body=wav_bytes(0.5), content_type="audio/mpeg")
    openai_mock.post("/audio/transcriptions").mock(
        return_value=httpx.Response(200, json={"text": "Transcribed by the worker."})
    )
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": url, "RecordingSid": "RE" + "7" * 32}
    assert signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording).status_code == 204
    call = PhoneCall.objects.get(call_sid=CALL_SID)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and call.transcription_status != TranscriptionStatus.COMPLETED:
        time.sleep(0.2)
        call.refresh_from_db()
    assert call.transcription_status == TranscriptionStatus.COMPLETED, call.transcription_error
    assert call.transcript == "Transcribed by the worker." and call.message.message == call.transcript
