"""Request and response shapes of the voice routes (DTO names; the spec names only some fields).

Decided here: initiate-call answers `{callSid, status, fromNumber, toNumber}`; call-status answers
`{callSid, status, duration, childCallSid}`; AudioChunks/uploadAndFinalize takes multipart
`callSid, channelID, chunkIndex, isFinal, chunk` (+ optional `fromNumber`, `toNumber`, `direction`)
and answers `{callSid, chunkIndex, receivedChunks, finalized, ticketID, messageID, durationSeconds}`;
realtime/calls takes `{sdp, channelID?}` and answers `{sdp, callID, realtimeSessionID, model}`;
Transcriptions/file takes multipart `file` and answers `{text, language, duration}` (seconds)."""

from rest_framework import serializers

from voice.models import CallDirection


class VoiceTokenQuerySerializer(serializers.Serializer):
    twimlAppSidOverride = serializers.RegexField(r"^AP[0-9a-fA-F]{32}$", required=False, allow_blank=True, default="")


class VoiceTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    region = serializers.CharField()
    edge = serializers.CharField()


class InitiateCallSerializer(serializers.Serializer):
    fromNumber = serializers.CharField(max_length=40)
    toNumber = serializers.CharField(max_length=40)


class InitiatedCallSerializer(serializers.Serializer):
    callSid = serializers.CharField(source="call_sid")
    status = serializers.CharField()
    fromNumber = serializers.CharField(source="from_number")
    toNumber = serializers.CharField(source="to_number")


class CallStatusQuerySerializer(serializers.Serializer):
    callSid = serializers.RegexField(r"^CA[0-9a-fA-F]{32}$")


class CallStatusSerializer(serializers.Serializer):
    callSid = serializers.CharField(source="call_sid")
    status = serializers.CharField()
    duration = serializers.IntegerField(allow_null=True)
    childCallSid = serializers.CharField(source="child_call_sid", allow_null=True)


class AudioChunkUploadSerializer(serializers.Serializer):
    callSid = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$")
    channelID = serializers.IntegerField(min_value=1)
    chunkIndex = serializers.IntegerField(min_value=0, max_value=100_000)
    isFinal = serializers.BooleanField(default=False)
    chunk = serializers.FileField(allow_empty_file=False)
    fromNumber = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    toNumber = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    direction = serializers.ChoiceField(choices=CallDirection.choices, default=CallDirection.INBOUND)


class AudioChunkResultSerializer(serializers.Serializer):
    callSid = serializers.CharField(source="call.call_sid")
    chunkIndex = serializers.IntegerField(source="chunk_index")
    receivedChunks = serializers.ListField(source="received", child=serializers.IntegerField())
    finalized = serializers.BooleanField()
    ticketID = serializers.IntegerField(source="call.ticket_id", allow_null=True)
    messageID = serializers.IntegerField(source="call.message_id", allow_null=True)
    durationSeconds = serializers.IntegerField(source="call.duration_seconds", allow_null=True)


class RealtimeCallSerializer(serializers.Serializer):
    sdp = serializers.CharField(max_length=100_000, trim_whitespace=False)
    channelID = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    def validate_sdp(self, value: str) -> str:
        if not value.lstrip().startswith("v=0"):
            raise serializers.ValidationError("An SDP offer starts with 'v=0'.")
        return value


class RealtimeAnswerSerializer(serializers.Serializer):
    sdp = serializers.CharField()
    callID = serializers.CharField()
    realtimeSessionID = serializers.IntegerField()
    model = serializers.CharField()


class RealtimeSessionSerializer(serializers.Serializer):
    realtimeSessionID = serializers.IntegerField(source="id")
    callID = serializers.CharField(source="call_id")
    model = serializers.CharField(source="model_name")
    startedAt = serializers.DateTimeField(source="started_at")
    endedAt = serializers.DateTimeField(source="ended_at", allow_null=True)
    seconds = serializers.IntegerField(allow_null=True)


class TranscriptionFileSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


class TranscriptionSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_blank=True)
    duration = serializers.FloatField(allow_null=True)
