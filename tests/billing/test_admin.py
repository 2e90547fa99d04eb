"""Operator admin for plans, subscriptions, the cost ledger and storage usage."""

import pytest

from billing.models import StorageUsage
from billing.storage import register_storage_source, unregister_storage_source
from tests.admin_helpers import operator_login
from tests.billing.factories import CostEntryFactory, StorageUsageFactory
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_changelists_render_without_per_row_queries(operator_client, django_assert_max_num_queries):
    for number in range(12):
        customer = CustomerFactory(name=f"Tenant {number}")
        CostEntryFactory(customer=customer)
        StorageUsageFactory(customer=customer)
    for url in (
        "/admin/billing/subscriptionplan/",
        "/admin/billing/customersubscription/",
        "/admin/billing/costentry/",
        "/admin/billing/storageusage/",
    ):
        with django_assert_max_num_queries(12):
            response = operator_client.get(url)
        assert response.status_code == 200, url
    assert b"Tenant 3" in operator_client.get("/admin/billing/costentry/", {"q": "Tenant 3"}).content


def test_subscription_page_shows_effective_values_read_only(operator_client, customer):
    subscription = customer.subscription
    subscription.override_max_users = 17
    subscription.feature_overrides = {"hasPhone": False}
    subscription.save()
    page = operator_client.get(f"/admin/billing/customersubscription/{subscription.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "effective_max_users" not in form.fields
    content = page.content.decode()
    assert "17" in content and "hasChat" in content


def test_cost_ledger_is_read_only(operator_client, customer):
    entry = CostEntryFactory(customer=customer)
    assert operator_client.get("/admin/billing/costentry/add/").status_code == 403
    page = operator_client.get(f"/admin/billing/costentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert operator_client.post(f"/admin/billing/costentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_recalculate_action_calls_the_service(operator_client, customer):
    usage = StorageUsageFactory(customer=customer, attachments_bytes=1)

    def photos(customer_id):
        return 777

    register_storage_source("photos", photos)
    try:
        operator_client.post("/admin/billing/storageusage/", {"action": "recalculate", "_selected_action": [usage.pk]})
    finally:
        unregister_storage_source("photos", photos)
    usage = StorageUsage.objects.get(pk=usage.pk)
    assert usage.photos_bytes == 777 and usage.attachments_bytes == 0 and usage.last_calculated_at
