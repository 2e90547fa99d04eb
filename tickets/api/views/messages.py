"""Ticket Messages routes of the conversation store (list, detail, create, create-new, PUT, delete,
attachments, topics, correct-topics, escalate-by-id) and /api/TicketMessageTopics; the AI, send and
execute routes under the same prefix are registered by the ai, messaging and automation apps."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from answerpal.api.errors import field_error
from answerpal.api.filters import query_id
from answerpal.api.parsers import LimitedJSONParser
from answerpal.api.policies import (
    TicketAccess,
    TicketAccessOrPhoneAuth,
    TicketCreateFromPhone,
    ensure_channel_access,
)
from answerpal.api.viewsets import TenantApiView, TenantViewSet
from audit.models import AuditAction
from audit.services import audit_record
from channels_cfg import selectors as channel_selectors
from customers.selectors import custom_fields_list
from tickets import selectors, services
from tickets.api.serializers import (
    AddTopicSerializer,
    AttachmentUploadSerializer,
    CorrectTopicsSerializer,
    EscalateSerializer,
    MessageDraftSerializer,
    MessagePromptSerializer,
    MessageResultSerializer,
    RemoveTopicSerializer,
    TicketMessageAttachmentSerializer,
    TicketMessageCreateSerializer,
    TicketMessageDetailSerializer,
    TicketMessageReadSerializer,
    TicketMessageTopicSerializer,
    TicketMessageUpdateSerializer,
)
from tickets.models import TicketMessage

_MESSAGE_POLICIES = {
    "retrieve": TicketAccessOrPhoneAuth,
    "update": TicketAccessOrPhoneAuth,
    "create": TicketCreateFromPhone,
    "create_new": TicketCreateFromPhone,
}


def _custom_field_definitions(customer_id: int) -> list[dict]:
    return [
        {
            "customFieldDefinitionID": row.pk,
            "fieldName": row.field_name,
            "fieldType": row.field_type,
            "displayName": row.display_name,
            "description": row.description,
            "order": row.order,
            "options": row.options,
        }
        for row in custom_fields_list(customer_id=customer_id)
    ]


class TicketMessageViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """Ticket Messages routes of the conversation store; the AI, send and execute routes under the
    same prefix are registered by the ai, messaging and automation apps."""

    queryset = TicketMessage.objects.all()
    serializer_class = TicketMessageReadSerializer
    parser_classes = [LimitedJSONParser, MultiPartParser]
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "delete"]
    sort_fields = {"dateCreated": "created_at", "messageDate": "message_date", "messageID": "id"}
    default_sort = "dateCreated"
    default_page_size = 50

    policy = TicketAccess
    policies = _MESSAGE_POLICIES

    def scope_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = selectors.message_detail_queryset()
        elif self.action == "list":
            queryset = selectors.messages_list_queryset()
        if self.request.auth.is_phone:
            queryset = queryset.filter(ticket__channel_id=self.request.auth.channel_id)
        return queryset

    @extend_schema(
        parameters=[OpenApiParameter("ticketId", int, required=True)], responses=TicketMessageReadSerializer(many=True)
    )
    def list(self, request):
        ticket_id = query_id(request, "ticketId")
        if ticket_id is None:
            raise field_error("ticketId", "Give the ticket whose messages to list (ticketId).")
        if selectors.ticket_of_customer(customer_id=self.customer_id, ticket_id=ticket_id) is None:
            raise NotFound("No ticket with this id.")
        queryset = self.filter_queryset(self.get_queryset()).filter(ticket_id=ticket_id)
        page = self.paginate_queryset(queryset)
        audit_record(
            customer_id=self.customer_id,
            action=AuditAction.TICKET_MESSAGES_READ,
            object_type="Ticket",
            object_id=ticket_id,
            detail={"messageIDs": [message.pk for message in page]},
            request=request,
        )
        return self.get_paginated_response(TicketMessageReadSerializer(page, many=True).data)

    def _detail(self, message_id: int) -> dict:
        message = selectors.message_detail_queryset().get(pk=message_id)
        context = {"custom_field_definitions": _custom_field_definitions(self.customer_id)}
        return TicketMessageDetailSerializer(message, context=context).data

    @extend_schema(responses=TicketMessageDetailSerializer)
    def retrieve(self, request, pk=None):
        message = self.get_object()
        context = {"custom_field_definitions": _custom_field_definitions(self.customer_id)}
        audit_record(
            customer_id=self.customer_id,
            action=AuditAction.TICKET_MESSAGE_READ,
            object_type="TicketMessage",
            object_id=message.pk,
            detail={"ticketID": message.ticket_id},
            request=request,
        )
        return Response(TicketMessageDetailSerializer(message, context=context).data)

    @extend_schema(request=TicketMessageCreateSerializer, responses={201: TicketMessageDetailSerializer})
    def create(self, request):
        """A message in an existing ticket (ticketID required)."""
        return self._create(request, require_ticket=True)

    @extend_schema(request=TicketMessageCreateSerializer, responses={201: TicketMessageDetailSerializer})
    @action(detail=False, methods=["post"], url_path="create-new")
    def create_new(self, request):
        """A message, creating its ticket (and the end user, by UID) when no ticketID is given."""
        return self._create(request, require_ticket=False)

    def _create(self, request, *, require_ticket: bool) -> Response:
        body = TicketMessageCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        ticket_id = data.pop("ticketID", None)
        channel = data.pop("channel_obj", None)
        channel_type = data.pop("channel", "") or (channel.channel_type if channel else "")
        ticket = None
        if ticket_id:
            ticket = selectors.ticket_of_customer(customer_id=self.customer_id, ticket_id=ticket_id)
            if ticket is None:
                raise field_error("ticketID", f"No ticket with id {ticket_id} exists.")
        elif require_ticket:
            raise field_error("ticketID", "ticketID is required; use create-new to start a ticket.")
        channel_id = channel.pk if channel else (ticket.channel_id if ticket else None)
        if request.auth.is_phone:
            channel_id = channel_id or request.auth.channel_id
            ensure_channel_access(request, channel_id)
            if ticket is not None:
                ensure_channel_access(request, ticket.channel_id)
        if ticket is None and channel_id and channel is None:  # the phone token's channel decides the type
            channel_type = (
                channel_selectors.channels_live().filter(pk=channel_id).values_list("channel_type", flat=True).first()
            )
        if ticket is None and not channel_type:
            raise field_error("channel", "Give channel or channelID for a new ticket.")
        incoming = data.pop("incoming")
        uid = data.pop("uid", "") or ((data.get("from_address") or data.get("from_number") or "") if incoming else "")
        message = services.message_create(
            customer_id=self.customer_id,
            ticket=ticket,
            channel_id=channel_id,
            channel_type=channel_type or (ticket.channel_type if ticket else ""),
            incoming=incoming,
            sender_type=data.pop("sender_type", None),
            uid=uid,
            customer_rep_id=request.auth.rep_id,
            fields=data,
        )
        return Response(self._detail(message.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=TicketMessageUpdateSerializer, responses=TicketMessageDetailSerializer)
    def update(self, request, pk=None):
        message = self.get_object()
        if request.auth.is_phone:
            ensure_channel_access(request, message.channel_id or message.ticket.channel_id)
        context = {**self.get_serializer_context(), "message": message}
        body = TicketMessageUpdateSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        changes.pop("messageID", None)
        services.message_update(message=message, changes=changes)
        return Response(self._detail(message.pk))

    def perform_destroy(self, instance):
        services.message_delete(message=instance)

    @extend_schema(responses=MessageDraftSerializer)
    @action(detail=True, methods=["get"], url_path="draft")
    def draft(self, request, pk=None):
        """The reply being prepared: the representative's edit, else the AI's draft."""
        return Response(MessageDraftSerializer(self.get_object()).data)

    @extend_schema(responses=MessagePromptSerializer)
    @action(detail=True, methods=["get"], url_path="prompt")
    def prompt(self, request, pk=None):
        """The prompt the AI was given for this message."""
        return Response(MessagePromptSerializer(self.get_object()).data)

    @extend_schema(methods=["get"], responses=TicketMessageAttachmentSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: TicketMessageAttachmentSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="attachments", pagination_class=None)
    def attachments(self, request, pk=None):
        """GET: the message's attachments (metadata and download token, no bytes). POST: upload `file`
        (multipart, at most 50 MB; the type is sniffed from the bytes)."""
        message = self.get_object()
        if request.method == "GET":
            rows = selectors.message_attachments(message=message)
            return Response(TicketMessageAttachmentSerializer(rows, many=True, context={"request": request}).data)
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        end_user_provided = body.validated_data["isEndUserProvided"]
        attachment = services.attachment_store(
            message=message,
            content=upload,
            file_name=upload.name,
            content_type=getattr(upload, "content_type", "") or "",
            is_end_user_provided=end_user_provided,
            is_customer_rep_provided=not end_user_provided,
        )
        data = TicketMessageAttachmentSerializer(attachment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def attachment_delete(self, request, pk=None, attachment_id=None):
        message = self.get_object()
        attachment = get_object_or_404(selectors.message_attachments(message=message), pk=attachment_id)
        services.attachment_delete(attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CorrectTopicsSerializer, responses=TicketMessageTopicSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="correct-topics")
    def correct_topics(self, request, pk=None):
        """Replaces the message's topics; every resulting topic is marked corrected by the caller."""
        message = self.get_object()
        body = CorrectTopicsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        topic_ids = sorted(set(body.validated_data["topicIds"]))
        known = selectors.topic_ids_of_customer(customer_id=self.customer_id, topic_ids=topic_ids)
        missing = [topic_id for topic_id in topic_ids if topic_id not in known]
        if missing:
            raise field_error("topicIds", f"No topics with ids {missing} exist.")
        services.message_topics_correct(message=message, topic_ids=topic_ids, rep_id=request.auth.rep_id)
        rows = selectors.message_topics(message=message)
        return Response(TicketMessageTopicSerializer(rows, many=True).data)

    @extend_schema(request=EscalateSerializer, responses=MessageResultSerializer)
    @action(detail=True, methods=["post"], url_path="escalate-by-id")
    def escalate_by_id(self, request, pk=None):
        """A representative escalates the message (and its ticket), optionally with a comment."""
        message = self.get_object()
        body = EscalateSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        services.message_escalate(message=message, comment=body.validated_data["aI_FeedbackComment"])
        return Response({"message": "The conversation was escalated."})


class TicketMessageTopicsView(TenantApiView):
    """POST /api/TicketMessageTopics adds a topic to a message; DELETE (JSON body) removes one."""

    policy = TicketAccess

    @extend_schema(request=AddTopicSerializer, responses={201: TicketMessageTopicSerializer})
    def post(self, request):
        body = AddTopicSerializer(data=request.data, context={"customer_id": self.customer_id})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.message_topic_add(message=data["message"], topic_id=data["topicID"], rep_id=request.auth.rep_id)
        row = selectors.message_topics(message=row.message).get(pk=row.pk)
        return Response(TicketMessageTopicSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RemoveTopicSerializer, responses={204: None})
    def delete(self, request):
        body = RemoveTopicSerializer(data=request.data, context={"customer_id": self.customer_id})
        body.is_valid(raise_exception=True)
        services.message_topic_remove(message_topic=body.validated_data["message_topic"])
        return Response(status=status.HTTP_204_NO_CONTENT)
