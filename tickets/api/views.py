"""End Users, Tickets and Ticket Messages routes, plus the token-keyed public routes (web chat,
file download, escalation, feedback, open tracking). Who may assign and delete: tickets.access."""

from types import SimpleNamespace
from urllib.parse import urlsplit

import jsonpatch
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from answerpal.api.errors import ApiError, field_error
from answerpal.api.pagination import page_with_window_count
from answerpal.api.policies import (
    RepToken,
    TicketAccess,
    TicketAccessOrPhoneAuth,
    TicketCreateFromPhone,
    ensure_channel_access,
)
from answerpal.api.search import TextSearchFilter
from answerpal.api.sorting import SortFilter
from answerpal.api.throttling import PublicRateThrottle
from answerpal.api.viewsets import PublicApiView, TenantApiView, TenantViewSet
from channels_cfg import selectors as channel_selectors
from channels_cfg.hostnames import page_host
from customers.selectors import custom_fields_list
from tickets import access, listing, selectors, services
from tickets.api.serializers import (
    AddTopicSerializer,
    AssignUIDSerializer,
    AttachmentUploadSerializer,
    ChatTicketCreateSerializer,
    ChatTicketSerializer,
    CorrectTopicsSerializer,
    EndUserReadSerializer,
    EndUserWriteSerializer,
    EscalateSerializer,
    LikeDislikeResponseSerializer,
    LikeDislikeSerializer,
    MessageDraftSerializer,
    MessagePromptSerializer,
    MessageResultSerializer,
    RemoveTopicSerializer,
    TicketBulkSerializer,
    TicketMessageAttachmentSerializer,
    TicketMessageCreateSerializer,
    TicketMessageDetailSerializer,
    TicketMessageReadSerializer,
    TicketMessageTopicSerializer,
    TicketMessageUpdateSerializer,
    TicketReadSerializer,
    TicketWriteSerializer,
)
from tickets.filters import SparseFilterBackend, TicketFilterSet
from tickets.models import Ticket, TicketMessage

# --- end users ----------------------------------------------------------------------------------


class EndUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """GET/POST /api/EndUsers, GET/PUT/DELETE /api/EndUsers/{id}, byUid, {id}/tickets."""

    queryset = selectors.end_users_queryset()
    serializer_class = EndUserReadSerializer
    policy = RepToken
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "delete"]
    search_fields = ["firstname", "lastname", "customer_ref", "company", "uids__uid"]
    sort_fields = {
        "lastname": "lastname",
        "firstname": "firstname",
        "name": "lastname",
        "endUserID": "id",
        "customerRef": "customer_ref",
        "customerType": "customer_type",
        "company": "company",
        "city": "city",
        "country": "country",
    }
    default_sort = "lastname"

    @extend_schema(request=EndUserWriteSerializer, responses={201: EndUserReadSerializer})
    def create(self, request):
        body = EndUserWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        end_user = services.end_user_create(customer_id=self.customer_id, profile=values, uids=values.pop("uids", []))
        return Response(self._read(end_user.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=EndUserWriteSerializer, responses=EndUserReadSerializer)
    def update(self, request, pk=None):
        end_user = self.get_object()
        body = EndUserWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        services.end_user_update(end_user=end_user, profile=values, uids=values.pop("uids", None))
        return Response(self._read(end_user.pk))

    def perform_destroy(self, instance):
        services.end_user_delete(end_user=instance)

    def _read(self, pk: int) -> dict:
        return EndUserReadSerializer(selectors.end_users_queryset().get(pk=pk)).data

    def page_with_total(self, queryset, offset: int, limit: int):
        """A person's tickets are few (customer-led end-user and UID indexes): page and total in one query."""
        return page_with_window_count(queryset, offset, limit) if self.action == "tickets" else None

    @extend_schema(
        parameters=[OpenApiParameter("uid", str, description="UID or customerRef (trimmed)")],
        responses=EndUserReadSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="byUid", pagination_class=None)
    def by_uid(self, request):
        """GET /api/EndUsers/byUid?uid=: end users holding the UID or with it as customerRef (un-paged array)."""
        return self._by_uid(request.query_params.get("uid"))

    @extend_schema(operation_id="EndUsers_byUid_path", responses=EndUserReadSerializer(many=True))
    @action(detail=False, methods=["get"], url_path=r"byUid/(?P<uid>[^/]+)", pagination_class=None)
    def by_uid_path(self, request, uid=None):
        """GET /api/EndUsers/byUid/{uid}: the front-end's older path form of byUid."""
        return self._by_uid(uid)

    def _by_uid(self, uid: str | None) -> Response:
        value = (uid or "").strip()
        if not value:
            raise field_error("uid", "Give the UID to look for.")
        rows = selectors.end_users_by_uid(customer_id=self.customer_id, uid=value).order_by("id")[:100]
        return Response(EndUserReadSerializer(rows, many=True).data)

    @extend_schema(responses=TicketReadSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="tickets")
    def tickets(self, request, pk=None):
        """The person's tickets (its UIDs and customerRef), with the ticket list's filters, sorting and paging."""
        end_user = self.get_object()
        queryset = selectors.end_user_ticket_rows(end_user=end_user)
        queryset = TicketViewSet.filter_like_list(request, queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TicketReadSerializer(page, many=True).data)


class EndUserUIDAssignView(TenantApiView):
    """POST /api/EndUserUIDs/assign: attach one more UID to an end user (409 DuplicateUid if taken)."""

    policy = RepToken

    @extend_schema(request=AssignUIDSerializer, responses=EndUserReadSerializer)
    def post(self, request):
        body = AssignUIDSerializer(data=request.data, context={"customer_id": self.customer_id})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.end_user_uid_assign(
            end_user=data["end_user"], uid=data["uid"], uid_type=data.get("uid_type"), is_primary=data["is_primary"]
        )
        return Response(EndUserReadSerializer(selectors.end_users_queryset().get(pk=data["end_user"].pk)).data)


# --- tickets ------------------------------------------------------------------------------------


class JSONPatchParser(JSONParser):
    media_type = "application/json-patch+json"


_PATCH_PATHS = {
    "customerrepid": "customerRepID",
    "status": "status",
    "subject": "subject",
    "escalated": "escalated",
    "isspam": "isSpam",
    "isclosed": "isClosed",
    "closedate": "closeDate",
    "channeltype": "channelType",
    "channel": "channelType",
    "channelid": "channelID",
    "uid": "uid",
    "preview": "preview",
    "summary": "summary",
    "twilio_callsid": "twilio_CallSid",
}
_CHANNEL_PATCH_FIELDS = frozenset({"channelType", "channelID"})

_TICKET_POLICIES = {
    "create": TicketCreateFromPhone,
    "partial_update": TicketAccessOrPhoneAuth,
    "history_summary": TicketAccessOrPhoneAuth,
}


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The 11 Tickets routes but createchatticket (a public view below). See the module docstring for roles.

    totalCount: when the list is filtered by status/isSpam/isClosed only (or not at all), the exact count
    comes from TicketCounter (a handful of rows kept by tickets.services); any other filter counts on the
    customer-led indexes, and `search` (subject or UID, case-insensitive substring) on the trigram GIN
    indexes of migration 0002 (PostgreSQL; a plain scan on SQLite). With `search`, `uid` or `endUserId` (few
    matches) the page and its total come from one query (window count); a search that turns out broad is counted
    once per TicketSearchVersion and its total cached (tickets.listing). Rows are read with values() and
    rendered from one DTO mapping: 5 queries per page (auth, count or search version, page, end users + UIDs,
    topics), 4 when selective."""

    queryset = Ticket.objects.all()
    serializer_class = TicketReadSerializer
    filterset_class = TicketFilterSet
    filter_backends = [SparseFilterBackend, SortFilter, TextSearchFilter]
    parser_classes = [JSONParser, JSONPatchParser]
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "delete"]
    search_fields = ["subject", "uid"]
    sort_fields = {
        "lastMessageDate": "last_message_at",
        "dateCreated": "created_at",
        "closeDate": "close_date",
        "status": "status",
        "subject": "subject",
        "ticketID": "id",
        "customerRepID": "customer_rep_id",
        "channel": "channel_type",
    }
    default_sort = "lastMessageDate"
    default_sort_order = "desc"

    policy = TicketAccess
    policies = _TICKET_POLICIES

    def scope_queryset(self, queryset):
        if self.action in ("list", "retrieve"):
            queryset = selectors.all_ticket_rows()  # ticket_rows(queryset); `queryset` is all tickets here
        if self.request.auth.is_phone:
            return queryset.filter(channel_id=self.request.auth.channel_id)
        return queryset

    def count_queryset(self, queryset):
        if self.action != "list":
            return queryset.count()
        return listing.ticket_list_count(
            queryset=queryset,
            customer_id=self.customer_id,
            query_params=self.request.query_params,
            filters=getattr(self.request, "ticket_filters", {}),
            is_phone=self.request.auth.is_phone,
        )

    def page_with_total(self, queryset, offset: int, limit: int):
        if self.action != "list":
            return None
        return listing.ticket_list_page(
            queryset=queryset,
            offset=offset,
            limit=limit,
            customer_id=self.customer_id,
            channel_id=self.request.auth.channel_id,
            query_params=self.request.query_params,
            terms=TextSearchFilter().get_search_terms(self.request),
        )

    @classmethod
    def filter_like_list(cls, request, queryset):
        """The list's filters, search and sorting applied to another ticket queryset (end user's tickets)."""
        filterset = TicketFilterSet(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        view = SimpleNamespace(
            action="list",
            sort_fields=cls.sort_fields,
            default_sort=cls.default_sort,
            default_sort_order=cls.default_sort_order,
            search_fields=cls.search_fields,
        )
        queryset = TextSearchFilter().filter_queryset(request, filterset.qs, view)
        return SortFilter().filter_queryset(request, queryset, view)

    def _read(self, ticket_id: int) -> dict:
        return TicketReadSerializer(selectors.ticket_row(ticket_id=ticket_id)).data

    @extend_schema(request=TicketWriteSerializer, responses={201: TicketReadSerializer})
    def create(self, request):
        body = TicketWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        changes = body.to_changes()
        if request.auth.is_phone:
            ensure_channel_access(request, changes.get("channel_id") or request.auth.channel_id)
            if not changes.get("channel_id"):  # the token's channel, with its type
                channel_id = request.auth.channel_id
                changes.update(
                    channel_id=channel_id, channel_type=channel_selectors.channel_type_of(channel_id=channel_id)
                )
        access.assignment_check(caller=request.auth, current_rep_id=None, new_rep_id=changes.get("customer_rep_id"))
        changes.pop("is_closed", None)
        ticket = services.ticket_create(customer_id=self.customer_id, **changes)
        return Response(self._read(ticket.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=TicketWriteSerializer, responses=TicketReadSerializer)
    def update(self, request, pk=None):
        ticket = self.get_object()
        body = TicketWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self._apply(request, ticket, body.to_changes())

    @extend_schema(
        request=inline_serializer(
            "JsonPatchOperation",
            {
                "op": serializers.ChoiceField(["add", "remove", "replace", "test", "copy", "move"]),
                "path": serializers.CharField(),
                "value": serializers.JSONField(required=False),
                "from": serializers.CharField(required=False),
            },
            many=True,
        ),
        responses=TicketReadSerializer,
    )
    def partial_update(self, request, pk=None):
        """RFC 6902 JSON Patch on the TicketWriteDTO; only whitelisted paths (400 PatchPathNotAllowed)."""
        ticket = self.get_object()
        operations = request.data
        if not isinstance(operations, list) or not all(isinstance(item, dict) for item in operations):
            raise ApiError(400, "InvalidPatch", "The body must be a JSON Patch document (an array of operations).")
        touched = set()
        for operation in operations:
            for key in ("path", "from"):
                if key in operation:
                    touched.add(self._patch_field(operation[key]))
        if request.auth.is_phone and touched & _CHANNEL_PATCH_FIELDS:
            raise ApiError(403, "PhoneChannelMismatch", "A phone token cannot move a ticket to another channel.")
        document = self._write_document(ticket)
        normalised = [
            {**item, **{key: "/" + self._patch_field(item[key]) for key in ("path", "from") if key in item}}
            for item in operations
        ]
        try:
            patched = jsonpatch.apply_patch(document, normalised)
        except jsonpatch.JsonPatchTestFailed as error:
            raise ApiError(409, "PatchTestFailed", str(error)) from error
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as error:
            raise ApiError(400, "InvalidPatch", str(error)) from error
        body = TicketWriteSerializer(data=patched, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        changes = {key: value for key, value in body.to_changes().items() if self._changed(ticket, key, value)}
        return self._apply(request, ticket, changes)

    @staticmethod
    def _patch_field(path) -> str:
        name = _PATCH_PATHS.get(str(path).strip("/").lower())
        if name is None:
            allowed = ", ".join(sorted({"/" + value for value in _PATCH_PATHS.values()}))
            raise ApiError(400, "PatchPathNotAllowed", f"'{path}' cannot be patched; allowed paths: {allowed}.")
        return name

    @staticmethod
    def _write_document(ticket: Ticket) -> dict:
        return {
            "customerRepID": ticket.customer_rep_id,
            "status": ticket.status,
            "subject": ticket.subject,
            "escalated": ticket.escalated,
            "isSpam": ticket.is_spam,
            "isClosed": ticket.is_closed,
            "closeDate": ticket.close_date.isoformat() if ticket.close_date else None,
            "channelType": ticket.channel_type,
            "channelID": ticket.channel_id,
            "uid": ticket.uid,
            "preview": ticket.preview,
            "summary": ticket.summary,
            "twilio_CallSid": ticket.twilio_call_sid,
        }

    @staticmethod
    def _changed(ticket: Ticket, key: str, value) -> bool:
        return key != "close_date" and getattr(ticket, key, None) != value

    def _apply(self, request, ticket: Ticket, changes: dict) -> Response:
        if "customer_rep_id" in changes:
            access.assignment_check(
                caller=request.auth, current_rep_id=ticket.customer_rep_id, new_rep_id=changes["customer_rep_id"]
            )
        services.ticket_update(ticket=ticket, changes=changes)
        return Response(self._read(ticket.pk))

    def destroy(self, request, pk=None):
        ticket = self.get_object()
        access.delete_check(caller=request.auth, ticket=ticket)
        services.ticket_delete(ticket=ticket)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=TicketBulkSerializer,
        responses=inline_serializer(
            "BulkUpdateResult", {"action": serializers.CharField(), "updated": serializers.IntegerField()}
        ),
    )
    @action(detail=False, methods=["put"], url_path="bulk")
    def bulk(self, request):
        """close, reopen, assign (customerRepID 0 = unassign), spam, notspam, and the actions other apps
        register in tickets.registry (learnTopics, executeActions: 400 BulkActionUnavailable until then)."""
        body = TicketBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        name, rep_id = data["action"], data.get("customerRepID")
        ticket_ids = data["ticketIDs"]
        if name.lower() == "assign" and rep_id is not None:
            access.bulk_assignment_check(caller=request.auth, ticket_ids=ticket_ids, rep_id=rep_id)
        updated = services.tickets_bulk_update(
            customer_id=self.customer_id,
            ticket_ids=ticket_ids,
            action=name,
            customer_rep_id=rep_id if name.lower() == "assign" else request.auth.rep_id,
        )
        return Response({"action": name, "updated": updated})

    @extend_schema(request=None, responses=TicketReadSerializer)
    @action(detail=True, methods=["put"], url_path="assign")
    def assign(self, request, pk=None):
        """Assigns the ticket to the calling representative."""
        ticket = self.get_object()
        if request.auth.rep_id is None:
            raise ApiError(400, "NoRepresentative", "This token does not belong to a representative.")
        access.assignment_check(
            caller=request.auth, current_rep_id=ticket.customer_rep_id, new_rep_id=request.auth.rep_id
        )
        services.ticket_assign(ticket=ticket, customer_rep_id=request.auth.rep_id)
        return Response(self._read(ticket.pk))

    @extend_schema(responses={(200, "audio/mpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="play")
    def play(self, request, pk=None):
        """The phone ticket's call recording (stored by the voice app) with its type and byte ranges."""
        from tickets.api.files import stored_file_response  # files.py imports this module

        recording = selectors.ticket_recording(ticket=self.get_object())
        if recording is None:
            raise ApiError(404, "RecordingNotFound", "No call recording is stored for this ticket.")
        return stored_file_response(
            request, file=recording.file, content_type=recording.content_type, file_name=recording.file_name
        )

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="history-summary")
    def history_summary(self, request, pk=None):
        """Plain text: the end user's earlier tickets (same UID or end user), newest first."""
        ticket = self.get_object()
        return HttpResponse(selectors.ticket_history_summary(ticket=ticket), content_type="text/plain; charset=utf-8")


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


# --- ticket messages ----------------------------------------------------------------------------

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
    parser_classes = [JSONParser, MultiPartParser]
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
        raw = request.query_params.get("ticketId")
        if not raw or not raw.isdigit():
            raise field_error("ticketId", "Give the ticket whose messages to list (ticketId).")
        if selectors.ticket_of_customer(customer_id=self.customer_id, ticket_id=int(raw)) is None:
            raise NotFound("No ticket with this id.")
        queryset = self.filter_queryset(self.get_queryset()).filter(ticket_id=int(raw))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TicketMessageReadSerializer(page, many=True).data)

    def _detail(self, message_id: int) -> dict:
        message = selectors.message_detail_queryset().get(pk=message_id)
        context = {"custom_field_definitions": _custom_field_definitions(self.customer_id)}
        return TicketMessageDetailSerializer(message, context=context).data

    @extend_schema(responses=TicketMessageDetailSerializer)
    def retrieve(self, request, pk=None):
        message = self.get_object()
        context = {"custom_field_definitions": _custom_field_definitions(self.customer_id)}
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


# --- public, token-keyed routes -----------------------------------------------------------------


class TicketTokenEscalateView(PublicApiView):
    """POST /api/TicketMessages/{ticketToken}/escalate: the web-chat end user asks for a human."""

    @extend_schema(request=EscalateSerializer, responses=MessageResultSerializer)
    def post(self, request, ticket_token):
        ticket = selectors.ticket_by_public_token(token=ticket_token)
        if ticket is None:
            raise NotFound("No conversation has this ticket token.")
        body = EscalateSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        comment = body.validated_data["aI_FeedbackComment"]
        message = selectors.latest_end_user_message(ticket=ticket)
        if message is not None:
            services.message_escalate(message=message, comment=comment)
        else:
            services.ticket_escalate(ticket=ticket, comment=comment)
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
        answer = selectors.latest_ai_answer(ticket=ticket)
        if answer is not None:
            services.message_feedback(message=answer, like=query.validated_data["like"])
        rep = ticket.customer_rep or ticket.customer.default_customer_rep
        available = rep is not None and rep.is_active and rep.deleted_at is None
        return Response({"agentAvailable": available, "customerRepName": str(rep) if available else ""})


class PublicAssetThrottle(PublicRateThrottle):
    """Files and tracking pixels are embedded in pages and mails: a higher per-address budget."""

    scope = "public-asset"
    rate = "600/min"


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
