"""GET /api/AuditLog: ManageSettings, the house paging/sorting conventions, a FilterSet, tenant isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import ActorKind, AuditAction, AuditEntry
from tests.audit.factories import AuditEntryFactory
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/AuditLog"
DTO = {
    "auditEntryID",
    "dateCreated",
    "action",
    "customerID",
    "actorID",
    "actorKind",
    "actorName",
    "objectType",
    "objectID",
    "detail",
    "clientAddress",
    "requestID",
}


def test_list_is_paged_newest_first_with_the_dto(admin_client, customer, admin_rep, django_assert_num_queries):
    now = timezone.now()
    entries = [
        AuditEntryFactory(customer=customer, actor=admin_rep, created_at=now - timedelta(minutes=minutes))
        for minutes in range(5)
    ]
    with django_assert_num_queries(3):  # auth (rep), count, page (+ actor join)
        response = admin_client.get(URL, {"pageSize": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["totalCount"], body["totalPages"]) == (5, 3)
    assert [item["auditEntryID"] for item in body["items"]] == [entries[0].pk, entries[1].pk]
    item = body["items"][0]
    assert set(item) == DTO
    assert (item["actorID"], item["actorName"], item["actorKind"]) == (admin_rep.pk, admin_rep.name, "rep")
    assert (item["customerID"], item["action"], item["clientAddress"]) == (customer.pk, "TicketRead", "203.0.113.5")
    second = admin_client.get(URL, {"pageSize": 2, "pageNumber": 3, "sortBy": "dateCreated", "sortOrder": "asc"})
    assert [item["auditEntryID"] for item in second.json()["items"]] == [entries[0].pk]


def test_list_query_count_does_not_grow_with_rows(admin_client, customer, django_assert_num_queries):
    AuditEntryFactory.create_batch(30, customer=customer)  # thirty different actors
    with django_assert_num_queries(3):
        response = admin_client.get(URL, {"pageSize": 30})
    assert len(response.json()["items"]) == 30


def test_filters_by_actor_action_object_and_time(admin_client, customer, admin_rep, rep):
    now = timezone.now()
    read = AuditEntryFactory(customer=customer, actor=rep, object_id="7", created_at=now - timedelta(days=2))
    changed = AuditEntryFactory(
        customer=customer, actor=admin_rep, action=AuditAction.CHANNEL_UPDATED, object_type="Channel", object_id="7"
    )
    failed = AuditEntryFactory(
        customer=customer, actor=None, actor_kind=ActorKind.ANONYMOUS, action=AuditAction.LOGIN_FAILED, object_id=""
    )

    def ids(**params):
        response = admin_client.get(URL, params)
        assert response.status_code == 200, response.content
        return {item["auditEntryID"] for item in response.json()["items"]}

    assert ids(actorID=rep.pk) == {read.pk}
    assert ids(action=["ChannelUpdated", "LoginFailed"]) == {changed.pk, failed.pk}
    assert ids(ACTION="TicketRead") == {read.pk}  # parameter names match in any casing
    assert ids(objectType="channel", objectID="7") == {changed.pk}
    assert ids(actorKind="anonymous") == {failed.pk}
    assert ids(**{"from": (now - timedelta(days=1)).isoformat()}) == {changed.pk, failed.pk}
    assert ids(to=(now - timedelta(days=1)).isoformat()) == {read.pk}
    assert ids(search="ChannelUpd") == {changed.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"action": "Bogus"},
        {"from": "yesterday"},
        {"to": "2026-13-40T00:00:00Z"},
        {"actorID": "x"},
        {"actorID": "1.5"},
        {"actorID": "1e400"},
        {"actorKind": "x"},
    ],
)
def test_invalid_filters_answer_400(admin_client, params):
    body = assert_problem(admin_client.get(URL, params), 400, "ValidationFailed")
    assert set(params) <= set(body["errors"])


def test_another_tenants_entries_never_appear(admin_client, customer, other_customer, other_admin_client):
    own = AuditEntryFactory(customer=customer)
    foreign = AuditEntryFactory(customer=other_customer)
    platform = AuditEntryFactory(customer=None, actor=None, action=AuditAction.LOGIN_LOCKED)
    listed = {item["auditEntryID"] for item in admin_client.get(URL).json()["items"]}
    assert listed == {own.pk}
    assert {item["auditEntryID"] for item in other_admin_client.get(URL).json()["items"]} == {foreign.pk}
    assert admin_client.get(f"{URL}/{own.pk}").json()["auditEntryID"] == own.pk
    assert_problem(admin_client.get(f"{URL}/{foreign.pk}"), 404)
    assert_problem(admin_client.get(f"{URL}/{platform.pk}"), 404)
    assert admin_client.get(URL, {"actorID": foreign.actor_id}).json()["totalCount"] == 0


def test_needs_a_token_and_manage_settings(anon_client, rep_client, supervisor_client, phone_client, customer):
    entry = AuditEntryFactory(customer=customer)
    assert_problem(anon_client.get(URL), 401)
    assert_problem(anon_client.get(f"{URL}/{entry.pk}"), 401)
    for client in (rep_client, supervisor_client, phone_client):
        assert_problem(client.get(URL), 403, "Forbidden")
        assert_problem(client.get(f"{URL}/{entry.pk}"), 403, "Forbidden")


def test_the_log_is_read_only_through_the_api(admin_client, customer):
    entry = AuditEntryFactory(customer=customer)
    assert admin_client.post(URL, {"action": "TicketRead"}, format="json").status_code == 405
    assert admin_client.put(f"{URL}/{entry.pk}", {}, format="json").status_code == 405
    assert admin_client.delete(f"{URL}/{entry.pk}").status_code == 405
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_actor_no_longer_on_record_keeps_its_id(admin_client, customer, rep):
    entry = AuditEntryFactory(customer=customer, actor=rep)
    from accounts.models import CustomerRep

    CustomerRep.objects.filter(pk=rep.pk).delete()  # a hard delete (reps are normally soft-deleted)
    item = admin_client.get(f"{URL}/{entry.pk}").json()
    assert (item["actorID"], item["actorName"]) == (rep.pk, None)
