"""/api/CustomerCustomFields: plain-array list, create rules, immutable identity, tenant isolation."""

import pytest

from customers.models import CustomFieldDefinition, CustomFieldType
from tests.conftest import assert_problem
from tests.customers.factories import CustomFieldDefinitionFactory

URL = "/api/CustomerCustomFields"
pytestmark = pytest.mark.django_db


def _detail(definition) -> str:
    return f"{URL}/{definition.pk}"


def test_list_is_a_plain_array_ordered_by_order(rep_client, customer, other_customer, django_assert_num_queries):
    second = CustomFieldDefinitionFactory(customer=customer, order=2)
    first = CustomFieldDefinitionFactory(customer=customer, order=1)
    dropdown = CustomFieldDefinitionFactory(
        customer=customer, order=3, field_type=CustomFieldType.DROPDOWN, options=["A", "B"]
    )
    CustomFieldDefinitionFactory(customer=other_customer, order=0)
    with django_assert_num_queries(2):  # token check, definitions
        response = rep_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [row["customFieldDefinitionID"] for row in body] == [first.pk, second.pk, dropdown.pk]
    assert body[2] == {
        "customFieldDefinitionID": dropdown.pk,
        "fieldName": dropdown.field_name,
        "fieldType": "dropdown",
        "displayName": dropdown.display_name,
        "description": "",
        "order": 3,
        "options": ["A", "B"],
    }


def test_list_query_count_is_flat(rep_client, customer, django_assert_num_queries):
    CustomFieldDefinitionFactory.create_batch(12, customer=customer)
    with django_assert_num_queries(2):
        assert len(rep_client.get(URL).json()) == 12


def test_retrieve(rep_client, customer, other_customer):
    definition = CustomFieldDefinitionFactory(customer=customer)
    assert rep_client.get(_detail(definition)).json()["fieldName"] == definition.field_name
    foreign = CustomFieldDefinitionFactory(customer=other_customer)
    assert_problem(rep_client.get(_detail(foreign)), 404, "NotFound")


def test_create(admin_client, customer):
    response = admin_client.post(
        URL,
        {
            "fieldName": "move_in_date",
            "fieldType": "date",
            "displayName": "Move-in date",
            "description": "When the tenant moves in",
            "order": 5,
        },
        format="json",
    )
    assert response.status_code == 201
    created = CustomFieldDefinition.objects.get(pk=response.json()["customFieldDefinitionID"])
    assert created.customer == customer and created.field_type == "date" and created.options == []
    dropdown = admin_client.post(
        URL, {"fieldName": "kind", "fieldType": "dropdown", "displayName": "Kind", "options": ["Flat", "House"]}
    )
    assert dropdown.status_code == 201 and dropdown.json()["options"] == ["Flat", "House"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fieldName": "has space", "fieldType": "text", "displayName": "X"}, "fieldName"),
        ({"fieldName": "9lives", "fieldType": "text", "displayName": "X"}, "fieldName"),
        ({"fieldName": "ok", "fieldType": "colour", "displayName": "X"}, "fieldType"),
        ({"fieldName": "ok", "fieldType": "text"}, "displayName"),
        ({"fieldName": "ok", "fieldType": "dropdown", "displayName": "X"}, "options"),
        ({"fieldName": "ok", "fieldType": "dropdown", "displayName": "X", "options": ["a", "a"]}, "options"),
        ({"fieldName": "ok", "fieldType": "number", "displayName": "X", "options": ["1"]}, "options"),
    ],
)
def test_create_validation(admin_client, customer, body, field):
    problem = assert_problem(admin_client.post(URL, body, format="json"), 400, "ValidationFailed")
    assert field in problem["errors"]
    assert not CustomFieldDefinition.objects.exists()


def test_create_duplicate_name_is_409_but_other_tenants_may_reuse_it(admin_client, other_admin_client, customer):
    CustomFieldDefinitionFactory(customer=customer, field_name="orderRef")
    body = {"fieldName": "OrderRef", "fieldType": "text", "displayName": "Order"}
    assert_problem(admin_client.post(URL, body, format="json"), 409, "DuplicateCustomField")
    assert other_admin_client.post(URL, body, format="json").status_code == 201


def test_update_edits_display_metadata(admin_client, customer):
    definition = CustomFieldDefinitionFactory(
        customer=customer, field_type=CustomFieldType.DROPDOWN, options=["A"], description="old"
    )
    response = admin_client.put(
        _detail(definition),
        {"displayName": "New name", "order": 9, "options": ["A", "B"], "fieldName": definition.field_name},
        format="json",
    )
    assert response.status_code == 200
    definition.refresh_from_db()
    assert (definition.display_name, definition.order, definition.options) == ("New name", 9, ["A", "B"])
    assert definition.description == "old"


def test_update_refuses_identity_changes_and_bad_options(admin_client, customer):
    definition = CustomFieldDefinitionFactory(customer=customer, field_type=CustomFieldType.TEXT)
    renamed = admin_client.put(_detail(definition), {"fieldName": "renamed"}, format="json")
    assert_problem(renamed, 400, "ImmutableField")
    assert_problem(
        admin_client.put(_detail(definition), {"fieldType": "dropdown", "options": ["x"]}, format="json"),
        400,
        "ImmutableField",
    )
    assert_problem(admin_client.put(_detail(definition), {"options": ["x"]}, format="json"), 400, "ValidationFailed")
    dropdown = CustomFieldDefinitionFactory(customer=customer, field_type=CustomFieldType.DROPDOWN, options=["A"])
    assert_problem(admin_client.put(_detail(dropdown), {"options": []}, format="json"), 400, "ValidationFailed")
    definition.refresh_from_db()
    assert definition.field_name != "renamed" and definition.field_type == "text"


def test_delete(admin_client, customer):
    definition = CustomFieldDefinitionFactory(customer=customer)
    assert admin_client.delete(_detail(definition)).status_code == 204
    assert not CustomFieldDefinition.objects.filter(pk=definition.pk).exists()


def test_writes_need_manage_settings_and_reads_a_rep_token(
    supervisor_client, rep_client, phone_client, anon_client, customer
):
    definition = CustomFieldDefinitionFactory(customer=customer)
    body = {"fieldName": "x", "fieldType": "text", "displayName": "X"}
    for client in (supervisor_client, rep_client):
        assert_problem(client.post(URL, body, format="json"), 403, "Forbidden")
        assert_problem(client.put(_detail(definition), {"displayName": "Y"}, format="json"), 403, "Forbidden")
        assert_problem(client.delete(_detail(definition)), 403, "Forbidden")
    assert_problem(phone_client.get(URL), 403, "Forbidden")
    assert_problem(anon_client.get(URL), 401)
    assert CustomFieldDefinition.objects.filter(pk=definition.pk, display_name=definition.display_name).exists()


def test_other_tenants_definition_is_404_for_every_method(admin_client, other_customer):
    foreign = CustomFieldDefinitionFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        assert_problem(getattr(admin_client, method)(_detail(foreign), {}, format="json"), 404, "NotFound")
    assert CustomFieldDefinition.objects.filter(pk=foreign.pk).exists()
