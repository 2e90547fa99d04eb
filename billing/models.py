"""Subscription plans, each customer's subscription with overrides, the cost ledger and storage usage."""

from django.db import models
from django.utils import timezone

# DTO feature name -> SubscriptionPlan column; the order is the order of SubscriptionPlanResponseDto.features.
FEATURE_FIELDS = {
    "hasChat": "has_chat",
    "hasEmail": "has_email",
    "hasPhone": "has_phone",
    "hasMultilingualSignatures": "has_multilingual_signatures",
    "hasFineTunedModels": "has_fine_tuned_models",
    "hasApiCalls": "has_api_calls",
    "hasSchedulesOfCondition": "has_schedules_of_condition",
}


class SubscriptionPlan(models.Model):
    """A sellable plan: limits and feature flags; `level` orders plans for model eligibility."""

    code = models.SlugField(max_length=50, unique=True)
    plan_name = models.CharField(max_length=100)
    level = models.PositiveIntegerField(default=0, help_text="Higher level = more capable plan.")
    monthly_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    is_custom_plan = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    max_users = models.PositiveIntegerField(default=1)
    storage_limit_gb = models.DecimalField(max_digits=10, decimal_places=2, default=1)
    ai_phone_budget_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    ai_phone_budget_eur = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    has_chat = models.BooleanField(default=False)
    has_email = models.BooleanField(default=False)
    has_phone = models.BooleanField(default=False)
    has_multilingual_signatures = models.BooleanField(default=False)
    has_fine_tuned_models = models.BooleanField(default=False)
    has_api_calls = models.BooleanField(default=False)
    has_schedules_of_condition = models.BooleanField(default=False)

    class Meta:
        ordering = ["level", "code"]

    def __str__(self):
        return self.plan_name

    def features(self) -> dict[str, bool]:
        return {name: getattr(self, column) for name, column in FEATURE_FIELDS.items()}


class CustomerSubscription(models.Model):
    """A customer's plan; a non-null override replaces the plan's value (the *effective* value)."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(SubscriptionPlan, on_delete=models.PROTECT, related_name="subscriptions")
    started_at = models.DateTimeField(auto_now_add=True)
    override_max_users = models.PositiveIntegerField(null=True, blank=True)
    override_storage_limit_gb = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    override_ai_phone_budget_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    override_ai_phone_budget_eur = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    feature_overrides = models.JSONField(
        default=dict, blank=True, help_text='Per-feature on/off, e.g. {"hasPhone": true}.'
    )

    def __str__(self):
        return f"{self.customer} on {self.plan}"

    @staticmethod
    def _pick(override, plan_value):
        return plan_value if override is None else override

    @property
    def effective_max_users(self) -> int:
        return self._pick(self.override_max_users, self.plan.max_users)

    @property
    def effective_storage_limit_gb(self):
        return self._pick(self.override_storage_limit_gb, self.plan.storage_limit_gb)

    @property
    def effective_ai_phone_budget_percent(self):
        return self._pick(self.override_ai_phone_budget_percent, self.plan.ai_phone_budget_percent)

    @property
    def effective_ai_phone_budget_eur(self):
        return self._pick(self.override_ai_phone_budget_eur, self.plan.ai_phone_budget_eur)

    def effective_features(self) -> dict[str, bool]:
        """The plan's flags with every boolean in `feature_overrides` taking precedence."""
        overrides = self.feature_overrides or {}
        return {
            name: overrides[name] if isinstance(overrides.get(name), bool) else value
            for name, value in self.plan.features().items()
        }


class CostProvider(models.TextChoices):
    OPENAI = "OpenAI"
    TWILIO = "Twilio"
    GOOGLE = "Google"
    MICROSOFT = "Microsoft"
    LOCAL = "Local"


class CostEntry(models.Model):
    """One billable use of an outside service (an AI call, a call minute); rows are never edited."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=16, choices=CostProvider.choices)
    model_name = models.CharField(max_length=200, blank=True)
    ai_model = models.ForeignKey(
        "customers.AIModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=50, blank=True, help_text="What the call was for, e.g. email, transcribe.")
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    seconds = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    message_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The ticket message it served.")
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "occurred_at"])]
        verbose_name_plural = "cost entries"

    def __str__(self):
        return f"{self.provider} {self.model_name} {self.amount}"


class StorageCategory(models.TextChoices):
    ATTACHMENTS = "attachments"
    DOCUMENTS = "documents"
    RECORDINGS = "recordings"
    PHOTOS = "photos"


class StorageNotificationState(models.TextChoices):
    NORMAL = "Normal"
    WARNING_80 = "Warning80"
    EXCEEDED = "Exceeded"


class StorageUsage(models.Model):
    """Bytes a customer stores per category; kept current by deltas, corrected by recalculation."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="storage_usage")
    attachments_bytes = models.BigIntegerField(default=0)
    documents_bytes = models.BigIntegerField(default=0)
    recordings_bytes = models.BigIntegerField(default=0)
    photos_bytes = models.BigIntegerField(default=0)
    notification_state = models.CharField(
        max_length=16, choices=StorageNotificationState.choices, default=StorageNotificationState.NORMAL
    )
    last_calculated_at = models.DateTimeField(null=True, blank=True)
    warning_notified_at = models.DateTimeField(null=True, blank=True)
    exceeded_notified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "storage usage"

    def __str__(self):
        return f"{self.customer}: {self.used_bytes} bytes"

    @property
    def used_bytes(self) -> int:
        return sum(getattr(self, f"{category}_bytes") for category in StorageCategory.values)
