"""Periodic storage recalculation: the beat entry fans out one task per active customer."""

from celery import shared_task
from django.db import OperationalError

from billing import services
from customers.models import Customer


@shared_task(
    name="billing.recalculate_storage",
    queue="default",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def recalculate_storage(customer_id: int | None = None) -> None:
    """Without an id: enqueue one recalculation per active customer; with an id: recalculate it."""
    if customer_id is None:
        for active_id in Customer.objects.filter(is_active=True).values_list("pk", flat=True).iterator():
            recalculate_storage.delay(active_id)
        return
    if not Customer.objects.filter(pk=customer_id).exists():
        return
    services.storage_usage_recalculate(customer_id=customer_id)
