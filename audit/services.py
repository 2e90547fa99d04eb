"""Writes of the audit trail: one INSERT per act (no reads), and the retention purge in batches."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from answerpal.api.client_address import client_address
from answerpal.api.tokens import TokenKind
from audit.context import current_request, resolved_user
from audit.models import ActorKind, AuditEntry

logger = logging.getLogger(__name__)

_MAX_OBJECT_ID = AuditEntry._meta.get_field("object_id").max_length
_MAX_REQUEST_ID = AuditEntry._meta.get_field("request_id").max_length
_MAX_ADDRESS = AuditEntry._meta.get_field("client_address").max_length


def _caller(django_request) -> tuple[int | None, str, dict]:
    """(actor id, actor kind, extra detail) of the request's caller, from what authentication already found."""
    auth = getattr(django_request, "auth", None)
    kind = getattr(auth, "kind", None)
    if kind == TokenKind.IMPERSONATION:
        return auth.operator_id, ActorKind.IMPERSONATION, {}
    if kind == TokenKind.PHONE:
        return None, ActorKind.PHONE, {"channelID": auth.channel_id}
    if kind == TokenKind.REP:
        return auth.rep_id, ActorKind.REP, {}
    user = resolved_user(django_request)
    if user is not None:
        return user.pk, ActorKind.OPERATOR if user.customer_id is None else ActorKind.REP, {}
    return None, ActorKind.ANONYMOUS, {}


def audit_record(
    *,
    customer_id: int | None,
    actor_id: int | None = None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict | None = None,
    request=None,
    actor_kind: str | None = None,
) -> AuditEntry:
    """Appends one entry (a single INSERT, no reads). `request` (Django or DRF) defaults to the current one;
    from it come the client address, the request id and, unless `actor_id`/`actor_kind` say otherwise, the
    actor (the token's representative, the impersonating operator, the phone device, the admin's operator).
    Inside the caller's transaction the entry commits or rolls back with the change it records."""
    django_request = getattr(request, "_request", request) if request is not None else current_request()
    detail = dict(detail or {})
    address = request_id = ""
    kind = actor_kind or (ActorKind.SYSTEM if actor_id is None else ActorKind.REP)
    if django_request is not None:
        address = client_address(django_request)
        request_id = getattr(django_request, "trace_id", "") or ""
        if actor_id is None and actor_kind is None:
            actor_id, kind, extra = _caller(django_request)
            detail = {**extra, **detail}
    return AuditEntry.objects.create(
        customer_id=customer_id,
        actor_id=actor_id,
        actor_kind=kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:_MAX_OBJECT_ID],
        detail=detail,
        client_address=address[:_MAX_ADDRESS],
        request_id=request_id[:_MAX_REQUEST_ID],
    )


def audit_purge(*, now=None, retention_days: int | None = None, batch_size: int | None = None) -> int:
    """Deletes entries older than the retention (settings.AUDIT_LOG_RETENTION_DAYS; 0 keeps them forever),
    oldest first, `batch_size` rows per statement so no run holds a long lock. Returns how many went."""
    days = settings.AUDIT_LOG_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return 0
    size = batch_size or settings.AUDIT_LOG_PURGE_BATCH_SIZE
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    while True:
        ids = list(
            AuditEntry.objects.filter(created_at__lt=cutoff).order_by("created_at").values_list("id", flat=True)[:size]
        )
        if not ids:
            break
        removed += AuditEntry.objects.filter(id__in=ids).delete()[0]  # nothing refers to entries: one DELETE
        if len(ids) < size:
            break
    if removed:
        logger.info("Audit retention: %s entries older than %s days removed", removed, days)
    return removed
