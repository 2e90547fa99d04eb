"""PostgreSQL + real worker leg: seats under concurrent writes, reset mail through Celery."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection

from accounts import services
from accounts.models import CustomerRep
from answerpal.api.errors import ApiError
from tests.accounts.factories import CustomerRepFactory
from tests.customers.factories import CustomerFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_never_exceed_the_user_limit():
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL")
    customer = CustomerFactory()
    customer.subscription.override_max_users = 3
    customer.subscription.save()
    CustomerRepFactory(customer=customer)
    CustomerRepFactory(customer=customer)
    barrier, outcomes = threading.Barrier(6), []

    def create(number: int) -> None:
        try:
            barrier.wait()
            services.rep_create(
                customer_id=customer.pk,
                username=f"racer{number}",
                password="Racer-pass-123",
                profile=services.RepProfile(name=f"Racer {number}", email=f"racer{number}@example.com"),
            )
            outcomes.append("created")
        except ApiError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["UserLimitExceeded"] * 5 + ["created"]
    assert CustomerRep.objects.filter(customer=customer, is_active=True).count() == 3


@pytest.mark.worker
def test_reset_mail_is_sent_by_the_worker(live_worker, anon_client):
    rep = CustomerRepFactory(customer=CustomerFactory(hostname="mail.answerpal.test"))
    body = {"email": rep.email, "hostname": "mail.answerpal.test"}
    assert anon_client.post("/api/Auth/request-password-reset", body, format="json").status_code == 200
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [[rep.email]]
    assert str(rep.reset_tokens.get().token) in mail.outbox[0].body
