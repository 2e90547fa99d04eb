"""Operator back-office for conversations. Built for a million tickets: raw-id widgets instead of select
boxes, joined list columns, no full result count; every change goes through tickets.services so the
status lifecycle, counters, billed storage and events stay right."""

from itertools import groupby

from django.contrib import admin, messages

from tickets import services
from tickets.models import (
    EndUser,
    EndUserUID,
    Ticket,
    TicketCounter,
    TicketMessage,
    TicketMessageAttachment,
    TicketMessageTopic,
)


class EndUserUIDInline(admin.TabularInline):
    model = EndUserUID
    fields = ["uid", "uid_type", "is_primary"]
    extra = 0


@admin.register(EndUser)
class EndUserAdmin(admin.ModelAdmin):
    list_display = ["id", "firstname", "lastname", "customer", "customer_type", "customer_ref", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["customer", "customer_type"]
    search_fields = ["firstname", "lastname", "customer_ref", "company", "=uids__uid"]
    raw_id_fields = ["customer"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [EndUserUIDInline]
    show_full_result_count = False

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            row.customer_id = form.instance.customer_id
            row.uid = services.uid_normalize(uid_type=row.uid_type, uid=row.uid)
            row.save()
        for row in formset.deleted_objects:
            row.delete()

    def delete_model(self, request, obj):
        services.end_user_delete(end_user=obj)


@admin.register(EndUserUID)
class EndUserUIDAdmin(admin.ModelAdmin):
    list_display = ["uid", "uid_type", "is_primary", "end_user", "customer"]
    list_select_related = ["end_user", "customer"]
    list_filter = ["customer", "uid_type"]
    search_fields = ["=uid"]
    raw_id_fields = ["customer", "end_user"]
    show_full_result_count = False


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    fields = ["created_at", "sender_type", "incoming", "status", "from_address", "subject", "is_escalated"]
    readonly_fields = fields
    ordering = ["-created_at"]
    show_change_link = True
    extra = 0
    can_delete = False
    max_num = 0


_TICKET_EDITABLE = ["status", "subject", "escalated", "is_spam", "customer_rep", "summary", "legal_hold"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "subject",
        "customer",
        "status",
        "channel_type",
        "customer_rep",
        "is_spam",
        "uid",
        "last_message_at",
    ]
    list_select_related = ["customer", "customer_rep"]
    list_filter = ["customer", "status", "channel_type", "is_spam", "escalated", "legal_hold"]
    search_fields = ["subject", "=uid", "=messages__from_address"]
    raw_id_fields = ["customer", "channel", "customer_rep", "end_user", "last_end_user_message"]
    readonly_fields = [
        "customer",
        "channel",
        "channel_type",
        "end_user",
        "uid",
        "is_closed",
        "close_date",
        "created_at",
        "last_message_at",
        "last_end_user_message",
        "preview",
        "token",
        "ai_feedback_comments",
        "twilio_call_sid",
    ]
    fields = _TICKET_EDITABLE + readonly_fields
    ordering = ["-last_message_at", "-id"]
    inlines = [TicketMessageInline]
    show_full_result_count = False
    list_per_page = 50
    actions = ["close_selected", "reopen_selected", "mark_spam", "mark_not_spam", "delete_through_service"]

    def has_add_permission(self, request):
        return False  # tickets come from channels and the API (services.message_create / ticket_create)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bypasses counters and storage release
        return actions

    def save_model(self, request, obj, form, change):
        changes = {}
        for name in form.changed_data:
            if name == "legal_hold":
                services.ticket_legal_hold_set(ticket=obj, legal_hold=obj.legal_hold)
                continue
            key = "customer_rep_id" if name == "customer_rep" else name
            changes[key] = getattr(obj, key)
        services.ticket_update(ticket=obj, changes=changes)

    def delete_model(self, request, obj):
        services.ticket_delete(ticket=obj)

    def _bulk(self, request, queryset, action: str) -> None:
        rows = queryset.order_by("customer_id").values_list("customer_id", "pk")
        updated = 0
        for customer_id, group in groupby(rows, key=lambda row: row[0]):
            updated += services.tickets_bulk_update(
                customer_id=customer_id, ticket_ids=[pk for _, pk in group], action=action, customer_rep_id=None
            )
        self.message_user(request, f"{action}: {updated} ticket(s) changed.", messages.SUCCESS)

    @admin.action(description="Close selected tickets")
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, "close")

    @admin.action(description="Reopen selected tickets")
    def reopen_selected(self, request, queryset):
        self._bulk(request, queryset, "reopen")

    @admin.action(description="Mark selected tickets as spam")
    def mark_spam(self, request, queryset):
        self._bulk(request, queryset, "spam")

    @admin.action(description="Mark selected tickets as not spam")
    def mark_not_spam(self, request, queryset):
        self._bulk(request, queryset, "notspam")

    @admin.action(description="Delete selected tickets (with messages and files)", permissions=["delete"])
    def delete_through_service(self, request, queryset):
        count = 0
        for ticket in queryset:
            services.ticket_delete(ticket=ticket)
            count += 1
        self.message_user(request, f"{count} ticket(s) deleted.", messages.SUCCESS)


class TicketMessageAttachmentInline(admin.TabularInline):
    model = TicketMessageAttachment
    fields = ["file_name", "content_type", "size", "access_token", "is_end_user_provided", "created_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


class TicketMessageTopicInline(admin.TabularInline):
    model = TicketMessageTopic
    fields = ["topic", "corrected", "correction_date", "corrected_by"]
    raw_id_fields = ["topic", "corrected_by"]
    readonly_fields = ["correction_date"]
    extra = 0


@admin.register(TicketMessage)
class TicketMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "customer", "sender_type", "incoming", "status", "from_address", "created_at"]
    list_select_related = ["customer", "ticket"]
    list_filter = ["customer", "status", "sender_type", "incoming", "is_escalated", "ai_reply_coverage"]
    search_fields = ["=id", "subject", "=from_address", "=message_identifier"]
    raw_id_fields = ["customer", "ticket", "channel", "end_user", "customer_rep", "reply_to_message"]
    readonly_fields = [
        "created_at",
        "tracking_token",
        "has_attachment",
        "is_opened",
        "last_open_date",
        "ai_reply_coverage",
    ]
    inlines = [TicketMessageAttachmentInline, TicketMessageTopicInline]
    show_full_result_count = False
    ordering = ["-id"]

    def has_add_permission(self, request):
        return False  # messages are created by services.message_create (API, channels)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            row.customer_id = form.instance.customer_id
            row.save()
        for row in formset.deleted_objects:
            row.delete()

    def delete_model(self, request, obj):
        services.message_delete(message=obj)


@admin.register(TicketMessageAttachment)
class TicketMessageAttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "file_name", "content_type", "size", "message", "customer", "created_at"]
    list_select_related = ["customer", "message"]
    list_filter = ["customer", "content_type", "is_end_user_provided"]
    search_fields = ["file_name", "=access_token"]
    raw_id_fields = ["customer", "message", "converted_from"]
    readonly_fields = ["access_token", "size", "content_type", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # uploads go through services.attachment_store (type sniffing, storage billing)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        services.attachment_delete(attachment=obj)


@admin.register(TicketMessageTopic)
class TicketMessageTopicAdmin(admin.ModelAdmin):
    list_display = ["id", "message", "topic", "customer", "corrected", "correction_date"]
    list_select_related = ["customer", "topic", "message"]
    list_filter = ["customer", "corrected"]
    search_fields = ["topic__name"]
    raw_id_fields = ["customer", "message", "topic", "corrected_by"]
    show_full_result_count = False


@admin.register(TicketCounter)
class TicketCounterAdmin(admin.ModelAdmin):
    list_display = ["customer", "status", "is_spam", "count"]
    list_select_related = ["customer"]
    list_filter = ["customer", "status", "is_spam"]
    search_fields = ["customer__name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["customer", "status", "is_spam", "count"]
    actions = ["rebuild"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Recount the selected customers' tickets")
    def rebuild(self, request, queryset):
        customers = sorted(set(queryset.values_list("customer_id", flat=True)))
        for customer_id in customers:
            services.ticket_counters_rebuild(customer_id=customer_id)
        self.message_user(request, f"Recounted {len(customers)} customer(s).", messages.SUCCESS)
