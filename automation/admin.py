"""Operator admin for topics, links, actions, action runs, connector calls and scheduled deletions."""

from django.contrib import admin, messages

from automation import services
from automation.models import (
    Action,
    ConnectorCall,
    ScheduledTicketDeletion,
    TicketMessageAction,
    Topic,
    TopicAction,
    TopicChannel,
    TopicDocument,
)
from automation.registry import ActionStatus


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "is_active", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["customer", "is_active"]
    search_fields = ["name", "description", "customer__name"]
    raw_id_fields = ["customer", "phone_model"]


@admin.register(TopicChannel)
class TopicChannelAdmin(admin.ModelAdmin):
    list_display = ["topic", "channel", "customer"]
    list_select_related = ["topic", "channel", "customer"]
    list_filter = ["customer"]
    search_fields = ["topic__name", "channel__name"]
    raw_id_fields = ["customer", "topic", "channel"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["name", "action_type", "customer", "is_active", "updated_at"]
    list_select_related = ["customer"]
    list_filter = ["customer", "action_type", "is_active"]
    search_fields = ["name", "description", "customer__name", "api_endpoint"]
    raw_id_fields = ["customer"]
    exclude = ["override_api_password", "override_api_token"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(TopicAction)
class TopicActionAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "special_topic", "action", "channel", "special_channel", "priority", "customer"]
    list_select_related = ["topic", "action", "channel", "customer"]
    list_filter = ["customer", "special_topic", "special_channel"]
    search_fields = ["topic__name", "action__name", "special_topic"]
    raw_id_fields = ["customer", "topic", "action", "channel"]


@admin.register(TopicDocument)
class TopicDocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "special_topic", "document", "channel", "special_channel", "customer"]
    list_select_related = ["topic", "document", "channel", "customer"]
    list_filter = ["customer", "special_topic", "special_channel"]
    search_fields = ["topic__name", "document__name", "special_topic"]
    raw_id_fields = ["customer", "topic", "document", "channel"]


@admin.action(description="Run the selected pending runs' chains again")
def rerun_chains(modeladmin, request, queryset):
    chains = set(queryset.exclude(status__in=ActionStatus.FINAL).values_list("message_id", "trigger"))
    for message_id, trigger in chains:
        services.action_chain_run(message_id=message_id, trigger=trigger)
    modeladmin.message_user(request, f"Ran {len(chains)} chain(s).", messages.SUCCESS)


@admin.register(TicketMessageAction)
class TicketMessageActionAdmin(admin.ModelAdmin):
    list_display = ["id", "message", "action", "trigger", "status", "priority", "date_assigned", "finished_at"]
    list_select_related = ["message", "action"]
    list_filter = ["customer", "status", "trigger"]
    search_fields = ["action__name", "result", "=message__id"]
    raw_id_fields = ["customer", "message", "action"]
    readonly_fields = ["date_assigned", "started_at", "finished_at", "resume_at"]
    actions = [rerun_chains]


@admin.register(ConnectorCall)
class ConnectorCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "method", "url", "status_code", "error_code", "duration_ms"]
    list_select_related = ["customer"]
    list_filter = ["customer", "method", "error_code"]
    search_fields = ["url", "error"]
    raw_id_fields = ["customer", "action", "document"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False  # an audit log


@admin.register(ScheduledTicketDeletion)
class ScheduledTicketDeletionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "customer", "delete_after", "created_at"]
    list_select_related = ["ticket", "customer"]
    list_filter = ["customer"]
    search_fields = ["=ticket__id"]
    raw_id_fields = ["customer", "ticket"]
