"""The beat task runs on a real worker (PostgreSQL + Redis leg)."""

import time

import pytest

from billing.models import StorageUsage
from billing.storage import register_storage_source, unregister_storage_source
from billing.tasks import recalculate_storage


@pytest.mark.worker
def test_recalculate_storage_runs_on_a_real_worker(live_worker):
    from tests.customers.factories import CustomerFactory

    customer = CustomerFactory()

    def documents(customer_id):
        return 2048 if customer_id == customer.pk else 0

    register_storage_source("documents", documents)
    try:
        recalculate_storage.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            usage = StorageUsage.objects.filter(customer=customer).first()
            if usage is not None and usage.documents_bytes == 2048:
                break
            time.sleep(0.1)
    finally:
        unregister_storage_source("documents", documents)
    assert usage is not None and usage.documents_bytes == 2048 and usage.last_calculated_at
