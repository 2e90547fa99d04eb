"""Operator back-office for the chat widgets: one row per chat channel, with the snippet to paste."""

from django.contrib import admin

from channels_cfg.snippet import widget_snippet
from webwidget.models import ChatWidget


@admin.register(ChatWidget)
class ChatWidgetAdmin(admin.ModelAdmin):
    list_display = ["channel", "customer", "prechat_form", "ai_answers", "updated_at"]
    list_select_related = ["channel", "customer"]
    list_filter = ["prechat_form", "ai_answers", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["channel__name", "channel__token", "customer__name"]
    raw_id_fields = ["customer", "channel"]
    readonly_fields = ["snippet", "updated_at"]

    @admin.display(description="Snippet to paste on the site")
    def snippet(self, widget):
        return widget_snippet(widget.channel) if widget.channel_id else ""
