"""Every kind of act writes its audit entry, with actor, tenant, object, client address and request id."""

import pytest
from django.test import override_settings

from audit.models import ActorKind, AuditAction, AuditEntry
from tests.accounts.factories import CustomerRepFactory
from tests.audit.helpers import ADDRESS, assert_entry, tag, the_entry
from tests.automation.factories import ActionFactory, TopicActionFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageAttachmentFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Secret-pass-123"
LOGIN = "/api/Auth/login"


def _login(client, username="agent", password=PASSWORD):
    body = {"username": username, "password": password, "hostname": "acme.answerpal.test"}
    return client.post(LOGIN, body, format="json")


# --- sign-in ----------------------------------------------------------------------------------------------


def test_a_sign_in_is_an_entry_of_the_rep(anon_client, rep):
    assert _login(tag(anon_client, "req-login")).status_code == 200
    entry = the_entry(AuditAction.LOGIN_SUCCEEDED)
    assert_entry(
        entry,
        customer_id=rep.customer_id,
        actor_id=rep.pk,
        actor_kind=ActorKind.REP,
        object_type="CustomerRep",
        object_id=rep.pk,
        request_id="req-login",
    )


def test_a_failed_sign_in_is_an_entry_about_the_account_and_an_unknown_one_too(anon_client, rep):
    assert_problem(_login(tag(anon_client, "req-bad"), password="Wrong-pass-1"), 401, "InvalidCredentials")
    entry = the_entry(AuditAction.LOGIN_FAILED)
    assert_entry(
        entry,
        customer_id=rep.customer_id,
        actor_id=None,
        actor_kind=ActorKind.ANONYMOUS,
        object_type="CustomerRep",
        object_id=rep.pk,
        request_id="req-bad",
    )
    assert entry.detail == {"flow": "login", "account": "acme.answerpal.test/agent"}
    assert_problem(_login(tag(anon_client, "req-unknown"), username="nobody"), 401, "InvalidCredentials")
    unknown = the_entry(AuditAction.LOGIN_FAILED, request_id="req-unknown")
    assert (unknown.customer_id, unknown.object_type, unknown.object_id) == (None, "SignIn", "")
    assert "Wrong-pass-1" not in str(entry.detail)  # passwords are never written


@override_settings(LOGIN_LOCKOUT_FAILURES=3)
def test_a_lockout_is_an_entry_of_the_system_in_the_request_that_reached_the_limit(anon_client, rep):
    for index in range(3):
        _login(tag(anon_client, f"req-{index}"), password="Wrong-pass-1")
    entry = the_entry(AuditAction.LOGIN_LOCKED)
    assert_entry(
        entry,
        customer_id=rep.customer_id,
        actor_id=None,
        actor_kind=ActorKind.SYSTEM,
        object_type="CustomerRep",
        object_id=rep.pk,
        request_id="req-2",
    )
    assert entry.detail["failures"] == 3 and entry.detail["waitSeconds"] == 60
    # While locked, attempts are refused before the password and write nothing more.
    assert_problem(_login(tag(anon_client, "req-locked")), 429, "LoginLocked")
    assert not AuditEntry.objects.filter(request_id="req-locked").exists()


@override_settings(LOGIN_LOCKOUT_FAILURES=3)
def test_an_unlock_by_an_administrator_is_an_entry_of_that_administrator(anon_client, rep, admin_rep, admin_client):
    for _ in range(3):
        _login(anon_client, password="Wrong-pass-1")
    response = tag(admin_client, "req-unlock").put(
        f"/api/CustomerReps/{rep.pk}/change-password", {"newPassword": "Admin-set-pass-9"}, format="json"
    )
    assert response.status_code == 204
    assert_entry(
        the_entry(AuditAction.LOGIN_UNLOCKED),
        customer_id=rep.customer_id,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="CustomerRep",
        object_id=rep.pk,
        request_id="req-unlock",
    )


def test_impersonation_is_an_entry_of_the_operator_in_the_customers_log(anon_client, customer, admin_rep):
    operator = CustomerRepFactory(customer=None, username="ops", is_staff=True)
    body = {"username": "ops", "password": PASSWORD, "customerID": customer.pk, "reason": "Ticket #42"}
    response = tag(anon_client, "req-imp").post("/api/Auth/impersonate-by-customer", body, format="json")
    assert response.status_code == 200, response.content
    entry = the_entry(AuditAction.IMPERSONATION_STARTED)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=operator.pk,
        actor_kind=ActorKind.OPERATOR,
        object_type="Customer",
        object_id=customer.pk,
        request_id="req-imp",
    )
    assert entry.detail == {"operator": "ops", "reason": "Ticket #42"}
    # What the operator then does is theirs, marked as impersonation.
    from tests.conftest import client_with_token

    impersonating = tag(client_with_token(response.json()["token"]), "req-imp-read")
    ticket = TicketFactory(customer=customer)
    assert impersonating.get(f"/api/Tickets/{ticket.pk}").status_code == 200
    read = the_entry(AuditAction.TICKET_READ)
    assert (read.actor_id, read.actor_kind, read.customer_id) == (operator.pk, ActorKind.IMPERSONATION, customer.pk)


# --- reads of a ticket's messages and files -----------------------------------------------------------------


def test_reading_a_ticket_is_one_entry(rep_client, rep, customer):
    ticket = TicketFactory(customer=customer)
    assert tag(rep_client, "req-ticket").get(f"/api/Tickets/{ticket.pk}").status_code == 200
    assert_entry(
        the_entry(AuditAction.TICKET_READ),
        customer_id=customer.pk,
        actor_id=rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Ticket",
        object_id=ticket.pk,
        request_id="req-ticket",
    )


def test_listing_a_tickets_messages_is_one_entry_per_request_not_per_row(rep_client, rep, customer):
    ticket = TicketFactory(customer=customer)
    messages = TicketMessageFactory.create_batch(3, customer=customer, ticket=ticket)
    response = tag(rep_client, "req-list").get("/api/TicketMessages", {"ticketId": ticket.pk, "pageSize": 2})
    assert response.status_code == 200
    entry = the_entry(AuditAction.TICKET_MESSAGES_READ)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Ticket",
        object_id=ticket.pk,
        request_id="req-list",
    )
    shown = [item["messageID"] for item in response.json()["items"]]
    assert entry.detail["messageIDs"] == shown and len(shown) == 2 and set(shown) <= {m.pk for m in messages}


def test_reading_a_message_is_one_entry(rep_client, rep, customer):
    message = TicketMessageFactory(customer=customer)
    assert tag(rep_client, "req-msg").get(f"/api/TicketMessages/{message.pk}").status_code == 200
    entry = the_entry(AuditAction.TICKET_MESSAGE_READ)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=rep.pk,
        actor_kind=ActorKind.REP,
        object_type="TicketMessage",
        object_id=message.pk,
        request_id="req-msg",
    )
    assert entry.detail == {"ticketID": message.ticket_id}


def test_downloading_a_file_is_an_entry_in_its_customers_log(anon_client, customer):
    attachment = TicketMessageAttachmentFactory(customer=customer)
    response = tag(anon_client, "req-file").get(f"/api/File/{attachment.access_token}")
    assert response.status_code == 200
    entry = the_entry(AuditAction.FILE_DOWNLOADED)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=None,
        actor_kind=ActorKind.ANONYMOUS,
        object_type="TicketMessageAttachment",
        object_id=attachment.pk,
        request_id="req-file",
    )
    assert entry.detail["messageID"] == attachment.message_id


def test_a_refused_read_writes_nothing(rep_client, other_customer):
    foreign = TicketFactory(customer=other_customer)
    assert_problem(rep_client.get(f"/api/Tickets/{foreign.pk}"), 404)
    assert_problem(rep_client.get("/api/TicketMessages", {"ticketId": foreign.pk}), 404)
    assert not AuditEntry.objects.exists()


# --- changes of representatives ------------------------------------------------------------------------------


def test_a_role_change_and_activation_changes_are_entries_of_the_administrator(admin_client, admin_rep, rep):
    client = tag(admin_client, "req-role")
    body = {"customerRepID": rep.pk, "name": "Agent", "email": "agent@example.com", "role": "Supervisor"}
    assert client.put(f"/api/CustomerReps/{rep.pk}", body, format="json").status_code == 204
    entry = the_entry(AuditAction.REP_ROLE_CHANGED)
    assert_entry(
        entry,
        customer_id=rep.customer_id,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="CustomerRep",
        object_id=rep.pk,
        request_id="req-role",
    )
    assert entry.detail == {"username": "agent", "from": "Representative", "to": "Supervisor"}
    # The same body again changes no role: no entry.
    assert client.put(f"/api/CustomerReps/{rep.pk}", body, format="json").status_code == 204
    assert AuditEntry.objects.filter(action=AuditAction.REP_ROLE_CHANGED).count() == 1
    for action, route in ((AuditAction.REP_DEACTIVATED, "deactivate"), (AuditAction.REP_ACTIVATED, "activate")):
        assert tag(admin_client, f"req-{route}").post(f"/api/CustomerReps/{rep.pk}/{route}").status_code == 204
        assert_entry(
            the_entry(action),
            customer_id=rep.customer_id,
            actor_id=admin_rep.pk,
            actor_kind=ActorKind.REP,
            object_type="CustomerRep",
            object_id=rep.pk,
            request_id=f"req-{route}",
        )


def test_creating_and_deleting_a_rep_are_entries(admin_client, admin_rep):
    body = {"username": "newbie", "password": "Long-enough-pass-1", "name": "New", "email": "n@example.com"}
    response = tag(admin_client, "req-new").post("/api/CustomerReps", body, format="json")
    assert response.status_code == 201, response.content
    rep_id = response.json()["customerRepID"]
    created = the_entry(AuditAction.REP_CREATED)
    assert (created.object_id, created.actor_id, created.request_id) == (str(rep_id), admin_rep.pk, "req-new")
    assert tag(admin_client, "req-del").delete(f"/api/CustomerReps/{rep_id}").status_code == 204
    deleted = the_entry(AuditAction.REP_DELETED)
    assert (deleted.object_id, deleted.actor_id, deleted.client_address) == (str(rep_id), admin_rep.pk, ADDRESS)


# --- channels, secrets, actions, hooks -----------------------------------------------------------------------


def test_channel_create_update_delete_are_entries_naming_secret_fields_never_their_values(admin_client, admin_rep):
    client = tag(admin_client, "req-ch")
    body = {"channelType": "Email", "name": "Support", "emailAddress": "support@acme.test"}
    response = client.post("/api/Channels", body, format="json")
    assert response.status_code == 201, response.content
    channel_id = response.json()["channelID"]
    created = the_entry(AuditAction.CHANNEL_CREATED)
    assert_entry(
        created,
        customer_id=admin_rep.customer_id,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Channel",
        object_id=channel_id,
        request_id="req-ch",
    )
    update = {**response.json(), "name": "Helpdesk", "overrideImapPassword": "imap-secret-value"}
    assert client.put(f"/api/Channels/{channel_id}", update, format="json").status_code == 200
    updated = the_entry(AuditAction.CHANNEL_UPDATED)
    assert "name" in updated.detail["fields"] and updated.detail["secretsChanged"] == ["override_imap_password"]
    assert "imap-secret-value" not in str(updated.detail)
    assert client.delete(f"/api/Channels/{channel_id}").status_code == 204
    deleted = the_entry(AuditAction.CHANNEL_DELETED)
    assert (deleted.object_id, deleted.actor_id, deleted.request_id) == (str(channel_id), admin_rep.pk, "req-ch")


def test_changing_a_secret_setting_is_an_entry_without_the_secret(admin_client, admin_rep, customer):
    client = tag(admin_client, "req-secret")
    assert client.put("/api/Customers/me", {"openAIApiKey": "sk-new-key-1234"}, format="json").status_code == 204
    entry = the_entry(AuditAction.SECRETS_CHANGED)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Customer",
        object_id=customer.pk,
        request_id="req-secret",
    )
    assert entry.detail == {"fields": ["openai_api_key"]} and "sk-new" not in str(entry.detail)
    # A settings change that touches no secret is no secrets entry.
    assert client.put("/api/Customers/me", {"twilioRegion": "ie1"}, format="json").status_code == 204
    assert AuditEntry.objects.filter(action=AuditAction.SECRETS_CHANGED).count() == 1


def test_action_create_update_delete_are_entries(admin_client, admin_rep, customer):
    client = tag(admin_client, "req-act")
    response = client.post("/api/Actions", {"name": "Tag it", "actionType": "Wait", "waitSeconds": 5}, format="json")
    assert response.status_code == 201, response.content
    action_id = response.json()["actionID"]
    assert_entry(
        the_entry(AuditAction.ACTION_CREATED),
        customer_id=customer.pk,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Action",
        object_id=action_id,
        request_id="req-act",
    )
    body = {**response.json(), "name": "Renamed"}
    assert client.put(f"/api/Actions/{action_id}", body, format="json").status_code == 200
    assert the_entry(AuditAction.ACTION_UPDATED).detail["fields"] == ["name"]
    assert client.delete(f"/api/Actions/{action_id}").status_code == 204
    assert the_entry(AuditAction.ACTION_DELETED).object_id == str(action_id)


def test_hook_links_are_entries_and_topic_links_are_not(admin_client, admin_rep, customer):
    client = tag(admin_client, "req-hook")
    action = ActionFactory(customer=customer)
    payload = {"hookName": "OnClose", "actionID": action.pk, "priority": 4}
    response = client.post("/api/HookActions", payload, format="json")
    assert response.status_code == 201, response.content
    link_id = response.json()["hookActionID"]
    entry = the_entry(AuditAction.HOOK_CREATED)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="HookAction",
        object_id=link_id,
        request_id="req-hook",
    )
    assert entry.detail == {"hookName": "OnClose", "actionID": action.pk, "channelID": None, "priority": 4}
    update = {"priority": 9, "hookName": "OnClose"}
    assert client.put(f"/api/HookActions/{link_id}", update, format="json").status_code == 200
    assert the_entry(AuditAction.HOOK_UPDATED).detail["priority"] == 9
    assert client.delete(f"/api/HookActions/{link_id}").status_code == 204
    assert the_entry(AuditAction.HOOK_DELETED).object_id == str(link_id)
    topic_link = TopicActionFactory(customer=customer)
    assert client.delete(f"/api/TopicActions/{topic_link.pk}").status_code == 204
    assert AuditEntry.objects.filter(action__startswith="Hook").count() == 3


def test_phone_sign_in_opt_in_is_an_entry(admin_client, admin_rep, customer):
    channel = ChannelFactory(customer=customer, channel_type="Phone", phone_number="+3225550177")
    response = tag(admin_client, "req-optin").post(f"/api/Channels/{channel.pk}/phone-login-secret")
    assert response.status_code == 201
    entry = the_entry(AuditAction.PHONE_LOGIN_ENABLED)
    assert_entry(
        entry,
        customer_id=customer.pk,
        actor_id=admin_rep.pk,
        actor_kind=ActorKind.REP,
        object_type="Channel",
        object_id=channel.pk,
        request_id="req-optin",
    )
    assert response.json()["deviceSecret"] not in str(entry.detail)


def test_export_and_erasure_action_names_are_defined():
    """The privacy routes (issue 21 items 1-2) record these."""
    assert AuditAction.END_USER_EXPORTED == "EndUserExported"
    assert AuditAction.END_USER_ERASED == "EndUserErased"
