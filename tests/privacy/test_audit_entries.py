"""Exports and erasures leave their audit entry: who, which end user id, from where; no personal data."""

import pytest
from django.core.management import call_command

from audit.models import ActorKind, AuditAction, AuditEntry
from tests.privacy.seed import EMAIL, NAME, seed_person


@pytest.mark.django_db
def test_an_export_through_the_api_is_audited_with_its_actor(admin_client, admin_rep, customer):
    seeded = seed_person(customer)

    response = admin_client.get(f"/api/EndUsers/{seeded.end_user.pk}/export?lang=nl")
    b"".join(response.streaming_content)

    entry = AuditEntry.objects.get(action=AuditAction.END_USER_EXPORTED)
    assert entry.customer_id == customer.pk and entry.actor_id == admin_rep.pk
    assert entry.actor_kind == ActorKind.REP
    assert (entry.object_type, entry.object_id) == ("EndUser", str(seeded.end_user.pk))
    assert entry.client_address == "127.0.0.1" and entry.detail == {"language": "nl"}


@pytest.mark.django_db
def test_an_erasure_is_audited_once_without_personal_data(
    admin_client, admin_rep, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/EndUsers/{seeded.end_user.pk}/erase", {}, format="json")

    assert response.status_code == 202
    entry = AuditEntry.objects.get(action=AuditAction.END_USER_ERASED)
    assert entry.actor_id == admin_rep.pk and entry.object_id == str(seeded.end_user.pk)
    assert entry.detail == {"erasureJobID": response.json()["erasureJobID"]}
    assert NAME not in str(entry.detail) and EMAIL not in str(entry.detail)


@pytest.mark.django_db
def test_the_commands_audit_as_the_system(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer)
    uid = seeded.end_user.uids.first().uid

    call_command("enduser_erase", customer=customer.pk, uid=uid)  # a dry run records nothing
    assert not AuditEntry.objects.filter(action=AuditAction.END_USER_ERASED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("enduser_erase", customer=customer.pk, uid=uid, commit=True)

    entry = AuditEntry.objects.get(action=AuditAction.END_USER_ERASED)
    assert entry.actor_id is None and entry.actor_kind == ActorKind.SYSTEM
