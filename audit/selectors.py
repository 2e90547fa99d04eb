"""Reads of the audit trail."""

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entries() -> QuerySet[AuditEntry]:
    """Entries with their actor (one join; the actor may be gone, then it is None)."""
    return AuditEntry.objects.select_related("actor")
