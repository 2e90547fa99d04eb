"""Auth routes: login, phone login, impersonation, password reset."""

from datetime import timedelta

import bcrypt
import pytest
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import PasswordResetToken
from accounts.services import phone_login_secret_clear, phone_login_secret_set
from answerpal.api.policies import Role
from audit.models import ActorKind, AuditAction, AuditEntry
from tests.accounts.factories import CustomerRepFactory, PasswordResetTokenFactory
from tests.conftest import assert_problem, client_with_token
from tests.customers.factories import CustomerFactory

PASSWORD = "Secret-pass-123"
LOGIN = "/api/Auth/login"


def login(client, username, password=PASSWORD, hostname="acme.answerpal.test"):
    return client.post(LOGIN, {"username": username, "password": password, "hostname": hostname}, format="json")


# --- login -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_returns_a_working_token_and_records_last_login(anon_client, rep):
    response = login(anon_client, "agent")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    claims = AccessToken(token)
    assert (claims["kind"], claims["rep"], claims["customer"]) == ("rep", rep.pk, rep.customer_id)
    me = client_with_token(token).get("/api/CustomerReps/me")
    assert me.status_code == 200 and me.json()["customerRepID"] == rep.pk
    rep.refresh_from_db()
    assert rep.last_login is not None


@pytest.mark.django_db
def test_login_ignores_username_and_hostname_casing(anon_client, rep):
    assert login(anon_client, "AGENT", hostname="Acme.AnswerPal.test").status_code == 200


@pytest.mark.django_db
def test_login_validation_error_names_the_missing_fields(anon_client):
    body = assert_problem(anon_client.post(LOGIN, {"username": "x"}, format="json"), 400, "ValidationFailed")
    assert set(body["errors"]) == {"password", "hostname"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    ["wrong password", "unknown user", "other hostname", "inactive rep", "deleted rep", "inactive customer"],
)
def test_login_refusals_never_say_which_part_was_wrong(anon_client, rep, other_customer, case):
    username, password, hostname = "agent", PASSWORD, "acme.answerpal.test"
    if case == "wrong password":
        password = "Wrong-pass-123"
    elif case == "unknown user":
        username = "nobody"
    elif case == "other hostname":
        hostname = other_customer.hostname
    elif case == "inactive rep":
        rep.is_active = False
        rep.save()
    elif case == "deleted rep":
        rep.deleted_at = timezone.now()
        rep.save()
    elif case == "inactive customer":
        rep.customer.is_active = False
        rep.customer.save()
    body = assert_problem(login(anon_client, username, password, hostname), 401, "InvalidCredentials")
    assert body["detail"] == "The sign-in details are not valid; check them and retry."


@pytest.mark.django_db
def test_localhost_reaches_every_customer_only_in_debug(anon_client, rep):
    assert_problem(login(anon_client, "agent", hostname="localhost"), 401, "InvalidCredentials")
    with override_settings(DEBUG=True):
        assert login(anon_client, "agent", hostname="localhost:5173").status_code == 200
        assert login(anon_client, "agent", hostname="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_localhost_in_debug_refuses_an_ambiguous_username(anon_client, admin_rep, other_admin):
    with override_settings(DEBUG=True):
        assert_problem(login(anon_client, "admin", hostname="localhost"), 401, "InvalidCredentials")


@pytest.mark.django_db
def test_a_customer_named_localhost_wins_over_the_debug_bypass(anon_client, admin_rep):
    demo = CustomerFactory(hostname="localhost")
    demo_admin = CustomerRepFactory(customer=demo, username="admin", role=Role.ADMINISTRATOR)
    with override_settings(DEBUG=True):
        response = login(anon_client, "admin", hostname="localhost")
    assert response.status_code == 200
    assert AccessToken(response.json()["token"])["rep"] == demo_admin.pk


@pytest.mark.django_db
def test_legacy_bcrypt_hash_verifies_and_is_upgraded_at_first_login(anon_client, rep):
    legacy = bcrypt.hashpw(b"Legacy-pass-42", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()
    assert legacy.startswith("$2a$")
    rep.password = f"bcrypt${legacy}"
    rep.save()

    assert_problem(login(anon_client, "agent", "not-it"), 401, "InvalidCredentials")
    rep.refresh_from_db()
    assert rep.password == f"bcrypt${legacy}"

    assert login(anon_client, "agent", "Legacy-pass-42").status_code == 200
    rep.refresh_from_db()
    assert rep.password.startswith(get_hasher().algorithm + "$")
    assert login(anon_client, "agent", "Legacy-pass-42").status_code == 200


@pytest.mark.django_db
def test_overlong_password_against_a_bcrypt_hash_is_refused_not_an_error(anon_client, rep):
    rep.password = "bcrypt$" + bcrypt.hashpw(b"short", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()
    rep.save()
    assert_problem(login(anon_client, "agent", "x" * 100), 401, "InvalidCredentials")


# --- phone login (the device-secret opt-in and what a phone token obtains: tests/accounts/test_phone_login.py) ------


@pytest.fixture
def twilio_customer(customer):
    customer.twilio_account_sid = "AC0123456789abcdef0123456789abcdef"
    customer.save()
    return customer


@pytest.fixture
def device_secret(phone_channel):
    return phone_login_secret_set(channel=phone_channel, actor="test")


def phone_login(client, phone_number="+3225550100", account_sid="AC0123456789abcdef0123456789abcdef", secret=None):
    body = {"phoneNumber": phone_number, "accountSid": account_sid}
    if secret is not None:
        body["deviceSecret"] = secret
    return client.post("/api/Auth/phone-login", body, format="json")


@pytest.mark.django_db
def test_phone_login_issues_a_channel_bound_token(anon_client, twilio_customer, phone_channel, device_secret):
    response = phone_login(anon_client, secret=device_secret)
    assert response.status_code == 200, response.content
    claims = AccessToken(response.json()["token"])
    assert (claims["kind"], claims["channel"], claims["customer"]) == ("phone", phone_channel.pk, twilio_customer.pk)
    # A phone token is not a representative: user routes refuse it.
    client = client_with_token(response.json()["token"])
    assert_problem(client.get("/api/CustomerReps/me"), 403, "Forbidden")


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown number", "other account", "deleted channel", "wrong secret", "not opted in"])
def test_phone_login_refusals(anon_client, twilio_customer, phone_channel, device_secret, other_customer, case):
    number, sid, secret = "+3225550100", twilio_customer.twilio_account_sid, device_secret
    if case == "unknown number":
        number = "+3225550199"
    elif case == "other account":
        other_customer.twilio_account_sid = "AC" + "f" * 32
        other_customer.save()
        sid = other_customer.twilio_account_sid
    elif case == "deleted channel":
        phone_channel.deleted_at = timezone.now()
        phone_channel.save()
    elif case == "wrong secret":
        secret = device_secret[:-1] + ("A" if device_secret[-1] != "A" else "B")
    elif case == "not opted in":
        phone_login_secret_clear(channel=phone_channel, actor="test")
    assert_problem(phone_login(anon_client, number, sid, secret), 401, "InvalidCredentials")


@pytest.mark.django_db
def test_phone_login_requires_both_fields(anon_client, customer, phone_channel):
    # The customer has no Twilio account: an empty accountSid must not match it.
    body = assert_problem(phone_login(anon_client, account_sid="", secret="x"), 400, "ValidationFailed")
    assert "accountSid" in body["errors"]


# --- impersonation -----------------------------------------------------------------------------

IMPERSONATE = "/api/Auth/impersonate-by-customer"


@pytest.fixture
def operator(db):
    return CustomerRepFactory(customer=None, username="ops", is_staff=True, role=Role.ADMINISTRATOR)


def impersonate(client, customer_id, username="ops", password=PASSWORD, reason="Ticket #42: mailbox setup"):
    body = {"username": username, "password": password, "customerID": customer_id, "reason": reason}
    return client.post(IMPERSONATE, body, format="json", REMOTE_ADDR="192.0.2.7")


@pytest.mark.django_db
def test_impersonation_issues_an_admin_token_and_writes_the_audit(anon_client, operator, customer, admin_rep):
    response = impersonate(anon_client, customer.pk)
    assert response.status_code == 200, response.content
    claims = AccessToken(response.json()["token"])
    assert (claims["kind"], claims["customer"], claims["operator"]) == ("impersonation", customer.pk, operator.pk)
    assert claims["role"] == Role.ADMINISTRATOR
    audit = AuditEntry.objects.get(action=AuditAction.IMPERSONATION_STARTED)
    assert (audit.actor, audit.actor_kind, audit.customer, audit.detail["reason"], audit.client_address) == (
        operator,
        ActorKind.OPERATOR,
        customer,
        "Ticket #42: mailbox setup",
        "192.0.2.7",
    )
    client = client_with_token(response.json()["token"])
    listed = client.get("/api/CustomerReps")
    assert listed.status_code == 200 and [item["username"] for item in listed.json()["items"]] == ["admin"]
    assert_problem(client.get("/api/CustomerReps/me"), 404, "NotFound")


@pytest.mark.django_db
def test_impersonation_refuses_a_tenant_rep_even_a_staff_one(anon_client, customer, admin_rep):
    admin_rep.is_staff = True
    admin_rep.save()
    assert_problem(impersonate(anon_client, customer.pk, username="admin"), 401, "InvalidCredentials")
    assert not AuditEntry.objects.filter(action=AuditAction.IMPERSONATION_STARTED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["wrong password", "not staff", "inactive operator"])
def test_impersonation_refuses_bad_operator_credentials(anon_client, operator, customer, case):
    password = PASSWORD
    if case == "wrong password":
        password = "nope-nope-nope"
    elif case == "not staff":
        operator.is_staff = False
        operator.save()
    else:
        operator.is_active = False
        operator.save()
    assert_problem(impersonate(anon_client, customer.pk, password=password), 401, "InvalidCredentials")
    assert not AuditEntry.objects.filter(action=AuditAction.IMPERSONATION_STARTED).exists()


@pytest.mark.django_db
def test_impersonation_of_an_unknown_or_inactive_customer_is_404(anon_client, operator, other_customer):
    assert_problem(impersonate(anon_client, 987654), 404, "CustomerNotFound")
    other_customer.is_active = False
    other_customer.save()
    assert_problem(impersonate(anon_client, other_customer.pk), 404, "CustomerNotFound")
    assert not AuditEntry.objects.filter(action=AuditAction.IMPERSONATION_STARTED).exists()


@pytest.mark.django_db
def test_impersonation_needs_a_reason(anon_client, operator, customer):
    body = assert_problem(impersonate(anon_client, customer.pk, reason=""), 400, "ValidationFailed")
    assert "reason" in body["errors"]


# --- password reset ----------------------------------------------------------------------------

REQUEST_RESET = "/api/Auth/request-password-reset"
RESET = "/api/Auth/reset-password"


@pytest.mark.django_db
def test_reset_request_mails_a_single_use_link(anon_client, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_client.post(
            REQUEST_RESET, {"email": rep.email.upper(), "hostname": "acme.answerpal.test"}, format="json"
        )
    assert response.status_code == 200
    token = PasswordResetToken.objects.get(rep=rep)
    assert timedelta(hours=3, minutes=59) < token.expires_at - timezone.now() <= timedelta(hours=4)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert f"https://acme.answerpal.test/reset-password?token={token.token}" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown email", "other hostname", "inactive rep"])
def test_reset_request_answers_200_without_revealing_anything(
    anon_client, rep, other_customer, django_capture_on_commit_callbacks, case
):
    email, hostname = rep.email, "acme.answerpal.test"
    if case == "unknown email":
        email = "nobody@example.com"
    elif case == "other hostname":
        hostname = other_customer.hostname
    else:
        rep.is_active = False
        rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_client.post(REQUEST_RESET, {"email": email, "hostname": hostname}, format="json")
    assert response.status_code == 200
    assert not PasswordResetToken.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_request_validates_the_email(anon_client):
    body = assert_problem(
        anon_client.post(REQUEST_RESET, {"email": "not-an-address", "hostname": "x"}, format="json"), 400
    )
    assert "email" in body["errors"]


@pytest.mark.django_db
def test_reset_request_drops_expired_tokens(anon_client, rep, django_capture_on_commit_callbacks):
    stale = PasswordResetTokenFactory(rep=rep, expires_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        anon_client.post(REQUEST_RESET, {"email": rep.email, "hostname": "acme.answerpal.test"}, format="json")
    assert not PasswordResetToken.objects.filter(pk=stale.pk).exists()
    assert PasswordResetToken.objects.filter(rep=rep).count() == 1


@pytest.mark.django_db
def test_reset_sets_the_password_consumes_the_token_and_revokes_old_tokens(anon_client, rep, rep_client):
    reset = PasswordResetTokenFactory(rep=rep)
    other = PasswordResetTokenFactory(rep=rep)
    response = anon_client.post(RESET, {"token": str(reset.token), "newPassword": "Brand-new-pass-77"}, format="json")
    assert response.status_code == 204, response.content
    reset.refresh_from_db()
    assert reset.used_at is not None
    assert not PasswordResetToken.objects.filter(pk=other.pk).exists()
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")
    assert login(anon_client, "agent", "Brand-new-pass-77").status_code == 200
    assert_problem(login(anon_client, "agent", PASSWORD), 401, "InvalidCredentials")
    # single use
    again = anon_client.post(RESET, {"token": str(reset.token), "newPassword": "Another-pass-88"}, format="json")
    assert_problem(again, 400, "InvalidResetToken")


@pytest.mark.django_db
def test_reset_with_an_expired_token_is_refused(anon_client, rep):
    reset = PasswordResetTokenFactory(rep=rep, expires_at=timezone.now() - timedelta(seconds=1))
    response = anon_client.post(RESET, {"token": str(reset.token), "newPassword": "Brand-new-pass-77"}, format="json")
    assert_problem(response, 400, "InvalidResetToken")
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


@pytest.mark.django_db
def test_reset_validates_the_new_password_and_keeps_the_token(anon_client, rep):
    reset = PasswordResetTokenFactory(rep=rep)
    response = anon_client.post(RESET, {"token": str(reset.token), "newPassword": "12345678"}, format="json")
    body = assert_problem(response, 400, "InvalidPassword")
    assert body["errors"]["newPassword"]
    reset.refresh_from_db()
    assert reset.used_at is None


@pytest.mark.django_db
def test_reset_with_a_malformed_or_unknown_token(anon_client, rep):
    body = assert_problem(anon_client.post(RESET, {"token": "nope", "newPassword": "x"}, format="json"), 400)
    assert "token" in body["errors"]
    unknown = {"token": "7d444840-9dc0-11d1-b245-5ffdce74fad2", "newPassword": "Brand-new-pass-77"}
    assert_problem(anon_client.post(RESET, unknown, format="json"), 400, "InvalidResetToken")
