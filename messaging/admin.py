"""Operator views of the transports: subscriptions, folder sync state, inbound receipts and the outbox
(failed sends are visible with their last error and can be retried)."""

from django.contrib import admin, messages

from messaging import services
from messaging.models import GraphSubscription, InboundReceipt, MailboxSyncState, OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "message", "transport", "status", "attempts", "next_attempt_at", "sent_at"]
    list_select_related = ["customer"]
    list_filter = ["status", "transport", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["idempotency_key", "provider_message_id", "internet_message_id", "last_error"]
    raw_id_fields = ["customer", "message", "channel"]
    readonly_fields = [
        "idempotency_key",
        "internet_message_id",
        "provider_message_id",
        "attempts",
        "first_attempt_at",
        "lease_owner",
        "lease_until",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
    ]
    actions = ["retry"]

    @admin.action(description="Retry the selected failed messages now")
    def retry(self, request, queryset):
        failed = queryset.filter(status=OutboxStatus.FAILED)
        retried = sum(1 for outbox in failed if services.outbox_retry(outbox=outbox))
        self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)


@admin.register(GraphSubscription)
class GraphSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["subscription_id", "customer", "channel", "folder", "expires_at", "renewed_at", "last_error"]
    list_select_related = ["customer", "channel", "folder"]
    list_filter = [("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subscription_id", "resource", "channel__email_address"]
    raw_id_fields = ["customer", "channel", "folder"]
    readonly_fields = ["client_state", "created_at", "renewed_at"]
    actions = ["renew"]

    @admin.action(description="Renew the selected subscriptions now")
    def renew(self, request, queryset):
        renewed = sum(1 for item in queryset if services.graph_subscription_renew(subscription=item))
        self.message_user(request, f"{renewed} subscription(s) renewed.", messages.SUCCESS)


@admin.register(MailboxSyncState)
class MailboxSyncStateAdmin(admin.ModelAdmin):
    list_display = ["folder", "channel", "customer", "last_synced_at", "last_imported", "last_error"]
    list_select_related = ["folder", "channel", "customer"]
    list_filter = [("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["channel__email_address", "folder__folder_name", "last_error"]
    raw_id_fields = ["customer", "channel", "folder"]


@admin.register(InboundReceipt)
class InboundReceiptAdmin(admin.ModelAdmin):
    list_display = ["provider", "external_id", "customer", "channel", "message", "created_at"]
    list_select_related = ["customer", "channel"]
    list_filter = ["provider", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["external_id"]
    raw_id_fields = ["customer", "channel", "message"]
