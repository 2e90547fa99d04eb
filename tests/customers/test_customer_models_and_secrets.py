"""GET /api/Customers/models (visible catalogue); GET /api/Customers/my-secrets: tests/accounts/test_phone_login.py."""

import pytest

from customers.models import ModelPurpose
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory

MODELS = "/api/Customers/models"
SECRETS = "/api/Customers/my-secrets"
pytestmark = pytest.mark.django_db


def test_models_lists_active_global_and_own_plus_selected_inactive(
    rep_client, customer, other_customer, django_assert_num_queries
):
    global_active = AIModelFactory(customer=None, model_type=ModelPurpose.TOPICS, is_default=True, has_vision=True)
    own = AIModelFactory(customer=customer, model_type=ModelPurpose.EMAIL, is_fine_tuned=True)
    AIModelFactory(customer=other_customer, model_type=ModelPurpose.EMAIL)
    AIModelFactory(customer=None, model_type=ModelPurpose.SPAM, is_active=False)
    selected_inactive = AIModelFactory(customer=None, model_type=ModelPurpose.SUMMARY, is_active=False)
    customer.default_summary_model = selected_inactive
    customer.save()
    with django_assert_num_queries(3):  # token check, customer, models
        response = rep_client.get(MODELS)
    assert response.status_code == 200
    rows = {row["modelID"]: row for row in response.json()}
    assert set(rows) == {global_active.pk, own.pk, selected_inactive.pk}
    assert rows[global_active.pk] == {
        "modelID": global_active.pk,
        "modelType": "topics",
        "modelName": global_active.model_name,
        "isFineTuned": False,
        "hasVision": True,
        "requiredSubscriptionLevel": "",
        "isGlobal": True,
        "isDefault": True,
    }
    assert rows[own.pk]["isGlobal"] is False and rows[own.pk]["isFineTuned"] is True


def test_models_query_count_does_not_grow_with_rows(rep_client, customer, django_assert_num_queries):
    for purpose in ModelPurpose.values:
        AIModelFactory(customer=None, model_type=purpose)
        AIModelFactory(customer=customer, model_type=purpose)
    with django_assert_num_queries(3):
        assert len(rep_client.get(MODELS).json()) == 2 * len(ModelPurpose.values)


def test_models_needs_a_rep_token(anon_client, phone_client):
    assert_problem(anon_client.get(MODELS), 401)
    assert_problem(phone_client.get(MODELS), 403, "Forbidden")
