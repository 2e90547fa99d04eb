from django.contrib import admin, messages

from ai import services
from ai.models import MessagePipeline


@admin.register(MessagePipeline)
class MessagePipelineAdmin(admin.ModelAdmin):
    list_display = ("message_id", "customer", "state", "step", "attempts", "last_error_code", "created_at")
    list_select_related = ("customer",)
    list_filter = ("state", "step", "customer")
    search_fields = ("=message__id", "last_error_code", "last_error")
    raw_id_fields = ("customer", "message")
    readonly_fields = ("created_at", "started_at", "finished_at", "attempts", "failed_steps")
    date_hierarchy = "created_at"
    actions = ["rerun"]

    @admin.action(description="Run the AI pipeline again for the selected messages")
    def rerun(self, request, queryset):
        count = 0
        for pipeline in queryset.only("id", "message_id", "customer_id"):
            services.pipeline_restart(message_id=pipeline.message_id, customer_id=pipeline.customer_id)
            count += 1
        self.message_user(request, f"{count} pipeline(s) queued again.", messages.SUCCESS)
