"""PUT /api/Tickets/{id}/legalHold: Administrators set and clear the hold; the ticket DTO shows it."""

import pytest

from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory
from tickets.models import Ticket


@pytest.mark.django_db
def test_administrator_sets_and_clears_the_hold(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    assert admin_client.get(f"/api/Tickets/{ticket.pk}").json()["legalHold"] is False

    response = admin_client.put(f"/api/Tickets/{ticket.pk}/legalHold", {"legalHold": True}, format="json")

    assert response.status_code == 200 and response.json()["legalHold"] is True
    assert Ticket.objects.get(pk=ticket.pk).legal_hold is True
    listed = admin_client.get("/api/Tickets").json()["items"]
    assert [row["legalHold"] for row in listed] == [True]
    admin_client.put(f"/api/Tickets/{ticket.pk}/legalHold", {"legalHold": False}, format="json")
    assert Ticket.objects.get(pk=ticket.pk).legal_hold is False


@pytest.mark.django_db
def test_validation_roles_and_tenancy(
    admin_client, supervisor_client, rep_client, anon_client, other_admin_client, customer
):
    ticket = TicketFactory(customer=customer)
    path = f"/api/Tickets/{ticket.pk}/legalHold"
    assert_problem(admin_client.put(path, {}, format="json"), 400)
    assert anon_client.put(path, {"legalHold": True}, format="json").status_code == 401
    assert_problem(rep_client.put(path, {"legalHold": True}, format="json"), 403)
    assert_problem(supervisor_client.put(path, {"legalHold": True}, format="json"), 403)
    assert_problem(other_admin_client.put(path, {"legalHold": True}, format="json"), 404)
    assert Ticket.objects.get(pk=ticket.pk).legal_hold is False
