"""Operator admin for conversations: pages render with a bounded number of queries, actions use services."""

import pytest

from tests.admin_helpers import operator_login
from tests.tickets.factories import (
    EndUserUIDFactory,
    TicketFactory,
    TicketMessageAttachmentFactory,
    TicketMessageFactory,
    TicketMessageTopicFactory,
)
from tickets.models import Ticket, TicketCounter, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_ticket_changelist_has_no_per_row_queries(
    operator_client, customer, other_customer, django_assert_max_num_queries
):
    for number in range(20):
        TicketFactory(customer=customer if number % 2 else other_customer, subject=f"Subject {number}")
    with django_assert_max_num_queries(12):
        response = operator_client.get("/admin/tickets/ticket/")
    assert response.status_code == 200 and b"Subject 19" in response.content
    response = operator_client.get("/admin/tickets/ticket/", {"q": "Subject 7", "status__exact": "Open"})
    assert b"Subject 7" in response.content and b"Subject 19" not in response.content


def test_every_conversation_admin_page_renders(operator_client, customer):
    message = TicketMessageFactory(customer=customer)
    attachment = TicketMessageAttachmentFactory(customer=customer, message=message)
    topic = TicketMessageTopicFactory(customer=customer, message=message)
    uid = EndUserUIDFactory(customer=customer)
    pages = [
        f"/admin/tickets/ticket/{message.ticket_id}/change/",
        f"/admin/tickets/ticketmessage/{message.pk}/change/",
        f"/admin/tickets/ticketmessageattachment/{attachment.pk}/change/",
        f"/admin/tickets/ticketmessagetopic/{topic.pk}/change/",
        f"/admin/tickets/enduser/{uid.end_user_id}/change/",
        f"/admin/tickets/enduseruid/{uid.pk}/change/",
        "/admin/tickets/ticketmessage/",
        "/admin/tickets/ticketmessageattachment/",
        "/admin/tickets/ticketmessagetopic/",
        "/admin/tickets/enduser/",
        "/admin/tickets/enduseruid/",
        "/admin/tickets/ticketcounter/",
    ]
    for page in pages:
        assert operator_client.get(page).status_code == 200, page


def test_bulk_actions_go_through_services(operator_client, customer, other_customer):
    tickets = [TicketFactory(customer=customer), TicketFactory(customer=other_customer)]
    data = {"action": "close_selected", "_selected_action": [ticket.pk for ticket in tickets]}
    assert operator_client.post("/admin/tickets/ticket/", data).status_code == 302
    assert set(Ticket.objects.values_list("status", flat=True)) == {TicketStatus.CLOSED}
    assert TicketCounter.objects.get(customer=customer, status="Closed").count == 1
    assert TicketCounter.objects.get(customer=other_customer, status="Closed").count == 1
    data["action"] = "delete_through_service"
    operator_client.post("/admin/tickets/ticket/", data)
    assert not Ticket.objects.exists()
    assert TicketCounter.objects.get(customer=customer, status="Closed").count == 0


def test_change_form_updates_through_service(operator_client, customer):
    ticket = TicketFactory(customer=customer)
    data = {"status": "Closed", "subject": "Edited", "summary": "", "customer_rep": "", "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0", "messages-MIN_NUM_FORMS": "0", "messages-MAX_NUM_FORMS": "0"}  # fmt: skip
    response = operator_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    ticket.refresh_from_db()
    assert ticket.status == "Closed" and ticket.is_closed and ticket.close_date and ticket.subject == "Edited"
    assert TicketCounter.objects.get(customer=customer, status="Closed").count == 1
