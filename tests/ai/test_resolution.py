"""Which provider and model serve a purpose: slots, overrides, platform fallback, internet access."""

import pytest

from ai.providers import Purpose, override_model_get, resolve
from ai.providers.base import AIProviderUnavailable
from answerpal.api.errors import ApiError
from customers.models import AIProvider, ModelPurpose
from tests.customers.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def test_the_embedded_default_is_the_offline_provider(customer):
    for purpose in (Purpose.SPAM, Purpose.TOPICS, Purpose.REPLY, Purpose.SUMMARY, Purpose.TRANSLATE):
        resolved = resolve(customer, purpose, channel_type="Email")
        assert (resolved.provider_name, resolved.model_name, resolved.ai_model) == ("local", "local", None)


def test_a_slot_names_the_model_and_a_local_model_stays_offline(customer):
    customer.default_spam_model = AIModelFactory(customer=None, model_name="local-spam", model_type=ModelPurpose.SPAM)
    customer.default_topic_model = AIModelFactory(
        customer=None, model_name="tiny", model_type=ModelPurpose.TOPICS, provider=AIProvider.LOCAL
    )
    customer.openai_api_key = "sk-tenant"
    customer.default_webchat_model = AIModelFactory(customer=None, model_name="gpt-chat", model_type="webchat")
    customer.save()

    assert resolve(customer, Purpose.SPAM).provider_name == "local"
    assert resolve(customer, Purpose.TOPICS).provider_name == "local"
    chat = resolve(customer, Purpose.REPLY, channel_type="Chat")
    assert (chat.provider_name, chat.model_name) == ("openai", "gpt-chat")
    assert chat.provider.client.api_key == "sk-tenant"
    # WhatsApp follows the web-chat slot; e-mail has no slot here, so the tenant key's default model serves it.
    assert resolve(customer, Purpose.REPLY, channel_type="WhatsApp").model_name == "gpt-chat"
    assert resolve(customer, Purpose.REPLY, channel_type="Email").model_name == "gpt-4o-mini"


def test_an_openai_slot_without_any_key_or_url_is_unavailable(customer):
    customer.default_email_model = AIModelFactory(customer=None, model_name="gpt-4o", model_type=ModelPurpose.EMAIL)
    customer.save()
    with pytest.raises(AIProviderUnavailable):
        resolve(customer, Purpose.REPLY, channel_type="Email")


def test_platform_settings_are_the_fallback(customer, settings):
    settings.AI_PROVIDER = "openai"
    settings.OPENAI_API_KEY = "sk-platform"
    settings.OPENAI_BASE_URL = "http://vllm.internal:8000/v1"
    settings.AI_DEFAULT_MODEL = "llama-3-8b"

    resolved = resolve(customer, Purpose.TOPICS)

    assert (resolved.provider_name, resolved.model_name) == ("openai", "llama-3-8b")
    assert resolved.provider.client.api_key == "sk-platform"
    assert str(resolved.provider.client.base_url) == "http://vllm.internal:8000/v1/"


def test_internet_access_only_where_the_slot_allows_it_and_the_model_supports_it(customer):
    customer.openai_api_key = "sk-tenant"
    customer.default_email_model = AIModelFactory(
        customer=None, model_name="gpt-search", model_type=ModelPurpose.EMAIL, supports_internet_access=True
    )
    customer.default_call_model = AIModelFactory(customer=None, model_name="gpt-call", model_type=ModelPurpose.CALL)
    customer.default_call_model_internet_access_enabled = True
    customer.save()

    assert resolve(customer, Purpose.REPLY, channel_type="Email").provider.web_search is False
    customer.default_email_model_internet_access_enabled = True
    assert resolve(customer, Purpose.REPLY, channel_type="Email").provider.web_search is True
    assert resolve(customer, Purpose.CUSTOM_FIELDS, channel_type="Email").provider.web_search is False
    assert resolve(customer, Purpose.REPLY, channel_type="Phone").provider.web_search is False  # model cannot


def test_override_models_must_be_active_and_visible(customer, other_customer):
    own = AIModelFactory(customer=customer, model_name="mine")
    shared = AIModelFactory(customer=None, model_name="global")
    foreign = AIModelFactory(customer=other_customer, model_name="theirs")
    retired = AIModelFactory(customer=None, model_name="old", is_active=False)

    assert override_model_get(customer_id=customer.pk, model_id=own.pk) == own
    assert override_model_get(customer_id=customer.pk, model_id=shared.pk) == shared
    for model in (foreign, retired):
        with pytest.raises(ApiError) as raised:
            override_model_get(customer_id=customer.pk, model_id=model.pk)
        assert raised.value.status_code == 400 and "overrideModelID" in raised.value.errors
    customer.openai_api_key = "sk"
    assert resolve(customer, Purpose.REPLY, override_model=shared).model_name == "global"


def test_language_detection_is_always_offline(openai_customer):
    assert resolve(openai_customer, Purpose.LANGUAGE).provider_name == "local"
