from django.urls import path

from answerpal.api.routing import ApiRouter
from messaging.api.views import (
    ChannelTransportViewSet,
    GraphWebhookView,
    MailboxFolderViewSet,
    TicketMessageSendViewSet,
    TwilioWhatsAppStatusView,
    TwilioWhatsAppWebhookView,
    WebChatView,
)

router = ApiRouter()
router.register("Channels", ChannelTransportViewSet, basename="channel-transports")
router.register("ChannelFolders/fromMailbox", MailboxFolderViewSet, basename="channel-folders-from-mailbox")
router.register("TicketMessages", TicketMessageSendViewSet, basename="ticket-message-sending")

urlpatterns = [
    path("GraphWebhook", GraphWebhookView.as_view(), name="graph-webhook"),
    path("Twilio/whatsapp", TwilioWhatsAppWebhookView.as_view(), name="twilio-whatsapp"),
    path("Twilio/whatsapp/status", TwilioWhatsAppStatusView.as_view(), name="twilio-whatsapp-status"),
    path("WebChat/<uuid:channelToken>/messages", WebChatView.as_view(), name="webchat-messages"),
    *router.urls,
]
