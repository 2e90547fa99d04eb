"""customer_create, the default model catalogue and the bulk activation services."""

import pytest
from django.test import override_settings

from answerpal.api.errors import ApiError
from billing.services import plans_ensure_default
from customers.models import DEFAULT_MODEL_SLOTS, AIModel, AIProvider, Customer, ModelPurpose
from customers.services import (
    ai_models_set_active,
    customer_create,
    customers_set_active,
    model_catalogue_ensure_default,
)

pytestmark = pytest.mark.django_db


@override_settings(AI_PROVIDER="local")
def test_catalogue_has_openai_and_local_models_for_every_purpose_and_is_idempotent():
    first = model_catalogue_ensure_default()
    count = AIModel.objects.count()
    assert {row.pk for row in model_catalogue_ensure_default()} == {row.pk for row in first}
    assert AIModel.objects.count() == count
    for purpose in ModelPurpose.values:
        rows = AIModel.objects.filter(model_type=purpose, customer__isnull=True)
        assert rows.filter(provider=AIProvider.OPENAI).exists()
        assert rows.get(provider=AIProvider.LOCAL, model_name="local").is_default
        assert not rows.filter(provider=AIProvider.OPENAI, is_default=True).exists()
    mini = AIModel.objects.get(model_name="gpt-4o-mini", model_type=ModelPurpose.EMAIL)
    assert mini.input_price_per_million > 0 and mini.output_price_per_million > 0
    assert AIModel.objects.get(model_name="whisper-1").price_per_minute > 0


@override_settings(AI_PROVIDER="openai")
def test_catalogue_defaults_to_openai_models_when_the_provider_is_openai():
    model_catalogue_ensure_default()
    for purpose in ModelPurpose.values:
        default = AIModel.objects.get(model_type=purpose, customer__isnull=True, is_default=True)
        assert default.provider == AIProvider.OPENAI


@override_settings(AI_PROVIDER="local")
def test_customer_create_makes_the_subscription_and_fills_default_slots():
    plans_ensure_default()
    model_catalogue_ensure_default()
    customer = customer_create(name=" Demo ", hostname="Demo.Example.com ", plan_code="starter")
    assert (customer.name, customer.hostname) == ("Demo", "demo.example.com")
    assert customer.subscription.plan.code == "starter"
    for purpose, column in DEFAULT_MODEL_SLOTS.items():
        slot = getattr(customer, column)
        assert slot.model_type == purpose and slot.provider == AIProvider.LOCAL


def test_customer_create_rejects_duplicates_and_unknown_plans():
    plans_ensure_default()
    customer_create(name="One", hostname="one.example.com")
    with pytest.raises(ApiError) as duplicate:
        customer_create(name="Two", hostname="ONE.example.com")
    assert duplicate.value.status_code == 409 and duplicate.value.code == "DuplicateHostname"
    with pytest.raises(ApiError) as unknown:
        customer_create(name="Three", hostname="three.example.com", plan_code="platinum")
    assert unknown.value.status_code == 400
    assert not Customer.objects.filter(hostname="three.example.com").exists()


def test_bulk_activation_services(customer, other_customer):
    assert customers_set_active(customer_ids=[customer.pk], is_active=False) == 1
    assert customers_set_active(customer_ids=[customer.pk], is_active=False) == 0
    customer.refresh_from_db()
    other_customer.refresh_from_db()
    assert not customer.is_active and other_customer.is_active
    model_catalogue_ensure_default()
    ids = list(AIModel.objects.filter(model_name="gpt-4o").values_list("pk", flat=True))
    assert ai_models_set_active(model_ids=ids, is_active=False) == len(ids)
    assert not AIModel.objects.filter(pk__in=ids, is_active=True).exists()
