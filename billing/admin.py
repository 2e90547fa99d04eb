"""Operator back-office for plans, subscriptions (effective values read-only), the cost ledger and storage.

The Customer admin is customers' one extended here with the plan column, plan filter and subscription inline:
billing stands above customers, so customers' admin never names billing's models."""

from django.contrib import admin, messages

from billing import services
from billing.models import CostEntry, CustomerSubscription, StorageUsage, SubscriptionPlan
from customers.admin import CustomerAdmin
from customers.models import Customer


class CustomerSubscriptionInline(admin.StackedInline):
    model = CustomerSubscription
    fields = [
        "plan",
        "override_max_users",
        "override_storage_limit_gb",
        "override_ai_phone_budget_percent",
        "override_ai_phone_budget_eur",
        "feature_overrides",
    ]
    can_delete = False
    extra = 0
    max_num = 1


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerWithSubscriptionAdmin(CustomerAdmin):
    list_display = ["name", "hostname", "plan", "is_active", "email_provider_type", "created_at"]
    list_select_related = ["subscription__plan"]
    list_filter = ["is_active", "email_provider_type", "subscription__plan", "created_at"]
    inlines = [*CustomerAdmin.inlines, CustomerSubscriptionInline]

    @admin.display(description="Plan", ordering="subscription__plan__level")
    def plan(self, customer):
        subscription = getattr(customer, "subscription", None)
        return subscription.plan if subscription else "—"


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "plan_name",
        "level",
        "monthly_fee",
        "max_users",
        "storage_limit_gb",
        "has_chat",
        "has_email",
        "has_phone",
        "has_fine_tuned_models",
        "has_api_calls",
        "has_schedules_of_condition",
        "is_custom_plan",
        "is_active",
    ]
    list_filter = ["is_active", "is_custom_plan", "has_phone", "has_fine_tuned_models"]
    search_fields = ["code", "plan_name"]


@admin.register(CustomerSubscription)
class CustomerSubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "plan",
        "effective_max_users",
        "effective_storage_limit_gb",
        "effective_ai_phone_budget_percent",
        "effective_ai_phone_budget_eur",
        "started_at",
    ]
    list_select_related = ["customer", "plan"]
    list_filter = ["plan", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name", "customer__hostname", "plan__code", "plan__plan_name"]
    autocomplete_fields = ["customer"]
    readonly_fields = [
        "started_at",
        "effective_max_users",
        "effective_storage_limit_gb",
        "effective_ai_phone_budget_percent",
        "effective_ai_phone_budget_eur",
        "effective_features",
    ]

    @admin.display(description="Effective features")
    def effective_features(self, subscription):
        if subscription.pk is None:
            return "—"
        return ", ".join(name for name, enabled in subscription.effective_features().items() if enabled) or "none"


@admin.register(CostEntry)
class CostEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: rows are written by services, never added or edited here."""

    list_display = [
        "occurred_at",
        "customer",
        "provider",
        "model_name",
        "purpose",
        "input_tokens",
        "output_tokens",
        "seconds",
        "amount",
        "message_id",
    ]
    list_select_related = ["customer"]
    list_filter = ["provider", "purpose", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name", "customer__hostname", "model_name"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StorageUsage)
class StorageUsageAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "used_bytes",
        "attachments_bytes",
        "documents_bytes",
        "recordings_bytes",
        "photos_bytes",
        "notification_state",
        "last_calculated_at",
    ]
    list_select_related = ["customer"]
    list_filter = ["notification_state", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name", "customer__hostname"]
    readonly_fields = [
        "customer",
        "attachments_bytes",
        "documents_bytes",
        "recordings_bytes",
        "photos_bytes",
        "notification_state",
        "last_calculated_at",
        "warning_notified_at",
        "exceeded_notified_at",
        "updated_at",
    ]
    actions = ["recalculate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Recalculate from the stored files")
    def recalculate(self, request, queryset):
        customer_ids = list(queryset.values_list("customer_id", flat=True))
        for customer_id in customer_ids:
            services.storage_usage_recalculate(customer_id=customer_id)
        self.message_user(request, f"Recalculated {len(customer_ids)} customer(s).", messages.SUCCESS)
