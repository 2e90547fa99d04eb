"""effective_limits, RequiresFeature / feature_require and plans_ensure_default."""

from decimal import Decimal

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from answerpal.api.errors import ApiError
from answerpal.api.policies import RepToken
from answerpal.api.tokens import AuthContext, TokenKind
from answerpal.api.viewsets import TenantApiView
from billing.models import FEATURE_FIELDS, CustomerSubscription, SubscriptionPlan
from billing.permissions import RequiresFeature, feature_require
from billing.selectors import effective_limits
from billing.services import DEFAULT_PLANS, plans_ensure_default
from tests.billing.factories import SubscriptionPlanFactory
from tests.conftest import assert_problem
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_plan_values_when_nothing_is_overridden(customer, django_assert_num_queries):
    with django_assert_num_queries(1):
        limits = effective_limits(customer_id=customer.pk)
    assert limits.plan.code == "business"
    assert limits.max_users == 10 and limits.storage_limit_gb == Decimal("50.00")
    assert limits.storage_limit_bytes == 50 * 1024**3
    assert limits.features == dict.fromkeys(FEATURE_FIELDS, True)


def test_overrides_beat_the_plan(customer):
    subscription = customer.subscription
    subscription.override_max_users = 25
    subscription.override_storage_limit_gb = Decimal("5.5")
    subscription.override_ai_phone_budget_percent = Decimal("0")
    subscription.override_ai_phone_budget_eur = Decimal("12.34")
    subscription.feature_overrides = {"hasPhone": False, "hasChat": "yes", "unknown": True}
    subscription.save()
    limits = effective_limits(customer_id=customer.pk)
    assert limits.max_users == 25 and limits.storage_limit_gb == Decimal("5.5")
    assert limits.ai_phone_budget_percent == 0 and limits.ai_phone_budget_eur == Decimal("12.34")
    assert limits.features["hasPhone"] is False
    assert limits.features["hasChat"] is True  # a non-boolean override is ignored
    assert "unknown" not in limits.features


def test_override_can_switch_a_feature_on(db):
    customer = CustomerFactory(subscription=SubscriptionPlanFactory(code="starter"))
    assert effective_limits(customer_id=customer.pk).features["hasPhone"] is False
    CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={"hasPhone": True})
    assert effective_limits(customer_id=customer.pk).features["hasPhone"] is True


def test_customer_without_subscription_is_refused(db):
    customer = CustomerFactory(subscription=False)
    with pytest.raises(ApiError) as raised:
        effective_limits(customer_id=customer.pk)
    assert raised.value.status_code == 403 and raised.value.code == "SubscriptionRequired"


def test_feature_require(customer):
    feature_require(customer_id=customer.pk, feature="hasPhone")
    CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={"hasPhone": False})
    with pytest.raises(ApiError) as raised:
        feature_require(customer_id=customer.pk, feature="hasPhone")
    assert raised.value.status_code == 403 and raised.value.code == "FeatureNotInPlan"
    assert "hasPhone" in str(raised.value.detail)
    with pytest.raises(ValueError, match="Unknown feature"):
        feature_require(customer_id=customer.pk, feature="hasTeleport")


class PhoneOnlyView(TenantApiView):
    policy = (RepToken, RequiresFeature("hasPhone"))

    def get(self, request):
        return Response({"ok": True})


def _call(customer, rep=None):
    request = APIRequestFactory().get("/api/test-feature")
    if customer is not None:
        context = AuthContext(customer_id=customer.pk, kind=TokenKind.REP, role="Administrator", rep_id=1)
        force_authenticate(request, user=rep, token=context)
    return PhoneOnlyView.as_view()(request)


def test_requires_feature_permission(customer, admin_rep):
    assert _call(customer, admin_rep).status_code == 200
    CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={"hasPhone": False})
    response = _call(customer, admin_rep)
    response.render()
    body = assert_problem(response, 403, "FeatureNotInPlan")
    assert "hasPhone" in body["detail"]
    assert _call(None).status_code == 401
    with pytest.raises(ValueError, match="Unknown feature"):
        RequiresFeature("hasTeleport")


def test_plans_ensure_default_is_idempotent_and_keeps_edits(db):
    plans = plans_ensure_default()
    assert [plan.code for plan in plans] == ["starter", "business", "enterprise"]
    assert plans[0].level < plans[1].level < plans[2].level
    SubscriptionPlan.objects.filter(code="business").update(monthly_fee=Decimal("249.00"))
    plans_ensure_default()
    assert SubscriptionPlan.objects.count() == 3
    assert SubscriptionPlan.objects.get(code="business").monthly_fee == Decimal("249.00")
    starter = SubscriptionPlan.objects.get(code="starter")
    assert starter.max_users == DEFAULT_PLANS["starter"]["max_users"] and not starter.has_phone
