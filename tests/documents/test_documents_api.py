"""Documents routes: CRUD, validation, requirement sync, roles and tenancy."""

import pytest

from documents.models import Document, DocumentCustomFieldRequirement
from tests.conftest import assert_problem
from tests.customers.factories import CustomFieldDefinitionFactory
from tests.documents.factories import DocumentCustomFieldRequirementFactory, DocumentFactory

pytestmark = pytest.mark.django_db

URL = "/api/Documents"


def test_list_pages_sorts_and_pins_queries(admin_client, customer, django_assert_num_queries):
    for name in ("Charlie", "Alpha", "Bravo"):
        DocumentCustomFieldRequirementFactory(customer=customer, document__name=name)
    with django_assert_num_queries(4):  # token's rep, count, page, requirements with their definitions
        response = admin_client.get(URL, {"pageSize": 2, "sortBy": "Name"})
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 3 and body["totalPages"] == 2
    assert [item["name"] for item in body["items"]] == ["Alpha", "Bravo"]
    assert body["items"][0]["customFieldRequirements"][0]["fieldName"]
    assert body["items"][0]["customFieldDefinitions"][0]["customFieldDefinitionID"]


def test_list_search(admin_client, customer):
    DocumentFactory(customer=customer, name="Refund policy")
    DocumentFactory(customer=customer, name="Opening hours")
    body = admin_client.get(URL, {"search": "refund"}).json()
    assert [item["name"] for item in body["items"]] == ["Refund policy"]


def test_create_sets_customer_and_masks_secrets(admin_client, customer):
    definition = CustomFieldDefinitionFactory(customer=customer, field_name="orderNumber")
    response = admin_client.post(
        URL,
        {
            "name": "Order status",
            "isDataRetrievalProcess": True,
            "apiEndpoint": "/orders/{{customFields.orderNumber}}",
            "apiMethod": "GET",
            "apiHeaders": '{"X-Shop": "main"}',
            "overrideApiToken": "tok-secret-1234",
            "overrideApiAuthenticationType": "Bearer",
            "fieldMapping": '[{"source": "status", "target": "orderStatus"}]',
            "customFieldRequirements": [{"customFieldDefinitionID": definition.pk, "isRequired": True}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customerID"] == customer.pk
    assert body["overrideApiToken"] == "********1234"
    assert body["fieldMappings"] == [{"source": "status", "target": "orderStatus"}]
    assert body["customFieldRequirements"][0]["fieldName"] == "orderNumber"
    document = Document.objects.get(pk=body["documentID"])
    assert document.override_api_token == "tok-secret-1234"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x", "apiHeaders": "[1]"}, "apiHeaders"),
        ({"name": "x", "fieldMapping": '[{"source": ""}]'}, "fieldMapping"),
        ({"name": "x", "isDataRetrievalProcess": True}, "apiEndpoint"),
        ({"name": "x", "isFunctionTool": True}, "functionParametersSchema"),
        ({"name": "x", "isFunctionTool": True, "functionParametersSchema": {"type": 5}}, "functionParametersSchema"),
        (
            {"name": "x", "isFunctionTool": True, "functionParametersSchema": {"type": "string"}},
            "functionParametersSchema",
        ),
        ({"name": "x", "apiEndpoint": "ftp://example.com/x"}, "apiEndpoint"),
        ({"name": "x", "overrideApiAuthenticationType": "Magic"}, "overrideApiAuthenticationType"),
    ],
)
def test_create_validation(admin_client, payload, field):
    body = assert_problem(admin_client.post(URL, payload, format="json"), 400, "ValidationFailed")
    assert field in body["errors"], body


def test_create_function_tool(admin_client):
    schema = {"type": "object", "properties": {"orderId": {"type": "string"}}, "required": ["orderId"]}
    response = admin_client.post(
        URL,
        {
            "name": "lookup_order",
            "isFunctionTool": True,
            "functionParametersSchema": schema,
            "toolCallTimeoutSeconds": 10,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["functionParametersSchema"] == schema


def test_requirement_of_another_customer_is_refused(admin_client, other_customer):
    foreign = CustomFieldDefinitionFactory(customer=other_customer)
    body = assert_problem(
        admin_client.post(
            URL, {"name": "x", "customFieldRequirements": [{"customFieldDefinitionID": foreign.pk}]}, format="json"
        ),
        400,
    )
    assert "customFieldRequirements" in body["errors"]


def test_put_syncs_requirements(admin_client, customer):
    kept = DocumentCustomFieldRequirementFactory(customer=customer, is_required=True)
    document = kept.document
    dropped = DocumentCustomFieldRequirementFactory(customer=customer, document=document)
    added = CustomFieldDefinitionFactory(customer=customer)
    url = f"{URL}/{document.pk}"
    # null leaves requirements unchanged
    response = admin_client.put(url, {"name": "Renamed", "customFieldRequirements": None}, format="json")
    assert response.status_code == 200, response.json()
    assert document.custom_field_requirements.count() == 2
    # a list replaces them
    response = admin_client.put(
        url,
        {
            "name": "Renamed",
            "customFieldRequirements": [
                {"customFieldDefinitionID": kept.custom_field_definition_id, "isRequired": False},
                {"customFieldDefinitionID": added.pk},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    rows = {row.custom_field_definition_id: row.is_required for row in document.custom_field_requirements.all()}
    assert rows == {kept.custom_field_definition_id: False, added.pk: True}
    assert not DocumentCustomFieldRequirement.objects.filter(pk=dropped.pk).exists()
    # [] clears them
    response = admin_client.put(url, {"name": "Renamed", "customFieldRequirements": []}, format="json")
    assert response.status_code == 200
    assert document.custom_field_requirements.count() == 0
    document.refresh_from_db()
    assert document.name == "Renamed"


def test_put_keeps_secret_when_masked_value_is_sent_back(admin_client, customer):
    document = DocumentFactory(customer=customer, override_api_password="pw-very-secret")
    body = admin_client.get(f"{URL}/{document.pk}").json()
    assert body["overrideApiPassword"] == "********cret"
    body["name"] = "Same secret"
    response = admin_client.put(f"{URL}/{document.pk}", body, format="json")
    assert response.status_code == 200, response.json()
    document.refresh_from_db()
    assert document.override_api_password == "pw-very-secret"


def test_get_and_delete(admin_client, customer):
    document = DocumentFactory(customer=customer, content="Hello {{unknown.path}}")
    body = admin_client.get(f"{URL}/{document.pk}", {"replacePlaceholders": "true"}).json()
    assert body["content"] == "Hello {{unknown.path}}"
    assert admin_client.delete(f"{URL}/{document.pk}").status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()


def test_replace_placeholders_rejects_bad_message_id(admin_client, customer):
    document = DocumentFactory(customer=customer)
    body = assert_problem(
        admin_client.get(f"{URL}/{document.pk}", {"replacePlaceholders": "true", "messageId": "abc"}), 400
    )
    assert "messageId" in body["errors"]


def test_other_customer_document_is_404(admin_client, other_customer):
    document = DocumentFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        response = getattr(admin_client, method)(f"{URL}/{document.pk}", {"name": "x"}, format="json")
        assert_problem(response, 404, "NotFound")
    assert Document.objects.filter(pk=document.pk).exists()


def test_requires_token(anon_client):
    assert_problem(anon_client.get(URL), 401)
    assert_problem(anon_client.post(f"{URL}/convert"), 401)


@pytest.mark.parametrize("client_name", ["rep_client", "supervisor_client", "phone_client"])
def test_requires_manage_settings(request, client_name, customer):
    client = request.getfixturevalue(client_name)
    document = DocumentFactory(customer=customer)
    assert_problem(client.get(URL), 403)
    assert_problem(client.get(f"{URL}/{document.pk}"), 403)
    assert_problem(client.post(URL, {"name": "x"}, format="json"), 403)
    assert_problem(client.post(f"{URL}/convert"), 403)


def test_document_text_counts_as_billed_storage(customer, other_customer):
    from billing.storage import storage_measure

    DocumentFactory(customer=customer, content="x" * 1000, api_body_template="y" * 24)
    DocumentFactory(customer=other_customer, content="z" * 5000)
    assert storage_measure(customer_id=customer.pk)["documents"] == 1024


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"isDataRetrievalProcess": True}, "apiEndpoint"),
        ({"toolCallTimeoutSeconds": 0}, "toolCallTimeoutSeconds"),
        ({"customFieldRequirements": "FOREIGN"}, "customFieldRequirements"),
    ],
)
def test_put_validation_changes_nothing(admin_client, customer, other_customer, change, field):
    requirement = DocumentCustomFieldRequirementFactory(customer=customer, document__name="Refunds")
    document = requirement.document
    if change.get("customFieldRequirements") == "FOREIGN":
        change = {
            "customFieldRequirements": [
                {"customFieldDefinitionID": CustomFieldDefinitionFactory(customer=other_customer).pk}
            ]
        }
    response = admin_client.put(f"{URL}/{document.pk}", {"name": "Renamed", **change}, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    document.refresh_from_db()
    assert document.name == "Refunds" and not document.is_data_retrieval_process
    assert list(document.custom_field_requirements.values_list("pk", flat=True)) == [requirement.pk]
