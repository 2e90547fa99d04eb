"""GET /api/Customers/models (visible catalogue) and GET /api/Customers/my-secrets (phone tokens only)."""

import pytest

from answerpal.api.policies import Role
from answerpal.api.tokens import TokenKind, token_issue
from customers.models import ModelPurpose
from tests.conftest import assert_problem, client_with_token
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


def test_my_secrets_gives_phone_tokens_the_clear_values(phone_client, customer, other_customer):
    customer.openai_api_key = "sk-phone-flow-key"
    customer.twilio_account_sid = "AC1234567890"
    customer.twilio_auth_token = "twilio-token-xyz"
    customer.twilio_region = "ie1"
    customer.save()
    other_customer.openai_api_key = "sk-other-tenant"
    other_customer.save()
    response = phone_client.get(SECRETS)
    assert response.status_code == 200
    assert response.json() == {
        "openAIApiKey": "sk-phone-flow-key",
        "twilioAccountSID": "AC1234567890",
        "twilioAuthToken": "twilio-token-xyz",
        "twilioRegion": "ie1",
    }


def test_my_secrets_refuses_rep_and_impersonation_tokens(admin_client, rep_client, anon_client, customer):
    assert_problem(admin_client.get(SECRETS), 403, "Forbidden")
    assert_problem(rep_client.get(SECRETS), 403, "Forbidden")
    assert_problem(anon_client.get(SECRETS), 401)
    from accounts.models import CustomerRep

    operator = CustomerRep.objects.create_superuser("operator", "Operator-pass-1")
    impersonation = token_issue(
        kind=TokenKind.IMPERSONATION, customer_id=customer.pk, role=Role.ADMINISTRATOR, operator_id=operator.pk
    )
    assert_problem(client_with_token(impersonation).get(SECRETS), 403, "Forbidden")
