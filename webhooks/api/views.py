"""WebhookEndpoints (CRUD, rotate-secret, test, deliveries, delivery retry) and WebhookEventTypes; ManageSettings."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from answerpal.api.errors import ApiError, Conflict
from answerpal.api.policies import ManageSettings
from answerpal.api.viewsets import TenantApiView, TenantModelViewSet
from webhooks import selectors, services
from webhooks.api.serializers import (
    SecretRotatedSerializer,
    SecretRotateSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookEventTypeSerializer,
)
from webhooks.catalogue import EVENT_TYPES
from webhooks.filters import (
    DELIVERY_STATUS_NAMES,
    EVENT_TYPE_CHOICES,
    WebhookDeliveryFilterSet,
    WebhookEndpointFilterSet,
)
from webhooks.models import WebhookEndpoint

DELIVERY_PARAMETERS = [
    OpenApiParameter(
        "status", OpenApiTypes.STR, many=True, enum=list(DELIVERY_STATUS_NAMES.values()), description="Repeatable."
    ),
    OpenApiParameter("eventType", OpenApiTypes.STR, enum=[name for name, _ in EVENT_TYPE_CHOICES]),
    OpenApiParameter("pageNumber", OpenApiTypes.INT),
    OpenApiParameter("pageSize", OpenApiTypes.INT),
]


class WebhookEndpointViewSet(mixins.UpdateModelMixin, TenantModelViewSet):
    """A tenant's signed-webhook endpoints; the secret is shown once, on create and on rotate-secret."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilterSet
    lookup_value_regex = "[0-9]+"
    sort_fields = {"webhookEndpointID": "id", "url": "url", "dateCreated": "created_at"}
    default_sort = "webhookEndpointID"
    search_fields = ["url", "description"]
    policy = ManageSettings

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(customer_id=self.customer_id, **serializer.validated_data)
        body = WebhookEndpointCreatedSerializer(endpoint, context={**self.get_serializer_context(), "secret": secret})
        return Response(body.data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.endpoint_update(endpoint=serializer.instance, changes=serializer.validated_data)

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance)

    @extend_schema(request=SecretRotateSerializer, responses=SecretRotatedSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret (shown once); the old one keeps signing beside it for overlapSeconds."""
        endpoint = self.get_object()
        body = SecretRotateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_secret_rotate(
            endpoint=endpoint, overlap_seconds=body.validated_data.get("overlapSeconds")
        )
        return Response(SecretRotatedSerializer(endpoint, context={"secret": secret}).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], url_path="test")
    def test(self, request, pk=None):
        """Queues a signed `webhook.test` event for this endpoint; its delivery shows in the log."""
        delivery = services.endpoint_test_send(endpoint=self.get_object())
        delivery = selectors.delivery_get(delivery_id=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=DELIVERY_PARAMETERS, responses=WebhookDeliverySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], url_path="deliveries", filter_backends=[])
    def deliveries(self, request, pk=None):
        """The delivery log: each event's state, next attempt and attempts (status code, duration, error)."""
        endpoint = self.get_object()
        filterset = WebhookDeliveryFilterSet(
            request.query_params, queryset=selectors.endpoint_deliveries(endpoint=endpoint), request=request
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/retry",
        filter_backends=[],
    )
    def delivery_retry(self, request, pk=None, delivery_id=None):
        """Re-queues a Failed delivery now (409 WebhookDeliveryNotFailed otherwise)."""
        endpoint = self.get_object()
        delivery = selectors.endpoint_delivery_get(endpoint=endpoint, delivery_id=int(delivery_id))
        if delivery is None:
            raise ApiError(404, "NotFound", "This endpoint has no such delivery.")
        if not services.delivery_retry(delivery=delivery):
            raise Conflict("WebhookDeliveryNotFailed", "Only a Failed delivery can be retried.")
        return Response(WebhookDeliverySerializer(selectors.delivery_get(delivery_id=delivery.pk)).data)


class WebhookEventTypeView(TenantApiView):
    """GET /api/WebhookEventTypes: the event types an endpoint can subscribe to."""

    policy = ManageSettings

    @extend_schema(responses=WebhookEventTypeSerializer(many=True))
    def get(self, request):
        return Response(WebhookEventTypeSerializer(EVENT_TYPES.values(), many=True).data)
