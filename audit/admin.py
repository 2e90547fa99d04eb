"""Operator back-office for the audit trail: read-only, searchable, never edited or deleted by hand."""

from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Every tenant's entries and the platform's own (customer empty: sign-ins of unknown accounts, address
    locks); entries leave only through retention (AUDIT_LOG_RETENTION_DAYS)."""

    list_display = [
        "created_at",
        "action",
        "customer",
        "actor_kind",
        "actor",
        "object_type",
        "object_id",
        "client_address",
    ]
    list_select_related = ["customer", "actor"]
    list_filter = ["action", "actor_kind"]  # choices only: no scan of the table for filter values
    search_fields = [
        "action",
        "object_type",
        "object_id",
        "client_address",
        "request_id",
        "customer__name",
        "actor__username",
    ]
    raw_id_fields = ["customer", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
