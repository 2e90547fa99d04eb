"""Webhook endpoint, secret and delivery DTOs (camelCase like the rest of the API)."""

from rest_framework import serializers

from webhooks.catalogue import EVENT_TYPES
from webhooks.filters import DELIVERY_STATUS_NAMES
from webhooks.models import WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """An endpoint as read and written; the secret never appears here (only on create and rotate)."""

    webhookEndpointID = serializers.IntegerField(source="id", read_only=True)
    url = serializers.URLField(max_length=1000)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    enabled = serializers.BooleanField(default=True)
    eventTypes = serializers.ListField(
        source="event_types",
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)),
        allow_empty=False,
        max_length=len(EVENT_TYPES),
    )
    secretRotatedAt = serializers.DateTimeField(source="secret_rotated_at", read_only=True)
    previousSecretExpiresAt = serializers.DateTimeField(source="previous_secret_expires_at", read_only=True)
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    dateUpdated = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "webhookEndpointID",
            "url",
            "description",
            "enabled",
            "eventTypes",
            "secretRotatedAt",
            "previousSecretExpiresAt",
            "dateCreated",
            "dateUpdated",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The create answer: the endpoint and its signing secret, shown this once."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class SecretRotateSerializer(serializers.Serializer):
    overlapSeconds = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=7 * 24 * 3600,
        help_text="How long the old secret keeps signing too (default WEBHOOK_SECRET_OVERLAP_SECONDS).",
    )


class SecretRotatedSerializer(serializers.Serializer):
    webhookEndpointID = serializers.IntegerField(source="id")
    secret = serializers.SerializerMethodField()
    secretRotatedAt = serializers.DateTimeField(source="secret_rotated_at")
    previousSecretExpiresAt = serializers.DateTimeField(source="previous_secret_expires_at", allow_null=True)

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class WebhookAttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="number")
    dateAttempted = serializers.DateTimeField(source="attempted_at")
    durationMs = serializers.IntegerField(source="duration_ms")
    statusCode = serializers.IntegerField(source="status_code", allow_null=True)
    error = serializers.CharField()


class WebhookDeliverySerializer(serializers.Serializer):
    """One event for one endpoint: its state, next attempt and every attempt made."""

    webhookDeliveryID = serializers.IntegerField(source="id")
    webhookEndpointID = serializers.IntegerField(source="endpoint_id")
    eventID = serializers.CharField(source="event.message_id", help_text="The webhook-id header of every attempt.")
    eventType = serializers.CharField(source="event.event_type")
    status = serializers.SerializerMethodField()
    attempts = serializers.IntegerField()
    maxAttempts = serializers.IntegerField(source="max_attempts")
    lastStatusCode = serializers.IntegerField(source="last_status_code", allow_null=True)
    lastError = serializers.CharField(source="last_error")
    nextAttemptAt = serializers.SerializerMethodField()
    dateCreated = serializers.DateTimeField(source="created_at")
    dateDelivered = serializers.DateTimeField(source="sent_at", allow_null=True)
    attemptLog = WebhookAttemptSerializer(source="attempt_log", many=True)

    def get_status(self, delivery) -> str:
        return DELIVERY_STATUS_NAMES[delivery.status]

    def get_nextAttemptAt(self, delivery) -> str | None:
        """When the next attempt is due; null once delivered or failed for good."""
        if delivery.status in ("sent", "failed"):
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)


class WebhookEventTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
