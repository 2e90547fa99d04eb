"""FilterSets of the webhook routes (query parameter names as in the API)."""

import django_filters

from answerpal.outbox import OutboxStatus
from webhooks.catalogue import EVENT_TYPES, TEST_EVENT_TYPE
from webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERY_STATUS_NAMES = {
    OutboxStatus.QUEUED: "Queued",
    OutboxStatus.SENDING: "Sending",
    OutboxStatus.SENT: "Delivered",
    OutboxStatus.FAILED: "Failed",
}
EVENT_TYPE_CHOICES = [(name, name) for name in [*EVENT_TYPES, TEST_EVENT_TYPE]]


class WebhookEndpointFilterSet(django_filters.FilterSet):
    enabled = django_filters.BooleanFilter(field_name="enabled")

    class Meta:
        model = WebhookEndpoint
        fields: list[str] = []


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        field_name="status", choices=[(name, name) for name in DELIVERY_STATUS_NAMES.values()], method="filter_status"
    )
    eventType = django_filters.ChoiceFilter(field_name="event__event_type", choices=EVENT_TYPE_CHOICES)

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        stored = [key for key, label in DELIVERY_STATUS_NAMES.items() if label in value]
        return queryset.filter(status__in=stored) if value else queryset
