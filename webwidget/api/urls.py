from django.urls import path

from answerpal.api.routing import ApiRouter
from webwidget.api.views import (
    ChannelWidgetViewSet,
    ConversationStartView,
    ConversationStreamView,
    EscalateView,
    FeedbackView,
    FilePostView,
    TicketTypingViewSet,
    WidgetConfigView,
)

router = ApiRouter()
router.register("Channels", ChannelWidgetViewSet, basename="channel-widget")
router.register("Tickets", TicketTypingViewSet, basename="ticket-typing")

urlpatterns = [
    path("WebChat/<uuid:channelToken>/widget", WidgetConfigView.as_view(), name="webchat-widget"),
    path("WebChat/<uuid:channelToken>/conversations", ConversationStartView.as_view(), name="webchat-conversations"),
    path("WebChat/<uuid:channelToken>/stream", ConversationStreamView.as_view(), name="webchat-stream"),
    path("WebChat/<uuid:channelToken>/files", FilePostView.as_view(), name="webchat-files"),
    path("WebChat/<uuid:channelToken>/feedback", FeedbackView.as_view(), name="webchat-feedback"),
    path("WebChat/<uuid:channelToken>/escalate", EscalateView.as_view(), name="webchat-escalate"),
    *router.urls,
]
