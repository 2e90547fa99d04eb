"""Operator admin for webhook endpoints (secrets never shown) and deliveries with their attempt log."""

from django.contrib import admin, messages

from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "customer", "enabled", "secret_rotated_at", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["enabled"]
    search_fields = ["url", "description", "customer__name"]
    raw_id_fields = ["customer"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["previous_secret_expires_at", "secret_rotated_at", "created_at", "updated_at"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "attempted_at", "duration_ms", "status_code", "error", "response_excerpt"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "customer", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_select_related = ["event", "endpoint", "customer"]
    list_filter = ["status"]
    search_fields = ["event__message_id", "event__event_type", "endpoint__url"]
    raw_id_fields = ["customer", "endpoint", "event"]
    readonly_fields = ["attempts", "first_attempt_at", "lease_owner", "lease_until", "last_error", "sent_at"]
    inlines = [WebhookAttemptInline]
    actions = ["retry_now"]

    @admin.action(description="Retry the selected failed deliveries now")
    def retry_now(self, request, queryset):
        retried = sum(services.delivery_retry(delivery=delivery) for delivery in queryset)
        self.message_user(request, f"{retried} deliveries re-queued.", messages.SUCCESS)
