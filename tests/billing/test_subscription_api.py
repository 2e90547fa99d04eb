"""GET /api/Subscription/me: SubscriptionPlanResponseDto with effective values."""

from decimal import Decimal

import pytest
from django.conf import settings

from billing.models import CustomerSubscription
from tests.conftest import assert_problem

URL = "/api/Subscription/me"
pytestmark = pytest.mark.django_db


def test_subscription_me_shape_and_values(rep_client, customer, django_assert_num_queries):
    CustomerSubscription.objects.filter(customer=customer).update(
        override_max_users=12, override_ai_phone_budget_eur=Decimal("55.5"), feature_overrides={"hasApiCalls": False}
    )
    with django_assert_num_queries(2):  # token check, subscription with plan
        response = rep_client.get(URL)
    assert response.status_code == 200
    plan = customer.subscription.plan
    assert response.json() == {
        "subscriptionPlanID": plan.pk,
        "planName": "Business",
        "monthlyFee": 199.0,
        "isCustomPlan": False,
        "isActive": True,
        "maxUsers": 10,
        "effectiveMaxUsers": 12,
        "storageLimitGb": 50.0,
        "effectiveStorageLimitGb": 50.0,
        "aiPhoneBudgetPercent": 20.0,
        "effectiveAiPhoneBudgetPercent": 20.0,
        "aiPhoneBudgetEur": 100.0,
        "effectiveAiPhoneBudgetEur": 55.5,
        "features": {
            "hasChat": True,
            "hasEmail": True,
            "hasPhone": True,
            "hasMultilingualSignatures": True,
            "hasFineTunedModels": True,
            "hasApiCalls": False,
            "hasSchedulesOfCondition": True,
        },
    }


def test_subscription_me_shows_only_the_callers_plan(other_admin_client, customer, other_customer):
    CustomerSubscription.objects.filter(customer=customer).update(override_max_users=99)
    assert other_admin_client.get(URL).json()["effectiveMaxUsers"] == 10


def test_subscription_me_permissions(anon_client, phone_client):
    assert_problem(anon_client.get(URL), 401)
    assert_problem(phone_client.get(URL), 403, "Forbidden")


def test_customer_without_subscription_gets_403(admin_client, customer):
    CustomerSubscription.objects.filter(customer=customer).delete()
    assert_problem(admin_client.get(URL), 403, "SubscriptionRequired")


def test_beat_schedules_storage_recalculation_on_the_default_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["billing-recalculate-storage"]
    assert entry["task"] == "billing.recalculate_storage" and entry["options"]["queue"] == "default"
