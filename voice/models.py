"""Phone calls (Twilio voice and uploaded call audio), their chunks, the voice settings of a customer, the
representatives whose browser phone is online, and realtime AI sessions.

A call's conversation lives in tickets (one phone ticket + one message per CallSid, the recording as the
message's attachment); the rows here hold what Twilio and the transcription said about the call."""

import uuid

from django.db import models

from answerpal.fields import EncryptedTextField


class CallDirection(models.TextChoices):
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"


class CallSource(models.TextChoices):
    """How the call's audio arrived: a Twilio recording, or chunks uploaded by a phone client."""

    TWILIO = "Twilio"
    CHUNKS = "Chunks"


class TranscriptionStatus(models.TextChoices):
    NONE = "None", "No audio yet"
    PENDING = "Pending"
    COMPLETED = "Completed"
    FAILED = "Failed"
    UNAVAILABLE = "Unavailable", "No transcription provider"
    BUDGET_EXHAUSTED = "BudgetExhausted"


class VoiceSettings(models.Model):
    """A customer's Twilio voice configuration beyond its account SID / auth token (customers app):
    the TwiML app the browser phone dials through, the API key that signs access tokens, the edge,
    the live-translation stream URL and the voicemail behaviour. Secrets are encrypted at rest."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="voice_settings")
    twiml_app_sid = models.CharField(max_length=64, blank=True, help_text="TwiML App (AP…) of the browser phone.")
    api_key_sid = models.CharField(
        max_length=64, blank=True, help_text="API key (SK…) signing voice tokens; blank = the account SID."
    )
    api_key_secret = EncryptedTextField(blank=True, help_text="Secret of the API key; blank = the auth token.")
    edge = models.CharField(max_length=32, blank=True, help_text="Twilio edge, e.g. dublin; blank = VOICE_EDGE.")
    phone_stream_url = models.CharField(
        max_length=500, blank=True, help_text="wss:// URL of the live-translation media stream (<Connect><Stream>)."
    )
    ring_timeout_seconds = models.PositiveIntegerField(default=25)
    voicemail_prompt = models.CharField(
        max_length=500, default="Nobody can take your call right now. Please leave a message after the tone."
    )
    voicemail_max_seconds = models.PositiveIntegerField(default=120)

    class Meta:
        verbose_name_plural = "voice settings"

    def __str__(self):
        return f"Voice settings of {self.customer_id}"


class VoiceAgent(models.Model):
    """A representative whose browser phone holds a valid voice token: inbound calls ring these
    (`<Dial><Client>`) until `available_until`, the token's expiry."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    rep = models.OneToOneField("accounts.CustomerRep", on_delete=models.CASCADE, related_name="voice_agent")
    identity = models.CharField(max_length=120)
    available_until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["customer", "available_until"])]

    def __str__(self):
        return self.identity


class PhoneCall(models.Model):
    """One call (Twilio CallSid or an uploaded call's id), unique per customer; links the phone ticket,
    the message and the recording attachment once they exist. A retried callback finds this row and
    changes nothing that is already stored."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    call_sid = models.CharField(max_length=64)
    parent_call_sid = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=CallSource.choices, default=CallSource.TWILIO)
    direction = models.CharField(max_length=16, choices=CallDirection.choices, default=CallDirection.OUTBOUND)
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_number = models.CharField(max_length=64, blank=True)
    to_number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32, blank=True, help_text="Twilio's call status, e.g. completed.")
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    is_voicemail = models.BooleanField(default=False)
    recording_sid = models.CharField(max_length=64, blank=True)
    recording_started_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(
        "tickets.TicketMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording = models.ForeignKey(
        "tickets.TicketMessageAttachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transcription_status = models.CharField(
        max_length=20, choices=TranscriptionStatus.choices, default=TranscriptionStatus.NONE
    )
    transcript = models.TextField(blank=True)
    transcript_language = models.CharField(max_length=16, blank=True)
    transcription_error = models.CharField(max_length=500, blank=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "call_sid"], name="phone_call_sid_unique")]
        indexes = [models.Index(fields=["customer", "created_at"], name="phone_call_cust_created")]

    def __str__(self):
        return self.call_sid


def chunk_upload_to(instance: "AudioChunk", filename: str) -> str:
    return f"audio-chunks/{instance.customer_id}/{instance.upload_key.hex}"


class AudioChunk(models.Model):
    """One uploaded piece of a call's audio, unique per (call, index); stored through the storage API
    until the call is finalized, then joined in index order and deleted."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    call = models.ForeignKey(PhoneCall, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    file = models.FileField(upload_to=chunk_upload_to, max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    upload_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "index"]
        constraints = [models.UniqueConstraint(fields=["call", "index"], name="audio_chunk_index_unique")]
        indexes = [models.Index(fields=["customer", "call"], name="audio_chunk_cust_call")]

    def __str__(self):
        return f"{self.call_id}#{self.index}"


class RealtimeSession(models.Model):
    """A WebRTC handoff to the OpenAI Realtime API; `ended_at`/`seconds` are set when the rep reports
    the hang-up, which also writes the session's cost row."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_id = models.CharField(max_length=128, blank=True)
    model_name = models.CharField(max_length=200)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["customer", "started_at"], name="realtime_cust_started")]

    def __str__(self):
        return self.call_id or f"Realtime session {self.pk}"
