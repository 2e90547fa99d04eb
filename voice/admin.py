"""Operator back-office for calls (status, duration, a recording player, the transcript), the customers' voice
settings and AI phone budgets, browser phones online and realtime sessions. Bulk actions call services."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from answerpal.celery import enqueue_after_commit
from billing.models import CustomerSubscription
from voice import selectors
from voice.models import PhoneCall, RealtimeSession, VoiceAgent, VoiceSettings
from voice.tasks import call_transcribe_task


@admin.register(PhoneCall)
class PhoneCallAdmin(admin.ModelAdmin):
    list_display = [
        "call_sid",
        "customer",
        "direction",
        "source",
        "status",
        "duration_seconds",
        "is_voicemail",
        "transcription_status",
        "created_at",
    ]
    list_select_related = ["customer"]
    list_filter = ["direction", "source", "transcription_status", "is_voicemail", "created_at"]
    search_fields = ["call_sid", "from_number", "to_number", "customer__name"]
    raw_id_fields = ["customer", "channel", "customer_rep", "ticket", "message", "recording"]
    readonly_fields = ["recording_player", "transcript", "transcription_error", "transcribed_at", "created_at"]
    date_hierarchy = "created_at"
    actions = ["retranscribe"]

    @admin.display(description="Recording")
    def recording_player(self, call):
        if call.recording_id is None:
            return "—"
        url = reverse("file-download", kwargs={"access_token": call.recording.access_token})
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    @admin.action(description="Transcribe the selected calls again")
    def retranscribe(self, request, queryset):
        calls = list(queryset.filter(recording__isnull=False).values_list("pk", flat=True))
        for call_id in calls:
            enqueue_after_commit(call_transcribe_task, call_id, force=True)
        self.message_user(request, f"{len(calls)} call(s) queued for transcription.", messages.SUCCESS)


@admin.register(VoiceSettings)
class VoiceSettingsAdmin(admin.ModelAdmin):
    list_display = ["customer", "twiml_app_sid", "edge"]
    list_select_related = ["customer"]
    search_fields = ["customer__name", "twiml_app_sid"]
    raw_id_fields = ["customer"]
    readonly_fields = ["ai_phone_budget"]

    @admin.display(description="AI phone budget this month")  # detail page only: three queries
    def ai_phone_budget(self, voice_settings):
        if not CustomerSubscription.objects.filter(customer_id=voice_settings.customer_id).exists():
            return "no subscription"
        budget = selectors.phone_ai_budget(customer_id=voice_settings.customer_id)
        if budget.limit_eur is None:
            return "not included in the plan"
        state = "spent" if budget.exhausted else f"{budget.remaining_eur} EUR left"
        return (
            f"{budget.spent_eur} of {budget.limit_eur} EUR ({state}; plan: {budget.budget_eur} EUR, "
            f"{budget.budget_percent} % of the fee)"
        )


@admin.register(VoiceAgent)
class VoiceAgentAdmin(admin.ModelAdmin):
    list_display = ["identity", "customer", "rep", "available_until"]
    list_select_related = ["customer", "rep"]
    search_fields = ["identity", "rep__username", "customer__name"]
    raw_id_fields = ["customer", "rep"]


@admin.register(RealtimeSession)
class RealtimeSessionAdmin(admin.ModelAdmin):
    list_display = ["call_id", "customer", "customer_rep", "model_name", "started_at", "ended_at", "seconds"]
    list_select_related = ["customer", "customer_rep"]
    list_filter = ["model_name", "started_at"]
    search_fields = ["call_id", "customer__name"]
    raw_id_fields = ["customer", "customer_rep", "channel"]
