"""POST /api/AudioChunks/uploadAndFinalize with real WAV bytes cut into chunks: out of order, repeated,
gaps, chunks past the final one, bad and oversize audio; rep and phone tokens."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import StorageUsage
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.voice.conftest import wav_bytes
from tickets.models import Ticket, TicketMessage, TicketMessageAttachment
from voice.models import AudioChunk, PhoneCall, TranscriptionStatus

URL = "/api/AudioChunks/uploadAndFinalize"
CALL = "call-7f3a"


def _parts(content: bytes, count: int) -> list[bytes]:
    size = -(-len(content) // count)
    return [content[index : index + size] for index in range(0, len(content), size)]


def _post(client, channel, index: int, data: bytes, *, final: bool = False, call: str = CALL, **extra):
    form = {
        "callSid": call,
        "channelID": channel.pk,
        "chunkIndex": index,
        "isFinal": "true" if final else "false",
        "chunk": SimpleUploadedFile(f"part{index}.bin", data, content_type="application/octet-stream"),
        **extra,
    }
    return client.post(URL, form, format="multipart")


@pytest.fixture
def audio():
    return wav_bytes(2.0)


def test_chunks_out_of_order_and_repeated_join_into_one_recording(
    rep, rep_client, phone_channel, audio, django_capture_on_commit_callbacks
):
    parts = _parts(audio, 4)
    assert len(parts) == 4
    first = _post(rep_client, phone_channel, 2, parts[2], fromNumber="+32470999888")
    assert first.status_code == 202 and first.json()["receivedChunks"] == [2] and not first.json()["finalized"]
    assert _post(rep_client, phone_channel, 0, parts[0]).status_code == 202
    repeated = _post(rep_client, phone_channel, 0, parts[0])
    assert repeated.status_code == 200 and repeated.json()["receivedChunks"] == [0, 2]
    assert _post(rep_client, phone_channel, 1, parts[1]).status_code == 202
    assert AudioChunk.objects.count() == 3
    assert StorageUsage.objects.get(customer=phone_channel.customer).recordings_bytes == sum(map(len, parts[:3]))
    with django_capture_on_commit_callbacks(execute=True):
        final = _post(rep_client, phone_channel, 3, parts[3], final=True)
    assert final.status_code == 201, final.content
    body = final.json()
    assert body["finalized"] and body["receivedChunks"] == [0, 1, 2, 3] and body["durationSeconds"] == 2
    ticket = Ticket.objects.get(pk=body["ticketID"])
    assert ticket.channel_type == "Phone" and ticket.uid == "+32470999888" and ticket.customer_rep_id == rep.pk
    message = TicketMessage.objects.get(pk=body["messageID"])
    attachment = TicketMessageAttachment.objects.get(message=message)
    assert attachment.file.read() == audio and attachment.content_type == "audio/x-wav"
    assert not AudioChunk.objects.exists()
    usage = StorageUsage.objects.get(customer=phone_channel.customer)
    assert usage.recordings_bytes == 0 and usage.attachments_bytes == len(audio)
    call = PhoneCall.objects.get(call_sid=CALL)
    assert call.source == "Chunks" and call.transcription_status == TranscriptionStatus.UNAVAILABLE
    again = _post(rep_client, phone_channel, 3, parts[3], final=True)
    assert again.status_code == 200 and again.json()["ticketID"] == ticket.pk
    assert Ticket.objects.count() == 1 and TicketMessageAttachment.objects.count() == 1
    assert_problem(_post(rep_client, phone_channel, 4, parts[3]), 409, "CallAlreadyFinalized")
    played = rep_client.get(f"/api/Tickets/{ticket.pk}/play", HTTP_RANGE="bytes=-100")
    assert played.status_code == 206 and b"".join(played.streaming_content) == audio[-100:]


def test_a_gap_or_a_chunk_past_the_final_one_stores_nothing(rep_client, phone_channel, audio):
    parts = _parts(audio, 3)
    _post(rep_client, phone_channel, 0, parts[0])
    gap = assert_problem(_post(rep_client, phone_channel, 2, parts[2], final=True), 400, "ChunksMissing")
    assert "[1]" in gap["detail"] and "chunkIndex" in gap["errors"]
    assert AudioChunk.objects.count() == 1 and not TicketMessage.objects.exists()
    _post(rep_client, phone_channel, 2, parts[2])
    assert_problem(_post(rep_client, phone_channel, 1, parts[1], final=True), 400, "ChunkOrder")
    assert AudioChunk.objects.count() == 2 and not TicketMessage.objects.exists()


def test_other_bytes_for_a_stored_index_conflict(rep_client, phone_channel, audio):
    parts = _parts(audio, 2)
    _post(rep_client, phone_channel, 0, parts[0])
    assert_problem(_post(rep_client, phone_channel, 0, parts[1]), 409, "ChunkConflict")


def test_bad_audio_is_refused_before_anything_is_stored(rep_client, phone_channel, audio):
    assert_problem(_post(rep_client, phone_channel, 0, b"GIF89a not a call" * 10), 400, "InvalidAudio")
    assert not AudioChunk.objects.exists()
    damaged = audio[:44] + b"\x00" * 0  # a WAV header that announces data which never comes
    assert_problem(_post(rep_client, phone_channel, 0, damaged, final=True), 400, "InvalidAudio")
    assert not AudioChunk.objects.exists() and not TicketMessage.objects.exists()


def test_oversize_chunks_and_calls_are_refused(rep_client, phone_channel, audio, settings):
    settings.VOICE_CHUNK_MAX_BYTES = 1000
    assert_problem(_post(rep_client, phone_channel, 0, audio[:1001]), 413, "ChunkTooLarge")
    settings.VOICE_CALL_MAX_BYTES = 1500
    assert _post(rep_client, phone_channel, 0, audio[:900]).status_code == 202
    assert_problem(_post(rep_client, phone_channel, 1, audio[900:1800]), 413, "CallTooLarge")
    assert AudioChunk.objects.count() == 1


def test_validation_errors(rep_client, phone_channel):
    assert_problem(rep_client.post(URL, {"callSid": CALL, "channelID": phone_channel.pk}, format="multipart"), 400)
    assert_problem(_post(rep_client, phone_channel, -1, b"RIFF"), 400)
    assert_problem(_post(rep_client, phone_channel, 0, b"RIFF", call="bad sid!"), 400)


def test_phone_token_is_bound_to_its_channel(phone_client, phone_channel, customer, audio):
    assert _post(phone_client, phone_channel, 0, _parts(audio, 2)[0]).status_code == 202
    other_channel = ChannelFactory(customer=customer, channel_type="Phone", phone_number="+3225550177")
    assert_problem(_post(phone_client, other_channel, 0, audio[:100], call="x2"), 403, "PhoneChannelMismatch")


def test_anonymous_and_other_tenant_channel(anon_client, rep_client, other_customer, phone_channel, audio):
    assert_problem(_post(anon_client, phone_channel, 0, audio[:100]), 401)
    foreign = ChannelFactory(customer=other_customer, channel_type="Phone", phone_number="+3225550166")
    assert_problem(_post(rep_client, foreign, 0, audio[:100]), 404, "ChannelNotFound")
    email = ChannelFactory(customer=phone_channel.customer, channel_type="Email")
    assert_problem(_post(rep_client, email, 0, audio[:100]), 404, "ChannelNotFound")
    assert not AudioChunk.objects.exists()


def test_plans_without_phone_cannot_upload_call_audio(rep_client, phone_channel, audio):
    from billing.models import CustomerSubscription

    CustomerSubscription.objects.filter(customer=phone_channel.customer).update(feature_overrides={"hasPhone": False})
    assert_problem(_post(rep_client, phone_channel, 0, audio[:100]), 403, "FeatureNotInPlan")
    assert not AudioChunk.objects.exists()
