"""Reads of billing data: effective limits and features, storage status, cost reports."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import DateField, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Trunc

from answerpal.api.errors import ApiError
from billing.models import (
    CostEntry,
    CostProvider,
    CustomerSubscription,
    StorageNotificationState,
    StorageUsage,
    SubscriptionPlan,
)
from customers.plans import PlanFacts


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


_GB = Decimal(1024**3)


@dataclass(frozen=True)
class StorageStatus:
    """A customer's storage against its effective limit, with the notification bookkeeping."""

    used_bytes: int
    limit_bytes: int
    notification_state: str
    last_calculated_at: datetime | None
    warning_notified_at: datetime | None
    exceeded_notified_at: datetime | None

    @property
    def used_gb(self) -> Decimal:
        return (Decimal(self.used_bytes) / _GB).quantize(Decimal("0.001"))

    @property
    def limit_gb(self) -> Decimal:
        return (Decimal(self.limit_bytes) / _GB).quantize(Decimal("0.001"))

    @property
    def usage_percent(self) -> Decimal:
        if not self.limit_bytes:
            return Decimal("100.00") if self.used_bytes else Decimal("0.00")
        return (Decimal(self.used_bytes) * 100 / Decimal(self.limit_bytes)).quantize(Decimal("0.01"))

    @property
    def remaining_bytes(self) -> int:
        return max(self.limit_bytes - self.used_bytes, 0)

    @property
    def remaining_gb(self) -> Decimal:
        return (Decimal(self.remaining_bytes) / _GB).quantize(Decimal("0.001"))

    @property
    def is_over_limit(self) -> bool:
        return self.used_bytes >= self.limit_bytes


def storage_status(*, customer_id: int) -> StorageStatus:
    """Usage (zero before anything was stored) against the effective limit; two queries. The voice
    app asks `.is_over_limit` before connecting a recorded call."""
    limit_bytes = effective_limits(customer_id=customer_id).storage_limit_bytes
    usage = StorageUsage.objects.filter(customer_id=customer_id).first()
    if usage is None:
        return StorageStatus(0, limit_bytes, StorageNotificationState.NORMAL, None, None, None)
    return StorageStatus(
        used_bytes=usage.used_bytes,
        limit_bytes=limit_bytes,
        notification_state=usage.notification_state,
        last_calculated_at=usage.last_calculated_at,
        warning_notified_at=usage.warning_notified_at,
        exceeded_notified_at=usage.exceeded_notified_at,
    )


class CostPeriod:
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_PROVIDER_COLUMNS = {
    "openAICost": CostProvider.OPENAI,
    "twilioCost": CostProvider.TWILIO,
    "googleCost": CostProvider.GOOGLE,
}


def _period_starts(period: str, start: date, end: date) -> list[date]:
    """The first day of every period touching [start, end]."""
    if period == CostPeriod.DAY:
        return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    if period == CostPeriod.MONTH:
        first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
        return [date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]
    return [date(year, 1, 1) for year in range(start.year, end.year + 1)]


def cost_report(*, customer_id: int, period: str, start: date, end: date) -> list[dict]:
    """Costs per provider and in total for every day / month / year of [start, end] (UTC, inclusive),
    summed in SQL (one query) and zero-filled for periods without costs."""
    begin = datetime.combine(start, time.min, tzinfo=UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=6))
    sums = {
        name: Coalesce(Sum("amount", filter=Q(provider=provider)), zero) for name, provider in _PROVIDER_COLUMNS.items()
    }
    rows = (
        CostEntry.objects.filter(customer_id=customer_id, occurred_at__gte=begin, occurred_at__lt=finish)
        .annotate(bucket=Trunc("occurred_at", period, output_field=DateField(), tzinfo=UTC))
        .values("bucket")
        .annotate(**sums, totalCost=Coalesce(Sum("amount"), zero))
        .order_by("bucket")
    )
    found = {_as_date(row.pop("bucket")): row for row in rows}
    empty = {name: Decimal(0) for name in (*_PROVIDER_COLUMNS, "totalCost")}
    return [{"periodStart": first, **found.get(first, empty)} for first in _period_starts(period, start, end)]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def plan_exists(*, code: str) -> bool:
    """Whether a subscription plan with this code exists (one query)."""
    return SubscriptionPlan.objects.filter(code=code).exists()


def plan_levels(*, codes) -> dict[str, int]:
    """The level of each existing plan among `codes` (one query; none for no codes; unknown codes left out)."""
    return dict(SubscriptionPlan.objects.filter(code__in=codes).values_list("code", "level"))


def subscription_plan_facts(*, customer_id: int) -> PlanFacts | None:
    """The plan level and effective hasFineTunedModels of the customer's subscription (one query); None without."""
    subscription = CustomerSubscription.objects.select_related("plan").filter(customer_id=customer_id).first()
    if subscription is None:
        return None
    return PlanFacts(
        level=subscription.plan.level, fine_tuned_models=subscription.effective_features()["hasFineTunedModels"]
    )
