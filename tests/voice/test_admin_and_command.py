"""Operator admin for calls and budgets, and the voice_retranscribe command (dry run, --since, --commit)."""

from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import CostEntry
from customers.models import AIProvider, ModelPurpose
from tests.admin_helpers import operator_login
from tests.ai.openai_fakes import BASE_URL
from tests.customers.factories import AIModelFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.voice.conftest import wav_bytes
from tests.voice.factories import PhoneCallFactory, VoiceSettingsFactory
from tickets import services as ticket_services
from voice.models import PhoneCall, TranscriptionStatus


def recorded_call(customer, **fields) -> PhoneCall:
    ticket = TicketFactory(customer=customer)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    attachment = ticket_services.attachment_store(message=message, content=wav_bytes(0.3), file_name="call.wav")
    return PhoneCallFactory(customer=customer, ticket=ticket, message=message, recording=attachment, **fields)


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_call_changelist_does_not_query_per_row(operator_client, customer):
    recorded_call(customer)
    with CaptureQueriesContext(connection) as one:
        assert operator_client.get("/admin/voice/phonecall/").status_code == 200
    for _ in range(4):
        recorded_call(customer)
    with CaptureQueriesContext(connection) as five:
        assert operator_client.get("/admin/voice/phonecall/").status_code == 200
    assert len(five) == len(one)


def test_call_page_plays_the_recording_and_shows_the_transcript(operator_client, customer):
    call = recorded_call(customer, transcript="Hello, my invoice is wrong.")
    page = operator_client.get(f"/admin/voice/phonecall/{call.pk}/change/").content.decode()
    assert f'<audio controls preload="none" src="/api/File/{call.recording.access_token}">' in page
    assert "Hello, my invoice is wrong." in page


def test_retranscribe_action_queues_the_selected_calls(operator_client, customer, django_capture_on_commit_callbacks):
    call = recorded_call(customer, transcription_status=TranscriptionStatus.COMPLETED, transcript="old")
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            "/admin/voice/phonecall/", {"action": "retranscribe", "_selected_action": [call.pk]}, follow=True
        )
    assert "1 call(s) queued" in response.content.decode()
    call.refresh_from_db()
    assert call.transcription_status == TranscriptionStatus.UNAVAILABLE  # the offline default cannot transcribe


def test_voice_settings_page_shows_the_ai_phone_budget(operator_client, customer):
    settings_row = VoiceSettingsFactory(customer=customer)
    page = operator_client.get(f"/admin/voice/voicesettings/{settings_row.pk}/change/").content.decode()
    assert "0.00 of 39.80 EUR (39.80 EUR left; plan: 100.00 EUR, 20.00 % of the fee)" in page


@pytest.fixture
def transcribing_customer(customer):
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    customer.default_transcribe_model = AIModelFactory(
        customer=None, model_name="whisper-test", model_type=ModelPurpose.TRANSCRIBE, provider=AIProvider.OPENAI
    )
    customer.default_summary_model = AIModelFactory(
        customer=None, model_name="local", model_type=ModelPurpose.SUMMARY, provider=AIProvider.LOCAL
    )
    customer.save()
    return customer


def test_retranscribe_command_dry_run_changes_nothing(transcribing_customer, openai_mock):
    recorded_call(transcribing_customer, transcript="old")
    out = StringIO()
    call_command("voice_retranscribe", "--customer", str(transcribing_customer.pk), stdout=out)
    assert "1 call(s) would be transcribed again (dry run: add --commit)." in out.getvalue()
    assert not openai_mock.calls and PhoneCall.objects.get().transcript == "old"


def test_retranscribe_command_commits_with_progress_since_a_date(transcribing_customer, other_customer, openai_mock):
    openai_mock.post("/audio/transcriptions").mock(return_value=httpx.Response(200, json={"text": "New transcript."}))
    recent = recorded_call(transcribing_customer, transcript="old")
    older = recorded_call(transcribing_customer, transcript="older")
    PhoneCall.objects.filter(pk=older.pk).update(created_at=timezone.now() - timezone.timedelta(days=30))
    recorded_call(other_customer, transcript="theirs")
    since = (timezone.now() - timezone.timedelta(days=2)).date().isoformat()
    out = StringIO()
    call_command(
        "voice_retranscribe", "--customer", str(transcribing_customer.pk), "--since", since, "--commit", stdout=out
    )
    assert f"[1/1] {recent.call_sid}: Completed" in out.getvalue()
    assert "1 call(s) transcribed again: 1 Completed." in out.getvalue()
    recent.refresh_from_db()
    older.refresh_from_db()
    assert recent.transcript == "New transcript." and recent.message.message == "New transcript."
    assert older.transcript == "older"
    assert PhoneCall.objects.get(customer=other_customer).transcript == "theirs"
    assert CostEntry.objects.filter(customer=transcribing_customer, purpose="transcribe").count() == 1


def test_retranscribe_command_needs_a_known_customer(db):
    with pytest.raises(CommandError, match="No customer with id 999"):
        call_command("voice_retranscribe", "--customer", "999")
