"""The real Celery worker fixture runs tasks from Redis against the test database."""

import time

import pytest
from celery import shared_task

from customers.models import Customer


@shared_task(name="tests.rename_customer", queue="default")
def rename_customer(customer_id: int, name: str) -> None:
    Customer.objects.filter(pk=customer_id).update(name=name)


@pytest.mark.worker
def test_task_runs_on_real_worker(live_worker):
    from tests.customers.factories import CustomerFactory

    customer = CustomerFactory()
    result = rename_customer.apply_async((customer.pk, "Renamed by worker"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        customer.refresh_from_db()
        if customer.name == "Renamed by worker":
            break
        time.sleep(0.1)
    assert customer.name == "Renamed by worker", result.id
