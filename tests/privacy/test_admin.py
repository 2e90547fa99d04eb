"""Operators see retention settings on the customer and channel, legal hold on the ticket, and the erasure receipts and
retention reports read-only."""

import pytest

from tests.admin_helpers import operator_login
from tests.channels_cfg.factories import ChannelFactory
from tests.privacy.factories import ErasureJobFactory, RetentionRunFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_settings_and_hold_are_shown(operator_client, customer):
    page = operator_client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert "retention_closed_tickets_days" in page and "retention_end_users_days" in page
    channel = ChannelFactory(customer=customer)
    assert (
        "retention_closed_tickets_days"
        in operator_client.get(f"/admin/channels_cfg/channel/{channel.pk}/change/").content.decode()
    )
    ticket = TicketFactory(customer=customer)
    assert "legal_hold" in operator_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()


def test_receipts_and_reports_are_listed_read_only(operator_client, customer, django_assert_max_num_queries):
    for _ in range(5):
        job = ErasureJobFactory(customer=customer)
        run = RetentionRunFactory(customer=customer)
    for url in ("/admin/privacy/erasurejob/", "/admin/privacy/retentionrun/"):
        with django_assert_max_num_queries(10):
            assert operator_client.get(url).status_code == 200
    page = operator_client.get(f"/admin/privacy/erasurejob/{job.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert operator_client.get("/admin/privacy/erasurejob/add/").status_code == 403
    assert operator_client.post(f"/admin/privacy/retentionrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
