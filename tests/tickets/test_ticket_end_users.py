"""Every path that creates a ticket with a UID resolves its end user by that UID with the rule of inbound messages
(the UID's holder, else the one end user with that customerRef, else a new Lead), so GET /api/Tickets?endUserId=
and GET /api/EndUsers/{id}/tickets list the same tickets."""

import pytest

from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.tickets.factories import EndUserFactory, EndUserUIDFactory
from tickets.models import EndUser, EndUserUID, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(customer):
    end_user = EndUserFactory(customer=customer, firstname="Jo", customer_ref="ERP-7")
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="jo@example.com", uid_type="Email")
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="+32470112233", uid_type="Phone")
    return end_user


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["ticketID"] for row in response.json()["items"])


def _agree(client, end_user) -> list[int]:
    """The end user's tickets by the filter, after checking that its own ticket list says the same."""
    by_filter = _ids(client.get("/api/Tickets", {"endUserId": end_user.pk, "pageSize": 100}))
    assert by_filter == _ids(client.get(f"/api/EndUsers/{end_user.pk}/tickets", {"pageSize": 100}))
    return by_filter


def test_the_ticket_form_with_a_known_uid_is_found_by_end_user_id(admin_client, customer, known):
    channel = ChannelFactory(customer=customer, channel_type="Email")
    body = {"status": "Open", "subject": "Form", "channelID": channel.pk, "uid": " Jo@Example.com "}
    response = admin_client.post("/api/Tickets", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["endUserID"] == known.pk and data["uid"] == "jo@example.com"
    assert [person["endUserID"] for person in data["endUsers"]] == [known.pk]
    assert _agree(admin_client, known) == [data["ticketID"]]


def test_phone_number_and_customer_ref_find_the_same_person(admin_client, known):
    by_phone = admin_client.post(
        "/api/Tickets", {"status": "Open", "subject": "Call", "channel": "Phone", "uid": "0032 470 11 22 33"}, "json"
    ).json()
    by_ref = admin_client.post(
        "/api/Tickets", {"status": "Open", "subject": "ERP", "channel": "Email", "uid": "ERP-7"}, format="json"
    ).json()
    assert by_phone["endUserID"] == by_ref["endUserID"] == known.pk and by_phone["uid"] == "+32470112233"
    assert _agree(admin_client, known) == sorted([by_phone["ticketID"], by_ref["ticketID"]])


def test_an_unknown_uid_makes_a_lead_like_an_inbound_message(admin_client, customer):
    response = admin_client.post(
        "/api/Tickets", {"status": "Open", "subject": "New", "channel": "Email", "uid": "new@example.com"}, "json"
    )
    lead = EndUser.objects.get(customer=customer, uids__uid="new@example.com")
    assert response.json()["endUserID"] == lead.pk and lead.customer_type == "Lead"
    assert _agree(admin_client, lead) == [response.json()["ticketID"]]
    # a second ticket with the same UID is the same person's
    again = admin_client.post(
        "/api/Tickets", {"status": "Open", "subject": "Again", "channel": "Email", "uid": "NEW@example.com"}, "json"
    )
    assert again.json()["endUserID"] == lead.pk and EndUserUID.objects.filter(uid="new@example.com").count() == 1


def test_a_uid_set_later_links_a_ticket_without_an_end_user(admin_client, customer, known):
    created = admin_client.post("/api/Tickets", {"status": "Open", "subject": "Anonymous", "channel": "Email"}, "json")
    ticket_id = created.json()["ticketID"]
    assert created.json()["endUserID"] is None
    body = {"status": "Open", "subject": "Anonymous", "channel": "Email", "uid": "jo@example.com"}
    assert admin_client.put(f"/api/Tickets/{ticket_id}", body, format="json").json()["endUserID"] == known.pk
    patched = admin_client.post("/api/Tickets", {"status": "Open", "subject": "P", "channel": "Email"}, "json").json()
    operations = [{"op": "replace", "path": "/uid", "value": "+32 470 11 22 33"}]
    assert admin_client.patch(f"/api/Tickets/{patched['ticketID']}", operations, format="json").json()["endUserID"] == (
        known.pk
    )
    assert _agree(admin_client, known) == sorted([ticket_id, patched["ticketID"]])


def test_create_new_and_chat_resolve_the_known_uid(admin_client, anon_client, customer, known):
    chat = ChannelFactory(customer=customer, channel_type="Chat", hostnames="shop.example")
    message = admin_client.post(
        "/api/TicketMessages/create-new",
        {"channel": "Chat", "channelID": chat.pk, "incoming": True, "uid": "jo@example.com", "message": "Hi"},
        format="json",
    )
    assert message.status_code == 201, message.content
    opened = anon_client.post(
        "/api/Tickets/createchatticket",
        {"token": str(chat.token), "uid": "jo@example.com", "name": "Jo"},
        format="json",
        HTTP_ORIGIN="https://shop.example",
    )
    assert opened.status_code == 201, opened.content
    outbound = admin_client.post(
        "/api/TicketMessages/create-new",
        {"channel": "Email", "incoming": False, "uid": "jo@example.com", "toAddress": "jo@example.com", "message": "x"},
        format="json",
    )
    assert outbound.status_code == 201, outbound.content
    tickets = {message.json()["ticketID"], opened.json()["ticketID"], outbound.json()["ticketID"]}
    assert set(Ticket.objects.filter(pk__in=tickets).values_list("end_user_id", flat=True)) == {known.pk}
    assert _agree(admin_client, known) == sorted(tickets)


def test_an_invalid_uid_is_refused_400(admin_client):
    body = {"status": "Open", "subject": "x", "channel": "Email", "uid": "jo@"}
    assert "uid" in assert_problem(admin_client.post("/api/Tickets", body, format="json"), 400)["errors"]


def test_end_user_filter_401_403_and_other_tenant(anon_client, phone_client, other_admin_client, admin_client, known):
    assert_problem(anon_client.get("/api/Tickets", {"endUserId": known.pk}), 401)
    assert_problem(phone_client.get("/api/Tickets", {"endUserId": known.pk}), 403)
    admin_client.post(
        "/api/Tickets", {"status": "Open", "subject": "x", "channel": "Email", "uid": "jo@example.com"}, "json"
    )
    assert other_admin_client.get("/api/Tickets", {"endUserId": known.pk}).json()["totalCount"] == 0
    assert_problem(other_admin_client.get(f"/api/EndUsers/{known.pk}/tickets"), 404)
