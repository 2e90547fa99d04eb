import uuid

import pytest

from tests.accounts.factories import CustomerRepFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets import selectors
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db


def test_escalate_by_ticket_token(anon_client, customer):
    ticket = TicketFactory(customer=customer)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    ticket.last_end_user_message = message
    ticket.save()
    body = {"aI_FeedbackComment": "The bot does not understand me"}
    response = anon_client.post(f"/api/ticketMessages/{ticket.token}/escalate", body, format="json")
    assert response.status_code == 200 and "message" in response.json()
    ticket.refresh_from_db()
    message.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED and ticket.escalated
    assert ticket.ai_feedback_comments == ["The bot does not understand me"]
    assert message.is_escalated and message.ai_feedback_comment == "The bot does not understand me"
    assert_problem(anon_client.post(f"/api/TicketMessages/{uuid.uuid4()}/escalate", body, format="json"), 404)
    response = anon_client.post(f"/api/TicketMessages/{ticket.token}/escalate", {"aI_FeedbackComment": "x" * 5000})
    assert_problem(response, 400)


def test_escalate_ticket_without_messages(anon_client, customer):
    ticket = TicketFactory(customer=customer)
    assert anon_client.post(f"/api/TicketMessages/{ticket.token}/escalate", {}, format="json").status_code == 200
    ticket.refresh_from_db()
    assert ticket.escalated


def test_like_dislike(anon_client, customer):
    rep = CustomerRepFactory(customer=customer, name="Ann Agent")
    ticket = TicketFactory(customer=customer, customer_rep=rep)
    TicketMessageFactory(customer=customer, ticket=ticket)
    answer = TicketMessageFactory(customer=customer, ticket=ticket, incoming=False, sender_type="CustomerRep")
    response = anon_client.get(f"/api/ticketMessages/{ticket.token}/like-dislike", {"like": "false"})
    assert response.json() == {"agentAvailable": True, "customerRepName": "Ann Agent"}
    answer.refresh_from_db()
    assert answer.is_liked is False
    unassigned = TicketFactory(customer=customer)
    response = anon_client.get(f"/api/TicketMessages/{unassigned.token}/like-dislike", {"like": "true"})
    assert response.json() == {"agentAvailable": False, "customerRepName": ""}
    assert_problem(anon_client.get(f"/api/TicketMessages/{ticket.token}/like-dislike", {"like": "maybe"}), 400)
    assert_problem(anon_client.get(f"/api/TicketMessages/{uuid.uuid4()}/like-dislike", {"like": "true"}), 404)


def test_pixel_marks_opened_only_with_the_right_token(anon_client, customer):
    message = TicketMessageFactory(customer=customer, incoming=False)
    wrong = anon_client.get(f"/api/TicketMessages/{message.pk}/{uuid.uuid4()}/pixel.gif")
    assert wrong.status_code == 200 and wrong["Content-Type"] == "image/gif"
    message.refresh_from_db()
    assert not message.is_opened
    right = anon_client.get(selectors.tracking_pixel_path(message))
    assert right.content == wrong.content and right.content.startswith(b"GIF89a")
    assert "no-store" in right["Cache-Control"]
    message.refresh_from_db()
    assert message.is_opened and message.last_open_date is not None
