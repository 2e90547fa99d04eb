"""Topics and their links, actions, hooks (special topics on the link rows), action runs and connector calls."""

from django.db import models

from answerpal.fields import EncryptedTextField
from automation.registry import ActionStatus
from customers.models import AuthenticationType
from documents.models import HttpMethod


class HookName(models.TextChoices):
    """Workflow events (hooks.md); a hook is stored as `special_topic` on TopicAction / TopicDocument rows."""

    PRE_SPAM = "PreSpam"
    POST_SPAM = "PostSpam"
    POST_TOPIC_DETECTION = "PostTopicDetection"
    ON_ESCALATE = "OnEscalate"
    POST_ESCALATE = "PostEscalate"
    ON_ESCALATE_FAILED = "OnEscalateFailed"
    ON_CLOSE = "OnClose"
    USER_TRIGGERED = "UserTriggered"
    ON_END_USER_ADD = "OnEndUserAdd"
    ON_END_USER_UPDATE = "OnEndUserUpdate"
    ON_END_USER_DELETE = "OnEndUserDelete"
    ON_PHONE_PICKUP = "OnPhonePickup"
    ON_PHONE_PICKUP_SAY = "OnPhonePickupSay"


ALL_TOPICS = "All"


class SpecialChannel(models.TextChoices):
    EMAIL = "Email"
    CHAT = "Chat"
    PHONE = "Phone"
    WHATSAPP = "WhatsApp"
    ALL = "All"


class ActionType(models.TextChoices):
    REPLY_SEND = "ReplySend"
    REPLY = "Reply"
    FORWARD = "Forward"
    CLOSE = "Close"
    DELETE = "Delete"
    DELETE_AFTER_CLEANUP = "DeleteAfterCleanup"
    MARK_SPAM = "MarkSpam"
    NOT_SPAM = "NotSpam"
    API_CALL = "ApiCall"
    WAIT = "Wait"
    TOPIC_DETECTION = "TopicDetection"
    FUNCTION_TOOL = "FunctionTool"
    SAY = "Say"  # spoken to a caller (OnPhonePickupSay); run by the voice app


class Topic(models.Model):
    """A customer's category for messages; optional phone overrides (model must be global or the customer's)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    phone_model = models.ForeignKey(
        "customers.AIModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone_instructions = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "name"])]

    def __str__(self):
        return self.name


class TopicChannel(models.Model):
    """Marks a topic relevant to one channel; a topic with no links is relevant to every channel."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="channel_links")
    channel = models.ForeignKey("channels_cfg.Channel", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["topic", "channel"], name="topic_channel_unique")]
        indexes = [models.Index(fields=["customer", "channel"])]

    def __str__(self):
        return f"{self.topic_id} on {self.channel_id}"


class Action(models.Model):
    """A reusable automation step; priority lives on its TopicAction links. Connector secrets are encrypted."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="actions")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    action_type = models.CharField(max_length=32, choices=ActionType.choices)
    is_active = models.BooleanField(default=True)

    api_endpoint = models.CharField(max_length=1000, blank=True)
    api_method = models.CharField(max_length=8, choices=HttpMethod.choices, default=HttpMethod.POST)
    api_headers = models.TextField(blank=True, help_text="JSON object of header templates.")
    api_body_template = models.TextField(blank=True)
    override_api_base_url = models.URLField(max_length=500, blank=True)
    override_api_username = models.CharField(max_length=200, blank=True)
    override_api_password = EncryptedTextField(blank=True)
    override_api_token = EncryptedTextField(blank=True)
    override_api_authentication_type = models.CharField(max_length=16, choices=AuthenticationType.choices, blank=True)
    field_mapping = models.TextField(blank=True, help_text="JSON list of {source, target} request mappings.")
    response_field_mapping = models.TextField(
        blank=True, help_text="JSON list of {source, target}: response JSON path → custom field name."
    )

    conditional_rules = models.TextField(blank=True, help_text="JSON rules (automation.rules); empty = always.")
    forward_recipients = models.TextField(blank=True)
    forward_phone_number = models.CharField(max_length=32, blank=True)
    wait_seconds = models.PositiveIntegerField(default=0)
    say_text = models.TextField(blank=True, help_text="Say: what the caller hears; {{…}} placeholders allowed.")
    say_language = models.CharField(max_length=16, blank=True, help_text="Say: BCP 47 language, e.g. nl-BE.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "name"]), models.Index(fields=["customer", "action_type"])]

    def __str__(self):
        return f"{self.name} ({self.action_type})"


class TopicAction(models.Model):
    """Links an action to a topic, to every topic (`special_topic`=All) or to a hook (`special_topic`=HookName),
    optionally per channel; higher `priority` runs first."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="action_links")
    special_topic = models.CharField(max_length=32, blank=True)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="topic_links")
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    special_channel = models.CharField(max_length=16, choices=SpecialChannel.choices, blank=True)
    priority = models.IntegerField(default=0)

    class Meta:
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["customer", "special_topic"]), models.Index(fields=["customer", "topic"])]

    def __str__(self):
        return f"{self.topic_id or self.special_topic} → {self.action_id} ({self.priority})"


class TopicDocument(models.Model):
    """Links a document to a topic, every topic or a hook, optionally per channel; feeds prompt documents."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="document_links")
    special_topic = models.CharField(max_length=32, blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="topic_links")
    channel = models.ForeignKey(
        "channels_cfg.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    special_channel = models.CharField(max_length=16, choices=SpecialChannel.choices, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "special_topic"]), models.Index(fields=["customer", "topic"])]

    def __str__(self):
        return f"{self.topic_id or self.special_topic} → document {self.document_id}"


class TicketMessageAction(models.Model):
    """One run of an action on a message for one trigger; unique per (message, action, trigger) so a
    re-delivered event never repeats a finished action."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("tickets.TicketMessage", on_delete=models.CASCADE, related_name="action_runs")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=64, help_text="Hook name, 'Topics' or 'Manual'.")
    status = models.CharField(max_length=16, choices=ActionStatus.CHOICES, default=ActionStatus.PENDING)
    priority = models.IntegerField(default=0)
    date_assigned = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True, help_text="A Waiting run continues the chain after this.")
    result = models.TextField(blank=True)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "action", "trigger"], name="ticket_message_action_run_unique")
        ]
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["message", "trigger"])]

    def __str__(self):
        return f"{self.action_id} on {self.message_id} ({self.trigger}): {self.status}"


class ConnectorCall(models.Model):
    """A log row per outbound connector call: URL without query secrets, status, duration, bytes; never secrets."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.BigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=8)
    url = models.CharField(max_length=1000)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_bytes = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"])]

    def __str__(self):
        return f"{self.method} {self.url} → {self.status_code or self.error_code}"


class ScheduledTicketDeletion(models.Model):
    """A ticket marked by a DeleteAfterCleanup action; the cleanup task deletes it once `delete_after` passes."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="scheduled_deletion")
    delete_after = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delete_after", "id"]

    def __str__(self):
        return f"ticket {self.ticket_id} after {self.delete_after:%Y-%m-%d}"
