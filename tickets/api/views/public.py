"""Public routes: POST /api/Tickets/createchatticket (a chat channel's token, for pages on its hostnames)
and the routes keyed by an end user's ticket token or a message's tracking token: escalate,
like-dislike, the open-tracking pixel."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from answerpal.api.throttling import PublicAssetThrottle, PublicRateThrottle
from answerpal.api.viewsets import PublicApiView
from channels_cfg.hostnames import page_host
from tickets import selectors, services
from tickets.api.serializers import (
    ChatTicketCreateSerializer,
    ChatTicketSerializer,
    EscalateSerializer,
    LikeDislikeResponseSerializer,
    LikeDislikeSerializer,
    MessageResultSerializer,
)


class ChatTicketIpThrottle(PublicRateThrottle):
    """Web-chat ticket creation per client address."""

    scope = "chat-ticket"

    def get_rate(self):
        return settings.CHAT_TICKET_RATE


class ChatTicketChannelThrottle(SimpleRateThrottle):
    """Web-chat ticket creation per channel, whatever the address (bounds a distributed flood)."""

    scope = "chat-ticket-channel"

    def get_rate(self):
        return settings.CHAT_TICKET_CHANNEL_RATE

    def get_cache_key(self, request, view):
        token = request.data.get("token") if hasattr(request.data, "get") else None
        return self.cache_format % {"scope": self.scope, "ident": str(token)[:64]} if token else None


class ChatTicketCreateView(PublicApiView):
    """POST /api/Tickets/createchatticket: a web-chat ticket for a chat channel's token, when the page's
    Origin (or Referer, or the body's hostname when neither is sent) is one of the channel's hostnames.
    Answers the ticket's public token, which keys the web-chat routes."""

    throttle_classes = [ChatTicketIpThrottle, ChatTicketChannelThrottle]

    @extend_schema(request=ChatTicketCreateSerializer, responses={201: ChatTicketSerializer})
    def post(self, request):
        body = ChatTicketCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        host = page_host(
            origin=request.headers.get("Origin"),
            referer=request.headers.get("Referer"),
            fallback=data.get("hostname", ""),
        )
        channel = selectors.chat_channel_for_page(token=data["token"], host=host)
        ticket = services.chat_ticket_create(
            channel=channel,
            subject=data.get("subject") or f"Chat on {urlsplit('//' + host).hostname}",
            uid=data.get("uid", ""),
            name=data.get("name", ""),
        )
        return Response({"ticketID": ticket.pk, "token": str(ticket.token)}, status=status.HTTP_201_CREATED)


class TicketTokenEscalateView(PublicApiView):
    """POST /api/TicketMessages/{ticketToken}/escalate: the web-chat end user asks for a human."""

    @extend_schema(request=EscalateSerializer, responses=MessageResultSerializer)
    def post(self, request, ticket_token):
        ticket = selectors.ticket_by_public_token(token=ticket_token)
        if ticket is None:
            raise NotFound("No conversation has this ticket token.")
        body = EscalateSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        services.ticket_end_user_escalate(ticket=ticket, comment=body.validated_data["aI_FeedbackComment"])
        return Response({"message": "Your request was passed on to a representative."})


class LikeDislikeView(PublicApiView):
    """GET /api/TicketMessages/{ticketToken}/like-dislike?like=: the end user rates the latest answer;
    answers whether a representative can take over (the assigned one, else the customer's default)."""

    @extend_schema(parameters=[OpenApiParameter("like", bool, required=True)], responses=LikeDislikeResponseSerializer)
    def get(self, request, ticket_token):
        ticket = selectors.ticket_by_public_token(token=ticket_token)
        if ticket is None:
            raise NotFound("No conversation has this ticket token.")
        query = LikeDislikeSerializer(data={"like": request.query_params.get("like")})
        query.is_valid(raise_exception=True)
        services.ticket_answer_rate(ticket=ticket, like=query.validated_data["like"])
        available, name = selectors.ticket_agent_available(ticket=ticket)
        return Response({"agentAvailable": available, "customerRepName": name})


_PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class OpenTrackingPixelView(PublicApiView):
    """GET /api/TicketMessages/{messageId}/{trackingToken}/pixel.gif: records the open (isOpened,
    lastOpenDate) when the per-message token matches; always answers the same uncacheable 1x1 GIF, so
    the route reveals nothing about ids or tokens."""

    throttle_classes = [PublicAssetThrottle]

    @extend_schema(responses={(200, "image/gif"): OpenApiTypes.BINARY})
    def get(self, request, message_id, tracking_token):
        services.message_mark_opened(message_id=message_id, tracking_token=tracking_token)
        response = HttpResponse(_PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
        return response
