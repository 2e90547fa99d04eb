"""Operator back-office for the chat widgets: one row per chat channel, with the snippet to paste."""

from django.contrib import admin

from channels_cfg.snippet import widget_snippet
from webwidget.models import ChatWidget


@admin.register(ChatWidget)
class ChatWidgetAdmin(admin.ModelAdmin):
    list_display = ["channel", "customer", "position", "prechat_form", "ai_answers", "sound", "updated_at"]
    list_select_related = ["channel", "customer"]
    list_filter = ["prechat_form", "ai_answers", "position", "sound", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["channel__name", "channel__token", "customer__name"]
    raw_id_fields = ["customer", "channel"]
    readonly_fields = ["snippet", "updated_at"]
    fieldsets = [
        (None, {"fields": ["customer", "channel", "snippet"]}),
        ("Look", {"fields": ["title", "accent_color", "position", "sound"]}),
        ("Conversation", {"fields": ["prechat_form", "ai_answers", "consent_text", "consent_url"]}),
        (
            "Business hours",
            {
                "fields": ["time_zone", "business_hours", "holidays", "away_message"],
                "description": "No intervals = people answer at any time (no away text). Tenants set these through "
                "PUT /api/Channels/{id}/widget, which checks them the same way.",
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    @admin.display(description="Snippet to paste on the site")
    def snippet(self, widget):
        return widget_snippet(widget.channel) if widget.channel_id else ""
