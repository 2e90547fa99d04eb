"""The outbox mechanism every outbound queue shares (messages by mail/WhatsApp, signed webhooks): a row is
queued → sending → sent / failed; a worker delivers it only while holding its lease (`lease_owner` until
`lease_until`), failures come back with capped exponential backoff until `max_attempts`, and a periodic
sweeper re-drives rows whose task was lost (a lease that expired, or a due row nobody picked up).

An outbox model derives from `OutboxRow` (or declares fields of the same names); the functions here take
the model class, so each app keeps its own table, delivery step and thin Celery tasks."""

import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
SWEEP_BATCH = 1000


class OutboxStatus(models.TextChoices):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxRow(models.Model):
    """The lease and retry state of one outbox row (see the module docstring for the rules)."""

    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField()
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


def outbox_lease() -> timedelta:
    """How long a worker owns a row it is sending (longer than any provider call may take)."""
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def outbox_queued_grace() -> timedelta:
    """How long a due row may wait for its task before the sweeper assumes the task was lost."""
    return timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS)


def worker_identity() -> str:
    """A lease owner name unique to this process and call."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def outbox_backoff(attempts: int) -> int:
    """Seconds before the next attempt: 30 s doubled per attempt, at most one hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_CAP_SECONDS)


def outbox_row_claim(*, model: type[models.Model], row_id: int, owner: str, select_related: tuple = ()):
    """Takes the lease on a due row (queued and due, or sending with an expired lease) and counts the attempt;
    None if another worker holds it or it is finished. The conditional UPDATE makes the claim atomic."""
    now = timezone.now()
    claimed = (
        model.objects.filter(pk=row_id)
        .filter(
            Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
        )
        .update(status=OutboxStatus.SENDING, lease_owner=owner, lease_until=now + outbox_lease())
    )
    if not claimed:
        return None
    row = model.objects.select_related(*select_related).get(pk=row_id)
    row.attempts += 1
    row.first_attempt_at = row.first_attempt_at or now
    model.objects.filter(pk=row_id).update(attempts=row.attempts, first_attempt_at=row.first_attempt_at)
    return row


def outbox_row_still_leased(*, model: type[models.Model], row_id: int, owner: str) -> bool:
    """Whether `owner` still holds the lease (checked right before the irreversible send)."""
    return model.objects.filter(
        pk=row_id, status=OutboxStatus.SENDING, lease_owner=owner, lease_until__gt=timezone.now()
    ).exists()


def outbox_row_sent(*, model: type[models.Model], row_id: int, **fields) -> None:
    """Marks the row Sent and releases its lease (extra `fields` are stored with it)."""
    model.objects.filter(pk=row_id).update(
        status=OutboxStatus.SENT, lease_owner="", lease_until=None, last_error="", **fields
    )


def outbox_row_failed(*, model: type[models.Model], row, error: str, permanent: bool, retry_after: int = 0):
    """Records a failed attempt: back to Queued after the backoff (or `retry_after`, when longer), or Failed
    when `permanent` or out of attempts. Returns (final, delay seconds); the caller enqueues the retry.
    Only while `row`'s claimer still holds the lease: a worker whose lease ran out and was taken over does not
    requeue the row under the new holder (a third worker would then send it again)."""
    final = permanent or row.attempts >= row.max_attempts
    delay = max(retry_after, outbox_backoff(row.attempts))
    model.objects.filter(pk=row.pk, lease_owner=row.lease_owner).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=error[:4000],
        lease_owner="",
        lease_until=None,
    )
    return final, delay


def outbox_stuck_ids(*, model: type[models.Model]) -> list[int]:
    """Rows a lost broker message or a dead worker left behind: an expired lease, or queued and due for
    longer than the grace period (at most SWEEP_BATCH per sweep)."""
    now = timezone.now()
    return list(
        model.objects.filter(
            Q(status=OutboxStatus.SENDING, lease_until__lt=now)
            | Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now - outbox_queued_grace())
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def outbox_sweep(*, model: type[models.Model], deliver_task) -> int:
    """Re-drives every stuck row of `model` through its delivery task; returns how many."""
    stuck = outbox_stuck_ids(model=model)
    for row_id in stuck:
        deliver_task.delay(row_id)
    return len(stuck)
