"""GET / PUT /api/Customers/me: settings by DTO name, masked secrets, slot and representative checks."""

import pytest
from django.db import connection
from django.utils import timezone

from answerpal.api.fields import MASK
from customers.models import Customer, ModelPurpose
from tests.accounts.factories import CustomerRepFactory
from tests.billing.factories import SubscriptionPlanFactory
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory

ME = "/api/Customers/me"
pytestmark = pytest.mark.django_db

UPDATE_FIELDS = [
    "apiBaseUrl",
    "apiUsername",
    "apiPassword",
    "apiToken",
    "apiAuthenticationType",
    "emailProviderType",
    "graphTenantID",
    "graphClientID",
    "graphClientSecret",
    "graphAuthorityURL",
    "graphScope",
    "imapServer",
    "imapPort",
    "imapUseSsl",
    "smtpServer",
    "smtpPort",
    "smtpUseSsl",
    "defaultTopicModelId",
    "defaultWebchatModelId",
    "defaultEmailModelId",
    "defaultCallModelId",
    "defaultSpamModelId",
    "defaultConditionalRulesModelId",
    "defaultSummaryModelId",
    "defaultRealtimeModelId",
    "defaultRealtimeTranslationModelId",
    "defaultTranscribeModelId",
    "defaultEmailModelInternetAccessEnabled",
    "defaultWebchatModelInternetAccessEnabled",
    "defaultCallModelInternetAccessEnabled",
    "defaultRealtimeModelInternetAccessEnabled",
    "twilioAccountSID",
    "twilioAuthToken",
    "twilioRegion",
    "openAIApiKey",
    "defaultCustomerRepID",
]


def _raw_column(customer_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM customers_customer WHERE id = %s", [customer_id])
        return cursor.fetchone()[0]


def test_get_returns_every_dto_field_with_secrets_masked(rep_client, customer, django_assert_num_queries):
    customer.api_token = "token-1234567890"
    customer.openai_api_key = "sk-abcdefghijklmnop"
    customer.twilio_account_sid = "AC0123456789abcdef"
    customer.twilio_region = "ie1"
    customer.imap_port = 993
    customer.save()
    with django_assert_num_queries(3):  # token check, customer, models
        response = rep_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert set(UPDATE_FIELDS) <= set(body)
    assert {"customerID", "name", "hostname", "models"} <= set(body)
    assert body["customerID"] == customer.pk and body["name"] == "Acme" and body["hostname"] == "acme.answerpal.test"
    # A Representative sees that secrets are set, not their last four characters (Administrators do, below).
    assert body["apiToken"] == MASK
    assert body["openAIApiKey"] == MASK
    assert body["twilioAccountSID"] == MASK
    assert body["apiPassword"] is None and body["twilioAuthToken"] is None
    assert body["twilioRegion"] == "ie1" and body["imapPort"] == 993
    assert "sk-abcdefghijklmnop" not in response.content.decode() and "mnop" not in response.content.decode()


def test_secrets_show_their_last_four_characters_to_administrators_only(
    admin_client, supervisor_client, rep_client, customer
):
    customer.openai_api_key = "sk-abcdefghijklmnop"
    customer.twilio_auth_token = "twilio-token-wxyz"
    customer.save()
    admin = admin_client.get(ME).json()
    assert (admin["openAIApiKey"], admin["twilioAuthToken"]) == (MASK + "mnop", MASK + "wxyz")
    for client in (supervisor_client, rep_client):
        body = client.get(ME).json()
        assert (body["openAIApiKey"], body["twilioAuthToken"]) == (MASK, MASK)


def test_get_never_shows_another_tenants_data(admin_client, customer, other_customer):
    other_customer.openai_api_key = "sk-other-tenant-key"
    other_customer.save()
    own = AIModelFactory(customer=customer)
    foreign = AIModelFactory(customer=other_customer)
    body = admin_client.get(ME).json()
    assert body["customerID"] == customer.pk and body["hostname"] == customer.hostname
    shown = {model["modelID"] for model in body["models"]}
    assert own.pk in shown and foreign.pk not in shown
    assert body["openAIApiKey"] is None


def test_get_requires_a_rep_token(anon_client, phone_client):
    assert_problem(anon_client.get(ME), 401, "NotAuthenticated")
    assert_problem(phone_client.get(ME), 403, "Forbidden")


def test_put_partial_body_changes_only_given_fields(admin_client, customer):
    customer.api_username = "keep-me"
    customer.save()
    response = admin_client.put(
        ME,
        {
            "apiBaseUrl": "https://erp.example.com/api",
            "apiAuthenticationType": "Bearer",
            "imapServer": "imap.example.com",
            "imapPort": 993,
            "smtpUseSsl": False,
            "defaultEmailModelInternetAccessEnabled": True,
            "twilioRegion": "ie1",
        },
        format="json",
    )
    assert response.status_code == 204 and not response.content
    customer.refresh_from_db()
    assert customer.api_base_url == "https://erp.example.com/api"
    assert customer.api_authentication_type == "Bearer"
    assert customer.imap_server == "imap.example.com" and customer.imap_port == 993
    assert customer.smtp_use_ssl is False and customer.default_email_model_internet_access_enabled is True
    assert customer.api_username == "keep-me"


def test_secrets_are_encrypted_at_rest_and_masked_value_means_unchanged(admin_client, customer):
    response = admin_client.put(
        ME, {"openAIApiKey": "sk-live-secret-value", "twilioAuthToken": "twilio-secret-token"}, format="json"
    )
    assert response.status_code == 204
    raw = _raw_column(customer.pk, "openai_api_key")
    assert raw and "sk-live-secret-value" not in raw
    assert "twilio-secret-token" not in _raw_column(customer.pk, "twilio_auth_token")
    customer.refresh_from_db()
    assert customer.openai_api_key == "sk-live-secret-value"

    masked = admin_client.get(ME).json()["openAIApiKey"]
    assert masked == MASK + "alue"
    assert admin_client.put(ME, {"openAIApiKey": masked, "twilioAuthToken": ""}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.openai_api_key == "sk-live-secret-value"
    assert customer.twilio_auth_token == ""
    assert admin_client.put(ME, {"openAIApiKey": None}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.openai_api_key == ""


def test_office365_is_accepted_as_microsoft365(admin_client, customer):
    assert admin_client.put(ME, {"emailProviderType": "Office365"}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.email_provider_type == "Microsoft365"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"apiBaseUrl": "not a url"}, "apiBaseUrl"),
        ({"graphAuthorityURL": "ftp//nowhere"}, "graphAuthorityURL"),
        ({"imapPort": 70000}, "imapPort"),
        ({"apiAuthenticationType": "Magic"}, "apiAuthenticationType"),
        ({"emailProviderType": "Gmail"}, "emailProviderType"),
        ({"defaultTopicModelId": "abc"}, "defaultTopicModelId"),
    ],
)
def test_put_rejects_malformed_values(admin_client, customer, body, field):
    problem = assert_problem(admin_client.put(ME, body, format="json"), 400, "ValidationFailed")
    assert field in problem["errors"]


def test_put_needs_manage_settings(supervisor_client, rep_client, phone_client, anon_client, customer):
    for client in (supervisor_client, rep_client, phone_client):
        assert_problem(client.put(ME, {"twilioRegion": "us1"}, format="json"), 403, "Forbidden")
    assert_problem(anon_client.put(ME, {"twilioRegion": "us1"}, format="json"), 401)
    customer.refresh_from_db()
    assert customer.twilio_region == ""


def test_put_sets_valid_default_models_global_or_own(admin_client, customer):
    global_model = AIModelFactory(customer=None, model_type=ModelPurpose.TOPICS)
    own_model = AIModelFactory(customer=customer, model_type=ModelPurpose.SUMMARY, is_fine_tuned=True)
    response = admin_client.put(
        ME, {"defaultTopicModelId": global_model.pk, "defaultSummaryModelId": own_model.pk}, format="json"
    )
    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.default_topic_model == global_model and customer.default_summary_model == own_model
    assert admin_client.put(ME, {"defaultTopicModelId": None}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.default_topic_model is None and customer.default_summary_model == own_model


def test_put_rejects_models_that_do_not_fit_their_slot(admin_client, customer, other_customer):
    foreign = AIModelFactory(customer=other_customer, model_type=ModelPurpose.EMAIL)
    inactive = AIModelFactory(customer=None, model_type=ModelPurpose.EMAIL, is_active=False)
    wrong_purpose = AIModelFactory(customer=None, model_type=ModelPurpose.SPAM)
    cases = {
        "defaultEmailModelId": foreign.pk,
        "defaultCallModelId": wrong_purpose.pk,
        "defaultWebchatModelId": 999999,
    }
    problem = assert_problem(admin_client.put(ME, cases, format="json"), 400, "ValidationFailed")
    assert set(problem["errors"]) == set(cases)
    problem = assert_problem(admin_client.put(ME, {"defaultEmailModelId": inactive.pk}, format="json"), 400)
    assert "no longer active" in problem["errors"]["defaultEmailModelId"][0]
    customer.refresh_from_db()
    assert customer.default_email_model is None and customer.default_call_model is None


def test_put_rejects_models_above_the_plan(admin_client, customer):
    SubscriptionPlanFactory(code="enterprise")
    starter = SubscriptionPlanFactory(code="starter")
    premium = AIModelFactory(customer=None, model_type=ModelPurpose.EMAIL, required_subscription_level="enterprise")
    business = AIModelFactory(customer=None, model_type=ModelPurpose.EMAIL, required_subscription_level="business")
    fine_tuned = AIModelFactory(customer=customer, model_type=ModelPurpose.EMAIL, is_fine_tuned=True)
    problem = assert_problem(admin_client.put(ME, {"defaultEmailModelId": premium.pk}, format="json"), 400)
    assert "enterprise" in problem["errors"]["defaultEmailModelId"][0]
    assert admin_client.put(ME, {"defaultEmailModelId": business.pk}, format="json").status_code == 204

    customer.subscription.plan = starter
    customer.subscription.save()
    assert_problem(admin_client.put(ME, {"defaultEmailModelId": business.pk}, format="json"), 400)
    problem = assert_problem(admin_client.put(ME, {"defaultEmailModelId": fine_tuned.pk}, format="json"), 400)
    assert "Fine-tuned" in problem["errors"]["defaultEmailModelId"][0]
    customer.subscription.feature_overrides = {"hasFineTunedModels": True}
    customer.subscription.save()
    assert admin_client.put(ME, {"defaultEmailModelId": fine_tuned.pk}, format="json").status_code == 204


def test_put_default_rep_must_be_an_active_rep_of_the_customer(admin_client, customer, other_admin, rep):
    inactive = CustomerRepFactory(customer=customer, is_active=False)
    for bad in (other_admin.pk, inactive.pk, 999999):
        problem = assert_problem(admin_client.put(ME, {"defaultCustomerRepID": bad}, format="json"), 400)
        assert "defaultCustomerRepID" in problem["errors"]
    assert admin_client.put(ME, {"defaultCustomerRepID": rep.pk}, format="json").status_code == 204
    assert Customer.objects.get(pk=customer.pk).default_customer_rep_id == rep.pk
    assert admin_client.get(ME).json()["defaultCustomerRepID"] == rep.pk


def test_put_only_changes_the_callers_customer(admin_client, customer, other_customer):
    admin_client.put(ME, {"twilioRegion": "au1", "openAIApiKey": "sk-mine-only-1234"}, format="json")
    other_customer.refresh_from_db()
    assert other_customer.twilio_region == "" and other_customer.openai_api_key == ""


def test_path_matches_in_any_casing(admin_client, customer):
    assert admin_client.get("/api/customers/ME").json()["customerID"] == customer.pk


def test_new_graph_secret_forgets_the_old_expiry(admin_client, customer):
    customer.graph_client_secret = "old-graph-secret"
    customer.graph_client_secret_expires_at = timezone.now()
    customer.save()
    masked = admin_client.get(ME).json()["graphClientSecret"]
    assert admin_client.put(ME, {"graphClientSecret": masked}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.graph_client_secret_expires_at is not None
    assert admin_client.put(ME, {"graphClientSecret": "new-graph-secret"}, format="json").status_code == 204
    customer.refresh_from_db()
    assert customer.graph_client_secret == "new-graph-secret" and customer.graph_client_secret_expires_at is None
