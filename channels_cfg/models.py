"""Channel configuration: where messages come from and go to, per customer."""

import uuid

from django.db import models

from answerpal.fields import EncryptedTextField


class ChannelType(models.TextChoices):
    EMAIL = "Email"
    CHAT = "Chat"
    PHONE = "Phone"
    WHATSAPP = "WhatsApp"
    TEAMS = "Teams"


class Channel(models.Model):
    """An inbound/outbound channel; deleted channels are kept (soft delete) for their tickets."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="channels")
    channel_type = models.CharField(max_length=16, choices=ChannelType.choices)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    connection_details = models.TextField(blank=True)
    email_address = models.EmailField(blank=True)
    override_email_settings = models.BooleanField(default=False)
    override_graph_tenant_id = models.CharField(max_length=100, blank=True)
    override_graph_client_id = models.CharField(max_length=100, blank=True)
    override_graph_client_secret = EncryptedTextField(blank=True)
    override_graph_authority_url = models.URLField(max_length=300, blank=True)
    override_graph_scope = models.CharField(max_length=300, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hostnames = models.TextField(blank=True, help_text="Chat: allowed site hostnames, comma or space separated.")
    is_default_translation_channel = models.BooleanField(default=False)
    phone_number = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "channel_type"])]

    def __str__(self):
        return f"{self.name} ({self.channel_type})"
