"""Channel configuration: where messages come from and go to, per customer."""

import uuid

from django.core.validators import RegexValidator
from django.db import models

from answerpal.fields import EncryptedTextField
from channels_cfg.hostnames import host_allowed

e164_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", "Use the international E.164 form: '+' and 7 to 15 digits, e.g. +32470123456."
)


class ChannelType(models.TextChoices):
    EMAIL = "Email"
    CHAT = "Chat"
    PHONE = "Phone"
    WHATSAPP = "WhatsApp"
    TEAMS = "Teams"


class EmailProvider(models.TextChoices):
    """Mail transport of an Email channel; blank on the channel means the customer's default."""

    MICROSOFT365 = "Microsoft365"
    IMAP = "Imap"


class TopicPolicyMode(models.TextChoices):
    """Which of the customer's topics apply to a channel's messages.

    All: every active topic (the lists are ignored). Include: only `include_topics`.
    Exclude: every active topic except `exclude_topics`."""

    ALL = "All"
    INCLUDE = "Include"
    EXCLUDE = "Exclude"


class Channel(models.Model):
    """An inbound/outbound channel; deleted channels are kept (soft delete) for their tickets.

    Mail settings left blank here fall back to the customer's defaults unless
    `override_email_settings` is on; secrets are encrypted at rest."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="channels")
    channel_type = models.CharField(max_length=16, choices=ChannelType.choices)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    connection_details = models.TextField(blank=True)
    email_address = models.EmailField(blank=True)
    auto_retrieve_emails = models.BooleanField(
        default=False, help_text="Import new mail automatically (Graph notifications / periodic IMAP poll)."
    )
    email_provider_type = models.CharField(max_length=16, choices=EmailProvider.choices, blank=True)
    override_email_settings = models.BooleanField(default=False)
    override_graph_tenant_id = models.CharField(max_length=100, blank=True)
    override_graph_client_id = models.CharField(max_length=100, blank=True)
    override_graph_client_secret = EncryptedTextField(blank=True)
    override_graph_authority_url = models.URLField(max_length=300, blank=True)
    override_graph_scope = models.CharField(max_length=300, blank=True)
    override_imap_server = models.CharField(max_length=253, blank=True)
    override_imap_port = models.PositiveIntegerField(null=True, blank=True)
    override_imap_username = models.CharField(max_length=254, blank=True)
    override_imap_password = EncryptedTextField(blank=True)
    override_imap_use_ssl = models.BooleanField(default=True)
    override_smtp_server = models.CharField(max_length=253, blank=True)
    override_smtp_port = models.PositiveIntegerField(null=True, blank=True)
    override_smtp_username = models.CharField(max_length=254, blank=True)
    override_smtp_password = EncryptedTextField(blank=True)
    override_smtp_use_ssl = models.BooleanField(default=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hostnames = models.TextField(blank=True, help_text="Chat: allowed site hostnames, comma or space separated.")
    is_default_translation_channel = models.BooleanField(default=False)
    phone_number = models.CharField(max_length=32, blank=True, db_index=True)
    # Phone sign-in (POST /api/Auth/phone-login) is an opt-in: the Administrator sets a device secret (only its
    # SHA-256 is kept); each set or clear bumps the version, which the phone tokens carry, so older ones die.
    phone_login_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_login_version = models.PositiveIntegerField(default=0, editable=False)
    topic_policy_mode = models.CharField(max_length=16, choices=TopicPolicyMode.choices, default=TopicPolicyMode.ALL)
    include_topics = models.ManyToManyField("automation.Topic", blank=True, related_name="+")
    exclude_topics = models.ManyToManyField("automation.Topic", blank=True, related_name="+")
    retention_closed_tickets_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Delete this channel's closed tickets after this many days; empty = the customer's.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "channel_type"])]

    def __str__(self):
        return f"{self.name} ({self.channel_type})"

    def hostname_allowed(self, host: str) -> bool:
        """Whether a page on `host` (hostname, or hostname:port) may use this chat channel (see
        channels_cfg.hostnames for the rule)."""
        return host_allowed(host, self.hostnames)


class ChannelFolder(models.Model):
    """A mailbox folder linked to an Email channel; one link per (channel, folder id)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="folders")
    folder_id = models.CharField(max_length=512, help_text="Graph mailFolder id, or the IMAP folder name.")
    folder_name = models.CharField(max_length=300, blank=True)
    auto_retrieve_emails = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["folder_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "folder_id"], name="channel_folder_unique_per_channel")
        ]
        indexes = [models.Index(fields=["customer", "channel"])]

    def __str__(self):
        return self.folder_name or self.folder_id


class ChannelTranslation(models.Model):
    """The chat UI / message texts of a channel in one language; one row per (channel, lang).

    `is_default` marks the row served when no row matches the requested language."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="translations")
    lang = models.CharField(max_length=16, help_text="BCP 47 tag, e.g. nl or nl-BE.")
    is_default = models.BooleanField(default=False)
    translations = models.JSONField(default=dict, blank=True, help_text="UI text key → translated text.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lang", "id"]
        constraints = [models.UniqueConstraint(fields=["channel", "lang"], name="channel_translation_unique_lang")]
        indexes = [models.Index(fields=["customer", "channel"])]

    def __str__(self):
        return f"{self.channel_id} [{self.lang}]"
