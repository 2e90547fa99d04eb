"""Conversations: end users and their UIDs, tickets, messages, attachments and message topics.

Ticket status lifecycle (`TicketStatus`):

    Open ──(rep replies)──▶ Pending ──(end user writes)──▶ Open
      │  ╲                                                  ▲
      │   ╲──(escalate)──▶ Escalated ──(rep replies)──▶ Pending
      ▼
    Closed ──(end user writes / reopen)──▶ Open

* A new ticket is `Open`.
* `Closed` is the only state with `is_closed = True` and a `close_date`; any state may be closed.
* Reopening (explicitly, or because an end user wrote to a closed ticket) clears `close_date`
  and moves the ticket to `Open`.
* `escalated` stays true once a conversation has been escalated until a representative clears it.

Every tenant row carries `customer`; indexes start with it, so the customer column has no index of its own.
"""

import uuid

from django.db import models
from django.utils import timezone


class CustomerType(models.TextChoices):
    LEAD = "Lead"
    CUSTOMER = "Customer"
    PARTNER = "Partner"


class UidType(models.TextChoices):
    EMAIL = "Email"
    PHONE = "Phone"
    WHATSAPP = "WhatsApp"
    EXTERNAL_REFERENCE = "ExternalReference"
    WEBCHAT = "Webchat"
    OTHER = "Other"


class TicketStatus(models.TextChoices):
    OPEN = "Open"
    PENDING = "Pending"
    ESCALATED = "Escalated"
    CLOSED = "Closed"


class SenderType(models.TextChoices):
    END_USER = "EndUser"
    CUSTOMER_REP = "CustomerRep"
    SYSTEM = "System"


class MessageStatus(models.TextChoices):
    """Received: inbound. Draft: outbound being prepared. Queued/Sent/Failed: outbound delivery."""

    RECEIVED = "Received"
    DRAFT = "Draft"
    QUEUED = "Queued"
    SENT = "Sent"
    FAILED = "Failed"


class AIReplyCoverage(models.TextChoices):
    """Whether the AI draft answers from the tenant's documents; blank when the provider did not judge it."""

    COVERED = "Covered"
    NOT_COVERED = "NotCovered"  # the draft is a holding reply: a representative must answer


class AIStepStatus(models.TextChoices):
    """Progress of one AI pipeline step (spam, topics, reply) on a message."""

    NOT_STARTED = "NotStarted"
    PENDING = "Pending"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    FAILED = "Failed"
    SKIPPED = "Skipped"


class EndUser(models.Model):
    """A person a customer talks to; identified by its UIDs (unique per customer)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="end_users", db_index=False
    )
    firstname = models.CharField(max_length=200, blank=True)
    lastname = models.CharField(max_length=200, blank=True)
    gender = models.BooleanField(null=True, blank=True)
    other_contact_details = models.TextField(blank=True)
    customer_ref = models.CharField(max_length=200, blank=True)
    customer_type = models.CharField(max_length=16, choices=CustomerType.choices, default=CustomerType.LEAD)
    country = models.CharField(max_length=64, blank=True)
    lang = models.CharField(max_length=16, blank=True)
    company = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    house_number = models.CharField(max_length=32, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=200, blank=True)
    ai_documentation = models.TextField(blank=True, help_text="What the AI learned about this person.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lastname", "firstname", "id"]
        indexes = [
            models.Index(fields=["customer", "lastname", "firstname"]),
            models.Index(fields=["customer", "customer_ref"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self):
        return self.name or f"End user {self.pk}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.firstname, self.lastname) if part)


class EndUserUID(models.Model):
    """One identifier (email, phone, WhatsApp id, reference) of an end user; unique per customer."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    end_user = models.ForeignKey(EndUser, on_delete=models.CASCADE, related_name="uids")
    uid = models.CharField(max_length=320)
    uid_type = models.CharField(max_length=32, choices=UidType.choices, default=UidType.EMAIL)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = "end user UID"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "uid"],
                name="enduser_uid_unique_per_customer",
                violation_error_message="This UID already belongs to another end user.",
            )
        ]

    def __str__(self):
        return f"{self.uid_type}: {self.uid}"


class Ticket(models.Model):
    """A conversation with one end user on one channel; see the module docstring for the lifecycle."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="tickets", db_index=False)
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    channel_type = models.CharField(max_length=20)
    customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    end_user = models.ForeignKey(EndUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    subject = models.CharField(max_length=500, blank=True)
    escalated = models.BooleanField(default=False)
    is_spam = models.BooleanField(default=False)
    is_closed = models.BooleanField(default=False)
    close_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_end_user_message = models.ForeignKey(
        "tickets.TicketMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uid = models.CharField(max_length=320, blank=True, help_text="The end user's address on this channel.")
    preview = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    twilio_call_sid = models.CharField(max_length=64, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Public web-chat key.")
    ai_feedback_comments = models.JSONField(
        default=list, blank=True, help_text="End users' escalation comments, newest first."
    )
    legal_hold = models.BooleanField(
        default=False, help_text="Kept as it is: erasure requests are refused and retention skips the ticket."
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-last_message_at", "-id"], name="ticket_cust_last_msg"),
            models.Index(fields=["customer", "status", "-last_message_at", "-id"], name="ticket_cust_status_last"),
            models.Index(fields=["customer", "created_at"], name="ticket_cust_created"),
            models.Index(fields=["customer", "uid"], name="ticket_cust_uid"),
            models.Index(fields=["customer", "customer_rep", "-last_message_at"], name="ticket_cust_rep_last"),
            models.Index(fields=["customer", "channel", "-last_message_at"], name="ticket_cust_channel_last"),
            models.Index(fields=["customer", "end_user"], name="ticket_cust_end_user"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"[:120]


class TicketCounter(models.Model):
    """Exact number of tickets per (customer, status, is_spam); maintained by tickets.services."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=TicketStatus.choices)
    is_spam = models.BooleanField(default=False)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "status", "is_spam"], name="ticket_counter_unique"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.status} spam={self.is_spam}: {self.count}"


class TicketSearchVersion(models.Model):
    """A number per customer raised in the same transaction as every write that can change which tickets a
    `search` matches (a ticket created or deleted, its subject or UID changed; see tickets.services). Cached
    search totals are keyed by it, so none is served once such a write has committed."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.customer_id}: {self.version}"


class TicketMessage(models.Model):
    """One inbound or outbound communication in a ticket, with its AI, tracking and mail metadata."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_user = models.ForeignKey(EndUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_type = models.CharField(max_length=16, choices=SenderType.choices, default=SenderType.END_USER)
    incoming = models.BooleanField(default=True, help_text="Direction: True inbound, False outbound.")
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    message_date = models.DateTimeField(null=True, blank=True, help_text="When the message was sent/received.")
    # content
    message = models.TextField(blank=True)
    subject = models.CharField(max_length=500, blank=True)
    html_body = models.TextField(blank=True)
    text_body = models.TextField(blank=True)
    body_preview = models.CharField(max_length=500, blank=True)
    lang = models.CharField(max_length=16, blank=True)
    uid = models.CharField(max_length=320, blank=True)
    additional_info = models.TextField(blank=True)
    custom_fields_data = models.JSONField(default=dict, blank=True)
    # mail and phone addressing
    headers = models.TextField(blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to_address = models.TextField(blank=True)
    cc_address = models.TextField(blank=True)
    bcc_address = models.TextField(blank=True)
    email_address = models.CharField(max_length=320, blank=True, help_text="The mailbox the message belongs to.")
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32, blank=True)
    message_identifier = models.CharField(max_length=998, blank=True, help_text="Internet Message-ID.")
    conversation_id = models.CharField(max_length=255, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    reply_to_message = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    email_template_id = models.PositiveIntegerField(null=True, blank=True)
    email_ms_sql_id = models.BigIntegerField(null=True, blank=True, help_text="Id in the legacy mail store.")
    twilio_call_sid = models.CharField(max_length=64, blank=True)
    # web chat
    page_url = models.URLField(max_length=2000, blank=True)
    page_html = models.TextField(blank=True)
    page_screenshot = models.TextField(blank=True)
    # tracking and delivery
    is_opened = models.BooleanField(default=False)
    last_open_date = models.DateTimeField(null=True, blank=True)
    is_bounced = models.BooleanField(default=False)
    tracking_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # AI
    ai_spam_status = models.CharField(max_length=16, choices=AIStepStatus.choices, default=AIStepStatus.NOT_STARTED)
    ai_topics_status = models.CharField(max_length=16, choices=AIStepStatus.choices, default=AIStepStatus.NOT_STARTED)
    ai_reply_status = models.CharField(max_length=16, choices=AIStepStatus.choices, default=AIStepStatus.NOT_STARTED)
    ai_generated_response = models.TextField(blank=True)
    ai_modified_response = models.TextField(blank=True)
    ai_response_datetime = models.DateTimeField(null=True, blank=True)
    ai_prompt = models.TextField(blank=True)
    ai_reply_coverage = models.CharField(max_length=16, choices=AIReplyCoverage.choices, blank=True)
    ai_feedback_comment = models.TextField(blank=True)
    is_liked = models.BooleanField(null=True, blank=True)
    is_spam_ai = models.BooleanField(null=True, blank=True)
    is_spam_spamassassin = models.BooleanField(null=True, blank=True)
    is_escalated = models.BooleanField(default=False)
    is_known_end_user = models.BooleanField(default=False)
    has_attachment = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["customer", "ticket", "created_at"], name="message_cust_ticket_created"),
            models.Index(fields=["customer", "message_identifier"], name="message_cust_identifier"),
            models.Index(fields=["customer", "conversation_id"], name="message_cust_conversation"),
            models.Index(fields=["customer", "created_at"], name="message_cust_created"),
        ]

    def __str__(self):
        return f"Message {self.pk} of ticket {self.ticket_id}"

    @property
    def direction(self) -> str:
        return "Inbound" if self.incoming else "Outbound"


def attachment_upload_to(instance: "TicketMessageAttachment", filename: str) -> str:
    """Stored under an unguessable name per customer; the original name lives in `file_name`."""
    return f"attachments/{instance.customer_id}/{instance.access_token.hex}"


class TicketMessageAttachment(models.Model):
    """A file on a message, stored through Django's storage API; downloadable by `access_token`."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    content_id = models.CharField(max_length=255, blank=True, help_text="MIME Content-ID of inline images.")
    converted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversions"
    )
    access_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_end_user_provided = models.BooleanField(default=False)
    is_customer_rep_provided = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["customer", "message"], name="attachment_cust_message")]

    def __str__(self):
        return self.file_name or str(self.access_token)


class TicketMessageTopic(models.Model):
    """A topic on a message, found by AI or set/corrected by a representative (one row per topic)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey("automation.Topic", on_delete=models.CASCADE, related_name="message_topics")
    corrected = models.BooleanField(default=False)
    correction_date = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["message", "topic"], name="message_topic_unique")]
        indexes = [models.Index(fields=["customer", "topic"], name="message_topic_cust_topic")]

    def __str__(self):
        return f"{self.topic_id} on message {self.message_id}"
