"""Operator admin for representatives and reset tokens."""

import pytest
from django.test import Client

from accounts.models import CustomerRep
from answerpal.api.policies import Role
from tests.accounts.factories import CustomerRepFactory, PasswordResetTokenFactory, RepSignatureFactory
from tests.admin_helpers import operator_login
from tests.conftest import assert_problem

REPS = "/admin/accounts/customerrep/"


@pytest.fixture
def operator_client(db):
    return operator_login()


@pytest.mark.django_db
def test_operator_logs_in_to_the_admin_but_tenant_reps_do_not(admin_rep):
    CustomerRep.objects.create_superuser("root", "Root-pass-123")
    assert Client().login(username="root", password="Root-pass-123")
    admin_rep.is_staff = True
    admin_rep.save()
    assert not Client().login(username="admin", password="Secret-pass-123")


@pytest.mark.django_db
def test_rep_changelist_searches_and_filters_without_per_row_queries(
    operator_client, customer, other_customer, django_assert_max_num_queries
):
    for number in range(15):
        CustomerRepFactory(customer=customer if number % 2 else other_customer, username=f"user{number}")
    with django_assert_max_num_queries(12):
        response = operator_client.get(REPS)
    assert response.status_code == 200 and b"user14" in response.content
    searched = operator_client.get(REPS, {"q": "user13"})
    assert b"user13" in searched.content and b"user12" not in searched.content
    filtered = operator_client.get(REPS, {"customer__id__exact": customer.pk, "role__exact": Role.REPRESENTATIVE})
    assert filtered.status_code == 200 and b"user1<" in filtered.content.replace(b"</a>", b"<")


@pytest.mark.django_db
def test_rep_change_page_shows_signatures_inline(operator_client, rep):
    RepSignatureFactory(customer=rep.customer, rep=rep, lang="nl", email_signature_text="Met vriendelijke groet")
    response = operator_client.get(f"{REPS}{rep.pk}/change/")
    assert response.status_code == 200 and b"Met vriendelijke groet" in response.content


@pytest.mark.django_db
def test_admin_adds_a_rep_whose_username_exists_in_another_customer(operator_client, customer, other_admin):
    response = operator_client.post(
        f"{REPS}add/",
        {
            "customer": customer.pk,
            "username": "admin",
            "role": Role.ADMINISTRATOR,
            "usable_password": "true",
            "password1": "Strong-pass-987",
            "password2": "Strong-pass-987",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    created = CustomerRep.objects.get(customer=customer, username="admin")
    assert created.check_password("Strong-pass-987")


@pytest.mark.django_db
def test_admin_password_change_revokes_the_reps_tokens(operator_client, rep, rep_client):
    response = operator_client.post(
        f"{REPS}{rep.pk}/password/",
        {"usable_password": "true", "password1": "Admin-set-pass-9", "password2": "Admin-set-pass-9"},
    )
    assert response.status_code == 302, response.content[:2000]
    rep.refresh_from_db()
    assert rep.check_password("Admin-set-pass-9") and rep.token_version == 1
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")


@pytest.mark.django_db
def test_bulk_actions_call_the_services(operator_client, admin_rep, rep, rep_client):
    response = operator_client.post(
        REPS, {"action": "deactivate_selected", "_selected_action": [admin_rep.pk, rep.pk]}, follow=True
    )
    assert b"1 representative(s) deactivated." in response.content
    assert b"last active Administrator" in response.content
    rep.refresh_from_db()
    admin_rep.refresh_from_db()
    assert rep.is_active is False and admin_rep.is_active is True
    assert_problem(rep_client.get("/api/CustomerReps/me"), 401, "InvalidToken")

    rep.customer.subscription.override_max_users = 1
    rep.customer.subscription.save()
    response = operator_client.post(REPS, {"action": "activate_selected", "_selected_action": [rep.pk]}, follow=True)
    assert b"0 representative(s) activated." in response.content and b"Your plan allows 1" in response.content


@pytest.mark.django_db
def test_reset_tokens_are_read_only(operator_client, customer, rep):
    token = PasswordResetTokenFactory(rep=rep)
    tokens = operator_client.get("/admin/accounts/passwordresettoken/")
    assert tokens.status_code == 200 and str(token.token).encode() not in tokens.content
    assert operator_client.get("/admin/accounts/passwordresettoken/add/").status_code == 403


@pytest.mark.django_db
def test_signature_added_inline_belongs_to_the_reps_customer(operator_client, rep):
    response = operator_client.post(
        f"{REPS}{rep.pk}/change/",
        {
            "customer": rep.customer_id,
            "username": rep.username,
            "role": rep.role,
            "name": rep.name,
            "email": rep.email,
            "is_active": "on",
            "signatures-TOTAL_FORMS": "1",
            "signatures-INITIAL_FORMS": "0",
            "signatures-0-lang": "fr",
            "signatures-0-email_signature_text": "Cordialement",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    signature = rep.signatures.get()
    assert (signature.lang, signature.customer_id) == ("fr", rep.customer_id)
