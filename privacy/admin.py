"""Operator views of erasure receipts and retention reports: read-only, they are evidence."""

from django.contrib import admin

from privacy.models import ErasureJob, RetentionRun


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ErasureJob)
class ErasureJobAdmin(_ReadOnlyAdmin):
    list_display = ["id", "customer", "end_user_id", "state", "progress", "actor", "created_at", "finished_at"]
    list_select_related = ["customer"]
    list_filter = ["state", "created_at"]
    search_fields = ["=end_user_id", "=customer__name"]
    raw_id_fields = ["customer", "actor_rep"]


@admin.register(RetentionRun)
class RetentionRunAdmin(_ReadOnlyAdmin):
    list_display = ["id", "customer", "dry_run", "counts", "complete", "started_at", "finished_at"]
    list_select_related = ["customer"]
    list_filter = ["dry_run", "complete", "started_at"]
    search_fields = ["=customer__name"]
    raw_id_fields = ["customer"]
