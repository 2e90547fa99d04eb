from django.urls import path

from answerpal.api.routing import ApiRouter
from voice.api import views

router = ApiRouter()
router.register("realtime/calls", views.RealtimeCallViewSet, basename="realtime-calls")

urlpatterns = [
    path("TwilioCalls/voice-token", views.VoiceTokenView.as_view(), name="voice-token"),
    path("TwilioCalls/initiate-call", views.InitiateCallView.as_view(), name="voice-initiate-call"),
    path("TwilioCalls/call-status", views.CallStatusView.as_view(), name="voice-call-status"),
    path("TwilioCalls/voice", views.VoiceTwimlView.as_view(), name="voice-twiml"),
    path("TwilioCalls/status", views.CallStatusCallbackView.as_view(), name="voice-status"),
    path(
        "TwilioCalls/<int:repID>/recordingcallback",
        views.RecordingCallbackView.as_view(),
        name="voice-recording-callback",
    ),
    path("AudioChunks/uploadAndFinalize", views.AudioChunkUploadView.as_view(), name="voice-audio-chunks"),
    path("Transcriptions/file", views.TranscriptionFileView.as_view(), name="voice-transcription-file"),
    *router.urls,
]
