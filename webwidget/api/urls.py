from django.urls import path

from webwidget.api.views import (
    ConversationStartView,
    ConversationStreamView,
    EscalateView,
    FeedbackView,
    FilePostView,
    WidgetConfigView,
)

urlpatterns = [
    path("WebChat/<uuid:channelToken>/widget", WidgetConfigView.as_view(), name="webchat-widget"),
    path("WebChat/<uuid:channelToken>/conversations", ConversationStartView.as_view(), name="webchat-conversations"),
    path("WebChat/<uuid:channelToken>/stream", ConversationStreamView.as_view(), name="webchat-stream"),
    path("WebChat/<uuid:channelToken>/files", FilePostView.as_view(), name="webchat-files"),
    path("WebChat/<uuid:channelToken>/feedback", FeedbackView.as_view(), name="webchat-feedback"),
    path("WebChat/<uuid:channelToken>/escalate", EscalateView.as_view(), name="webchat-escalate"),
]
