"""Operator admin for customers, the AI model catalogue and custom fields; secrets never in clear."""

import pytest

from customers.models import AIModel, Customer
from tests.admin_helpers import operator_login
from tests.customers.factories import AIModelFactory, CustomerFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_changelists_render_without_per_row_queries(operator_client, django_assert_max_num_queries):
    for number in range(12):
        customer = CustomerFactory(name=f"Tenant {number}")
        AIModelFactory(customer=customer)
        CustomFieldDefinitionFactory(customer=customer)
    for url in ("/admin/customers/customer/", "/admin/customers/aimodel/", "/admin/customers/customfielddefinition/"):
        with django_assert_max_num_queries(12):
            response = operator_client.get(url)
        assert response.status_code == 200, url
    assert b"Tenant 11" in operator_client.get("/admin/customers/customer/", {"q": "Tenant 11"}).content


def test_customer_change_form_masks_secrets_and_keeps_them_when_left_empty(operator_client, customer):
    customer.openai_api_key = "sk-admin-hidden-secret"
    customer.graph_client_secret = "graph-hidden-secret"
    customer.save()
    url = f"/admin/customers/customer/{customer.pk}/change/"
    page = operator_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "sk-admin-hidden-secret" not in content and "graph-hidden-secret" not in content
    assert "********cret" in content

    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            "name": "Acme renamed",
            "openai_api_key": "",
            "twilio_auth_token": "new-twilio-token",
            "subscription-TOTAL_FORMS": "1",
            "subscription-INITIAL_FORMS": "1",
            "subscription-MIN_NUM_FORMS": "0",
            "subscription-MAX_NUM_FORMS": "1",
            "subscription-0-id": str(customer.subscription.pk),
            "subscription-0-customer": str(customer.pk),
            "subscription-0-plan": str(customer.subscription.plan_id),
            "subscription-0-feature_overrides": "{}",
        }
    )
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    customer.refresh_from_db()
    assert customer.name == "Acme renamed"
    assert customer.openai_api_key == "sk-admin-hidden-secret"
    assert customer.twilio_auth_token == "new-twilio-token"


def test_bulk_actions_call_services(operator_client, customer):
    operator_client.post(
        "/admin/customers/customer/", {"action": "deactivate", "_selected_action": [customer.pk]}, follow=True
    )
    assert not Customer.objects.get(pk=customer.pk).is_active
    model = AIModelFactory(customer=None)
    operator_client.post("/admin/customers/aimodel/", {"action": "deactivate", "_selected_action": [model.pk]})
    assert not AIModel.objects.get(pk=model.pk).is_active
