"""Actions routes: CRUD, per-type validation, encrypted connector secrets, /available, roles and tenancy."""

import json

import pytest

from automation.models import Action, ActionType
from tests.automation.factories import ActionFactory
from tests.conftest import assert_problem
from tests.customers.factories import CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db

URL = "/api/Actions"


def test_list_defaults_to_name_order_and_pins_queries(admin_client, customer, django_assert_num_queries):
    for name in ("Close it", "Archive", "Notify CRM"):
        ActionFactory(customer=customer, name=name)
    with django_assert_num_queries(3):
        response = admin_client.get(URL)
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Archive", "Close it", "Notify CRM"]
    assert body["totalCount"] == 3 and body["totalPages"] == 1


def test_create_api_call_keeps_secrets_encrypted_and_masked(admin_client, customer):
    rules = {"all": [{"field": "message.subject", "op": "contains", "value": "order"}]}
    response = admin_client.post(
        URL,
        {
            "name": "Look up order",
            "actionType": "ApiCall",
            "apiEndpoint": "https://erp.example.com/orders/{{customFields.orderNumber}}",
            "apiMethod": "GET",
            "overrideApiAuthenticationType": "Basic",
            "overrideApiUsername": "bot",
            "overrideApiPassword": "s3cret-password",
            "responseFieldMapping": '[{"source": "data.status", "target": "orderStatus"}]',
            "conditionalRules": json.dumps(rules),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["overrideApiPassword"] == "********word" and body["overrideApiToken"] is None
    assert body["responseFieldMappings"] == [{"source": "data.status", "target": "orderStatus"}]
    action = Action.objects.get(pk=body["actionID"])
    assert action.override_api_password == "s3cret-password" and action.customer_id == customer.pk
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT override_api_password FROM automation_action WHERE id = %s", [action.pk])
        stored = cursor.fetchone()[0]
    assert "s3cret" not in stored


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "x"}, "actionType"),
        ({"name": "x", "actionType": "Teleport"}, "actionType"),
        ({"name": "x", "actionType": "ApiCall"}, "apiEndpoint"),
        ({"name": "x", "actionType": "Forward"}, "forwardRecipients"),
        ({"name": "x", "actionType": "Forward", "forwardRecipients": "not-an-address"}, "forwardRecipients"),
        ({"name": "x", "actionType": "Forward", "forwardPhoneNumber": "0470"}, "forwardPhoneNumber"),
        ({"name": "x", "actionType": "Wait"}, "waitSeconds"),
        ({"name": "x", "actionType": "Close", "conditionalRules": "subject == 'x'"}, "conditionalRules"),
        ({"name": "x", "actionType": "Close", "conditionalRules": '{"field": "a", "op": "eval"}'}, "conditionalRules"),
        ({"name": "x", "actionType": "ApiCall", "apiEndpoint": "/x", "apiHeaders": "nope"}, "apiHeaders"),
    ],
)
def test_create_validation(admin_client, payload, field):
    body = assert_problem(admin_client.post(URL, payload, format="json"), 400, "ValidationFailed")
    assert field in body["errors"], body


def test_every_action_type_can_be_created(admin_client):
    extra = {
        ActionType.API_CALL: {"apiEndpoint": "/hook"},
        ActionType.FORWARD: {"forwardRecipients": "a@example.com; b@example.com"},
        ActionType.WAIT: {"waitSeconds": 30},
    }
    for action_type in ActionType.values:
        payload = {"name": action_type, "actionType": action_type, **extra.get(action_type, {})}
        response = admin_client.post(URL, payload, format="json")
        assert response.status_code == 201, (action_type, response.json())


def test_put_requires_matching_action_id(admin_client, customer):
    action = ActionFactory(customer=customer, override_api_token="token-abcdef")
    body = admin_client.get(f"{URL}/{action.pk}").json()
    assert_problem(
        admin_client.put(f"{URL}/{action.pk}", {**body, "actionID": action.pk + 1}, format="json"), 400, "IdMismatch"
    )
    assert_problem(admin_client.put(f"{URL}/{action.pk}", {"name": "x"}, format="json"), 400, "IdMismatch")
    response = admin_client.put(f"{URL}/{action.pk}", {**body, "name": "Renamed"}, format="json")
    assert response.status_code == 200, response.json()
    action.refresh_from_db()
    assert action.name == "Renamed" and action.override_api_token == "token-abcdef"


def test_delete(admin_client, customer):
    action = ActionFactory(customer=customer)
    assert admin_client.delete(f"{URL}/{action.pk}").status_code == 204
    assert not Action.objects.filter(pk=action.pk).exists()


def test_available_lists_active_actions_for_reps_and_phone(rep_client, phone_client, customer, other_customer):
    active = ActionFactory(customer=customer, name="Active", action_type=ActionType.REPLY_SEND)
    ActionFactory(customer=customer, is_active=False)
    ActionFactory(customer=other_customer)
    for client in (rep_client, phone_client):
        response = client.get(f"{URL}/available")
        assert response.status_code == 200
        assert response.json() == [
            {
                "actionID": active.pk,
                "customerID": customer.pk,
                "name": "Active",
                "description": "",
                "actionType": "ReplySend",
                "isActive": True,
            }
        ]


def test_roles(rep_client, supervisor_client, phone_client, anon_client, customer):
    action = ActionFactory(customer=customer)
    for client in (rep_client, supervisor_client, phone_client):
        assert_problem(client.get(URL), 403)
        assert_problem(client.get(f"{URL}/{action.pk}"), 403)
        assert_problem(client.post(URL, {"name": "x", "actionType": "Close"}, format="json"), 403)
    assert_problem(anon_client.get(f"{URL}/available"), 401)


def test_other_customer_action_is_404(admin_client, other_customer):
    action = ActionFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        assert_problem(getattr(admin_client, method)(f"{URL}/{action.pk}", {"actionID": action.pk}, format="json"), 404)
    assert Action.objects.filter(pk=action.pk).exists()


def test_available_pins_queries(rep_client, customer, django_assert_num_queries):
    for _ in range(3):
        ActionFactory(customer=customer)
    with django_assert_num_queries(2):  # rep, actions
        assert len(rep_client.get(f"{URL}/available").json()) == 3


def test_actions_carry_the_custom_field_definitions_they_use(
    admin_client, customer, other_customer, django_assert_num_queries
):
    order = CustomFieldDefinitionFactory(customer=customer, field_name="orderNumber", display_name="Order number")
    status = CustomFieldDefinitionFactory(customer=customer, field_name="orderStatus", display_name="Order status")
    CustomFieldDefinitionFactory(customer=customer, field_name="unused")
    CustomFieldDefinitionFactory(customer=other_customer, field_name="orderNumber")
    response = admin_client.post(
        URL,
        {
            "name": "Look up order",
            "actionType": "ApiCall",
            "apiEndpoint": "https://erp.example.com/orders/{{customFields.ordernumber}}",
            "responseFieldMapping": '[{"source": "data.status", "target": "orderStatus"}]',
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    definitions = response.json()["customFieldDefinitions"]
    assert [item["customFieldDefinitionID"] for item in definitions] == [order.pk, status.pk]
    assert definitions[0]["fieldName"] == "orderNumber" and definitions[0]["displayName"] == "Order number"
    ActionFactory(customer=customer, name="Close it", action_type=ActionType.CLOSE)
    with django_assert_num_queries(4):  # auth, page with total, actions, the customer's definitions once
        listed = admin_client.get(URL, {"sortBy": "name"}).json()["items"]
    assert {item["name"]: len(item["customFieldDefinitions"]) for item in listed} == {"Close it": 0, "Look up order": 2}
    detail = admin_client.get(f"{URL}/{response.json()['actionID']}").json()
    assert detail["customFieldDefinitions"] == definitions
