"""A place description linked to a ticket: ticketID set and cleared through the routes, the ticket's reports
listed with ?ticketId=, another tenant's ticket refused like a missing one."""

import pytest

from tests.conftest import assert_problem
from tests.places.factories import PlaceDescriptionReportFactory
from tests.tickets.factories import TicketFactory

REPORTS = "/api/PlaceDescriptionReports"


@pytest.fixture
def ticket(customer):
    return TicketFactory(customer=customer)


@pytest.mark.django_db
def test_a_report_is_linked_to_a_ticket_and_listed_on_it(rep_client, customer, ticket):
    created = rep_client.post(REPORTS, {"caseNumber": "PD-7", "ticketID": ticket.pk}, format="json")
    assert created.status_code == 201, created.content
    report_id = created.json()["placeDescriptionReportID"]
    assert created.json()["ticketID"] == ticket.pk
    PlaceDescriptionReportFactory(customer=customer, case_number="PD-8")  # not linked
    listed = rep_client.get(REPORTS, {"ticketId": ticket.pk}).json()
    assert [item["placeDescriptionReportID"] for item in listed["items"]] == [report_id]
    assert listed["items"][0]["ticketID"] == ticket.pk and listed["totalCount"] == 1
    assert rep_client.get(REPORTS).json()["totalCount"] == 2
    # moved to another ticket, then unlinked
    second = TicketFactory(customer=customer)
    assert rep_client.put(f"{REPORTS}/{report_id}", {"ticketID": second.pk}, format="json").json()["ticketID"] == (
        second.pk
    )
    assert rep_client.get(REPORTS, {"ticketid": ticket.pk}).json()["totalCount"] == 0
    assert rep_client.put(f"{REPORTS}/{report_id}", {"ticketID": None}, format="json").json()["ticketID"] is None


@pytest.mark.django_db
def test_a_deleted_ticket_leaves_the_report_unlinked(rep_client, customer, ticket):
    report = PlaceDescriptionReportFactory(customer=customer, ticket=ticket)
    ticket.delete()
    assert rep_client.get(f"{REPORTS}/{report.pk}").json()["ticketID"] is None


@pytest.mark.django_db
def test_ticket_validation_400(rep_client, ticket):
    body = assert_problem(rep_client.post(REPORTS, {"ticketID": "first"}, format="json"), 400)
    assert "ticketID" in body["errors"]
    assert_problem(rep_client.get(REPORTS, {"ticketId": "first"}), 400)


@pytest.mark.django_db
def test_another_tenants_ticket_reads_as_missing(rep_client, other_customer, other_admin_client, customer, ticket):
    foreign = TicketFactory(customer=other_customer)
    body = assert_problem(rep_client.post(REPORTS, {"ticketID": foreign.pk}, format="json"), 400)
    assert body["errors"]["ticketID"] == [f"No object with id {foreign.pk} exists."]  # as for a missing id
    report = PlaceDescriptionReportFactory(customer=customer, ticket=ticket)
    # the other tenant sees neither the report by id nor through its ticket id
    assert_problem(other_admin_client.get(f"{REPORTS}/{report.pk}"), 404)
    assert other_admin_client.get(REPORTS, {"ticketId": ticket.pk}).json()["totalCount"] == 0


@pytest.mark.django_db
def test_ticket_filter_needs_a_token_and_the_feature(anon_client, phone_client, ticket):
    assert_problem(anon_client.get(REPORTS, {"ticketId": ticket.pk}), 401)
    assert_problem(phone_client.get(REPORTS, {"ticketId": ticket.pk}), 403)
