"""Transport routes: import-emails, test-connection, live mailbox folders, the send routes, and the
public provider callbacks (Graph notifications, Twilio WhatsApp) and web-chat endpoints."""

import logging

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from answerpal.api.errors import ApiError, problem_response
from answerpal.api.filters import parse_id
from answerpal.api.parsers import LimitedJSONParser
from answerpal.api.policies import ImportEmails, ManageSettings, TicketAccess
from answerpal.api.public_urls import request_public_urls
from answerpal.api.throttling import ProviderCallbackThrottle
from answerpal.api.viewsets import PublicApiView, TenantViewSet
from channels_cfg.models import Channel, ChannelType
from messaging import selectors, services, tasks
from messaging.api.chat_channel import ChatChannelApiView
from messaging.api.serializers import (
    ConnectionTestInputSerializer,
    ConnectionTestResultSerializer,
    ImportQueuedSerializer,
    MailboxFolderSerializer,
    SendForwardSerializer,
    SendMessageSerializer,
    SentMessageSerializer,
    WebChatMessageSerializer,
    WebChatMessagesSerializer,
    WebChatPostResultSerializer,
    WebChatPostSerializer,
)
from messaging.whatsapp import TwilioAccount, signature_refusal, signature_valid
from tickets import selectors as ticket_selectors
from tickets.models import Ticket, TicketMessage

logger = logging.getLogger(__name__)


def _import_queue(channels) -> Response:
    channel_ids = services.mail_imports_queue(channels=channels)
    return Response({"channelIDs": channel_ids, "queued": len(channel_ids)}, status=status.HTTP_202_ACCEPTED)


class ChannelTransportViewSet(TenantViewSet):
    """POST /api/Channels/import-emails, /api/Channels/{channelId}/import-emails and
    /api/Channels/test-connection (the configuration routes are channels_cfg's)."""

    queryset = Channel.objects.filter(deleted_at__isnull=True).select_related("customer")
    serializer_class = ConnectionTestInputSerializer
    lookup_url_kwarg = "channelId"
    lookup_value_regex = "[0-9]+"
    pagination_class = None

    policy = ImportEmails
    policies = {"test_connection": ManageSettings}

    @extend_schema(request=None, responses={202: ImportQueuedSerializer}, operation_id="Channels_import_emails_all")
    @action(detail=False, methods=["post"], url_path="import-emails")
    def import_emails_all(self, request):
        return _import_queue(selectors.mail_channels(customer_id=self.customer_id))

    @extend_schema(request=None, responses={202: ImportQueuedSerializer}, operation_id="Channels_import_emails_one")
    @action(detail=True, methods=["post"], url_path="import-emails")
    def import_emails(self, request, channelId=None):
        channel = self.get_object()
        if channel.channel_type != ChannelType.EMAIL:
            raise ApiError(400, "NotAMailChannel", "Only Email channels import e-mails.")
        return _import_queue(selectors.mail_channels(customer_id=self.customer_id, channel_id=channel.pk))

    @extend_schema(request=ConnectionTestInputSerializer, responses=ConnectionTestResultSerializer)
    @action(detail=False, methods=["post"], url_path="test-connection")
    def test_connection(self, request):
        channel_id = request.data.get("channelID") if hasattr(request.data, "get") else None
        if channel_id is not None:
            channel_id = parse_id(str(channel_id), name="channelID")
        stored = self.get_queryset().filter(pk=channel_id).first() if channel_id else None
        if channel_id and stored is None:
            raise ApiError(404, "NotFound", "No channel with this id.")
        serializer = ConnectionTestInputSerializer(
            instance=stored, data=request.data, partial=stored is not None, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = {key: value for key, value in serializer.validated_data.items() if key != "channelID"}
        channel = stored or Channel(customer_id=self.customer_id)
        for name, value in data.items():
            setattr(channel, name, value)
        report = services.connection_test(channel=channel)
        return Response(
            ConnectionTestResultSerializer(
                {
                    "success": report.success,
                    "provider": report.provider,
                    "failed_step": report.failed_step,
                    "error": report.error,
                    "steps": report.steps,
                }
            ).data
        )


class MailboxFolderViewSet(TenantViewSet):
    """GET /api/ChannelFolders/fromMailbox/{channelId}: the mailbox's folders read live from Graph/IMAP."""

    queryset = Channel.objects.filter(deleted_at__isnull=True, channel_type=ChannelType.EMAIL).select_related(
        "customer"
    )
    serializer_class = MailboxFolderSerializer
    policy = ManageSettings
    lookup_url_kwarg = "channelId"
    lookup_value_regex = "[0-9]+"
    pagination_class = None

    @extend_schema(responses=MailboxFolderSerializer(many=True))
    def retrieve(self, request, channelId=None):
        channel = self.get_object()
        return Response(MailboxFolderSerializer(services.mailbox_folders_live(channel=channel), many=True).data)


class TicketMessageSendViewSet(TenantViewSet):
    """POST /api/TicketMessages/{id}/send | send-new | send-forward and /api/TicketMessages/import-emails."""

    queryset = TicketMessage.objects.select_related("ticket", "channel")
    serializer_class = SentMessageSerializer
    lookup_value_regex = "[0-9]+"

    policy = TicketAccess
    policies = {"import_emails": ImportEmails}

    def _rep(self):
        return self.request.user if getattr(self.request.user, "pk", None) else None

    @extend_schema(request=SendMessageSerializer, responses={202: SentMessageSerializer})
    @action(detail=True, methods=["post"], url_path="send")
    def send(self, request, pk=None):
        message = self.get_object()
        body = SendMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outbound = services.message_reply_send(
            message=message, rep=self._rep(), modified_answer=body.validated_data.get("modifiedAnswer")
        )
        return Response(SentMessageSerializer(outbound).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: SentMessageSerializer})
    @action(detail=True, methods=["post"], url_path="send-new")
    def send_new(self, request, pk=None):
        outbound = services.message_draft_send(message=self.get_object())
        return Response(SentMessageSerializer(outbound).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=SendForwardSerializer, responses={202: SentMessageSerializer})
    @action(detail=True, methods=["post"], url_path="send-forward")
    def send_forward(self, request, pk=None):
        message = self.get_object()
        body = SendForwardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        outbound = services.message_forward_send(
            message=message,
            rep=self._rep(),
            to_address=data.get("toAddress", ""),
            to_number=data.get("toNumber", ""),
            cc=data.get("ccAddress", ""),
            comment=data.get("comment", ""),
        )
        return Response(SentMessageSerializer(outbound).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportQueuedSerializer})
    @action(detail=False, methods=["post"], url_path="import-emails")
    def import_emails(self, request):
        return _import_queue(selectors.mail_channels(customer_id=self.customer_id))


# --- public provider callbacks ------------------------------------------------------------------


class GraphWebhookView(PublicApiView):
    """GET/POST /api/GraphWebhook: echoes `validationToken` as text/plain (subscription validation);
    otherwise accepts change notifications, checks each clientState and queues the folder imports
    on the `import` queue, answering 202 at once."""

    throttle_classes = [ProviderCallbackThrottle]
    parser_classes = [LimitedJSONParser]

    @staticmethod
    def _echo(request):
        token = request.query_params.get("validationToken")
        return HttpResponse(token, content_type="text/plain; charset=utf-8") if token is not None else None

    @extend_schema(
        parameters=[OpenApiParameter("validationToken", str, required=True)],
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request):
        return self._echo(request) or problem_response(
            request, 400, "ValidationTokenMissing", "Graph validation requests carry ?validationToken=."
        )

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: None, (200, "text/plain"): OpenApiTypes.STR})
    def post(self, request):
        echo = self._echo(request)
        if echo is not None:
            return echo
        if not request.body:
            return HttpResponse(b"", content_type="text/plain; charset=utf-8")  # as documented: 200 text/plain
        payload = request.data if isinstance(request.data, dict) else {}
        for folder_id in services.graph_notifications_accept(payload=payload):
            tasks.folder_import_enqueue(folder_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class TwilioWhatsAppWebhookView(PublicApiView):
    """POST /api/Twilio/whatsapp: an inbound WhatsApp message. The channel is found by the To number,
    the X-Twilio-Signature checked with the channel's Twilio auth token; media is fetched in a task."""

    throttle_classes = [ProviderCallbackThrottle]
    parser_classes = [FormParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={(200, "text/xml"): OpenApiTypes.STR})
    def post(self, request):
        params = {key: request.data.get(key) for key in request.data}
        urls, signature = request_public_urls(request), request.headers.get("X-Twilio-Signature", "")
        channel = selectors.whatsapp_channel_for(params.get("To", ""))
        if channel is None:  # answered like a bad signature: the webhook does not tell which numbers are channels
            raise signature_refusal(urls=urls, params=params, signature=signature)
        account = TwilioAccount.of(channel.customer)
        if not signature_valid(account, urls=urls, params=params, signature=signature):
            raise signature_refusal()
        services.whatsapp_inbound(channel=channel, params=params)
        return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response/>', content_type="text/xml")


class TwilioWhatsAppStatusView(PublicApiView):
    """POST /api/Twilio/whatsapp/status: Twilio's delivery report for a message we sent (signed like the
    inbound webhook); a failed or undelivered message turns Failed with Twilio's error code."""

    throttle_classes = [ProviderCallbackThrottle]
    parser_classes = [FormParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={204: None})
    def post(self, request):
        params = {key: request.data.get(key) for key in request.data}
        urls, signature = request_public_urls(request), request.headers.get("X-Twilio-Signature", "")
        outbox = selectors.twilio_outbox_for(message_sid=params.get("MessageSid") or "")
        if outbox is None or outbox.channel is None:  # answered like a bad signature, as the inbound webhook
            raise signature_refusal(urls=urls, params=params, signature=signature)
        account = TwilioAccount.of(outbox.channel.customer)
        if not signature_valid(account, urls=urls, params=params, signature=signature):
            raise signature_refusal()
        services.whatsapp_status_record(
            outbox=outbox, status=params.get("MessageStatus", ""), error_code=params.get("ErrorCode") or ""
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- web chat -----------------------------------------------------------------------------------

WEBCHAT_MAX_BODY = 16 * 1024


class WebChatView(ChatChannelApiView):
    """Web chat keyed by the chat channel's public token, for pages on the channel's hostnames.

    POST /api/WebChat/{channelToken}/messages {ticketToken?, message, pageURL?, name?}: the visitor's
    line; continues the ticket of `ticketToken` (from createchatticket) or opens one.
    GET /api/WebChat/{channelToken}/messages?ticketToken=…&after={messageID}: the conversation's lines
    after the cursor (the representative's sent answers included)."""

    parser_classes = [LimitedJSONParser]

    @property
    def rate_setting(self) -> str:
        """A chatting person sends a few lines a minute (WEBCHAT_RATE); polling asks more (WEBCHAT_POLL_RATE)."""
        return "WEBCHAT_POLL_RATE" if self.request.method == "GET" else "WEBCHAT_RATE"

    @property
    def throttle_kind(self) -> str:
        return "poll" if self.request.method == "GET" else "post"

    def initial(self, request, *args, **kwargs):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > WEBCHAT_MAX_BODY:
            raise ApiError(413, "PayloadTooLarge", f"A chat request may be at most {WEBCHAT_MAX_BODY} bytes.")
        super().initial(request, *args, **kwargs)

    def _ticket(self, token) -> Ticket | None:
        return ticket_selectors.chat_ticket_by_token(channel=self.channel, token=token) if token else None

    @extend_schema(request=WebChatPostSerializer, responses={201: WebChatPostResultSerializer})
    def post(self, request, channelToken):
        body = WebChatPostSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message = services.webchat_post(
            channel=self.channel,
            ticket=self._ticket(data.get("ticketToken")),
            text=data["message"],
            page_url=data.get("pageURL", ""),
            name=data.get("name", ""),
        )
        result = {"ticketToken": message.ticket.token, "ticketID": message.ticket_id, "messageID": message.pk}
        return Response(WebChatPostResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("ticketToken", str, required=True), OpenApiParameter("after", int)],
        responses=WebChatMessagesSerializer,
    )
    def get(self, request, channelToken):
        token = request.query_params.get("ticketToken")
        if not token:
            raise ApiError(
                400, "ValidationFailed", "Give the conversation's ticketToken.", errors={"ticketToken": ["Required."]}
            )
        ticket = self._ticket(token)
        after = parse_id(request.query_params.get("after") or "0", name="after")
        items = ticket_selectors.chat_lines_after(ticket=ticket, after=after)
        cursor = items[-1].pk if items else after
        return Response({"items": WebChatMessageSerializer(items, many=True).data, "cursor": cursor})
