"""Copies the impersonation log (accounts.ImpersonationAudit, kept since the platform's start) into the audit
trail as ImpersonationStarted entries; accounts 0006 then drops the old table. Reversible: the way back copies
the entries into the old table (which accounts' reverse migration re-creates first)."""

from django.db import migrations

from answerpal.api.client_address import parse_address

BATCH = 2000


def impersonations_copy(apps, schema_editor):
    Impersonation = apps.get_model("accounts", "ImpersonationAudit")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    rows = Impersonation.objects.select_related("operator").order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(
            AuditEntry(
                customer_id=row.customer_id,
                actor_id=row.operator_id,
                actor_kind="operator",
                action="ImpersonationStarted",
                object_type="Customer",
                object_id=str(row.customer_id),
                detail={"operator": row.operator.username, "reason": row.reason},
                client_address=row.ip_address or "",
                created_at=row.created_at,
            )
        )
        if len(batch) >= BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


def impersonations_restore(apps, schema_editor):
    Impersonation = apps.get_model("accounts", "ImpersonationAudit")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    entries = AuditEntry.objects.filter(action="ImpersonationStarted", actor_id__isnull=False, customer_id__isnull=False)
    for entry in entries.order_by("pk").iterator(chunk_size=BATCH):
        row = Impersonation.objects.create(
            operator_id=entry.actor_id,
            customer_id=entry.customer_id,
            reason=entry.detail.get("reason", ""),
            ip_address=entry.client_address if parse_address(entry.client_address) else None,
        )
        Impersonation.objects.filter(pk=row.pk).update(created_at=entry.created_at)  # auto_now_add set "now"

class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_entries"),
        ("accounts", "0005_security_events_into_audit_log"),
    ]

    operations = [migrations.RunPython(impersonations_copy, impersonations_restore)]
