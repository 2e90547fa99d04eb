"""The tenant (Customer), its AI model catalogue and its custom field definitions."""

from django.db import models

from answerpal.fields import EncryptedTextField


class AuthenticationType(models.TextChoices):
    NONE = "None"
    BASIC = "Basic"
    BEARER = "Bearer"
    API_KEY = "ApiKey"


class EmailProviderType(models.TextChoices):
    NONE = "None"
    MICROSOFT365 = "Microsoft365"
    IMAP = "Imap"


class ModelPurpose(models.TextChoices):
    """The slot an AI model serves; one default per slot on the customer."""

    TOPICS = "topics"
    WEBCHAT = "webchat"
    EMAIL = "email"
    CALL = "call"
    SPAM = "spam"
    CONDITIONAL_RULES = "conditionalRules"
    SUMMARY = "summary"
    REALTIME = "realtime"
    REALTIME_TRANSLATION = "realtimeTranslation"
    TRANSCRIBE = "transcribe"


class AIProvider(models.TextChoices):
    """Which provider layer serves a model: an OpenAI-compatible endpoint or the offline one."""

    OPENAI = "openai"
    LOCAL = "local"


class AIModel(models.Model):
    """A model the platform can call; global when `customer` is null, else private to one customer."""

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE)
    provider = models.CharField(max_length=16, choices=AIProvider.choices, default=AIProvider.OPENAI)
    model_name = models.CharField(max_length=200, help_text="The provider's model id, e.g. gpt-4o-mini.")
    model_type = models.CharField(max_length=32, choices=ModelPurpose.choices)
    is_fine_tuned = models.BooleanField(default=False)
    has_vision = models.BooleanField(default=False)
    supports_internet_access = models.BooleanField(default=False)
    required_subscription_level = models.CharField(
        max_length=50, blank=True, help_text="Code of the lowest subscription plan that may use this model."
    )
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, help_text="Offered as the default for its slot.")
    input_price_per_million = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    output_price_per_million = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    price_per_minute = models.DecimalField(
        max_digits=10, decimal_places=4, default=0, help_text="Audio models (transcription, realtime): per minute."
    )

    class Meta:
        ordering = ["model_type", "model_name"]
        indexes = [models.Index(fields=["customer", "model_type"])]
        verbose_name = "AI model"

    def __str__(self):
        return f"{self.model_name} ({self.model_type})"

    @property
    def is_global(self) -> bool:
        return self.customer_id is None


# ModelPurpose -> the Customer column holding that slot's default model.
DEFAULT_MODEL_SLOTS = {
    ModelPurpose.TOPICS: "default_topic_model",
    ModelPurpose.WEBCHAT: "default_webchat_model",
    ModelPurpose.EMAIL: "default_email_model",
    ModelPurpose.CALL: "default_call_model",
    ModelPurpose.SPAM: "default_spam_model",
    ModelPurpose.CONDITIONAL_RULES: "default_conditional_rules_model",
    ModelPurpose.SUMMARY: "default_summary_model",
    ModelPurpose.REALTIME: "default_realtime_model",
    ModelPurpose.REALTIME_TRANSLATION: "default_realtime_translation_model",
    ModelPurpose.TRANSCRIBE: "default_transcribe_model",
}


class Customer(models.Model):
    """A tenant: every tenant-owned row points here; the hostname selects it at login."""

    name = models.CharField(max_length=200)
    hostname = models.CharField(max_length=253, unique=True, help_text="Web app host used at login.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Outbound API connector (used when AnswerPal calls the customer's systems).
    api_base_url = models.URLField(max_length=500, blank=True)
    api_username = models.CharField(max_length=200, blank=True)
    api_password = EncryptedTextField(blank=True)
    api_token = EncryptedTextField(blank=True)
    api_authentication_type = models.CharField(
        max_length=16, choices=AuthenticationType.choices, default=AuthenticationType.NONE
    )

    # Mail defaults for channels that do not override them.
    email_provider_type = models.CharField(
        max_length=16, choices=EmailProviderType.choices, default=EmailProviderType.NONE
    )
    graph_tenant_id = models.CharField(max_length=100, blank=True)
    graph_client_id = models.CharField(max_length=100, blank=True)
    graph_client_secret = EncryptedTextField(blank=True)
    graph_client_secret_expires_at = models.DateTimeField(null=True, blank=True)
    graph_authority_url = models.URLField(max_length=300, blank=True)
    graph_scope = models.CharField(max_length=300, blank=True)
    imap_server = models.CharField(max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(null=True, blank=True)
    imap_use_ssl = models.BooleanField(default=True)
    smtp_server = models.CharField(max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(null=True, blank=True)
    smtp_use_ssl = models.BooleanField(default=True)

    # Default AI model per purpose.
    default_topic_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_webchat_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_email_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_call_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_spam_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_conditional_rules_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_summary_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_realtime_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_realtime_translation_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_transcribe_model = models.ForeignKey(
        AIModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_email_model_internet_access_enabled = models.BooleanField(default=False)
    default_webchat_model_internet_access_enabled = models.BooleanField(default=False)
    default_call_model_internet_access_enabled = models.BooleanField(default=False)
    default_realtime_model_internet_access_enabled = models.BooleanField(default=False)
    default_customer_rep = models.ForeignKey(
        "accounts.CustomerRep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Provider credentials.
    twilio_account_sid = models.CharField(max_length=64, blank=True, db_index=True)
    twilio_auth_token = EncryptedTextField(blank=True)
    twilio_region = models.CharField(max_length=32, blank=True)
    openai_api_key = EncryptedTextField(blank=True)
    openai_base_url = models.URLField(max_length=300, blank=True)

    # Retention (privacy.services.retention_run, daily): days to keep; null = keep forever.
    retention_closed_tickets_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Delete closed tickets this many days after they were closed; empty = keep."
    )
    retention_recordings_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Delete call recordings this many days after the call; empty = keep."
    )
    retention_end_users_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Erase end users without tickets this many days after their last change; empty = keep.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomFieldType(models.TextChoices):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DROPDOWN = "dropdown"


class CustomFieldDefinition(models.Model):
    """A customer-defined field on messages; `field_name` and `field_type` never change after creation."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="custom_fields")
    field_name = models.CharField(max_length=100)
    field_type = models.CharField(max_length=16, choices=CustomFieldType.choices)
    display_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.IntegerField(default=0)
    options = models.JSONField(default=list, blank=True, help_text="Allowed values of a dropdown field.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "field_name"], name="custom_field_name_unique_per_customer")
        ]

    def __str__(self):
        return self.display_name
