"""AI fixtures: OpenAI HTTP mocked with respx under the real openai client (through the httpx2 mocker)."""

import pytest
import respx

from customers.models import AIProvider, ModelPurpose
from tests.ai import respx_httpx2  # noqa: F401 - registers respx's "httpx2" mocker
from tests.ai.openai_fakes import BASE_URL
from tests.customers.factories import AIModelFactory
from tests.messaging.conftest import (  # noqa: F401 - Graph fixtures for the inbound-mail pipeline tests
    graph_channel,
    graph_customer,
    graph_folder,
    graph_mock,
    http_mocks,
)


@pytest.fixture
def openai_mock():
    """respx router for the OpenAI-compatible endpoint; any unmatched request fails the test."""
    with respx.mock(using="httpx2", base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def no_retry_sleep(monkeypatch):
    """Records the openai client's retry sleeps instead of waiting."""
    slept = []
    monkeypatch.setattr("openai._base_client.time.sleep", lambda seconds: slept.append(seconds))
    return slept


@pytest.fixture
def openai_customer(customer):
    """The Acme customer with its own OpenAI key, a base URL and an OpenAI model in every pipeline slot."""
    prices = {"input_price_per_million": 2, "output_price_per_million": 8}
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    for slot, purpose in (
        ("default_spam_model", ModelPurpose.SPAM),
        ("default_topic_model", ModelPurpose.TOPICS),
        ("default_email_model", ModelPurpose.EMAIL),
        ("default_webchat_model", ModelPurpose.WEBCHAT),
        ("default_summary_model", ModelPurpose.SUMMARY),
    ):
        model = AIModelFactory(
            customer=None, model_name=f"gpt-{purpose}", model_type=purpose, provider=AIProvider.OPENAI, **prices
        )
        setattr(customer, slot, model)
    customer.save()
    return customer


@pytest.fixture(autouse=True)
def knowledge_always_rechecked(settings):
    """Tests reuse customer ids; the per-process knowledge index must see each test's documents."""
    settings.AI_KNOWLEDGE_RECHECK_SECONDS = 0
