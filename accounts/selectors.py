"""Reads for representatives: login candidates, assignable reps, signatures, seat counts."""

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import CustomerRep, RepSignature
from answerpal.api.policies import Role

LOCAL_HOSTNAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def hostname_normalise(hostname: str) -> str:
    """`App.Example.com.` → `app.example.com`; a port (`localhost:5173`, `[::1]:8000`) is dropped."""
    host = hostname.strip().lower().rstrip(".")
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def customer_has_reps(*, hostname: str) -> bool:
    """True once the customer owning `hostname` has any representative (deleted ones included), which
    closes the first-user bootstrap for it."""
    return CustomerRep.objects.filter(customer__hostname__iexact=hostname_normalise(hostname)).exists()


def reps_live() -> QuerySet[CustomerRep]:
    """Tenant representatives that are not deleted (active or not), with their customer."""
    return CustomerRep.objects.filter(customer__isnull=False, deleted_at__isnull=True).select_related("customer")


def reps_signing_in(*, hostname: str, **lookup) -> list[CustomerRep]:
    """Non-deleted reps matching `lookup` that may sign in through `hostname`.

    Reps of the customer owning the hostname come first; only with settings.DEBUG, a local
    hostname (localhost, 127.0.0.1) that finds none there reaches every customer's reps."""
    host = hostname_normalise(hostname)
    candidates = reps_live().filter(**lookup)
    scoped = list(candidates.filter(customer__hostname__iexact=host))
    if scoped or not (settings.DEBUG and host in LOCAL_HOSTNAMES):
        return scoped
    return list(candidates)


def reps_assignable(*, customer_id: int) -> QuerySet[CustomerRep]:
    """Reps of the customer who may receive tickets: active and not deleted."""
    return CustomerRep.objects.filter(customer_id=customer_id, is_active=True, deleted_at__isnull=True)


def reps_seated_count(*, customer_id: int) -> int:
    """Seats used against the plan's user limit: active, not deleted reps."""
    return reps_assignable(customer_id=customer_id).count()


def administrators_active_count(*, customer_id: int) -> int:
    return reps_assignable(customer_id=customer_id).filter(role=Role.ADMINISTRATOR).count()


def rep_signatures(*, rep: CustomerRep) -> QuerySet[RepSignature]:
    return RepSignature.objects.filter(rep=rep).order_by("lang")


def rep_signature_get(*, rep: CustomerRep, lang: str) -> RepSignature | None:
    return RepSignature.objects.filter(rep=rep, lang__iexact=lang.strip()).first()


def administrator_first(*, customer_id: int) -> CustomerRep | None:
    """The customer's oldest active Administrator, if any."""
    return reps_assignable(customer_id=customer_id).filter(role=Role.ADMINISTRATOR).order_by("id").first()
