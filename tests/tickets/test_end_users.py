import pytest

from answerpal.events import Event
from tests.conftest import assert_problem
from tests.tickets.factories import EndUserFactory, EndUserUIDFactory, TicketFactory
from tickets import services
from tickets.models import EndUser, EndUserUID

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    calls = []
    for module in (services.end_users, services.tickets, services.messages):  # the modules that publish
        monkeypatch.setattr(module, "publish", lambda event, **payload: calls.append((event, payload)))
    return calls


def test_create_defaults_to_lead_normalises_uids_and_publishes(admin_client, customer, published):
    body = {
        "firstname": "Jane",
        "lastname": "Doe",
        "customerRef": "ERP-3049353",
        "customerType": "",
        "lang": "nl",
        "country": "BE",
        "uiDs": [
            {"uidType": "Email", "uid": "Jane@Example.com", "isPrimary": True},
            {"uidType": "Phone", "uid": "+32 2 555 01 00", "isPrimary": False},
        ],
    }
    response = admin_client.post("/api/endUsers", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customerType"] == "Lead" and data["name"] == "Jane Doe"
    assert [(uid["uid"], uid["isPrimary"]) for uid in data["uiDs"]] == [
        ("jane@example.com", True),
        ("+3225550100", False),
    ]
    assert data["uids"] == data["uiDs"]
    assert (Event.END_USER_ADDED, {"customer_id": customer.pk, "end_user_id": data["endUserID"]}) in published


def test_create_validation_errors(admin_client):
    response = admin_client.post(
        "/api/EndUsers", {"customerType": "Alien", "uids": [{"uidType": "Email", "uid": "nope"}]}, format="json"
    )
    body = assert_problem(response, 400)
    assert "customerType" in body["errors"]
    response = admin_client.post("/api/EndUsers", {"uids": [{"uidType": "Email", "uid": "nope"}]}, format="json")
    assert assert_problem(response, 400)["errors"] == {"uid": ["'nope' is not a valid e-mail address."]}


def test_create_with_uid_of_another_end_user_conflicts(admin_client, customer):
    EndUserUIDFactory(customer=customer, uid="taken@example.com")
    response = admin_client.post("/api/EndUsers", {"uids": [{"uid": "taken@example.com"}]}, format="json")
    assert_problem(response, 409, "DuplicateUid")
    assert EndUser.objects.filter(customer=customer).count() == 1


def test_update_keeps_type_on_empty_and_edits_uids(admin_client, customer, published):
    end_user = EndUserFactory(customer=customer, customer_type="Customer")
    keep = EndUserUIDFactory(customer=customer, end_user=end_user, uid="keep@example.com")
    drop = EndUserUIDFactory(customer=customer, end_user=end_user, uid="drop@example.com", is_primary=False)
    body = {
        "firstname": "New",
        "customerType": "",
        "aiDocumentation": "Prefers phone.",
        "uiDs": [
            {"endUserUIDID": keep.pk, "uidType": "Email", "uid": "keep@example.com", "isPrimary": False},
            {"endUserUIDID": drop.pk, "uidType": "Email", "uid": "drop@example.com", "markAsDeleted": True},
            {"endUserUIDID": None, "uidType": "ExternalReference", "uid": "CRM-9", "isPrimary": True},
        ],
    }
    response = admin_client.put(f"/api/EndUsers/{end_user.pk}", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["customerType"] == "Customer" and data["firstname"] == "New"
    assert data["aIDocumentation"] == "Prefers phone."
    assert [(uid["uid"], uid["isPrimary"]) for uid in data["uiDs"]] == [("CRM-9", True), ("keep@example.com", False)]
    assert (Event.END_USER_UPDATED, {"customer_id": customer.pk, "end_user_id": end_user.pk}) in published


def test_update_with_foreign_uid_row_is_400(admin_client, customer, other_customer):
    end_user = EndUserFactory(customer=customer)
    foreign = EndUserUIDFactory(customer=other_customer)
    body = {"uiDs": [{"endUserUIDID": foreign.pk, "uid": "x@example.com"}]}
    response = admin_client.put(f"/api/EndUsers/{end_user.pk}", body, format="json")
    assert_problem(response, 400)
    assert EndUserUID.objects.get(pk=foreign.pk).uid == foreign.uid


def test_list_search_sort_and_query_count(admin_client, customer, other_customer, django_assert_num_queries):
    # Fixed first names: a random Faker one ("Jamia", "Amiah") would match the search below.
    for name in ("Zed", "Adam", "Mia"):
        EndUserUIDFactory(customer=customer, end_user=EndUserFactory(customer=customer, firstname="Pat", lastname=name))
    EndUserUIDFactory(
        customer=customer,
        end_user=EndUserFactory(customer=customer, firstname="Pat", lastname="Other"),
        uid="mia@shop.example",
    )
    EndUserFactory(customer=other_customer, lastname="Adam")
    with django_assert_num_queries(4):  # auth, count, page, UIDs
        response = admin_client.get("/api/endUsers", {"PageNumber": 1, "PageSize": 2, "SortBy": "lastname"})
    data = response.json()
    assert data["totalCount"] == 4 and data["totalPages"] == 2
    assert [item["lastname"] for item in data["items"]] == ["Adam", "Mia"]
    response = admin_client.get("/api/EndUsers", {"search": "mia"})
    assert sorted(item["lastname"] for item in response.json()["items"]) == ["Mia", "Other"]
    assert_problem(admin_client.get("/api/EndUsers", {"sortBy": "password"}), 400)


def test_by_uid_matches_uid_or_customer_ref(admin_client, customer, other_customer):
    holder = EndUserUIDFactory(customer=customer, uid="jo@example.com").end_user
    by_ref = EndUserFactory(customer=customer, customer_ref="ERP-1")
    EndUserUIDFactory(customer=other_customer, uid="erp-1")
    response = admin_client.get("/api/EndUsers/byUid", {"uid": " JO@example.com "})
    assert [row["endUserID"] for row in response.json()] == [holder.pk]
    response = admin_client.get("/api/EndUsers/byUid", {"uid": "ERP-1"})
    assert [row["endUserID"] for row in response.json()] == [by_ref.pk]
    assert_problem(admin_client.get("/api/EndUsers/byUid"), 400)


def test_by_uid_path_form_is_tenant_scoped(admin_client, customer, other_customer):
    mine = EndUserUIDFactory(customer=customer, uid="jo@example.com").end_user
    EndUserUIDFactory(customer=other_customer, uid="ann@example.com")
    assert [row["endUserID"] for row in admin_client.get("/api/endUsers/byUid/jo@example.com").json()] == [mine.pk]
    assert admin_client.get("/api/endUsers/byUid/ann@example.com").json() == []


def test_end_user_tickets_cover_uids_and_customer_ref(admin_client, customer, django_assert_num_queries):
    end_user = EndUserFactory(customer=customer, customer_ref="ERP-7")
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="jo@example.com")
    linked = TicketFactory(customer=customer, end_user=end_user, uid="")
    by_uid = TicketFactory(customer=customer, end_user=None, uid="jo@example.com")
    by_ref = TicketFactory(customer=customer, end_user=None, uid="ERP-7", status="Closed")
    TicketFactory(customer=customer)
    response = admin_client.get(f"/api/EndUsers/{end_user.pk}/tickets", {"sortBy": "ticketID", "sortOrder": "asc"})
    assert [row["ticketID"] for row in response.json()["items"]] == [linked.pk, by_uid.pk, by_ref.pk]
    # a ticket created with the person's UID or customerRef belongs to the person, so endUserId agrees
    assert {row["endUserID"] for row in response.json()["items"]} == {end_user.pk}
    by_end_user = admin_client.get("/api/Tickets", {"endUserId": end_user.pk, "sortBy": "ticketID", "sortOrder": "asc"})
    assert [row["ticketID"] for row in by_end_user.json()["items"]] == [linked.pk, by_uid.pk, by_ref.pk]
    # auth, end user (+UIDs), person's UIDs, page with its total, the page's end users, topics
    with django_assert_num_queries(7):
        response = admin_client.get(f"/api/EndUsers/{end_user.pk}/tickets", {"isClosed": "true"})
    assert [row["ticketID"] for row in response.json()["items"]] == [by_ref.pk]
    assert response.json()["totalCount"] == 1 and response.json()["totalPages"] == 1
    paged = admin_client.get(f"/api/EndUsers/{end_user.pk}/tickets", {"pageSize": 2, "pageNumber": 2}).json()
    assert paged["totalCount"] == 3 and paged["totalPages"] == 2 and len(paged["items"]) == 1
    assert_problem(admin_client.get(f"/api/EndUsers/{end_user.pk}/tickets", {"status": "Lost"}), 400)


def test_delete_publishes_and_keeps_tickets(admin_client, customer, published):
    ticket = TicketFactory(customer=customer)
    end_user = ticket.end_user
    response = admin_client.delete(f"/api/EndUsers/{end_user.pk}")
    assert response.status_code == 204
    ticket.refresh_from_db()
    assert ticket.end_user_id is None
    assert (Event.END_USER_DELETED, {"customer_id": customer.pk, "end_user_id": end_user.pk}) in published


def test_assign_uid(admin_client, customer, other_customer):
    end_user = EndUserFactory(customer=customer)
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="first@example.com")
    body = {"uid": "0032 470 12 34 56", "endUserID": end_user.pk, "uidType": "Phone", "isPrimary": True}
    response = admin_client.post("/api/endUserUIDs/assign", body, format="json")
    assert response.status_code == 200, response.content
    assert [(row["uid"], row["isPrimary"]) for row in response.json()["uiDs"]] == [
        ("+32470123456", True),
        ("first@example.com", False),
    ]
    foreign = EndUserFactory(customer=other_customer)
    response = admin_client.post("/api/EndUserUIDs/assign", {**body, "endUserID": foreign.pk}, format="json")
    assert "endUserID" in assert_problem(response, 400)["errors"]


def test_auth_and_roles(anon_client, phone_client, rep_client, customer):
    assert_problem(anon_client.get("/api/EndUsers"), 401)
    assert_problem(anon_client.post("/api/EndUserUIDs/assign", {}, format="json"), 401)
    assert_problem(phone_client.get("/api/EndUsers"), 403)
    assert rep_client.get("/api/EndUsers").status_code == 200


def test_other_tenant_is_404(admin_client, other_customer):
    foreign = EndUserFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        assert_problem(getattr(admin_client, method)(f"/api/EndUsers/{foreign.pk}", {}, format="json"), 404)
    assert_problem(admin_client.get(f"/api/EndUsers/{foreign.pk}/tickets"), 404)


def test_null_texts_read_as_blank(admin_client):
    body = {"firstname": None, "lastname": "Solo", "company": None, "uiDs": []}
    response = admin_client.post("/api/endUsers", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["firstname"] == "" and response.json()["name"] == "Solo"
