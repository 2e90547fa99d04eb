"""Operator back-office for tenants, the AI model catalogue and custom field definitions.

Secrets are never shown in clear: the change form shows them masked and takes a new value in a
password box (left empty = unchanged)."""

from django import forms
from django.contrib import admin, messages

from answerpal.api.fields import mask_secret
from customers import services
from customers.models import DEFAULT_MODEL_SLOTS, AIModel, Customer, CustomFieldDefinition

SECRET_FIELDS = ["api_password", "api_token", "graph_client_secret", "twilio_auth_token", "openai_api_key"]


class CustomerAdminForm(forms.ModelForm):
    """Secret inputs are write-only: the current value is shown masked and an empty box keeps it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            current = mask_secret(getattr(self.instance, name, "")) or "not set"
            self.fields[name] = forms.CharField(
                required=False,
                strip=True,
                widget=forms.PasswordInput(render_value=False),
                label=Customer._meta.get_field(name).verbose_name.capitalize(),
                help_text=f"Currently {current}. Leave empty to keep it.",
            )

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        return cleaned


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """The tenant's own fields; billing's admin extends it with the plan column, filter and subscription inline."""

    form = CustomerAdminForm
    list_display = ["name", "hostname", "is_active", "email_provider_type", "created_at"]
    list_filter = ["is_active", "email_provider_type", "created_at"]
    search_fields = ["name", "hostname", "twilio_account_sid"]
    readonly_fields = ["created_at"]
    raw_id_fields = [*DEFAULT_MODEL_SLOTS.values(), "default_customer_rep"]
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["name", "hostname", "is_active", "created_at"]}),
        (
            "Outbound API connector",
            {"fields": ["api_base_url", "api_username", "api_password", "api_token", "api_authentication_type"]},
        ),
        (
            "Mail defaults",
            {
                "fields": [
                    "email_provider_type",
                    "graph_tenant_id",
                    "graph_client_id",
                    "graph_client_secret",
                    "graph_client_secret_expires_at",
                    "graph_authority_url",
                    "graph_scope",
                    ("imap_server", "imap_port", "imap_use_ssl"),
                    ("smtp_server", "smtp_port", "smtp_use_ssl"),
                ]
            },
        ),
        (
            "AI models",
            {
                "fields": [
                    *DEFAULT_MODEL_SLOTS.values(),
                    "default_email_model_internet_access_enabled",
                    "default_webchat_model_internet_access_enabled",
                    "default_call_model_internet_access_enabled",
                    "default_realtime_model_internet_access_enabled",
                    "default_customer_rep",
                ]
            },
        ),
        (
            "Provider credentials",
            {
                "fields": [
                    "twilio_account_sid",
                    "twilio_auth_token",
                    "twilio_region",
                    "openai_api_key",
                    "openai_base_url",
                ]
            },
        ),
        (
            "Retention (days to keep; empty = forever)",
            {
                "fields": [
                    "retention_closed_tickets_days",
                    "retention_recordings_days",
                    "retention_end_users_days",
                ]
            },
        ),
    ]

    @admin.action(description="Activate selected customers")
    def activate(self, request, queryset):
        count = services.customers_set_active(customer_ids=list(queryset.values_list("pk", flat=True)), is_active=True)
        self.message_user(request, f"{count} customer(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected customers (their tokens stop working at once)")
    def deactivate(self, request, queryset):
        count = services.customers_set_active(customer_ids=list(queryset.values_list("pk", flat=True)), is_active=False)
        self.message_user(request, f"{count} customer(s) deactivated.", messages.SUCCESS)


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = [
        "model_name",
        "model_type",
        "provider",
        "customer",
        "is_active",
        "is_default",
        "is_fine_tuned",
        "has_vision",
        "required_subscription_level",
        "input_price_per_million",
        "output_price_per_million",
        "price_per_minute",
    ]
    list_select_related = ["customer"]
    list_filter = [
        "model_type",
        "provider",
        "is_active",
        "is_default",
        "is_fine_tuned",
        ("customer", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["model_name", "customer__name", "customer__hostname"]
    autocomplete_fields = ["customer"]
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate selected models")
    def activate(self, request, queryset):
        count = services.ai_models_set_active(model_ids=list(queryset.values_list("pk", flat=True)), is_active=True)
        self.message_user(request, f"{count} model(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected models (customers keep them as defaults until changed)")
    def deactivate(self, request, queryset):
        count = services.ai_models_set_active(model_ids=list(queryset.values_list("pk", flat=True)), is_active=False)
        self.message_user(request, f"{count} model(s) deactivated.", messages.SUCCESS)


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ["field_name", "display_name", "field_type", "customer", "order", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["field_type", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["field_name", "display_name", "customer__name", "customer__hostname"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        # fieldName and fieldType are immutable once created, as in the API.
        return [*self.readonly_fields, "customer", "field_name", "field_type"] if obj else self.readonly_fields
