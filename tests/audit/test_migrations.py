"""The impersonation log kept since the platform's start moves into the audit trail (audit 0002), and back.

Tests run without migrations, so the data functions run here against the historical models of that migration,
with the old table created for the test."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from audit.models import AuditEntry
from tests.accounts.factories import CustomerRepFactory

MIGRATION = importlib.import_module("audit.migrations.0002_impersonations_into_audit_log")


@pytest.fixture
def historical_apps(settings):
    settings.MIGRATION_MODULES = {}  # read the migrations from disk despite --no-migrations
    loader = MigrationLoader(None, ignore_no_migrations=True)
    apps = loader.project_state(("audit", "0002_impersonations_into_audit_log")).apps
    model = apps.get_model("accounts", "ImpersonationAudit")
    with connection.schema_editor() as editor:
        editor.create_model(model)
    yield apps
    with connection.schema_editor() as editor:
        editor.delete_model(model)


@pytest.mark.django_db(transaction=True)
def test_impersonations_become_audit_entries_and_come_back(historical_apps, customer):
    operator = CustomerRepFactory(customer=None, username="ops", is_staff=True)
    Impersonation = historical_apps.get_model("accounts", "ImpersonationAudit")
    when = timezone.now() - timezone.timedelta(days=40)
    row = Impersonation.objects.create(
        operator_id=operator.pk, customer_id=customer.pk, reason="Ticket #9", ip_address="192.0.2.7"
    )
    Impersonation.objects.filter(pk=row.pk).update(created_at=when)
    Impersonation.objects.create(operator_id=operator.pk, customer_id=customer.pk, reason="", ip_address=None)

    MIGRATION.impersonations_copy(historical_apps, None)
    first, second = AuditEntry.objects.order_by("created_at")
    assert (first.action, first.customer_id, first.actor_id, first.actor_kind) == (
        "ImpersonationStarted",
        customer.pk,
        operator.pk,
        "operator",
    )
    assert (first.object_type, first.object_id, first.client_address) == ("Customer", str(customer.pk), "192.0.2.7")
    assert first.detail == {"operator": "ops", "reason": "Ticket #9"} and first.created_at == when
    assert (second.client_address, second.detail["reason"]) == ("", "")

    Impersonation.objects.all().delete()
    MIGRATION.impersonations_restore(historical_apps, None)
    restored = Impersonation.objects.order_by("created_at")
    assert [(r.operator_id, r.reason, r.ip_address, r.created_at) for r in restored] == [
        (operator.pk, "Ticket #9", "192.0.2.7", when),
        (operator.pk, "", None, second.created_at),
    ]
