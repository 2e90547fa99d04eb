"""CustomerReps routes: list, get, me, assignable, create (and first-user bootstrap), PUT, delete,
activate/deactivate with the user limit, change-password and token revocation."""

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import CustomerRep
from answerpal.api.policies import Role
from tests.accounts.factories import CustomerRepFactory
from tests.conftest import assert_problem, client_with_token, rep_token
from tests.customers.factories import CustomerFactory

PASSWORD = "Secret-pass-123"
READ_FIELDS = {
    "customerRepID",
    "username",
    "name",
    "email",
    "phoneNumber",
    "otherDetails",
    "emailSignatureHTML",
    "emailSignatureText",
    "role",
    "isActive",
}


def new_rep_body(**changes):
    body = {"username": "newbie", "password": "Fresh-pass-456", "name": "New Bie", "email": "newbie@example.com"}
    body.update(changes)
    return body


def limit_users(customer, max_users: int) -> None:
    customer.subscription.override_max_users = max_users
    customer.subscription.save()


# --- list / get --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_live_reps_of_the_callers_customer(admin_client, admin_rep, supervisor_rep, rep, other_admin):
    CustomerRepFactory(customer=admin_rep.customer, username="gone", deleted_at=timezone.now(), is_active=False)
    response = admin_client.get("/api/CustomerReps", {"sortBy": "username"})
    assert response.status_code == 200
    body = response.json()
    assert [item["username"] for item in body["items"]] == ["admin", "agent", "supervisor"]
    assert (body["totalCount"], body["totalPages"]) == (3, 1)
    assert set(body["items"][0]) == READ_FIELDS
    assert body["items"][0]["role"] == Role.ADMINISTRATOR and body["items"][0]["isActive"] is True


@pytest.mark.django_db
def test_list_pages_searches_and_pins_its_query_count(admin_client, admin_rep, django_assert_num_queries):
    for number in range(12):
        CustomerRepFactory(customer=admin_rep.customer, username=f"bulk{number:02d}")
    # authentication (1) + count (1) + page (1), whatever the page size
    with django_assert_num_queries(3):
        response = admin_client.get("/api/CustomerReps", {"pageSize": 5, "pageNumber": 2, "sortBy": "username"})
    body = response.json()
    assert body["totalCount"] == 13 and body["totalPages"] == 3
    assert [item["username"] for item in body["items"]] == [f"bulk{number:02d}" for number in range(4, 9)]
    searched = admin_client.get("/api/CustomerReps", {"search": "BULK1"}).json()
    assert {item["username"] for item in searched["items"]} == {"bulk10", "bulk11"}


@pytest.mark.django_db
def test_list_and_get_need_manage_users(supervisor_client, rep_client, phone_client, anon_client, rep):
    for client in (supervisor_client, rep_client, phone_client):
        assert_problem(client.get("/api/CustomerReps"), 403, "Forbidden")
        assert_problem(client.get(f"/api/CustomerReps/{rep.pk}"), 403, "Forbidden")
    assert_problem(anon_client.get("/api/CustomerReps"), 401, "NotAuthenticated")
    assert_problem(anon_client.get(f"/api/CustomerReps/{rep.pk}"), 401, "NotAuthenticated")


@pytest.mark.django_db
def test_get_one_rep(admin_client, rep):
    response = admin_client.get(f"/api/CustomerReps/{rep.pk}")
    assert response.status_code == 200
    assert response.json()["username"] == "agent" and response.json()["customerRepID"] == rep.pk


@pytest.mark.django_db
def test_get_answers_404_for_another_tenant_and_for_deleted_reps(admin_client, admin_rep, other_admin):
    assert_problem(admin_client.get(f"/api/CustomerReps/{other_admin.pk}"), 404, "NotFound")
    gone = CustomerRepFactory(customer=admin_rep.customer, deleted_at=timezone.now())
    assert_problem(admin_client.get(f"/api/CustomerReps/{gone.pk}"), 404, "NotFound")


# --- me / assignable ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_returns_the_callers_profile(rep_client, rep, anon_client, phone_client):
    response = rep_client.get("/api/CustomerReps/me")
    assert response.status_code == 200 and response.json()["customerRepID"] == rep.pk
    assert_problem(anon_client.get("/api/CustomerReps/me"), 401, "NotAuthenticated")
    assert_problem(phone_client.get("/api/CustomerReps/me"), 403, "Forbidden")


@pytest.mark.django_db
def test_assignable_lists_active_reps_only(supervisor_client, admin_rep, supervisor_rep, rep, other_admin):
    CustomerRepFactory(customer=rep.customer, username="idle", is_active=False)
    CustomerRepFactory(customer=rep.customer, username="gone", deleted_at=timezone.now())
    response = supervisor_client.get("/api/CustomerReps/assignable")
    assert response.status_code == 200
    assert sorted(item["username"] for item in response.json()) == ["admin", "agent", "supervisor"]


@pytest.mark.django_db
def test_assignable_pins_its_query_count(admin_client, admin_rep, django_assert_num_queries):
    for number in range(10):
        CustomerRepFactory(customer=admin_rep.customer)
    with django_assert_num_queries(2):  # authentication + the list
        assert len(admin_client.get("/api/CustomerReps/assignable").json()) == 11


@pytest.mark.django_db
def test_assignable_needs_administrator_or_supervisor(rep_client, anon_client, phone_client):
    assert_problem(rep_client.get("/api/CustomerReps/assignable"), 403, "Forbidden")
    assert_problem(phone_client.get("/api/CustomerReps/assignable"), 403, "Forbidden")
    assert_problem(anon_client.get("/api/CustomerReps/assignable"), 401, "NotAuthenticated")


# --- create ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_creates_a_rep_in_its_own_customer(admin_client, admin_rep, anon_client):
    response = admin_client.post("/api/CustomerReps", new_rep_body(role="Supervisor"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == READ_FIELDS
    assert (body["username"], body["role"], body["isActive"]) == ("newbie", "Supervisor", True)
    created = CustomerRep.objects.get(pk=body["customerRepID"])
    assert created.customer_id == admin_rep.customer_id and created.check_password("Fresh-pass-456")
    login = {"username": "newbie", "password": "Fresh-pass-456", "hostname": "acme.answerpal.test"}
    assert anon_client.post("/api/Auth/login", login, format="json").status_code == 200


@pytest.mark.django_db
def test_create_defaults_to_representative(admin_client, admin_rep):
    body = admin_client.post("/api/CustomerReps", new_rep_body(), format="json").json()
    assert body["role"] == Role.REPRESENTATIVE


@pytest.mark.django_db
def test_create_validates_the_body_and_the_password(admin_client, admin_rep):
    body = assert_problem(admin_client.post("/api/CustomerReps", {"username": "x"}, format="json"), 400)
    assert {"password", "name", "email"} <= set(body["errors"])
    body = assert_problem(
        admin_client.post("/api/CustomerReps", new_rep_body(role="Overlord"), format="json"), 400, "ValidationFailed"
    )
    assert "role" in body["errors"]
    weak = admin_client.post("/api/CustomerReps", new_rep_body(password="password"), format="json")
    assert assert_problem(weak, 400, "InvalidPassword")["errors"]["password"]
    assert not CustomerRep.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_usernames_are_unique_per_customer_ignoring_case(admin_client, admin_rep, rep, other_admin_client):
    response = admin_client.post("/api/CustomerReps", new_rep_body(username="AGENT"), format="json")
    assert_problem(response, 409, "DuplicateUsername")
    # the same username in another customer is fine
    assert (
        other_admin_client.post("/api/CustomerReps", new_rep_body(username="agent"), format="json").status_code == 201
    )
    # a deleted rep frees its username
    rep.deleted_at = timezone.now()
    rep.save()
    assert admin_client.post("/api/CustomerReps", new_rep_body(username="agent"), format="json").status_code == 201


@pytest.mark.django_db
def test_create_needs_manage_users(supervisor_client, rep_client, phone_client):
    for client in (supervisor_client, rep_client, phone_client):
        assert_problem(client.post("/api/CustomerReps", new_rep_body(), format="json"), 403, "Forbidden")
    assert not CustomerRep.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_create_respects_the_effective_user_limit(admin_client, admin_rep, supervisor_rep, rep):
    limit_users(admin_rep.customer, 3)
    response = admin_client.post("/api/CustomerReps", new_rep_body(), format="json")
    assert_problem(response, 409, "UserLimitExceeded")
    # an inactive rep takes no seat
    inactive = admin_client.post("/api/CustomerReps", new_rep_body(isActive=False), format="json")
    assert inactive.status_code == 201 and inactive.json()["isActive"] is False
    # inactive and deleted reps do not count
    rep.is_active = False
    rep.save()
    assert admin_client.post("/api/CustomerReps", new_rep_body(username="third"), format="json").status_code == 201


# --- first-user bootstrap ----------------------------------------------------------------------


@pytest.fixture
def fresh_customer(db):
    return CustomerFactory(name="Fresh", hostname="fresh.answerpal.test")


@pytest.mark.django_db
def test_bootstrap_creates_the_first_administrator_without_a_token(anon_client, fresh_customer):
    response = anon_client.post(
        "/api/CustomerReps", new_rep_body(hostname="Fresh.AnswerPal.test", role="Representative"), format="json"
    )
    assert response.status_code == 201, response.content
    created = CustomerRep.objects.get(pk=response.json()["customerRepID"])
    assert (created.customer, created.role, created.is_active) == (fresh_customer, Role.ADMINISTRATOR, True)


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["fresh.answerpal.test"])
def test_bootstrap_falls_back_to_the_host_header(anon_client, fresh_customer):
    response = anon_client.post("/api/CustomerReps", new_rep_body(), format="json", HTTP_HOST="fresh.answerpal.test")
    assert response.status_code == 201, response.content
    assert CustomerRep.objects.get(username="newbie").customer == fresh_customer


@pytest.mark.django_db
def test_bootstrap_is_refused_once_the_customer_has_a_rep(anon_client, fresh_customer, admin_rep):
    first = anon_client.post("/api/CustomerReps", new_rep_body(hostname=fresh_customer.hostname), format="json")
    assert first.status_code == 201
    second = new_rep_body(username="second", hostname=fresh_customer.hostname)
    assert_problem(anon_client.post("/api/CustomerReps", second, format="json"), 401, "NotAuthenticated")
    # a customer that already has reps, and an unknown hostname, are refused alike
    for hostname in ("acme.answerpal.test", "nowhere.answerpal.test"):
        body = new_rep_body(username="third", hostname=hostname)
        assert_problem(anon_client.post("/api/CustomerReps", body, format="json"), 401, "NotAuthenticated")
    assert CustomerRep.objects.filter(customer=fresh_customer).count() == 1


@pytest.mark.django_db
def test_bootstrap_validates_the_body(anon_client, fresh_customer):
    weak = new_rep_body(hostname=fresh_customer.hostname, password="123")
    assert_problem(anon_client.post("/api/CustomerReps", weak, format="json"), 400, "InvalidPassword")
    assert_problem(anon_client.post("/api/CustomerReps", {"hostname": "x"}, format="json"), 400, "ValidationFailed")


@pytest.mark.django_db
def test_create_with_an_invalid_token_is_401_not_a_bootstrap(anon_client, fresh_customer):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = anon_client.post("/api/CustomerReps", new_rep_body(hostname=fresh_customer.hostname), format="json")
    assert_problem(response, 401, "InvalidToken")
    assert not CustomerRep.objects.exists()


# --- update ------------------------------------------------------------------------------------


def update_body(rep, **changes):
    body = {"customerRepID": rep.pk, "name": "Renamed", "email": "renamed@example.com", "phoneNumber": "+32 2 555"}
    body.update(changes)
    return body


@pytest.mark.django_db
def test_admin_updates_any_rep_including_the_role(admin_client, rep):
    response = admin_client.put(f"/api/CustomerReps/{rep.pk}", update_body(rep, role="Supervisor"), format="json")
    assert response.status_code == 204, response.content
    rep.refresh_from_db()
    assert (rep.name, rep.email, rep.phone_number, rep.role) == (
        "Renamed",
        "renamed@example.com",
        "+32 2 555",
        Role.SUPERVISOR,
    )


@pytest.mark.django_db
def test_rep_updates_its_own_profile_but_not_its_role(rep_client, rep):
    response = rep_client.put(f"/api/CustomerReps/{rep.pk}", update_body(rep, role=rep.role), format="json")
    assert response.status_code == 204
    rep.refresh_from_db()
    assert rep.name == "Renamed"
    promote = rep_client.put(f"/api/CustomerReps/{rep.pk}", update_body(rep, role="Administrator"), format="json")
    assert_problem(promote, 403, "CannotChangeRole")
    rep.refresh_from_db()
    assert rep.role == Role.REPRESENTATIVE


@pytest.mark.django_db
def test_non_admins_cannot_update_others(rep_client, supervisor_client, admin_rep, rep):
    for client in (rep_client, supervisor_client):
        response = client.put(f"/api/CustomerReps/{admin_rep.pk}", update_body(admin_rep), format="json")
        assert_problem(response, 403, "Forbidden")
    admin_rep.refresh_from_db()
    assert admin_rep.name != "Renamed"


@pytest.mark.django_db
def test_update_validation(admin_client, rep):
    body = assert_problem(admin_client.put(f"/api/CustomerReps/{rep.pk}", {"name": ""}, format="json"), 400)
    assert {"name", "email"} <= set(body["errors"])
    mismatch = admin_client.put(f"/api/CustomerReps/{rep.pk}", update_body(rep, customerRepID=rep.pk + 1000))
    assert "customerRepID" in assert_problem(mismatch, 400)["errors"]


@pytest.mark.django_db
def test_update_of_another_tenants_rep_is_404(admin_client, other_admin, anon_client, rep):
    response = admin_client.put(f"/api/CustomerReps/{other_admin.pk}", update_body(other_admin), format="json")
    assert_problem(response, 404, "NotFound")
    assert_problem(anon_client.put(f"/api/CustomerReps/{rep.pk}", update_body(rep), format="json"), 401)


@pytest.mark.django_db
def test_the_last_administrator_cannot_be_demoted(admin_client, admin_rep):
    response = admin_client.put(
        f"/api/CustomerReps/{admin_rep.pk}", update_body(admin_rep, role="Representative"), format="json"
    )
    assert_problem(response, 409, "LastAdministrator")
    CustomerRepFactory(customer=admin_rep.customer, role=Role.ADMINISTRATOR)
    response = admin_client.put(
        f"/api/CustomerReps/{admin_rep.pk}", update_body(admin_rep, role="Representative"), format="json"
    )
    assert response.status_code == 204
    # the role is read from the row on every request: the old token lost ManageUsers at once
    assert_problem(admin_client.get("/api/CustomerReps"), 403, "Forbidden")


# --- delete ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_is_a_soft_delete_that_revokes_and_hides(admin_client, rep, rep_client):
    assert rep_client.get("/api/CustomerReps/me").status_code == 200
    assert admin_client.delete(f"/api/CustomerReps/{rep.pk}").status_code == 204
    rep.refresh_from_db()
    assert rep.deleted_at is not None and rep.is_active is False
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    assert_problem(admin_client.get(f"/api/CustomerReps/{rep.pk}"), 404, "NotFound")
    assert_problem(admin_client.delete(f"/api/CustomerReps/{rep.pk}"), 404, "NotFound")
    assert rep.pk not in {item["customerRepID"] for item in admin_client.get("/api/CustomerReps").json()["items"]}
    assert rep.pk not in {item["customerRepID"] for item in admin_client.get("/api/CustomerReps/assignable").json()}


@pytest.mark.django_db
def test_delete_needs_manage_users_and_the_own_tenant(supervisor_client, rep_client, admin_client, rep, other_admin):
    for client in (supervisor_client, rep_client):
        assert_problem(client.delete(f"/api/CustomerReps/{rep.pk}"), 403, "Forbidden")
    assert_problem(admin_client.delete(f"/api/CustomerReps/{other_admin.pk}"), 404, "NotFound")
    other_admin.refresh_from_db()
    rep.refresh_from_db()
    assert other_admin.deleted_at is None and rep.deleted_at is None


@pytest.mark.django_db
def test_the_last_administrator_cannot_be_deleted_or_deactivated(admin_client, admin_rep):
    assert_problem(admin_client.delete(f"/api/CustomerReps/{admin_rep.pk}"), 409, "LastAdministrator")
    assert_problem(admin_client.post(f"/api/CustomerReps/{admin_rep.pk}/deactivate"), 409, "LastAdministrator")
    admin_rep.refresh_from_db()
    assert admin_rep.is_active and admin_rep.deleted_at is None


# --- activate / deactivate ---------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivate_revokes_and_activate_restores_sign_in(admin_client, rep, rep_client, anon_client):
    assert admin_client.post(f"/api/CustomerReps/{rep.pk}/deactivate").status_code == 204
    rep.refresh_from_db()
    assert rep.is_active is False
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    login = {"username": "agent", "password": PASSWORD, "hostname": "acme.answerpal.test"}
    assert_problem(anon_client.post("/api/Auth/login", login, format="json"), 401, "InvalidCredentials")

    assert admin_client.post(f"/api/CustomerReps/{rep.pk}/activate").status_code == 204
    rep.refresh_from_db()
    assert rep.is_active is True
    # the old token stays revoked; a new login works
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    assert anon_client.post("/api/Auth/login", login, format="json").status_code == 200
    # both are idempotent
    assert admin_client.post(f"/api/CustomerReps/{rep.pk}/activate").status_code == 204


@pytest.mark.django_db
def test_activation_respects_the_user_limit(admin_client, admin_rep, supervisor_rep, rep):
    limit_users(admin_rep.customer, 3)
    admin_client.post(f"/api/CustomerReps/{rep.pk}/deactivate")
    CustomerRepFactory(customer=admin_rep.customer, username="newcomer")  # takes the freed seat
    assert_problem(admin_client.post(f"/api/CustomerReps/{rep.pk}/activate"), 409, "UserLimitExceeded")
    rep.refresh_from_db()
    assert rep.is_active is False
    limit_users(admin_rep.customer, 4)
    assert admin_client.post(f"/api/CustomerReps/{rep.pk}/activate").status_code == 204


@pytest.mark.django_db
def test_activation_routes_need_manage_users_and_the_own_tenant(supervisor_client, admin_client, rep, other_admin):
    for action in ("activate", "deactivate"):
        assert_problem(supervisor_client.post(f"/api/CustomerReps/{rep.pk}/{action}"), 403, "Forbidden")
        assert_problem(admin_client.post(f"/api/CustomerReps/{other_admin.pk}/{action}"), 404, "NotFound")
    other_admin.refresh_from_db()
    assert other_admin.is_active


# --- change password ---------------------------------------------------------------------------


def change_password(client, rep, **body):
    return client.put(f"/api/CustomerReps/{rep.pk}/change-password", body, format="json")


@pytest.mark.django_db
def test_own_password_change_needs_the_current_password_and_revokes_tokens(rep_client, rep, anon_client):
    missing = change_password(rep_client, rep, newPassword="Brand-new-pass-77")
    assert "currentPassword" in assert_problem(missing, 400)["errors"]
    wrong = change_password(rep_client, rep, currentPassword="nope", newPassword="Brand-new-pass-77")
    assert_problem(wrong, 400, "InvalidCurrentPassword")

    ok = change_password(rep_client, rep, currentPassword=PASSWORD, newPassword="Brand-new-pass-77")
    assert ok.status_code == 204, ok.content
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    login = {"username": "agent", "password": "Brand-new-pass-77", "hostname": "acme.answerpal.test"}
    assert anon_client.post("/api/Auth/login", login, format="json").status_code == 200


@pytest.mark.django_db
def test_admin_sets_another_reps_password_with_the_front_end_body(admin_client, rep, rep_client):
    response = change_password(admin_client, rep, customerRepID=rep.pk, newPassword="Brand-new-pass-77")
    assert response.status_code == 204
    rep.refresh_from_db()
    assert rep.check_password("Brand-new-pass-77")
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    # the admin's own token is untouched
    assert admin_client.get("/api/CustomerReps").status_code == 200


@pytest.mark.django_db
def test_change_password_validation(admin_client, rep):
    weak = change_password(admin_client, rep, newPassword="abc")
    assert assert_problem(weak, 400, "InvalidPassword")["errors"]["newPassword"]
    mismatch = change_password(admin_client, rep, customerRepID=rep.pk + 99, newPassword="Brand-new-pass-77")
    assert "customerRepID" in assert_problem(mismatch, 400)["errors"]
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


@pytest.mark.django_db
def test_change_password_of_others_needs_manage_users(rep_client, supervisor_client, admin_rep, other_admin):
    for client in (rep_client, supervisor_client):
        response = change_password(client, admin_rep, newPassword="Brand-new-pass-77")
        assert_problem(response, 403, "Forbidden")


@pytest.mark.django_db
def test_change_password_other_tenant_and_anonymous(admin_client, anon_client, other_admin, rep):
    assert_problem(change_password(admin_client, other_admin, newPassword="Brand-new-pass-77"), 404, "NotFound")
    assert_problem(change_password(anon_client, rep, newPassword="Brand-new-pass-77"), 401)
    other_admin.refresh_from_db()
    assert other_admin.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_rep_token_issued_before_a_version_bump_is_refused(rep):
    stale = client_with_token(rep_token(rep))
    rep.token_version += 1
    rep.save()
    assert_problem(stale.get("/api/CustomerReps/me"), 401, "InvalidToken")
    assert client_with_token(rep_token(rep)).get("/api/CustomerReps/me").status_code == 200


@pytest.mark.django_db
def test_the_web_apps_fetch_all_request_gets_more_than_a_hundred_reps(admin_client, admin_rep):
    CustomerRepFactory.create_batch(120, customer=admin_rep.customer)
    body = admin_client.get("/api/CustomerReps", {"pageSize": 999999}).json()
    assert (len(body["items"]), body["totalCount"], body["totalPages"]) == (121, 121, 1)
