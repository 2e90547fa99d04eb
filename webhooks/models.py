"""Signed outbound webhooks: a tenant's endpoints, the events raised for them, and one outbox row per
(endpoint, event) with its attempt log."""

from django.db import models
from django.db.models import Q

from answerpal.fields import EncryptedTextField
from answerpal.outbox import OutboxRow


class WebhookEndpoint(models.Model):
    """A URL of the tenant that receives the events it subscribed to, signed with its secret (Standard
    Webhooks). After a rotation the previous secret also signs until `previous_secret_expires_at`."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=500, blank=True)
    enabled = models.BooleanField(default=True)
    event_types = models.JSONField(default=list, help_text="Webhook event types this endpoint receives.")
    secret = EncryptedTextField(help_text="whsec_… (encrypted at rest; shown once on create and rotate).")
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "enabled"])]

    def __str__(self):
        return f"Webhook endpoint {self.pk} ({self.url})"


class WebhookEvent(models.Model):
    """One occurrence of a domain event for a tenant, frozen as the exact body every endpoint receives;
    `message_id` is the Standard Webhooks `webhook-id` (the same on every retry, for receivers to dedupe)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    body = models.TextField(help_text="The JSON payload exactly as signed and sent.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "event_type"])]

    def __str__(self):
        return f"{self.event_type} {self.message_id}"


class WebhookDelivery(OutboxRow):
    """The outbox row of one event for one endpoint (unique pair: exactly once per endpoint and event);
    delivered under the kernel outbox's lease with backoff; every attempt is logged in WebhookAttempt."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["customer", "endpoint", "status"]),
            models.Index(
                fields=["status", "next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self):
        return f"Webhook delivery {self.pk} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: when, how long, the status code or the error (the delivery log)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery_id", "number", "id"]

    def __str__(self):
        return f"Attempt {self.number} of delivery {self.delivery_id}"
