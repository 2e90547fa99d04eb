"""Honest offline: what the platform cannot do without an OpenAI-compatible model says so in the API. A call
uploaded on the offline default gets no transcript, and its status ("Unavailable: no transcription model
configured") is in the message's and the ticket's JSON (list and detail), not only in the PhoneCall column; the
standalone transcription and translation routes answer 503 AIProviderUnavailable with what to configure."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import CostEntry
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.voice.conftest import wav_bytes
from tests.voice.factories import PhoneCallFactory
from voice.models import PhoneCall, TranscriptionStatus

pytestmark = pytest.mark.django_db

UNAVAILABLE_TEXT = "Unavailable: no transcription model configured"


def _upload_call(client, channel, django_capture_on_commit_callbacks, call_sid="call-offline-1") -> dict:
    form = {
        "callSid": call_sid,
        "channelID": channel.pk,
        "chunkIndex": 0,
        "isFinal": "true",
        "fromNumber": "+32470999888",
        "chunk": SimpleUploadedFile("part0.bin", wav_bytes(0.5), content_type="application/octet-stream"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/AudioChunks/uploadAndFinalize", form, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_offline_calls_transcript_status_is_in_the_message_and_ticket_json(
    rep_client, phone_channel, django_capture_on_commit_callbacks
):
    uploaded = _upload_call(rep_client, phone_channel, django_capture_on_commit_callbacks)
    assert PhoneCall.objects.get().transcription_status == TranscriptionStatus.UNAVAILABLE

    detail = rep_client.get(f"/api/TicketMessages/{uploaded['messageID']}").json()
    assert detail["transcriptStatus"] == "Unavailable"
    assert detail["transcriptStatusText"].startswith(UNAVAILABLE_TEXT)
    assert "defaultTranscribeModelId" in detail["transcriptStatusText"]  # says what to configure
    listed = rep_client.get("/api/TicketMessages", {"ticketId": uploaded["ticketID"]}).json()["items"]
    assert [(item["messageID"], item["transcriptStatus"]) for item in listed] == [
        (uploaded["messageID"], "Unavailable")
    ]

    ticket = rep_client.get(f"/api/Tickets/{uploaded['ticketID']}").json()
    assert ticket["transcriptStatus"] == "Unavailable" and ticket["transcriptStatusText"].startswith(UNAVAILABLE_TEXT)
    row = next(
        item for item in rep_client.get("/api/Tickets").json()["items"] if item["ticketID"] == ticket["ticketID"]
    )
    assert (row["transcriptStatus"], row["transcriptStatusText"]) == (
        ticket["transcriptStatus"],
        ticket["transcriptStatusText"],
    )


def test_messages_and_tickets_that_are_not_calls_have_null_transcript_fields(rep_client, customer):
    message = TicketMessageFactory(customer=customer)
    detail = rep_client.get(f"/api/TicketMessages/{message.pk}").json()
    assert (detail["transcriptStatus"], detail["transcriptStatusText"]) == (None, None)
    ticket = rep_client.get(f"/api/Tickets/{message.ticket_id}").json()
    assert (ticket["transcriptStatus"], ticket["transcriptStatusText"]) == (None, None)
    # every existing DTO name is still there beside the new ones
    assert {"messageID", "aIReplyStatus", "aI_GeneratedResponse", "twilio_CallSid"} <= set(detail)
    assert {"ticketID", "escalated", "isSpam", "twilio_CallSid", "endUsers", "topics"} <= set(ticket)


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (TranscriptionStatus.COMPLETED, "", "Transcribed"),
        (TranscriptionStatus.PENDING, "", "Transcription pending"),
        (TranscriptionStatus.FAILED, "ProviderError: timeout", "Failed. ProviderError: timeout"),
        (
            TranscriptionStatus.BUDGET_EXHAUSTED,
            "This month's AI phone budget of 5 EUR is spent",
            "Unavailable: the AI phone budget does not allow it. This month's AI phone budget of 5 EUR is spent",
        ),
    ],
)
def test_each_transcription_status_reads_as_a_sentence(rep_client, customer, status, error, text):
    ticket = TicketFactory(customer=customer, channel_type="Phone", twilio_call_sid="CA1")
    message = TicketMessageFactory(customer=customer, ticket=ticket, twilio_call_sid="CA1")
    PhoneCallFactory(
        customer=customer,
        call_sid="CA1",
        ticket=ticket,
        message=message,
        transcription_status=status,
        transcription_error=error,
    )
    detail = rep_client.get(f"/api/TicketMessages/{message.pk}").json()
    assert (detail["transcriptStatus"], detail["transcriptStatusText"]) == (status, text)


def test_the_ticket_shows_its_latest_calls_status(rep_client, customer):
    ticket = TicketFactory(customer=customer, channel_type="Phone", twilio_call_sid="CA-first")
    PhoneCallFactory(customer=customer, call_sid="CA-first", ticket=ticket, transcription_status="Unavailable")
    PhoneCallFactory(customer=customer, call_sid="CA-second", ticket=ticket, transcription_status="Completed")
    assert rep_client.get(f"/api/Tickets/{ticket.pk}").json()["transcriptStatus"] == "Completed"


def test_lists_load_the_transcript_fields_in_one_query_whatever_the_page(
    rep_client, customer, django_assert_num_queries
):
    def phone_ticket(number):
        ticket = TicketFactory(customer=customer, channel_type="Phone", twilio_call_sid=f"CA{number}")
        message = TicketMessageFactory(customer=customer, ticket=ticket, twilio_call_sid=f"CA{number}")
        PhoneCallFactory(customer=customer, call_sid=f"CA{number}", ticket=ticket, message=message)
        return ticket

    phone_ticket(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert rep_client.get("/api/Tickets").status_code == 200
    for number in range(2, 6):
        phone_ticket(number)
    with CaptureQueriesContext(connection) as five:
        items = rep_client.get("/api/Tickets").json()["items"]
    assert len(five) == len(one) and [item["transcriptStatus"] for item in items] == ["None"] * 5
    assert sum("voice_phonecall" in query["sql"] for query in five.captured_queries) == 1


def test_email_pages_do_not_query_calls(rep_client, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    message = TicketMessageFactory(customer=customer)
    with CaptureQueriesContext(connection) as queries:
        assert rep_client.get("/api/Tickets").status_code == 200
        assert rep_client.get("/api/TicketMessages", {"ticketId": message.ticket_id}).status_code == 200
    assert not any("voice_phonecall" in query["sql"] for query in queries.captured_queries)


def test_standalone_transcription_offline_is_503_with_what_to_configure(rep_client):
    upload = SimpleUploadedFile("call.wav", wav_bytes(0.2), content_type="audio/wav")
    body = assert_problem(
        rep_client.post("/api/Transcriptions/file", {"file": upload}, format="multipart"), 503, "AIProviderUnavailable"
    )
    assert "openAIApiKey" in body["detail"] and "defaultTranscribeModelId" in body["detail"]
    assert not CostEntry.objects.filter(purpose="transcribe").exists()


def test_translation_offline_is_503_with_a_clear_code(rep_client, customer):
    body = assert_problem(
        rep_client.post("/api/Translations/translate", {"sourceText": "Goedemorgen", "targetLang": "eng"}),
        503,
        "AIProviderUnavailable",
    )
    assert "OpenAI" in body["detail"] or "openAI" in body["detail"], body["detail"]
