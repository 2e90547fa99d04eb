"""The embeddable widget's public routes under /api/WebChat/{channelToken}/, for pages on the channel's hostnames
(the check, CORS and throttle of every web-chat route: messaging.api.chat_channel):

- GET  widget?lang=xx — the widget's settings and UI texts in the visitor's language (channel translations with
  fallback); 403 HostnameNotAllowed on any other site, which the widget shows instead of a chat.
- POST conversations {name?, email?} — the pre-chat form opens the conversation (400 when the channel requires it).
- GET  stream?ticketToken=…&after={messageID} — Server-Sent Events: the lines after the cursor, then live lines,
  AI answer deltas (`ai.delta`, only while the answer policy lets the AI answer this visitor: tickets.answer_policy),
  `ai.status` {replyTo, status} when no answer comes for a line (Skipped, Failed, Held by the policy, Withheld
  mid-stream: the widget drops what it streamed) and `ticket` (escalated) events (webwidget.stream).
- POST files (multipart: ticketToken, file, message?) — the visitor's line with a file (the upload rules of every
  attachment: 413 FileTooLarge over ANSWERPAL_MAX_UPLOAD_BYTES); the line's attachments link to /api/File/{token}.
- POST feedback {ticketToken, like} — like / dislike of the latest answer; says whether a person can take over.
- POST escalate {ticketToken, aI_FeedbackComment?} — the visitor asks for a person.

Tenant routes (a representative's token):

- GET /api/Channels/{channelId}/widget (any representative), PUT / PATCH (ManageSettings) — the chat channel's
  widget settings (look, position, consent line, sound, AI answers, business hours, away text); 400
  NotAChatChannel for other channel types, 404 for another tenant's channel.
- POST /api/Tickets/{ticketId}/typing {isTyping} (TicketAccess) — a representative is typing in a chat ticket:
  the visitor's widget shows it (live event `typing`).

Feedback and escalation exist beside the token routes (TicketMessages/{ticketToken}/like-dislike, /escalate)
because a widget on another site needs the hostname check and CORS answers those routes do not give; they call
the same services. Lines are sent with POST /api/WebChat/{channelToken}/messages (messaging), which stays the
poll fallback where a proxy blocks streams."""

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from answerpal import live
from answerpal.api.errors import ApiError
from answerpal.api.filters import parse_id
from answerpal.api.parsers import LimitedJSONParser
from answerpal.api.policies import ManageSettings, RepToken, TicketAccess
from answerpal.api.viewsets import TenantViewSet
from channels_cfg.models import Channel, ChannelType
from messaging.api.chat_channel import ChatChannelApiView
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.models import Ticket
from webwidget import selectors, services, stream
from webwidget.api.serializers import (
    RepTypingResultSerializer,
    RepTypingSerializer,
    WidgetConfigSerializer,
    WidgetConversationSerializer,
    WidgetConversationStartSerializer,
    WidgetEscalateResultSerializer,
    WidgetEscalateSerializer,
    WidgetFeedbackResultSerializer,
    WidgetFeedbackSerializer,
    WidgetFileLineSerializer,
    WidgetFilePostSerializer,
    WidgetSettingsSerializer,
)


class WidgetConfigView(ChatChannelApiView):
    """GET /api/WebChat/{channelToken}/widget?lang=: what the widget needs before it opens."""

    cors_methods = "GET, OPTIONS"
    rate_setting = "WEBCHAT_POLL_RATE"
    throttle_kind = "config"
    refusal_readable = True

    @extend_schema(parameters=[OpenApiParameter("lang", str)], responses=WidgetConfigSerializer)
    def get(self, request, channelToken):
        widget = selectors.widget_settings(channel=self.channel)
        lang, texts = selectors.widget_texts(
            channel=self.channel, lang=request.query_params.get("lang", "")[:16], widget=widget
        )
        hours = selectors.widget_hours(widget=widget)
        data = {
            "channelName": self.channel.name,
            "title": widget.title or texts["title"],
            "accentColor": widget.accent_color,
            "position": widget.position,
            "prechatForm": widget.prechat_form,
            "aiAnswers": widget.ai_answers,
            "consentURL": widget.consent_url,
            "sound": widget.sound,
            "hours": {
                "configured": hours.configured,
                "open": hours.open,
                "nextOpen": hours.next_open,
                "timeZone": hours.time_zone,
            },
            "awayLine": selectors.away_line(channel=self.channel, lang=lang, widget=widget, texts=texts),
            "lang": lang,
            "texts": texts,
            "streamPath": f"/api/WebChat/{self.channel.token}/stream",
            "maxUploadBytes": settings.ANSWERPAL_MAX_UPLOAD_BYTES,
        }
        return Response(WidgetConfigSerializer(data).data)


class ConversationStartView(ChatChannelApiView):
    """POST /api/WebChat/{channelToken}/conversations: the pre-chat form's name and e-mail open the ticket."""

    parser_classes = [LimitedJSONParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(request=WidgetConversationStartSerializer, responses={201: WidgetConversationSerializer})
    def post(self, request, channelToken):
        widget = selectors.widget_settings(channel=self.channel)
        body = WidgetConversationStartSerializer(data=request.data, context={"prechat_form": widget.prechat_form})
        body.is_valid(raise_exception=True)
        ticket = services.conversation_start(channel=self.channel, **body.validated_data)
        result = {"ticketToken": ticket.token, "ticketID": ticket.pk}
        return Response(WidgetConversationSerializer(result).data, status=status.HTTP_201_CREATED)


def _cursor(request) -> int:
    after = parse_id(request.query_params.get("after") or "0", name="after")
    return max(after, parse_id(request.headers.get("Last-Event-ID") or "0", name="after"))


class EventStreamNegotiation(BaseContentNegotiation):
    """EventSource asks for text/event-stream only: the stream answers it itself, and errors stay problem+json."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ConversationStreamView(ChatChannelApiView):
    """GET /api/WebChat/{channelToken}/stream?ticketToken=…&after=: the conversation as Server-Sent Events."""

    content_negotiation_class = EventStreamNegotiation
    cors_methods = "GET, OPTIONS"
    rate_setting = "WEBCHAT_STREAM_RATE"
    throttle_kind = "stream"

    @extend_schema(
        parameters=[OpenApiParameter("ticketToken", str, required=True), OpenApiParameter("after", int)],
        responses={(200, "text/event-stream"): OpenApiTypes.STR},
    )
    def get(self, request, channelToken):
        token = request.query_params.get("ticketToken")
        if not token:
            raise ApiError(
                400, "ValidationFailed", "Give the conversation's ticketToken.", errors={"ticketToken": ["Required."]}
            )
        ticket = self.ticket(token)
        after = _cursor(request)

        def snapshot() -> list[dict]:
            return selectors.chat_lines(ticket=ticket, after=after)

        form = stream.stream_async if isinstance(request._request, ASGIRequest) else stream.stream_sync
        response = StreamingHttpResponse(
            form(
                key=live.ticket_key(ticket.pk),
                snapshot=snapshot,
                seconds=settings.WEBCHAT_STREAM_SECONDS,
                heartbeat=settings.WEBCHAT_STREAM_HEARTBEAT_SECONDS,
            ),
            content_type="text/event-stream",
        )
        response["Cache-Control"] = "no-cache, no-transform"
        response["X-Accel-Buffering"] = "no"  # nginx: pass the events on as they come
        return response


class FeedbackView(ChatChannelApiView):
    """POST /api/WebChat/{channelToken}/feedback {ticketToken, like}: like / dislike of the latest answer."""

    parser_classes = [LimitedJSONParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(request=WidgetFeedbackSerializer, responses=WidgetFeedbackResultSerializer)
    def post(self, request, channelToken):
        body = WidgetFeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = self.ticket(body.validated_data["ticketToken"])
        answer = ticket_services.ticket_answer_rate(ticket=ticket, like=body.validated_data["like"])
        available, name = ticket_selectors.ticket_agent_available(ticket=ticket)
        result = {"messageID": answer.pk if answer else None, "agentAvailable": available, "customerRepName": name}
        return Response(WidgetFeedbackResultSerializer(result).data)


class EscalateView(ChatChannelApiView):
    """POST /api/WebChat/{channelToken}/escalate?lang= {ticketToken, aI_FeedbackComment?}: the visitor asks for a
    person; outside the business hours the answer says when one answers (awayLine, in `lang`)."""

    parser_classes = [LimitedJSONParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(request=WidgetEscalateSerializer, responses=WidgetEscalateResultSerializer)
    def post(self, request, channelToken):
        body = WidgetEscalateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = self.ticket(body.validated_data["ticketToken"])
        ticket_services.ticket_end_user_escalate(ticket=ticket, comment=body.validated_data["aI_FeedbackComment"])
        widget = selectors.widget_settings(channel=self.channel)
        hours = selectors.widget_hours(widget=widget)
        lang = request.query_params.get("lang", "")[:16]
        result = {
            "message": "Your request was passed on to a representative.",
            "awayLine": selectors.away_line(channel=self.channel, lang=lang, widget=widget),
            "nextOpen": hours.next_open,
        }
        return Response(WidgetEscalateResultSerializer(result).data)


class FilePostView(ChatChannelApiView):
    """POST /api/WebChat/{channelToken}/files (multipart): the visitor sends a file into the conversation."""

    parser_classes = [MultiPartParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(request={"multipart/form-data": WidgetFilePostSerializer}, responses={201: WidgetFileLineSerializer})
    def post(self, request, channelToken):
        body = WidgetFilePostSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message = services.visitor_file_post(
            channel=self.channel,
            ticket=self.ticket(data["ticketToken"]),
            upload=data["file"],
            caption=data["message"],
            page_url=data["pageURL"],
        )
        return Response(WidgetFileLineSerializer({"messageID": message.pk}).data, status=status.HTTP_201_CREATED)


class ChannelWidgetViewSet(TenantViewSet):
    """GET / PUT / PATCH /api/Channels/{channelId}/widget: a chat channel's widget settings (the configuration
    routes of the channel itself are channels_cfg's). Reads need any representative; writes ManageSettings."""

    queryset = Channel.objects.filter(deleted_at__isnull=True)
    serializer_class = WidgetSettingsSerializer
    lookup_url_kwarg = "channelId"
    lookup_value_regex = "[0-9]+"
    pagination_class = None

    policy = ManageSettings
    policies = {"widget": RepToken}

    def _chat_channel(self) -> Channel:
        channel = self.get_object()
        if channel.channel_type != ChannelType.CHAT:
            raise ApiError(400, "NotAChatChannel", "Only Chat channels have a widget.")
        return channel

    def _answer(self, widget):
        return Response(WidgetSettingsSerializer(widget).data)

    @extend_schema(responses=WidgetSettingsSerializer, operation_id="Channels_widget_retrieve")
    @action(detail=True, methods=["get"], url_path="widget")
    def widget(self, request, channelId=None):
        return self._answer(selectors.widget_settings(channel=self._chat_channel()))

    def _save(self, request, *, partial: bool):
        channel = self._chat_channel()
        current = selectors.widget_settings(channel=channel)
        body = WidgetSettingsSerializer(current, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        return self._answer(services.widget_settings_save(channel=channel, data=body.validated_data))

    @extend_schema(request=WidgetSettingsSerializer, responses=WidgetSettingsSerializer)
    @widget.mapping.put
    def widget_replace(self, request, channelId=None):
        return self._save(request, partial=False)

    @extend_schema(request=WidgetSettingsSerializer, responses=WidgetSettingsSerializer)
    @widget.mapping.patch
    def widget_update(self, request, channelId=None):
        return self._save(request, partial=True)


class TicketTypingViewSet(TenantViewSet):
    """POST /api/Tickets/{ticketId}/typing {isTyping}: the representative writing an answer in a chat ticket."""

    queryset = Ticket.objects.all()
    serializer_class = RepTypingSerializer
    lookup_url_kwarg = "ticketId"
    lookup_value_regex = "[0-9]+"
    pagination_class = None
    parser_classes = [LimitedJSONParser]

    policy = TicketAccess

    def scope_queryset(self, queryset):
        if self.request.auth.is_phone:
            return queryset.filter(channel_id=self.request.auth.channel_id)
        return queryset

    @extend_schema(request=RepTypingSerializer, responses=RepTypingResultSerializer)
    @action(detail=True, methods=["post"], url_path="typing")
    def typing(self, request, ticketId=None):
        ticket = self.get_object()
        if ticket.channel_type != ChannelType.CHAT:
            raise ApiError(400, "NotAChatTicket", "Only a web-chat visitor sees a representative typing.")
        body = RepTypingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        is_typing = body.validated_data["isTyping"]
        services.rep_typing_announce(ticket=ticket, rep=request.user, is_typing=is_typing)
        return Response(RepTypingResultSerializer({"ticketID": ticket.pk, "isTyping": is_typing}).data)
