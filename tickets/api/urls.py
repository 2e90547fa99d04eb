from django.urls import path

from answerpal.api.routing import ApiRouter
from tickets.api.files import FileDownloadView
from tickets.api.views.end_users import EndUserUIDAssignView, EndUserViewSet
from tickets.api.views.messages import TicketMessageTopicsView, TicketMessageViewSet
from tickets.api.views.public import (
    ChatTicketCreateView,
    LikeDislikeView,
    OpenTrackingPixelView,
    TicketTokenEscalateView,
)
from tickets.api.views.tickets import TicketViewSet

router = ApiRouter()
router.register("EndUsers", EndUserViewSet, basename="end-users")
router.register("Tickets", TicketViewSet, basename="tickets")
router.register("TicketMessages", TicketMessageViewSet, basename="ticket-messages")

urlpatterns = [
    path("EndUserUIDs/assign", EndUserUIDAssignView.as_view(), name="end-user-uids-assign"),
    path("Tickets/createchatticket", ChatTicketCreateView.as_view(), name="tickets-create-chat"),
    path("TicketMessageTopics", TicketMessageTopicsView.as_view(), name="ticket-message-topics"),
    path(
        "TicketMessages/<uuid:ticket_token>/escalate", TicketTokenEscalateView.as_view(), name="ticket-token-escalate"
    ),
    path("TicketMessages/<uuid:ticket_token>/like-dislike", LikeDislikeView.as_view(), name="ticket-like-dislike"),
    path(
        "TicketMessages/<int:message_id>/<uuid:tracking_token>/pixel.gif",
        OpenTrackingPixelView.as_view(),
        name="ticket-message-pixel",
    ),
    path("File/<uuid:access_token>", FileDownloadView.as_view(), name="file-download"),
    *router.urls,
]
