"""Shared fixtures: two tenants, representatives of each role, and API clients holding their tokens."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from answerpal.api.policies import Role
from answerpal.api.tokens import TokenKind, token_issue
from tests.accounts.factories import CustomerRepFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle budgets and cached totals live in the cache: every test starts and ends with it empty."""
    cache.clear()
    yield
    cache.clear()


def rep_token(rep) -> str:
    return token_issue(
        kind=TokenKind.REP,
        customer_id=rep.customer_id,
        rep_id=rep.pk,
        role=rep.role,
        token_version=rep.token_version,
    )


def client_with_token(token: str | None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is problem+json with this status (and code, when given); returns the body."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status and body["traceId"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Acme", hostname="acme.answerpal.test")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(name="Globex", hostname="globex.answerpal.test")


@pytest.fixture
def admin_rep(customer):
    return CustomerRepFactory(customer=customer, username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def supervisor_rep(customer):
    return CustomerRepFactory(customer=customer, username="supervisor", role=Role.SUPERVISOR)


@pytest.fixture
def rep(customer):
    return CustomerRepFactory(customer=customer, username="agent", role=Role.REPRESENTATIVE)


@pytest.fixture
def other_admin(other_customer):
    return CustomerRepFactory(customer=other_customer, username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def anon_client():
    return client_with_token(None)


@pytest.fixture
def admin_client(admin_rep):
    return client_with_token(rep_token(admin_rep))


@pytest.fixture
def supervisor_client(supervisor_rep):
    return client_with_token(rep_token(supervisor_rep))


@pytest.fixture
def rep_client(rep):
    return client_with_token(rep_token(rep))


@pytest.fixture
def other_admin_client(other_admin):
    return client_with_token(rep_token(other_admin))


@pytest.fixture
def phone_channel(customer):
    return ChannelFactory(customer=customer, channel_type="Phone", phone_number="+3225550100")


@pytest.fixture
def phone_client(phone_channel):
    token = token_issue(kind=TokenKind.PHONE, customer_id=phone_channel.customer_id, channel_id=phone_channel.pk)
    return client_with_token(token)


@pytest.fixture
def redis_broker(transactional_db):
    """This process enqueues to Redis (not eagerly); the queues are emptied before and after.

    Needs PostgreSQL (workers share the test database) and REDIS_URL. On the embedded default
    (SQLite) the test is skipped; in CI a missing Redis fails the test loudly. Yields the broker URL."""
    import os

    from django.db import connection

    from answerpal.celery import app

    if connection.vendor == "sqlite":
        pytest.skip("real-worker tests run on the PostgreSQL + Redis leg")
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set in CI: the real-worker tests need Redis.")
        pytest.skip("REDIS_URL is not set")
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if xdist_worker.startswith("gw"):
        # Parallel test processes each get their own Redis database, so no worker eats another's tasks.
        redis_url = redis_url.rsplit("/", 1)[0] + f"/{10 + int(xdist_worker[2:])}"
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    app.control.purge()  # messages left by an earlier run would race this test's rows
    yield redis_url
    app.control.purge()
    app.conf.update(**previous)


@pytest.fixture
def live_worker(redis_broker):
    """A real Celery worker (threads, in this process) consuming every queue from the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from answerpal.celery import app

    queues = [queue.name for queue in app.conf.task_queues]
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, queues=queues) as worker:
        yield worker
