"""Subscription plans, each customer's subscription with overrides."""

from django.db import models


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
