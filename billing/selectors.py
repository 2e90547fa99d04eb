"""Reads of billing data: effective limits and features, storage status, cost reports."""

from dataclasses import dataclass
from decimal import Decimal

from answerpal.api.errors import ApiError
from billing.models import CustomerSubscription, SubscriptionPlan


@dataclass(frozen=True)
class EffectiveLimits:
    """What a customer may do now: the plan's values with the subscription's overrides applied."""

    plan: SubscriptionPlan
    max_users: int
    storage_limit_gb: Decimal
    ai_phone_budget_percent: Decimal
    ai_phone_budget_eur: Decimal
    features: dict[str, bool]

    @property
    def storage_limit_bytes(self) -> int:
        return int(self.storage_limit_gb * 1024**3)


def subscription_get(*, customer_id: int) -> CustomerSubscription:
    """The customer's subscription with its plan (one query); 403 SubscriptionRequired when there is none."""
    subscription = CustomerSubscription.objects.select_related("plan").filter(customer_id=customer_id).first()
    if subscription is None:
        raise ApiError(
            403, "SubscriptionRequired", "This customer has no subscription; ask the platform operator to assign one."
        )
    return subscription


def effective_limits(*, customer_id: int) -> EffectiveLimits:
    """Effective limits and feature flags of a customer (override beats plan), in one query."""
    subscription = subscription_get(customer_id=customer_id)
    return EffectiveLimits(
        plan=subscription.plan,
        max_users=subscription.effective_max_users,
        storage_limit_gb=subscription.effective_storage_limit_gb,
        ai_phone_budget_percent=subscription.effective_ai_phone_budget_percent,
        ai_phone_budget_eur=subscription.effective_ai_phone_budget_eur,
        features=subscription.effective_features(),
    )
