"""Tickets routes (list, detail, create, PUT, RFC 6902 PATCH, delete, bulk, assign, play, history
summary). Who may assign and delete: tickets.access; how the list pages and counts: tickets.listing."""

from types import SimpleNamespace

import jsonpatch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from answerpal.api.downloads import stored_file_response
from answerpal.api.errors import ApiError
from answerpal.api.fields import LimitedJSONField
from answerpal.api.parsers import LimitedJSONParser, LimitedJSONPatchParser
from answerpal.api.policies import (
    ManageSettings,
    TicketAccess,
    TicketAccessOrPhoneAuth,
    TicketCreateFromPhone,
    ensure_channel_access,
)
from answerpal.api.search import TextSearchFilter
from answerpal.api.sorting import SortFilter
from answerpal.api.viewsets import TenantViewSet
from audit.models import AuditAction
from audit.services import audit_record
from channels_cfg import selectors as channel_selectors
from tickets import access, listing, selectors, services
from tickets.api.serializers import (
    TicketBulkSerializer,
    TicketLegalHoldSerializer,
    TicketReadSerializer,
    TicketWriteSerializer,
)
from tickets.filters import SparseFilterBackend, TicketFilterSet
from tickets.models import Ticket

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
    "legal_hold": ManageSettings,
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
    parser_classes = [LimitedJSONParser, LimitedJSONPatchParser]
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

    def retrieve(self, request, *args, **kwargs):
        """The ticket; each read is an audit entry (TicketRead)."""
        response = super().retrieve(request, *args, **kwargs)
        audit_record(
            customer_id=self.customer_id,
            action=AuditAction.TICKET_READ,
            object_type="Ticket",
            object_id=response.data["ticketID"],
            request=request,
        )
        return response

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
                "value": LimitedJSONField(required=False),
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

    @extend_schema(request=TicketLegalHoldSerializer, responses=TicketReadSerializer)
    @action(detail=True, methods=["put"], url_path="legalHold")
    def legal_hold(self, request, pk=None):
        """Sets or clears the ticket's legal hold (Administrators): a held ticket is kept from erasure and retention."""
        ticket = self.get_object()
        body = TicketLegalHoldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.ticket_legal_hold_set(ticket=ticket, legal_hold=body.validated_data["legal_hold"])
        return Response(self._read(ticket.pk))

    @extend_schema(responses={(200, "audio/mpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="play")
    def play(self, request, pk=None):
        """The phone ticket's call recording (stored by the voice app) with its type and byte ranges."""

        ticket = self.get_object()
        recording = selectors.ticket_recording(ticket=ticket)
        if recording is None:
            raise ApiError(404, "RecordingNotFound", "No call recording is stored for this ticket.")
        audit_record(
            customer_id=self.customer_id,
            action=AuditAction.RECORDING_PLAYED,
            object_type="Ticket",
            object_id=ticket.pk,
            detail={"range": request.headers.get("Range", "")[:100]},
            request=request,
        )
        return stored_file_response(
            request, file=recording.file, content_type=recording.content_type, file_name=recording.file_name
        )

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="history-summary")
    def history_summary(self, request, pk=None):
        """Plain text: the end user's earlier tickets (same UID or end user), newest first."""
        ticket = self.get_object()
        return HttpResponse(selectors.ticket_history_summary(ticket=ticket), content_type="text/plain; charset=utf-8")
