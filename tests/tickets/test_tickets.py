import json

import pytest
from django.core.files.base import ContentFile

from accounts.models import CustomerRep
from answerpal.api.policies import Role
from answerpal.api.tokens import TokenKind, token_issue
from tests.accounts.factories import CustomerRepFactory
from tests.automation.factories import TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem, client_with_token
from tests.tickets.factories import (
    EndUserFactory,
    EndUserUIDFactory,
    TicketFactory,
    TicketMessageAttachmentFactory,
    TicketMessageFactory,
    TicketMessageTopicFactory,
)
from tickets import listing, registry
from tickets.models import Ticket, TicketCounter, TicketStatus

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["ticketID"] for row in response.json()["items"]]


def test_list_fields_default_order_and_query_count(admin_client, customer, admin_rep, django_assert_num_queries):
    older = TicketFactory(customer=customer, customer_rep=admin_rep, subject="Older")
    newer = TicketFactory(customer=customer, subject="Newer")
    TicketMessageTopicFactory(customer=customer, message__ticket=older, topic__name="Billing")
    latest = [TicketFactory(customer=customer) for _ in range(3)]
    with django_assert_num_queries(5):  # auth, counter sum, page (+channel, rep, end user), UIDs, topics
        response = admin_client.get("/api/tickets", {"pageSize": 25})
    data = response.json()
    assert data["totalCount"] == 5 and data["totalPages"] == 1
    assert [row["ticketID"] for row in data["items"]] == [t.pk for t in reversed([older, newer, *latest])]
    row = next(item for item in data["items"] if item["ticketID"] == older.pk)
    assert row["customerRepName"] == str(admin_rep) and row["topics"] == ["Billing"]
    assert row["channel"] == "Email" and row["channelName"] == older.channel.name and row["status"] == "Open"
    assert row["endUsers"][0]["endUserID"] == older.end_user_id and row["aiFeedbackComments"] == []
    assert set(row) >= {"isSpam", "isClosed", "dateCreated", "lastMessageDate", "closeDate", "uid", "preview"}


def test_list_rows_carry_the_same_end_user_and_topics_as_their_own_routes(admin_client, customer):
    end_user = EndUserFactory(customer=customer, gender=True, company="Acme")
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="second@example.com", is_primary=False)
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="+3225550101", uid_type="Phone", is_primary=True)
    ticket = TicketFactory(customer=customer, end_user=end_user)
    billing, access = TopicFactory(customer=customer, name="Billing"), TopicFactory(customer=customer, name="Access")
    first, second = (
        TicketMessageFactory(customer=customer, ticket=ticket),
        TicketMessageFactory(customer=customer, ticket=ticket),
    )
    for message, topic in ((first, billing), (second, billing), (second, access)):
        TicketMessageTopicFactory(customer=customer, message=message, topic=topic)
    TicketFactory(customer=customer, end_user=None)
    rows = {row["ticketID"]: row for row in admin_client.get("/api/Tickets").json()["items"]}
    person = admin_client.get(f"/api/EndUsers/{end_user.pk}").json()
    assert rows[ticket.pk]["endUsers"] == [person] and rows[ticket.pk]["topics"] == ["Access", "Billing"]
    assert [uid["uid"] for uid in person["uiDs"]] == ["+3225550101", "second@example.com"]
    assert person["gender"] is True and person["uiDs"][0]["isPrimary"] is True
    assert admin_client.get(f"/api/Tickets/{ticket.pk}").json() == rows[ticket.pk]


def test_list_filters_as_the_client_sends_them(admin_client, customer, rep):
    chat = ChannelFactory(customer=customer, channel_type="Chat")
    open_mail = TicketFactory(customer=customer, uid="jo@example.com", customer_rep=rep)
    closed = TicketFactory(customer=customer, status="Closed")
    spam = TicketFactory(customer=customer, is_spam=True)
    chat_ticket = TicketFactory(customer=customer, channel=chat, status="Escalated")
    query = "status=Open&status=Escalated&sortBy=ticketID&sortOrder=asc"
    assert ids(admin_client.get(f"/api/tickets?{query}")) == [open_mail.pk, spam.pk, chat_ticket.pk]
    assert ids(admin_client.get("/api/tickets", {"isClosed": "true"})) == [closed.pk]
    assert ids(admin_client.get("/api/tickets", {"isSpam": "true"})) == [spam.pk]
    assert ids(admin_client.get("/api/tickets", {"channel": "chat"})) == [chat_ticket.pk]
    assert ids(admin_client.get("/api/tickets", {"channelType": "Chat"})) == [chat_ticket.pk]
    assert ids(admin_client.get(f"/api/tickets?channelIDs={chat.pk}&channelIDs=999999")) == [chat_ticket.pk]
    assert ids(admin_client.get("/api/tickets", {"customerRepID": rep.pk})) == [open_mail.pk]
    assert set(ids(admin_client.get("/api/tickets", {"customerRepID": 0}))) == {closed.pk, spam.pk, chat_ticket.pk}
    assert ids(admin_client.get("/api/tickets", {"uid": "JO@example.com"})) == [open_mail.pk]
    assert ids(admin_client.get("/api/tickets", {"endUserId": closed.end_user_id})) == [closed.pk]
    assert ids(admin_client.get("/api/tickets", {"search": "QUESTION", "uid": closed.uid})) == [closed.pk]


def test_counted_total_matches_a_real_count(admin_client, customer, other_customer):
    for status in ("Open", "Open", "Closed", "Pending"):
        TicketFactory(customer=customer, status=status)
    TicketFactory(customer=customer, status="Open", is_spam=True)
    TicketFactory(customer=other_customer, status="Open")
    cases = [
        ({}, 5),
        ({"status": "Open"}, 3),
        ({"isSpam": "false"}, 4),
        ({"isClosed": "false", "isSpam": "false"}, 3),
        ({"isClosed": "true"}, 1),
    ]
    for params, expected in cases:
        assert admin_client.get("/api/Tickets", params).json()["totalCount"] == expected, params
    assert TicketCounter.objects.filter(customer=customer).count() >= 3


def test_selective_list_pages_with_its_total_in_one_query(
    admin_client, customer, other_customer, django_assert_num_queries
):
    hits = [TicketFactory(customer=customer, subject=f"Order #4711 part {n}") for n in range(3)]
    TicketFactory(customer=customer, subject="Order #9999")
    TicketFactory(customer=other_customer, subject="Order #4711 elsewhere")
    with django_assert_num_queries(4):  # auth, page with COUNT(*) OVER (), UIDs, topics
        response = admin_client.get("/api/Tickets", {"search": "#4711", "pageSize": 2})
    data = response.json()
    assert data["totalCount"] == 3 and data["totalPages"] == 2
    assert [row["ticketID"] for row in data["items"]] == [hits[2].pk, hits[1].pk]
    second = admin_client.get("/api/Tickets", {"search": "#4711", "pageSize": 2, "pageNumber": 2}).json()
    assert [row["ticketID"] for row in second["items"]] == [hits[0].pk] and second["totalCount"] == 3
    with django_assert_num_queries(3):  # auth, empty page, count
        beyond = admin_client.get("/api/Tickets", {"search": "#4711", "pageSize": 2, "pageNumber": 3}).json()
    assert beyond == {"items": [], "totalCount": 3, "totalPages": 2}
    with django_assert_num_queries(4):  # uid: auth, page with total, UIDs, topics
        by_uid = admin_client.get("/api/Tickets", {"uid": hits[0].uid}).json()
    assert hits[0].pk in [row["ticketID"] for row in by_uid["items"]]
    assert by_uid["totalCount"] == Ticket.objects.filter(customer=customer, uid=hits[0].uid).count()
    with django_assert_num_queries(5):  # a blank search is no search: auth, counter sum, page, UIDs, topics
        assert admin_client.get("/api/Tickets", {"search": ""}).json()["totalCount"] == 4
    with django_assert_num_queries(5):  # shorter than a trigram (unbounded matches): auth, count, page, UIDs, topics
        assert admin_client.get("/api/Tickets", {"search": "#4"}).json()["totalCount"] == 3


def test_a_broad_search_goes_back_to_count_and_page(admin_client, customer, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(listing, "BROAD_TOTAL", 2)
    monkeypatch.setattr(listing, "_broad_filters", set())
    for _ in range(3):
        TicketFactory(customer=customer, subject="Refund please")
    TicketFactory(customer=customer, subject="Password")
    with django_assert_num_queries(4):  # first time: auth, page with total (3 > 2: remembered as broad), UIDs, topics
        first = admin_client.get("/api/Tickets", {"search": "refund", "pageSize": 2}).json()
    with django_assert_num_queries(6):  # same filter, next page: auth, search version, count, page, UIDs, topics
        second = admin_client.get("/api/Tickets", {"Search": "refund", "pageSize": 2, "pageNumber": 2}).json()
    assert first["totalCount"] == second["totalCount"] == 3 and len(first["items"]) + len(second["items"]) == 3
    with django_assert_num_queries(4):  # another search is still paged with its total
        assert admin_client.get("/api/Tickets", {"search": "password"}).json()["totalCount"] == 1
    with django_assert_num_queries(5):  # the broad search's total now comes from the cache: no count
        assert admin_client.get("/api/Tickets", {"search": "refund", "sortBy": "subject"}).json()["totalCount"] == 3
    for expected in (4, 5):  # with another filter beside it: window, then count + page, never a cached total
        with django_assert_num_queries(expected):
            assert admin_client.get("/api/Tickets", {"search": "refund", "status": "Open"}).json()["totalCount"] == 3


def test_a_cached_search_total_follows_every_write_that_changes_the_matches(
    admin_client, other_admin_client, customer, other_customer, monkeypatch
):
    monkeypatch.setattr(listing, "BROAD_TOTAL", 1)
    monkeypatch.setattr(listing, "_broad_filters", set())
    refunds = [TicketFactory(customer=customer, subject="Refund please") for _ in range(2)]
    other = TicketFactory(customer=customer, subject="Password", uid="someone@example.com")
    TicketFactory(customer=other_customer, subject="Refund elsewhere")

    def total(client=admin_client, term="refund"):
        for _ in range(2):  # the first request remembers the search as broad, the second caches its total
            response = client.get("/api/Tickets", {"search": term})
        return response.json()["totalCount"]

    assert total() == 2 and total(other_admin_client) == 1
    renamed = admin_client.patch(
        f"/api/Tickets/{other.pk}", [{"op": "replace", "path": "/subject", "value": "Refund too"}], format="json"
    )
    assert renamed.status_code == 200, renamed.content
    assert total() == 3 and total(other_admin_client) == 1
    assert admin_client.delete(f"/api/Tickets/{refunds[0].pk}").status_code == 204
    assert total() == 2
    created = admin_client.post(
        "/api/TicketMessages/create-new",
        {"channel": "Email", "incoming": True, "uid": "refunds@example.com", "subject": "Hi", "textBody": "Hi"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert total() == 3  # matched by its UID
    renamed = admin_client.put(
        f"/api/Tickets/{refunds[1].pk}", {"subject": "Thanks", "status": "Open", "channel": "Email"}, format="json"
    )
    assert renamed.status_code == 200, renamed.content
    assert total() == 2 and total(other_admin_client) == 1


def test_search_and_sort_validation(admin_client, customer):
    hit = TicketFactory(customer=customer, subject="Refund for invoice 42")
    TicketFactory(customer=customer, subject="Password reset")
    assert ids(admin_client.get("/api/Tickets", {"search": "INVOICE"})) == [hit.pk]
    assert_problem(admin_client.get("/api/Tickets", {"sortBy": "secret"}), 400)
    assert_problem(admin_client.get("/api/Tickets", {"status": "Lost"}), 400)
    assert_problem(admin_client.get("/api/Tickets", {"channelIDs": "x"}), 400)


def test_retrieve_query_count(admin_client, customer, django_assert_num_queries):
    ticket = TicketFactory(customer=customer)
    with django_assert_num_queries(5):  # auth, ticket (+joins), UIDs, topics, the audit entry (one INSERT)
        response = admin_client.get(f"/api/Tickets/{ticket.pk}")
    assert response.json()["ticketID"] == ticket.pk and response.json()["token"] == str(ticket.token)


def test_create_ticket(admin_client, customer, rep):
    channel = ChannelFactory(customer=customer, channel_type="WhatsApp")
    body = {"status": "Open", "subject": "New", "channelID": channel.pk, "customerRepID": rep.pk}
    response = admin_client.post("/api/tickets", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "WhatsApp" and data["customerRepID"] == rep.pk
    assert TicketCounter.objects.get(customer=customer, status="Open").count == 1


def test_create_validation(admin_client, other_customer):
    assert (
        "channelType"
        in assert_problem(admin_client.post("/api/Tickets", {"status": "Open", "subject": "x"}, format="json"), 400)[
            "errors"
        ]
    )
    foreign = ChannelFactory(customer=other_customer)
    body = {"status": "Open", "subject": "x", "channelID": foreign.pk}
    assert "channelID" in assert_problem(admin_client.post("/api/Tickets", body, format="json"), 400)["errors"]
    body = {"status": "Nope", "subject": "x", "channel": "Email"}
    assert "status" in assert_problem(admin_client.post("/api/Tickets", body, format="json"), 400)["errors"]


def test_phone_token_creates_on_its_channel_only(phone_client, phone_channel, customer):
    response = phone_client.post(
        "/api/Tickets", {"status": "Open", "subject": "Call", "channel": "Email"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["channelID"] == phone_channel.pk and response.json()["channel"] == "Phone"
    other = ChannelFactory(customer=customer, channel_type="Phone")
    body = {"status": "Open", "subject": "Call", "channelID": other.pk}
    assert_problem(phone_client.post("/api/Tickets", body, format="json"), 403, "PhoneChannelMismatch")


def test_phone_token_sees_only_its_channel_and_no_list(phone_client, phone_channel, customer):
    mine = TicketFactory(customer=customer, channel=phone_channel)
    other = TicketFactory(customer=customer)
    assert phone_client.get(f"/api/Tickets/{mine.pk}/history-summary").status_code == 200
    assert_problem(phone_client.get(f"/api/Tickets/{other.pk}/history-summary"), 404)
    assert_problem(phone_client.get("/api/Tickets"), 403)
    assert_problem(phone_client.get(f"/api/Tickets/{mine.pk}"), 403)


def test_put_replaces_fields_and_closes(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    body = {"status": "Open", "subject": "Renamed", "isClosed": True, "channel": "Email", "isSpam": False}
    response = admin_client.put(f"/api/tickets/{ticket.pk}", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["subject"] == "Renamed" and data["status"] == "Open" and data["closeDate"] is None
    body["status"] = "Closed"
    data = admin_client.put(f"/api/tickets/{ticket.pk}", body, format="json").json()
    assert data["status"] == "Closed" and data["isClosed"] and data["closeDate"]


def test_representative_assignment_rules(rep_client, rep, customer, supervisor_rep):
    colleague = CustomerRepFactory(customer=customer)
    free = TicketFactory(customer=customer)
    taken = TicketFactory(customer=customer, customer_rep=colleague)
    base = {"status": "Open", "subject": "x", "channel": "Email"}
    response = rep_client.put(f"/api/Tickets/{free.pk}", {**base, "customerRepID": rep.pk}, format="json")
    assert response.json()["customerRepID"] == rep.pk
    response = rep_client.put(f"/api/Tickets/{free.pk}", {**base, "customerRepID": colleague.pk}, format="json")
    assert_problem(response, 403, "AssignmentNotAllowed")
    response = rep_client.put(f"/api/Tickets/{taken.pk}", {**base, "customerRepID": rep.pk}, format="json")
    assert_problem(response, 403, "AssignmentNotAllowed")
    assert_problem(rep_client.put(f"/api/Tickets/{taken.pk}/assign"), 403, "AssignmentNotAllowed")
    assert_problem(rep_client.delete(f"/api/Tickets/{taken.pk}"), 403, "TicketDeleteNotAllowed")
    assert rep_client.delete(f"/api/Tickets/{free.pk}").status_code == 204


def test_supervisor_assigns_anyone_and_deletes(supervisor_client, customer, rep):
    ticket = TicketFactory(customer=customer)
    response = supervisor_client.patch(
        f"/api/Tickets/{ticket.pk}", [{"op": "replace", "path": "/customerRepID", "value": rep.pk}], format="json"
    )
    assert response.json()["customerRepID"] == rep.pk
    assert supervisor_client.delete(f"/api/Tickets/{ticket.pk}").status_code == 204
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert TicketCounter.objects.get(customer=customer, status="Open").count == 0


def test_assign_to_current_rep(rep_client, rep, customer):
    ticket = TicketFactory(customer=customer)
    response = rep_client.put(f"/api/Tickets/{ticket.pk}/assign")
    assert response.status_code == 200 and response.json()["customerRepID"] == rep.pk


def test_json_patch(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    patch = [
        {"op": "test", "path": "/status", "value": "Open"},
        {"op": "replace", "path": "/status", "value": "Closed"},
        {"op": "replace", "path": "/Subject", "value": "Patched"},
    ]
    response = admin_client.generic(
        "PATCH", f"/api/Tickets/{ticket.pk}", data=json.dumps(patch), content_type="application/json-patch+json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "Closed" and response.json()["subject"] == "Patched"
    response = admin_client.patch(
        f"/api/Tickets/{ticket.pk}", [{"op": "test", "path": "/status", "value": "Open"}], format="json"
    )
    assert_problem(response, 409, "PatchTestFailed")
    response = admin_client.patch(
        f"/api/Tickets/{ticket.pk}", [{"op": "replace", "path": "/token", "value": "x"}], format="json"
    )
    assert_problem(response, 400, "PatchPathNotAllowed")
    assert_problem(
        admin_client.patch(f"/api/Tickets/{ticket.pk}", {"status": "Open"}, format="json"), 400, "InvalidPatch"
    )
    response = admin_client.patch(
        f"/api/Tickets/{ticket.pk}", [{"op": "replace", "path": "/status", "value": "Lost"}], format="json"
    )
    assert "status" in assert_problem(response, 400)["errors"]


def test_phone_patch_cannot_move_channel(phone_client, phone_channel, customer):
    ticket = TicketFactory(customer=customer, channel=phone_channel)
    other = ChannelFactory(customer=customer, channel_type="Phone")
    response = phone_client.patch(
        f"/api/Tickets/{ticket.pk}", [{"op": "replace", "path": "/channelID", "value": other.pk}], format="json"
    )
    assert_problem(response, 403, "PhoneChannelMismatch")
    response = phone_client.patch(
        f"/api/Tickets/{ticket.pk}",
        [{"op": "replace", "path": "/summary", "value": "Caller wants a refund"}],
        format="json",
    )
    assert response.json()["summary"] == "Caller wants a refund"


def test_bulk(admin_client, customer, other_customer, rep, monkeypatch):
    mine = [TicketFactory(customer=customer) for _ in range(2)]
    foreign = TicketFactory(customer=other_customer)
    body = {"ticketIDs": [t.pk for t in mine] + [foreign.pk], "action": "close", "customerRepID": 0}
    response = admin_client.put("/api/tickets/bulk", body, format="json")
    assert response.json() == {"action": "close", "updated": 2}
    foreign.refresh_from_db()
    assert foreign.status == TicketStatus.OPEN
    response = admin_client.put(
        "/api/Tickets/bulk", {**body, "action": "assign", "customerRepID": rep.pk}, format="json"
    )
    assert response.json()["updated"] == 2
    assert set(Ticket.objects.filter(customer=customer).values_list("customer_rep_id", flat=True)) == {rep.pk}
    response = admin_client.put("/api/Tickets/bulk", {**body, "action": "assign", "customerRepID": 0}, format="json")
    assert set(Ticket.objects.filter(customer=customer).values_list("customer_rep_id", flat=True)) == {None}
    response = admin_client.put(
        "/api/Tickets/bulk", {**body, "action": "assign", "customerRepID": 999999}, format="json"
    )
    assert "customerRepID" in assert_problem(response, 400)["errors"]
    monkeypatch.setattr(registry, "_bulk_actions", {})
    response = admin_client.put("/api/Tickets/bulk", {**body, "action": "executeActions"}, format="json")
    assert "executeActions" in assert_problem(response, 400, "BulkActionUnavailable")["detail"]
    assert_problem(admin_client.put("/api/Tickets/bulk", {"ticketIDs": [], "action": "close"}, format="json"), 400)
    response = admin_client.put("/api/Tickets/bulk", {**body, "action": "explode"}, format="json")
    assert "close, reopen, assign, spam, notspam" in assert_problem(response, 400)["errors"]["action"][0]


def test_bulk_assign_by_representative(rep_client, rep, customer):
    colleague = CustomerRepFactory(customer=customer)
    free = TicketFactory(customer=customer)
    body = {"ticketIDs": [free.pk], "action": "assign", "customerRepID": colleague.pk}
    assert_problem(rep_client.put("/api/Tickets/bulk", body, format="json"), 403, "AssignmentNotAllowed")
    body["customerRepID"] = rep.pk
    assert rep_client.put("/api/Tickets/bulk", body, format="json").json()["updated"] == 1


def test_play_is_404_until_recordings_exist(admin_client, customer):
    ticket = TicketFactory(customer=customer, channel__channel_type="Phone")
    assert_problem(admin_client.get(f"/api/Tickets/{ticket.pk}/play"), 404, "RecordingNotFound")


def test_history_summary_is_plain_text(admin_client, customer):
    first = TicketFactory(customer=customer, uid="jo@example.com", subject="Old order", summary="Refunded.")
    TicketFactory(customer=customer, uid="someone@example.com", subject="Not theirs")
    current = TicketFactory(customer=customer, uid="jo@example.com", subject="Now")
    response = admin_client.get(f"/api/tickets/{current.pk}/history-summary")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"#{first.pk}" in text and "Old order: Refunded." in text and "Not theirs" not in text
    assert "No earlier" in admin_client.get(f"/api/tickets/{first.pk}/history-summary").content.decode()


def test_unauthenticated_and_other_tenant(anon_client, admin_client, other_customer):
    assert_problem(anon_client.get("/api/Tickets"), 401)
    foreign = TicketFactory(customer=other_customer)
    for method, path in [
        ("get", f"/api/Tickets/{foreign.pk}"),
        ("put", f"/api/Tickets/{foreign.pk}/assign"),
        ("get", f"/api/Tickets/{foreign.pk}/history-summary"),
        ("delete", f"/api/Tickets/{foreign.pk}"),
    ]:
        assert_problem(getattr(admin_client, method)(path), 404)
    assert Ticket.objects.filter(pk=foreign.pk).exists()


def test_put_accepts_the_read_dto_back_with_nulls(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    body = admin_client.get(f"/api/tickets/{ticket.pk}").json()
    body.update(uid=None, preview=None, summary=None, twilio_CallSid=None, subject="From the client")
    response = admin_client.put(f"/api/tickets/{ticket.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "From the client" and response.json()["uid"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "Snoozed"}, "status"),
        ({"subject": None, "status": None}, "status"),
        ({"customerRepID": "FOREIGN_REP"}, "customerRepID"),
        ({"channelID": "FOREIGN_CHANNEL"}, "channelID"),
        ({"channel": "", "channelType": ""}, "channelType"),
    ],
)
def test_put_validation_changes_nothing(admin_client, customer, other_customer, change, field):
    ticket = TicketFactory(customer=customer, subject="Original")
    foreign = {
        "FOREIGN_REP": CustomerRepFactory(customer=other_customer).pk,
        "FOREIGN_CHANNEL": ChannelFactory(customer=other_customer).pk,
    }
    body = {"status": "Closed", "subject": "Renamed", "channel": "Email", **change}
    body = {key: foreign.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = admin_client.put(f"/api/Tickets/{ticket.pk}", body, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.status, stored.customer_rep_id) == ("Original", TicketStatus.OPEN, None)


def test_assign_needs_a_representative_token(customer):
    ticket = TicketFactory(customer=customer)
    operator = CustomerRep.objects.create_superuser("operator", "Operator-pass-1")
    token = token_issue(
        kind=TokenKind.IMPERSONATION, customer_id=customer.pk, role=Role.ADMINISTRATOR, operator_id=operator.pk
    )
    response = client_with_token(token).put(f"/api/Tickets/{ticket.pk}/assign")
    assert_problem(response, 400, "NoRepresentative")
    assert Ticket.objects.get(pk=ticket.pk).customer_rep_id is None


def test_play_serves_a_webm_call_recording(admin_client, customer):
    ticket = TicketFactory(customer=customer, channel__channel_type="Phone")
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    webm = b"\x1aE\xdf\xa3" + b"\x00" * 60  # filetype sniffs WebM audio as video/webm
    TicketMessageAttachmentFactory(
        customer=customer,
        message=message,
        file=ContentFile(webm, name="call-CA1.webm"),
        file_name="call-CA1.webm",
        content_type="video/webm",
        size=len(webm),
    )
    response = admin_client.get(f"/api/Tickets/{ticket.pk}/play", HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206 and response["Content-Type"] == "video/webm"
    assert b"".join(response.streaming_content) == webm[:4]
