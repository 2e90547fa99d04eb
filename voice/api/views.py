"""Voice and Transcription routes. Views parse, call one voice service, render.

| route                                          | who                                                   |
|------------------------------------------------|-------------------------------------------------------|
| GET TwilioCalls/voice-token, POST initiate-call, GET call-status | rep token, plan with hasPhone      |
| POST TwilioCalls/voice, /status, /{repID}/recordingcallback      | Twilio (X-Twilio-Signature)        |
| POST AudioChunks/uploadAndFinalize             | TicketAccess rep, or a phone token of that channel    |
| POST realtime/calls, POST realtime/calls/{id}/hangup, POST Transcriptions/file | rep token            |

Public Twilio callbacks answer 403 InvalidSignature unless RequestValidator accepts the signature for
the owning customer's auth token (on the PUBLIC_BASE_URL address, or as forwarded by a proxy)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import CustomerRep
from answerpal.api.errors import ApiError
from answerpal.api.parsers import LimitedJSONParser
from answerpal.api.policies import RepToken, TicketAccessOrPhoneAuth, ensure_channel_access
from answerpal.api.public_urls import request_public_urls
from answerpal.api.throttling import ProviderCallbackThrottle
from answerpal.api.viewsets import PublicApiView, TenantApiView, TenantViewSet
from billing.permissions import RequiresFeature
from voice import selectors, services
from voice.api import serializers
from voice.models import RealtimeSession

PHONE_REP = (RepToken, RequiresFeature("hasPhone"))
TWIML = "text/xml"


def _rep(request) -> CustomerRep:
    """The calling representative (impersonation tokens have none: 400 NoRepresentative)."""
    if request.auth.rep_id is None:
        raise ApiError(400, "NoRepresentative", "This token does not belong to a representative.")
    return request.user


def _twilio_request(request) -> services.TwilioRequest:
    return services.TwilioRequest(
        params={key: request.data.get(key) for key in request.data},
        query={key: request.query_params.get(key) for key in request.query_params},
        urls=request_public_urls(request),
        signature=request.headers.get("X-Twilio-Signature", ""),
    )


class VoiceTokenView(TenantApiView):
    calls_provider = True  # schema: 502/503 provider answers
    policy = PHONE_REP

    @extend_schema(parameters=[serializers.VoiceTokenQuerySerializer], responses=serializers.VoiceTokenSerializer)
    def get(self, request):
        """A Twilio Voice access token for the calling rep's browser phone."""
        query = serializers.VoiceTokenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        token = services.voice_token_create(
            customer=selectors.voice_customer(customer_id=self.customer_id),
            rep=_rep(request),
            app_sid_override=query.validated_data["twimlAppSidOverride"],
        )
        return Response(serializers.VoiceTokenSerializer(token).data)


class InitiateCallView(TenantApiView):
    calls_provider = True  # schema: 502/503 provider answers
    policy = PHONE_REP
    parser_classes = [LimitedJSONParser]

    @extend_schema(request=serializers.InitiateCallSerializer, responses={201: serializers.InitiatedCallSerializer})
    def post(self, request):
        """Places an outbound PSTN call from one of the customer's Phone channel numbers."""
        body = serializers.InitiateCallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call = services.outbound_call_initiate(
            customer=selectors.voice_customer(customer_id=self.customer_id),
            rep=_rep(request),
            from_number=body.validated_data["fromNumber"],
            to_number=body.validated_data["toNumber"],
        )
        return Response(serializers.InitiatedCallSerializer(call).data, status=status.HTTP_201_CREATED)


class CallStatusView(TenantApiView):
    calls_provider = True  # schema: 502/503 provider answers
    policy = PHONE_REP

    @extend_schema(parameters=[serializers.CallStatusQuerySerializer], responses=serializers.CallStatusSerializer)
    def get(self, request):
        """The call's final status: its child legs first, then the call itself."""
        query = serializers.CallStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        state = services.call_status_refresh(
            customer=selectors.voice_customer(customer_id=self.customer_id), call_sid=query.validated_data["callSid"]
        )
        return Response(serializers.CallStatusSerializer(state).data)


class TwilioCallbackView(PublicApiView):
    throttle_classes = [ProviderCallbackThrottle]
    parser_classes = [FormParser]


class VoiceTwimlView(TwilioCallbackView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={(200, TWIML): OpenApiTypes.STR})
    def post(self, request):
        """TwiML for Twilio voice requests (browser phone, answered API call, inbound call, dial result)."""
        document = services.voice_twiml(request=_twilio_request(request))
        return HttpResponse(document, content_type=TWIML)


class CallStatusCallbackView(TwilioCallbackView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={204: None})
    def post(self, request):
        """Twilio's call status callback (status and duration of a call we know)."""
        services.call_status_record(request=_twilio_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecordingCallbackView(TwilioCallbackView):
    @extend_schema(
        parameters=[OpenApiParameter("repID", int, OpenApiParameter.PATH)],
        request=OpenApiTypes.OBJECT,
        responses={204: None},
    )
    def post(self, request, repID: int):
        """A finished recording: downloaded and stored on the call's phone ticket (idempotent)."""
        services.recording_callback_handle(rep_id=repID, request=_twilio_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AudioChunkUploadView(TenantApiView):
    calls_provider = True  # schema: 502/503 provider answers
    policy = (TicketAccessOrPhoneAuth, RequiresFeature("hasPhone"))
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": serializers.AudioChunkUploadSerializer},
        responses={
            200: serializers.AudioChunkResultSerializer,
            201: serializers.AudioChunkResultSerializer,
            202: serializers.AudioChunkResultSerializer,
        },
    )
    def post(self, request):
        """One chunk of a call's audio; the final one joins them into the call's recording."""
        body = serializers.AudioChunkUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ensure_channel_access(request, data["channelID"])
        channel = selectors.customer_channel(
            customer_id=self.customer_id, channel_id=data["channelID"], phone_only=True
        )
        upload = services.audio_chunk_upload(
            customer_id=self.customer_id,
            channel=channel,
            call_sid=data["callSid"],
            chunk_index=data["chunkIndex"],
            upload=data["chunk"],
            is_final=data["isFinal"],
            rep_id=request.auth.rep_id,
            numbers={
                "from_number": data["fromNumber"][:64],
                "to_number": data["toNumber"][:64],
                "direction": data["direction"],
            },
        )
        if upload.finalized:
            code = status.HTTP_201_CREATED if upload.created else status.HTTP_200_OK
        else:
            code = status.HTTP_202_ACCEPTED if upload.created else status.HTTP_200_OK
        return Response(serializers.AudioChunkResultSerializer(upload).data, status=code)


class RealtimeCallViewSet(mixins.CreateModelMixin, TenantViewSet):
    """POST realtime/calls: the WebRTC SDP handoff; POST realtime/calls/{id}/hangup ends it and books its
    minutes."""

    calls_provider = True  # schema: 502/503 provider answers
    queryset = RealtimeSession.objects.all()
    policy = PHONE_REP
    serializer_class = serializers.RealtimeSessionSerializer
    parser_classes = [LimitedJSONParser]

    @extend_schema(request=serializers.RealtimeCallSerializer, responses={201: serializers.RealtimeAnswerSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.RealtimeCallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        channel = selectors.customer_channel(
            customer_id=self.customer_id, channel_id=body.validated_data.get("channelID"), phone_only=False
        )
        answer, realtime_session = services.realtime_call_create(
            customer=selectors.voice_customer(customer_id=self.customer_id),
            rep_id=request.auth.rep_id,
            channel=channel,
            sdp=body.validated_data["sdp"],
        )
        data = {
            "sdp": answer,
            "callID": realtime_session.call_id,
            "realtimeSessionID": realtime_session.pk,
            "model": realtime_session.model_name,
        }
        return Response(serializers.RealtimeAnswerSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.RealtimeSessionSerializer)
    @action(detail=True, methods=["post"], url_path="hangup")
    def hangup(self, request, pk=None):
        realtime_session = self.get_object()
        ended = services.realtime_call_end(
            customer=selectors.voice_customer(customer_id=self.customer_id), realtime_session=realtime_session
        )
        return Response(serializers.RealtimeSessionSerializer(ended).data)


class TranscriptionFileView(TenantApiView):
    calls_provider = True  # schema: 502/503 provider answers
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": serializers.TranscriptionFileSerializer},
        responses=serializers.TranscriptionSerializer,
    )
    def post(self, request):
        """Transcribes an uploaded audio file (mp3, wav, m4a, ogg, webm) with the transcribe model."""
        body = serializers.TranscriptionFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.file_transcribe(
            customer=selectors.voice_customer(customer_id=self.customer_id), upload=body.validated_data["file"]
        )
        return Response(serializers.TranscriptionSerializer(result).data)
