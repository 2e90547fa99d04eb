"""The per-customer ticket counters behind exact list totals (TicketCounter) and the search version that
invalidates cached search totals (TicketSearchVersion); callers change them in their own transaction."""

from collections import Counter

from django.db import transaction
from django.db.models import Count, F

from tickets.models import (
    Ticket,
    TicketCounter,
    TicketSearchVersion,
)


def _increment(model, key: dict, field: str, delta: int) -> None:
    """Adds `delta` to `field` of the row at `key`, creating the row (at 0) on first use; concurrent writers wait
    on the row lock, so no increment is lost."""
    if model.objects.filter(**key).update(**{field: F(field) + delta}):
        return
    model.objects.bulk_create([model(**key, **{field: 0})], ignore_conflicts=True)
    model.objects.filter(**key).update(**{field: F(field) + delta})


def _counter_add(customer_id: int, status: str, is_spam: bool, delta: int) -> None:
    if delta:
        _increment(TicketCounter, {"customer_id": customer_id, "status": status, "is_spam": is_spam}, "count", delta)


def _search_version_bump(customer_id: int) -> None:
    """Call in the transaction of any write that changes which tickets a search matches (see TicketSearchVersion)."""
    _increment(TicketSearchVersion, {"customer_id": customer_id}, "version", 1)


def _counters_apply(customer_id: int, changes: Counter) -> None:
    for (status, is_spam), delta in sorted(changes.items()):
        _counter_add(customer_id, status, is_spam, delta)


def _counter_groups(queryset) -> Counter:
    rows = queryset.order_by().values("status", "is_spam").annotate(n=Count("id"))
    return Counter({(row["status"], row["is_spam"]): row["n"] for row in rows})


@transaction.atomic
def ticket_counters_rebuild(*, customer_id: int) -> int:
    """Recounts one customer's tickets into TicketCounter (repair/seed); returns the total."""
    groups = _counter_groups(Ticket.objects.filter(customer_id=customer_id))
    TicketCounter.objects.filter(customer_id=customer_id).delete()
    TicketCounter.objects.bulk_create(
        TicketCounter(customer_id=customer_id, status=status, is_spam=is_spam, count=count)
        for (status, is_spam), count in groups.items()
    )
    _search_version_bump(customer_id)  # rows written around the services (imports, raw SQL) drop cached totals too
    return sum(groups.values())
