"""End Users routes: GET/POST /api/EndUsers, GET/PUT/DELETE /api/EndUsers/{id}, byUid, {id}/tickets,
and POST /api/EndUserUIDs/assign."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from answerpal.api.errors import field_error
from answerpal.api.pagination import page_with_window_count
from answerpal.api.policies import (
    RepToken,
)
from answerpal.api.viewsets import TenantApiView, TenantViewSet
from tickets import selectors, services
from tickets.api.serializers import (
    AssignUIDSerializer,
    EndUserReadSerializer,
    EndUserWriteSerializer,
    TicketReadSerializer,
)
from tickets.api.views.tickets import TicketViewSet


class EndUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """GET/POST /api/EndUsers, GET/PUT/DELETE /api/EndUsers/{id}, byUid, {id}/tickets."""

    paged_actions = ("tickets",)  # the schema shows its PagedResult

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
