"""Billing DTOs: SubscriptionPlanResponseDto, storage status/usage, cost report rows and their query."""

from datetime import date, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.selectors import CostPeriod


def _decimal(source: str | None = None, places: int = 2):
    """A number in JSON (not a string), rounded to `places`."""
    return serializers.DecimalField(
        max_digits=20, decimal_places=places, coerce_to_string=False, **({"source": source} if source else {})
    )


class FeaturesSerializer(serializers.Serializer):
    hasChat = serializers.BooleanField()
    hasEmail = serializers.BooleanField()
    hasPhone = serializers.BooleanField()
    hasMultilingualSignatures = serializers.BooleanField()
    hasFineTunedModels = serializers.BooleanField()
    hasApiCalls = serializers.BooleanField()
    hasSchedulesOfCondition = serializers.BooleanField()


class SubscriptionPlanResponseSerializer(serializers.Serializer):
    """SubscriptionPlanResponseDto, built from billing.selectors.EffectiveLimits."""

    subscriptionPlanID = serializers.IntegerField(source="plan.id")
    planName = serializers.CharField(source="plan.plan_name")
    monthlyFee = _decimal("plan.monthly_fee")
    isCustomPlan = serializers.BooleanField(source="plan.is_custom_plan")
    isActive = serializers.BooleanField(source="plan.is_active")
    maxUsers = serializers.IntegerField(source="plan.max_users")
    effectiveMaxUsers = serializers.IntegerField(source="max_users")
    storageLimitGb = _decimal("plan.storage_limit_gb")
    effectiveStorageLimitGb = _decimal("storage_limit_gb")
    aiPhoneBudgetPercent = _decimal("plan.ai_phone_budget_percent")
    effectiveAiPhoneBudgetPercent = _decimal("ai_phone_budget_percent")
    aiPhoneBudgetEur = _decimal("plan.ai_phone_budget_eur")
    effectiveAiPhoneBudgetEur = _decimal("ai_phone_budget_eur")
    features = FeaturesSerializer()


class StorageStatusSerializer(serializers.Serializer):
    """CustomerStorageStatusDTO (bytes and GiB as `Gb`)."""

    usedBytes = serializers.IntegerField(source="used_bytes")
    limitBytes = serializers.IntegerField(source="limit_bytes")
    usedGb = _decimal("used_gb", 3)
    limitGb = _decimal("limit_gb", 3)
    usagePercent = _decimal("usage_percent")


class StorageUsageSerializer(StorageStatusSerializer):
    """CustomerStorageUsageDTO: the status plus remaining space, notification state and timestamps."""

    remainingBytes = serializers.IntegerField(source="remaining_bytes")
    remainingGb = _decimal("remaining_gb", 3)
    notificationState = serializers.CharField(source="notification_state")
    isOverLimit = serializers.BooleanField(source="is_over_limit")
    lastCalculatedAt = serializers.DateTimeField(source="last_calculated_at", allow_null=True)
    warningNotifiedAt = serializers.DateTimeField(source="warning_notified_at", allow_null=True)
    exceededNotifiedAt = serializers.DateTimeField(source="exceeded_notified_at", allow_null=True)


class _CostRowSerializer(serializers.Serializer):
    openAICost = _decimal(places=6)
    twilioCost = _decimal(places=6)
    googleCost = _decimal(places=6)
    totalCost = _decimal(places=6)


class DailyCostSerializer(_CostRowSerializer):
    date = serializers.DateField(source="periodStart")

    def get_fields(self):
        fields = super().get_fields()
        return {"date": fields.pop("date"), **fields}


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-01"})
class _MonthField(serializers.DateField):
    """A month as `YYYY-MM` (the schema says so; a `date` format would claim a day)."""


class MonthlyCostSerializer(_CostRowSerializer):
    month = _MonthField(source="periodStart", format="%Y-%m")

    def get_fields(self):
        fields = super().get_fields()
        return {"month": fields.pop("month"), **fields}


class YearlyCostSerializer(_CostRowSerializer):
    year = serializers.IntegerField(source="periodStart.year")

    def get_fields(self):
        fields = super().get_fields()
        return {"year": fields.pop("year"), **fields}


_DATE_FORMATS = ["iso-8601", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]
# period -> (longest allowed range in periods, default range in periods)
_RANGE_RULES = {CostPeriod.DAY: (366, 30), CostPeriod.MONTH: (120, 12), CostPeriod.YEAR: (50, 5)}


def _periods(period: str, start: date, end: date) -> int:
    if period == CostPeriod.DAY:
        return (end - start).days + 1
    if period == CostPeriod.MONTH:
        return (end.year - start.year) * 12 + end.month - start.month + 1
    return end.year - start.year + 1


def _default_start(period: str, end: date, count: int) -> date:
    if period == CostPeriod.DAY:
        return end - timedelta(days=count - 1)
    if period == CostPeriod.MONTH:
        index = end.year * 12 + end.month - 1 - (count - 1)
        return date(index // 12, index % 12 + 1, 1)
    return date(end.year - count + 1, 1, 1)


class CostReportQuerySerializer(serializers.Serializer):
    """`from` / `to` UTC dates (aliases startDate / endDate), inclusive; defaults: the last 30 days,
    12 months or 5 years up to today; at most 366 days, 120 months or 50 years."""

    def get_fields(self):
        return {
            "from": serializers.DateField(required=False, allow_null=True, input_formats=_DATE_FORMATS),
            "to": serializers.DateField(required=False, allow_null=True, input_formats=_DATE_FORMATS),
        }

    def validate(self, attrs):
        period = self.context["period"]
        longest, default = _RANGE_RULES[period]
        end = attrs.get("to") or timezone.now().date()
        start = attrs.get("from") or _default_start(period, end, default)
        if start > end:
            raise serializers.ValidationError({"from": ["'from' must not be after 'to'."]})
        if _periods(period, start, end) > longest:
            raise serializers.ValidationError({"to": [f"The range may span at most {longest} {period}s."]})
        return {"start": start, "end": end}

    @classmethod
    def from_query(cls, query_params, *, period: str) -> "CostReportQuerySerializer":
        data = {
            "from": query_params.get("from") or query_params.get("startDate"),
            "to": query_params.get("to") or query_params.get("endDate"),
        }
        return cls(data={key: value for key, value in data.items() if value}, context={"period": period})
