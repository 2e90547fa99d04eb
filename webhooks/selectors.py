"""Reads of the webhooks app."""

from django.db.models import QuerySet

from webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first, with their event and attempt log (no N+1)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint, customer_id=endpoint.customer_id)
        .select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-id")
    )


def delivery_get(*, delivery_id: int) -> WebhookDelivery:
    """One delivery with its event and attempt log."""
    return WebhookDelivery.objects.select_related("event").prefetch_related("attempt_log").get(pk=delivery_id)


def endpoint_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    """The endpoint's delivery of that id, None when it has none (another endpoint's or tenant's)."""
    return endpoint_deliveries(endpoint=endpoint).filter(pk=delivery_id).first()
