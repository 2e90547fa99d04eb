"""Thin Celery tasks of webhook deliveries: ids in, one service call, idempotent (the outbox lease)."""

from celery import shared_task

from answerpal import outbox
from webhooks import services
from webhooks.models import WebhookDelivery


@shared_task(name="webhooks.delivery_deliver", queue="outbound", acks_late=True)
def delivery_deliver(delivery_id: int) -> str:
    """Delivers one webhook outbox row (a duplicate task finds the row taken or done and skips)."""
    return services.delivery_deliver(delivery_id=delivery_id)


@shared_task(name="webhooks.delivery_sweep", queue="outbound", acks_late=True)
def delivery_sweep() -> int:
    """Beat: re-drives deliveries a dead worker or a lost broker message left queued or sending."""
    return outbox.outbox_sweep(model=WebhookDelivery, deliver_task=delivery_deliver)


@shared_task(name="webhooks.log_prune", queue="default", acks_late=True)
def log_prune() -> int:
    """Beat: drops finished webhook events past WEBHOOK_LOG_RETENTION_DAYS with their delivery log."""
    return services.webhook_log_prune()
