"""Storage counters, thresholds, the source registry, recalculation (service, routes, command, task)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from answerpal.events import Event, subscribe
from billing.models import CustomerSubscription, StorageUsage
from billing.services import storage_threshold_notify, storage_usage_change, storage_usage_recalculate
from billing.storage import register_storage_source, storage_measure, unregister_storage_source
from billing.tasks import recalculate_storage
from tests.accounts.factories import CustomerRepFactory
from tests.billing.factories import StorageUsageFactory
from tests.conftest import assert_problem

GB = 1024**3
pytestmark = pytest.mark.django_db


@pytest.fixture
def one_gb_limit(customer):
    CustomerSubscription.objects.filter(customer=customer).update(override_storage_limit_gb=Decimal("1"))


@pytest.fixture
def sizes():
    """A registered attachments and recordings source answering per customer from this dict."""
    table: dict[int, int] = {}

    def attachments(customer_id):
        return table.get(customer_id, 0)

    def recordings(customer_id):
        return table.get(customer_id, 0) // 2

    register_storage_source("attachments", attachments)
    register_storage_source("attachments", attachments)  # registering twice counts once
    register_storage_source("recordings", recordings)
    yield table
    unregister_storage_source("attachments", attachments)
    unregister_storage_source("recordings", recordings)


def test_change_adds_and_subtracts_atomically_never_below_zero(customer, one_gb_limit):
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=1000, category="attachments")
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=500, category="photos")
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=-200, category="attachments")
    assert (usage.attachments_bytes, usage.photos_bytes, usage.used_bytes) == (800, 500, 1300)
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=-5000, category="attachments")
    assert usage.attachments_bytes == 0 and StorageUsage.objects.count() == 1
    with pytest.raises(ValueError, match="category"):
        storage_usage_change(customer_id=customer.pk, delta_bytes=1, category="videos")


def test_thresholds_stamp_once_publish_and_rearm(customer, one_gb_limit, django_capture_on_commit_callbacks):
    seen = []

    def handler(**payload):
        seen.append(payload)

    subscribe(Event.STORAGE_THRESHOLD_REACHED, handler)
    with django_capture_on_commit_callbacks(execute=True):
        usage = storage_usage_change(customer_id=customer.pk, delta_bytes=int(0.85 * GB), category="documents")
    assert usage.notification_state == "Warning80" and usage.warning_notified_at is not None
    first_warning = usage.warning_notified_at
    with django_capture_on_commit_callbacks(execute=True):
        usage = storage_usage_change(customer_id=customer.pk, delta_bytes=1, category="documents")
    assert usage.warning_notified_at == first_warning
    with django_capture_on_commit_callbacks(execute=True):
        usage = storage_usage_change(customer_id=customer.pk, delta_bytes=GB, category="recordings")
    assert usage.notification_state == "Exceeded" and usage.exceeded_notified_at is not None
    assert seen == [
        {"customer_id": customer.pk, "state": "Warning80"},
        {"customer_id": customer.pk, "state": "Exceeded"},
    ]
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=-2 * GB, category="recordings")
    usage = storage_usage_change(customer_id=customer.pk, delta_bytes=-GB, category="documents")
    assert usage.notification_state == "Normal"
    assert usage.warning_notified_at is None and usage.exceeded_notified_at is None


def test_registry_measures_each_category(customer, sizes):
    sizes[customer.pk] = 1000
    assert storage_measure(customer_id=customer.pk) == {
        "attachments": 1000,
        "documents": 0,
        "recordings": 500,
        "photos": 0,
    }
    with pytest.raises(ValueError, match="category"):
        register_storage_source("videos", lambda customer_id: 0)


def test_recalculate_replaces_counters_with_measured_sizes(customer, sizes):
    storage_usage_change(customer_id=customer.pk, delta_bytes=999_999, category="photos")
    sizes[customer.pk] = 4000
    usage = storage_usage_recalculate(customer_id=customer.pk)
    assert (usage.attachments_bytes, usage.recordings_bytes, usage.photos_bytes) == (4000, 2000, 0)
    assert usage.last_calculated_at is not None


def test_storage_status_route(rep_client, customer, one_gb_limit, django_assert_num_queries):
    StorageUsageFactory(customer=customer, attachments_bytes=GB // 4)
    with django_assert_num_queries(3):  # token check, subscription, usage
        response = rep_client.get("/api/Customers/storage-status")
    assert response.json() == {
        "usedBytes": GB // 4,
        "limitBytes": GB,
        "usedGb": 0.25,
        "limitGb": 1.0,
        "usagePercent": 25.0,
    }


def test_storage_status_without_usage_row_is_zero(rep_client, customer):
    body = rep_client.get("/api/customers/STORAGE-STATUS").json()
    assert body["usedBytes"] == 0 and body["limitBytes"] == 50 * GB and body["usagePercent"] == 0.0


def test_storage_usage_route_details(supervisor_client, customer, one_gb_limit):
    storage_usage_change(customer_id=customer.pk, delta_bytes=int(1.5 * GB), category="recordings")
    body = supervisor_client.get("/api/Customers/storage-usage").json()
    assert body["usedBytes"] == int(1.5 * GB) and body["remainingBytes"] == 0 and body["remainingGb"] == 0.0
    assert body["isOverLimit"] is True and body["notificationState"] == "Exceeded"
    assert body["usagePercent"] == 150.0
    assert body["exceededNotifiedAt"] and body["warningNotifiedAt"] and body["lastCalculatedAt"] is None


def test_recalculate_route_sums_registered_sources(admin_client, customer, other_customer, sizes):
    sizes[customer.pk] = 3000
    sizes[other_customer.pk] = 7
    response = admin_client.post("/api/Customers/storage-usage/recalculate")
    assert response.status_code == 200
    body = response.json()
    assert body["usedBytes"] == 4500 and body["lastCalculatedAt"]
    assert not StorageUsage.objects.filter(customer=other_customer).exists()


def test_storage_routes_never_show_another_tenants_usage(admin_client, customer, other_customer):
    StorageUsageFactory(customer=other_customer, attachments_bytes=123456)
    assert admin_client.get("/api/Customers/storage-usage").json()["usedBytes"] == 0
    assert admin_client.get("/api/Customers/storage-status").json()["usedBytes"] == 0


def test_storage_routes_permissions(rep_client, phone_client, anon_client, customer):
    assert_problem(rep_client.get("/api/Customers/storage-usage"), 403, "Forbidden")
    assert_problem(rep_client.post("/api/Customers/storage-usage/recalculate"), 403, "Forbidden")
    assert_problem(phone_client.get("/api/Customers/storage-status"), 403, "Forbidden")
    for method, url in (
        ("get", "/api/Customers/storage-status"),
        ("get", "/api/Customers/storage-usage"),
        ("post", "/api/Customers/storage-usage/recalculate"),
    ):
        assert_problem(getattr(anon_client, method)(url), 401)
    assert not StorageUsage.objects.exists()


def test_command_recalculates_one_or_all_customers(customer, other_customer, sizes):
    sizes[customer.pk], sizes[other_customer.pk] = 10, 20
    out = StringIO()
    call_command("recalculate_storage", "--all-customers", stdout=out)
    assert "[2/2]" in out.getvalue() and "Recalculated 2 of 2 customer(s); 0 failed; 45 bytes" in out.getvalue()
    sizes[customer.pk] = 100
    call_command("recalculate_storage", "--customer", str(customer.pk), stdout=StringIO())
    assert StorageUsage.objects.get(customer=customer).attachments_bytes == 100
    assert StorageUsage.objects.get(customer=other_customer).attachments_bytes == 20
    with pytest.raises(CommandError, match="No customer"):
        call_command("recalculate_storage", "--customer", "999999", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("recalculate_storage", stdout=StringIO())


def test_command_reports_failures_and_continues(customer, other_customer):
    def broken(customer_id):
        if customer_id == customer.pk:
            raise OSError("storage offline")
        return 5

    register_storage_source("documents", broken)
    try:
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match="1 customer"):
            call_command("recalculate_storage", "--all-customers", stdout=out, stderr=err)
    finally:
        unregister_storage_source("documents", broken)
    assert "storage offline" in err.getvalue()
    assert StorageUsage.objects.get(customer=other_customer).documents_bytes == 5


def test_beat_task_fans_out_over_active_customers(customer, other_customer, sizes):
    other_customer.is_active = False
    other_customer.save()
    sizes[customer.pk] = 64
    recalculate_storage.delay()
    assert StorageUsage.objects.get(customer=customer).attachments_bytes == 64
    assert not StorageUsage.objects.filter(customer=other_customer).exists()
    recalculate_storage.delay(999999)  # a deleted customer is skipped quietly


def test_administrators_are_emailed_once_per_threshold(
    customer, one_gb_limit, admin_rep, supervisor_rep, other_admin, mailoutbox, django_capture_on_commit_callbacks
):
    CustomerRepFactory(customer=customer, role="Administrator", is_active=False, email="gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        storage_usage_change(customer_id=customer.pk, delta_bytes=int(0.9 * GB), category="attachments")
    with django_capture_on_commit_callbacks(execute=True):
        storage_usage_change(customer_id=customer.pk, delta_bytes=1024, category="attachments")
    assert [message.to for message in mailoutbox] == [[admin_rep.email]]
    assert "80%" in mailoutbox[0].subject and "0.900 GB of its 1.000 GB" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        storage_usage_change(customer_id=customer.pk, delta_bytes=GB, category="recordings")
    assert len(mailoutbox) == 2 and "reached its storage limit" in mailoutbox[1].subject


def test_a_threshold_that_has_passed_sends_nothing(customer, one_gb_limit, admin_rep, mailoutbox):
    storage_usage_change(customer_id=customer.pk, delta_bytes=int(0.9 * GB), category="attachments")
    storage_usage_change(customer_id=customer.pk, delta_bytes=-GB, category="attachments")
    assert storage_threshold_notify(customer_id=customer.pk, state="Warning80") == 0
    assert mailoutbox == []
