"""Sign-in protection: failures counted per account and per client address in the cache; 429 LoginLocked +
Retry-After from the 11th wrong password of an account, from any (forged) address, the same for unknown accounts;
growing waits; unlock by password reset, by an operator (admin action, command); all of it audited."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import lockout
from audit.models import ActorKind, AuditAction, AuditEntry
from tests.accounts.factories import PasswordResetTokenFactory
from tests.admin_helpers import operator_login
from tests.conftest import assert_problem

PASSWORD = "Secret-pass-123"
LOGIN = "/api/Auth/login"
REQUEST_RESET = "/api/Auth/request-password-reset"
HOST = "acme.answerpal.test"
pytestmark = pytest.mark.django_db


def login(client, username, password, index=0, **headers):
    headers.setdefault("HTTP_X_FORWARDED_FOR", f"203.0.113.{index % 250}")
    headers.setdefault("REMOTE_ADDR", f"198.51.{index // 250}.{index % 250 + 1}")
    return client.post(LOGIN, {"username": username, "password": password, "hostname": HOST}, format="json", **headers)


def _stable(response) -> dict:
    body = json.loads(response.content)
    body.pop("traceId")
    return body


class Clock:
    def __init__(self, monkeypatch):
        self.now = 1_900_000_000.0
        monkeypatch.setattr(lockout.time, "time", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_the_11th_wrong_password_answers_429_from_any_address(anon_client, rep):
    for index in range(10):  # ten different (forged and real) addresses: the account is what counts
        assert_problem(login(anon_client, "agent", "Wrong-pass-1", index), 401, "InvalidCredentials")
    locked = login(anon_client, "agent", "Wrong-pass-1", 99)
    body = assert_problem(locked, 429, "LoginLocked")
    assert locked["Retry-After"] == str(60 + 1)  # the first wait, rounded up by the kernel
    assert body["message"] == body["detail"]
    # The right password does not get through a lock either, from yet another address.
    assert_problem(login(anon_client, "AGENT", PASSWORD, 150), 429, "LoginLocked")
    event = AuditEntry.objects.get(action=AuditAction.LOGIN_LOCKED)
    assert (event.customer, event.object_type, event.object_id) == (rep.customer, "CustomerRep", str(rep.pk))
    assert event.detail["subject"] == f"login {HOST}/agent" and event.actor_kind == ActorKind.SYSTEM
    assert event.client_address == "198.51.0.10"  # the socket address, not the forged header
    assert event.request_id  # the request that reached the limit
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(rep.pk))
    assert failed.count() == 10  # every refused password; the attempts refused by the lock are not entries


def test_an_unknown_account_locks_exactly_like_a_known_one(anon_client, rep):
    answers = {}
    for username in ("agent", "nobody"):
        for index in range(10):
            assert_problem(login(anon_client, username, "Wrong-pass-1", index), 401, "InvalidCredentials")
        answers[username] = login(anon_client, username, "Wrong-pass-1", 200)
    assert answers["agent"].status_code == answers["nobody"].status_code == 429
    assert answers["agent"]["Retry-After"] == answers["nobody"]["Retry-After"]
    assert _stable(answers["agent"]) == _stable(answers["nobody"])
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 2


def test_the_wait_grows_with_each_failure_after_the_lock_up_to_the_maximum(anon_client, rep, clock):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    waits = []
    for attempt in range(7):
        clock.now += 1000  # past any wait, within the window that each failure renews
        assert_problem(login(anon_client, "agent", "Wrong-pass-1", 20 + attempt), 401, "InvalidCredentials")
        waits.append(int(assert_problem_retry(login(anon_client, "agent", "Wrong-pass-1", 40 + attempt))))
    assert waits == [121, 241, 481, 901, 901, 901, 901]  # 2x, 4x, 8x the first 60 s, then the 900 s lock


def assert_problem_retry(response) -> str:
    assert_problem(response, 429, "LoginLocked")
    return response["Retry-After"]


def test_failures_are_forgotten_a_window_after_the_last_one(anon_client, rep, clock):
    for index in range(9):
        login(anon_client, "agent", "Wrong-pass-1", index)
    clock.now += 3601
    for index in range(9):
        assert_problem(login(anon_client, "agent", "Wrong-pass-1", index), 401, "InvalidCredentials")
    assert login(anon_client, "agent", PASSWORD).status_code == 200


def test_the_lock_ends_by_itself_after_the_wait(anon_client, rep, clock):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    assert_problem(login(anon_client, "agent", PASSWORD, 11), 429, "LoginLocked")
    clock.now += 61
    assert login(anon_client, "agent", PASSWORD, 12).status_code == 200


def test_a_successful_sign_in_clears_the_accounts_failures(anon_client, rep):
    for index in range(9):
        login(anon_client, "agent", "Wrong-pass-1", index)
    assert login(anon_client, "agent", PASSWORD, 9).status_code == 200
    for index in range(9):
        assert_problem(login(anon_client, "agent", "Wrong-pass-1", index), 401, "InvalidCredentials")
    assert login(anon_client, "agent", PASSWORD).status_code == 200


def test_one_address_is_limited_over_every_account(anon_client, rep):
    for index in range(30):  # thirty usernames, one socket address, a forged header each time
        response = login(
            anon_client, f"user{index}", "x", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"1.1.1.{index}"
        )
        assert response.status_code == 401
    assert_problem(login(anon_client, "agent", PASSWORD, REMOTE_ADDR="198.51.100.7"), 429, "LoginLocked")
    assert login(anon_client, "agent", PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 200
    event = AuditEntry.objects.get(action=AuditAction.LOGIN_LOCKED)
    assert event.detail["subject"] == "login from 198.51.100.7" and event.customer_id is None


def test_a_password_reset_unlocks_the_account(anon_client, rep):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    assert_problem(login(anon_client, "agent", PASSWORD), 429, "LoginLocked")
    reset = PasswordResetTokenFactory(rep=rep)
    response = anon_client.post(
        "/api/Auth/reset-password", {"token": str(reset.token), "newPassword": "Brand-new-pass-77"}, format="json"
    )
    assert response.status_code == 204
    assert login(anon_client, "agent", "Brand-new-pass-77").status_code == 200
    unlocked = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert (unlocked.object_id, unlocked.detail["by"]) == (str(rep.pk), "password reset")
    assert (unlocked.actor_kind, unlocked.customer_id) == (ActorKind.ANONYMOUS, rep.customer_id)


def test_an_operator_unlocks_in_the_admin(anon_client, rep):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    admin = operator_login()
    response = admin.post(
        "/admin/accounts/customerrep/", {"action": "unlock_selected", "_selected_action": [rep.pk]}, follow=True
    )
    assert response.status_code == 200 and b"1 representative(s) unlocked." in response.content
    assert login(anon_client, "agent", PASSWORD).status_code == 200
    unlocked = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert (unlocked.object_id, unlocked.detail["by"]) == (str(rep.pk), "operator root")
    assert unlocked.actor_kind == ActorKind.OPERATOR and unlocked.actor.username == "root"
    events = admin.get("/admin/audit/auditentry/", {"q": "LoginLocked"})
    assert events.status_code == 200 and b"LoginLocked" in events.content


def test_the_unlock_command(anon_client, rep, capsys):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    call_command("login_unlock", "--customer", str(rep.customer_id), "--username", "AGENT")
    assert "representative agent: unlocked" in capsys.readouterr().out
    assert login(anon_client, "agent", PASSWORD).status_code == 200
    for index in range(30):
        login(anon_client, f"user{index}", "x", REMOTE_ADDR="198.51.100.7")
    call_command("login_unlock", "--address", "198.51.100.7")
    assert "address 198.51.100.7: unlocked" in capsys.readouterr().out
    assert login(anon_client, "agent", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 200
    call_command("login_unlock", "--address", "198.51.100.9")
    assert "nothing to clear" in capsys.readouterr().out
    unlocks = AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCKED)
    assert sorted(unlocks.values_list("object_type", "actor_kind")) == [
        ("ClientAddress", ActorKind.SYSTEM),
        ("CustomerRep", ActorKind.SYSTEM),
    ]
    with pytest.raises(CommandError):
        call_command("login_unlock", "--username", "agent")
    with pytest.raises(CommandError):
        call_command("login_unlock")


# --- password-reset requests ---------------------------------------------------------------------------


def request_reset(client, email, index=0):
    return client.post(
        REQUEST_RESET, {"email": email, "hostname": HOST}, format="json", REMOTE_ADDR=f"198.51.100.{index + 1}"
    )


def test_reset_requests_lock_per_account_the_same_for_unknown_addresses(
    anon_client, rep, django_capture_on_commit_callbacks
):
    answers = {}
    for email in (rep.email, "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            for index in range(5):
                assert request_reset(anon_client, email, index).status_code == 200
        answers[email] = request_reset(anon_client, email, 9)
    assert_problem(answers[rep.email], 429, "PasswordResetLocked")
    assert _stable(answers[rep.email]) == _stable(answers["nobody@example.com"])
    assert answers[rep.email]["Retry-After"] == answers["nobody@example.com"]["Retry-After"]
    assert len(mail.outbox) == 5  # the known address got its five links, the unknown one nothing


def test_reset_requests_of_known_and_unknown_addresses_do_the_same_work_in_the_request(
    anon_client, rep, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The request only counts and enqueues (password_reset_prepare runs in the task), so it costs the same
    database work and time whether the address is known or not."""
    for email in (rep.email, "nobody@example.com"):
        with django_assert_num_queries(0), django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert request_reset(anon_client, email).status_code == 200
        assert len(callbacks) == 1


# --- phone sign-in -------------------------------------------------------------------------------------


def test_phone_login_locks_after_ten_wrong_device_secrets(anon_client, customer, phone_channel):
    from accounts.services import phone_login_secret_set

    customer.twilio_account_sid = "AC" + "1" * 32
    customer.save()
    secret = phone_login_secret_set(channel=phone_channel, actor="test")
    body = {"phoneNumber": "+3225550100", "accountSid": customer.twilio_account_sid}
    for index in range(10):
        response = anon_client.post(
            "/api/Auth/phone-login",
            {**body, "deviceSecret": f"guess-{index}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{index}",
        )
        assert_problem(response, 401, "InvalidCredentials")
    locked = anon_client.post("/api/Auth/phone-login", {**body, "deviceSecret": secret}, format="json")
    assert_problem(locked, 429, "LoginLocked")
    assert int(locked["Retry-After"]) == 61
    call_command("login_unlock", "--phone", "+3225550100")
    assert anon_client.post("/api/Auth/phone-login", {**body, "deviceSecret": secret}, format="json").status_code == 200


def test_in_process_mode_reset_requests_answer_no_sooner_than_the_floor(
    anon_client, rep, settings, django_capture_on_commit_callbacks
):
    """Embedded mode runs the task inside the request (the known address's token and mail are made there): the
    answer waits for PASSWORD_RESET_MIN_RESPONSE_MS either way (bench/reset_timing.py measures both paths)."""
    import time

    settings.PASSWORD_RESET_MIN_RESPONSE_MS = 120
    for email in (rep.email, "nobody@example.com"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            assert request_reset(anon_client, email).status_code == 200
        assert time.monotonic() - started >= 0.12
    assert len(mail.outbox) == 1


def test_an_administrator_unlocks_a_rep_by_setting_a_new_password(anon_client, rep, admin_rep, admin_client):
    for index in range(10):
        login(anon_client, "agent", "Wrong-pass-1", index)
    assert_problem(login(anon_client, "agent", PASSWORD), 429, "LoginLocked")
    response = admin_client.put(
        f"/api/CustomerReps/{rep.pk}/change-password", {"newPassword": "Admin-set-pass-9"}, format="json"
    )
    assert response.status_code == 204
    assert login(anon_client, "agent", "Admin-set-pass-9").status_code == 200
    unlocked = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert (unlocked.object_id, unlocked.detail["by"]) == (str(rep.pk), f"rep {admin_rep.pk}")
    assert (unlocked.actor_id, unlocked.actor_kind) == (admin_rep.pk, ActorKind.REP)


def test_other_spellings_of_a_username_share_its_lockout_key():
    from accounts.lockout import login_account

    keys = {login_account(hostname="acme.test", username=name) for name in ("sam", "SAM", " \u017fam ", "Sam")}
    assert len(keys) == 1
    dotless = login_account(hostname="acme.test", username="\u0131lse")
    assert dotless == login_account(hostname="acme.test", username="ilse")
