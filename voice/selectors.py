"""Reads of the voice app: settings, phone channels by number, available browser phones, calls and the
AI phone budget.

AI phone budget (the spec names the fields only; decided here): phone AI = transcription and realtime
calls. Its monthly spend (cost rows of purpose `transcribe` or `realtime` since the first of the UTC
month) may reach the lower of two caps, each 0 when unset: `aiPhoneBudgetEur`, and
`aiPhoneBudgetPercent` percent of the plan's monthly fee. With neither cap set the plan includes no
phone AI. Effective (override) values count."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ai.providers import Purpose
from answerpal.api.errors import ApiError
from billing.models import CostEntry
from billing.selectors import effective_limits
from channels_cfg.models import ChannelType
from channels_cfg.selectors import channels_live
from customers.models import Customer
from voice.models import AudioChunk, PhoneCall, TranscriptionStatus, VoiceAgent, VoiceSettings

REALTIME_PURPOSE = "realtime"
PHONE_AI_PURPOSES = (Purpose.TRANSCRIBE, REALTIME_PURPOSE)


def voice_settings_for(*, customer_id: int) -> VoiceSettings:
    """The customer's voice settings, or the defaults (unsaved) when it has none."""
    return VoiceSettings.objects.filter(customer_id=customer_id).first() or VoiceSettings(customer_id=customer_id)


def voice_customer(*, customer_id: int) -> Customer:
    """The customer with the model slots the voice routes resolve (realtime, transcribe)."""
    return Customer.objects.select_related("default_realtime_model", "default_transcribe_model").get(pk=customer_id)


def customer_channel(*, customer_id: int, channel_id: int | None, phone_only: bool):
    """The customer's live channel (None for no id); 404 ChannelNotFound for another customer's, a deleted
    one, or (phone_only) one that is not a Phone channel."""
    if channel_id is None:
        return None
    channels = channels_live().filter(customer_id=customer_id, pk=channel_id)
    if phone_only:
        channels = channels.filter(channel_type=ChannelType.PHONE)
    channel = channels.first()
    if channel is None:
        raise ApiError(404, "ChannelNotFound", "You have no such Phone channel." if phone_only else "No such channel.")
    return channel


def phone_channels():
    """Live, active Phone channels."""
    return channels_live().filter(channel_type=ChannelType.PHONE, is_active=True)


def phone_channel_by_number(*, number: str):
    """The Phone channel answering `number` (E.164), with its customer; None when no customer has it."""
    if not number:
        return None
    return phone_channels().filter(phone_number=number).select_related("customer").order_by("id").first()


def customer_phone_channel(*, customer_id: int, number: str):
    """The customer's Phone channel with this number, or None."""
    if not number:
        return None
    return phone_channels().filter(customer_id=customer_id, phone_number=number).order_by("id").first()


def available_agents(*, customer_id: int, limit: int = 10) -> list[VoiceAgent]:
    """Representatives whose browser phone holds a valid token (Twilio dials at most 10 clients at once)."""
    return list(
        VoiceAgent.objects.filter(
            customer_id=customer_id,
            available_until__gt=timezone.now(),
            rep__is_active=True,
            rep__deleted_at__isnull=True,
        ).order_by("-available_until")[:limit]
    )


def call_get(*, customer_id: int, call_sid: str) -> PhoneCall | None:
    return PhoneCall.objects.filter(customer_id=customer_id, call_sid=call_sid).first()


def call_by_sid(*, call_sid: str) -> PhoneCall | None:
    """The call Twilio reports on, whatever its customer (callbacks are matched to their tenant this way)."""
    if not call_sid:
        return None
    return PhoneCall.objects.select_related("customer", "ticket").filter(call_sid=call_sid).order_by("id").first()


def call_chunks(*, call: PhoneCall) -> list[AudioChunk]:
    return list(AudioChunk.objects.filter(call=call).order_by("index"))


def calls_with_audio(*, customer_id: int, since: datetime | None = None):
    """The customer's calls that have stored audio, oldest first (what re-transcription walks)."""
    calls = PhoneCall.objects.filter(customer_id=customer_id, recording__isnull=False)
    if since is not None:
        calls = calls.filter(created_at__gte=since)
    return calls.order_by("created_at", "id")


def chunk_bytes(customer_id: int) -> int:
    """Bytes of not yet finalized call chunks (billing's storage source for `recordings`)."""
    total = AudioChunk.objects.filter(customer_id=customer_id).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class PhoneAIBudget:
    """This month's phone-AI spend against the plan's cap (see the module docstring)."""

    limit_eur: Decimal | None  # None: the plan includes no phone AI
    spent_eur: Decimal
    budget_percent: Decimal
    budget_eur: Decimal

    @property
    def remaining_eur(self) -> Decimal:
        return max((self.limit_eur or Decimal(0)) - self.spent_eur, Decimal(0))

    @property
    def exhausted(self) -> bool:
        return self.limit_eur is None or self.spent_eur >= self.limit_eur


def month_start(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def phone_ai_budget(*, customer_id: int, now: datetime | None = None) -> PhoneAIBudget:
    """The customer's AI phone budget for the current UTC month (two queries)."""
    limits = effective_limits(customer_id=customer_id)
    caps = [limits.ai_phone_budget_eur] if limits.ai_phone_budget_eur > 0 else []
    if limits.ai_phone_budget_percent > 0:
        caps.append((limits.plan.monthly_fee * limits.ai_phone_budget_percent / 100).quantize(Decimal("0.01")))
    spent = CostEntry.objects.filter(
        customer_id=customer_id, purpose__in=PHONE_AI_PURPOSES, occurred_at__gte=month_start(now)
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return PhoneAIBudget(
        limit_eur=min(caps) if caps else None,
        spent_eur=Decimal(spent).quantize(Decimal("0.01")),
        budget_percent=limits.ai_phone_budget_percent,
        budget_eur=limits.ai_phone_budget_eur,
    )


# --- the transcript status in the message and ticket DTOs (tickets.registry) ---------------------------------------

TRANSCRIPT_FIELDS = ("transcriptStatus", "transcriptStatusText")

# What each status tells a reader of the JSON; the stored reason (transcription_error) follows where there is one.
TRANSCRIPT_STATUS_TEXT = {
    TranscriptionStatus.NONE: "No audio yet",
    TranscriptionStatus.PENDING: "Transcription pending",
    TranscriptionStatus.COMPLETED: "Transcribed",
    TranscriptionStatus.FAILED: "Failed",
    TranscriptionStatus.UNAVAILABLE: "Unavailable: no transcription model configured",
    TranscriptionStatus.BUDGET_EXHAUSTED: "Unavailable: the AI phone budget does not allow it",
}


def _transcript_fields(call: dict) -> dict:
    status = call["transcription_status"]
    text = TRANSCRIPT_STATUS_TEXT.get(status, status)
    if call["transcription_error"] and status != TranscriptionStatus.COMPLETED:
        text = f"{text}. {call['transcription_error']}"
    return {"transcriptStatus": status, "transcriptStatusText": text}


_CALL_VALUES = ("message_id", "ticket_id", "transcription_status", "transcription_error")


def transcript_fields_of_messages(*, messages: list) -> dict[int, dict]:
    """{message_id: transcript fields} of the call messages among `messages` (one query; none without a call)."""
    ids = [message.pk for message in messages if message.twilio_call_sid]
    if not ids:
        return {}
    calls = PhoneCall.objects.filter(message_id__in=ids).order_by("id").values(*_CALL_VALUES)
    return {call["message_id"]: _transcript_fields(call) for call in calls}


def transcript_fields_of_tickets(*, rows: list[dict]) -> dict[int, dict]:
    """{ticket_id: transcript fields of its latest call} for the phone tickets among `rows` (one query; none
    without one)."""
    ids = [row["id"] for row in rows if row.get("twilio_call_sid")]
    if not ids:
        return {}
    calls = PhoneCall.objects.filter(ticket_id__in=ids).order_by("id").values(*_CALL_VALUES)
    return {call["ticket_id"]: _transcript_fields(call) for call in calls}  # the latest call wins
