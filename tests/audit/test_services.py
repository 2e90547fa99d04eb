"""audit_record writes one row without reading; entries are append-only; retention purges old ones in batches."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from audit import tasks
from audit.context import current_request
from audit.models import ActorKind, AuditAction, AuditEntry
from audit.services import audit_purge, audit_record
from tests.admin_helpers import operator_login
from tests.audit.factories import AuditEntryFactory

pytestmark = pytest.mark.django_db


def test_outside_a_request_the_entry_is_the_systems(customer, django_assert_num_queries):
    assert current_request() is None
    with django_assert_num_queries(1):  # the INSERT, nothing read
        entry = audit_record(
            customer_id=customer.pk, action=AuditAction.CHANNEL_DELETED, object_type="Channel", object_id=9
        )
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_kind, entry.client_address, entry.request_id) == (None, "system", "", "")
    assert (entry.object_id, entry.detail) == ("9", {})


def test_an_explicit_request_gives_address_request_id_and_can_name_the_actor(customer, rep):
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    request.trace_id = "x" * 300  # a client-chosen X-Request-ID is cut to the column
    entry = audit_record(
        customer_id=customer.pk,
        actor_id=rep.pk,
        action=AuditAction.REP_CREATED,
        object_id="1" * 100,
        detail={"role": "Supervisor"},
        request=request,
    )
    assert (entry.client_address, entry.request_id, entry.actor_id) == ("198.51.100.4", "x" * 64, rep.pk)
    assert (entry.actor_kind, entry.object_id, entry.detail) == (ActorKind.REP, "1" * 64, {"role": "Supervisor"})


def test_entries_are_append_only(customer):
    entry = AuditEntryFactory(customer=customer)
    entry.action = AuditAction.LOGIN_FAILED
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=AuditAction.LOGIN_FAILED)
    entry.refresh_from_db()
    assert entry.action == AuditAction.TICKET_READ


def test_retention_purges_only_entries_past_the_setting_in_batches(customer, settings, django_assert_num_queries):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = [AuditEntryFactory(customer=customer, created_at=now - timedelta(days=31 + index)) for index in range(5)]
    kept = [AuditEntryFactory(customer=customer, created_at=now - timedelta(days=29)), AuditEntryFactory(customer=None)]
    with django_assert_num_queries(6):  # (select ids, delete) x 2 full batches, then a short one
        assert audit_purge(now=now, batch_size=2) == 5
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {entry.pk for entry in kept}
    assert not AuditEntry.objects.filter(pk__in=[entry.pk for entry in old]).exists()
    assert audit_purge(now=now, batch_size=2) == 0


def test_retention_zero_keeps_everything(customer, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 0
    AuditEntryFactory(customer=customer, created_at=timezone.now() - timedelta(days=5000))
    assert audit_purge() == 0 and AuditEntry.objects.count() == 1


def test_the_daily_beat_task_purges(customer, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 1
    AuditEntryFactory(customer=customer, created_at=timezone.now() - timedelta(days=2))
    AuditEntryFactory(customer=customer)
    assert tasks.audit_purge_expired.delay().get() == 1
    assert AuditEntry.objects.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["audit-purge-expired"]
    assert schedule["task"] == tasks.audit_purge_expired.name == "audit.purge_expired"
    assert schedule["schedule"] == timedelta(days=1)


def test_the_retention_default_is_a_setting():
    assert settings.AUDIT_LOG_RETENTION_DAYS > 0 and settings.AUDIT_LOG_PURGE_BATCH_SIZE > 0


def test_operators_search_the_log_in_the_admin_read_only(customer, other_customer, django_assert_max_num_queries):
    AuditEntryFactory(customer=customer, object_type="Channel", object_id="77", request_id="req-needle")
    AuditEntryFactory(customer=other_customer, object_id="88")
    admin = operator_login()
    with django_assert_max_num_queries(12):  # session, user, count, page (+ customer and actor joins), filters
        page = admin.get("/admin/audit/auditentry/", {"q": "req-needle"})
    assert page.status_code == 200 and b"77" in page.content and b"88" not in page.content
    entry = AuditEntry.objects.get(object_id="77")
    assert admin.get("/admin/audit/auditentry/add/").status_code == 403
    assert admin.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    detail = admin.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content  # a view, not a form
    response = admin.post("/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert AuditEntry.objects.filter(pk=entry.pk).exists() and response.status_code in (200, 302)
