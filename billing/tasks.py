"""Storage tasks: the periodic recalculation (fans out per active customer) and threshold emails."""

from smtplib import SMTPException

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


@shared_task(
    name="billing.storage_threshold_notify",
    queue="default",
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def storage_threshold_notify(customer_id: int, state: str) -> None:
    """Emails the administrators once storage crossed 80 % / 100 % (skips a state that has passed)."""
    services.storage_threshold_notify(customer_id=customer_id, state=state)


def storage_threshold_reached(*, customer_id: int, state: str) -> None:
    """StorageThresholdReached handler (subscribed in BillingConfig.ready): enqueue the email."""
    storage_threshold_notify.delay(customer_id, state)
