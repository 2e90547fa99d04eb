"""customers' plan port: billing registers itself at startup; without a registration customers refuses clearly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing import selectors as billing_selectors
from billing import services as billing_services
from customers import plans
from customers.services import customer_create

pytestmark = pytest.mark.django_db


def test_billing_registers_its_plan_functions_at_startup():
    port = plans.plan_port()
    assert port.plan_exists is billing_selectors.plan_exists
    assert port.subscribe is billing_services.subscription_create
    assert port.facts is billing_selectors.subscription_plan_facts
    assert port.levels is billing_selectors.plan_levels


def test_without_a_registration_customers_raises_improperly_configured(monkeypatch):
    monkeypatch.setattr(plans, "_registered", [])
    with pytest.raises(ImproperlyConfigured, match="BillingConfig"):
        customer_create(name="Orphan", hostname="orphan.example.com")


def test_facts_and_levels_come_from_the_subscription_and_plans(customer):
    subscription = customer.subscription
    subscription.feature_overrides = {"hasFineTunedModels": False}
    subscription.save()
    facts = plans.plan_port().facts(customer_id=customer.pk)
    assert facts == plans.PlanFacts(level=subscription.plan.level, fine_tuned_models=False)
    assert plans.plan_port().facts(customer_id=customer.pk + 1000) is None
    assert plans.plan_port().levels(codes={subscription.plan.code, "no-such-plan"}) == {
        subscription.plan.code: subscription.plan.level
    }
