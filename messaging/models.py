"""Transport state: Graph subscriptions, per-folder sync cursors, inbound receipts and the outbox."""

import uuid

from django.db import models
from django.db.models import Q

from answerpal import outbox


def client_state_new() -> str:
    return uuid.uuid4().hex


class GraphSubscription(models.Model):
    """A Microsoft Graph change-notification subscription for one linked folder.

    `folder` becomes null when the folder link is deleted; such rows are removed at Graph and here
    by the next sync. `client_state` is a per-subscription secret Graph echoes in every notification."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels_cfg.Channel", on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(
        "channels_cfg.ChannelFolder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscription_id = models.CharField(max_length=100, unique=True)
    resource = models.CharField(max_length=1000)
    client_state = models.CharField(max_length=128, default=client_state_new, editable=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    renewed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["customer", "channel"]), models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.subscription_id} ({self.resource})"


class MailboxSyncState(models.Model):
    """Where the last import of a folder stopped: Graph delta link, or IMAP UIDVALIDITY + last UID.

    A changed UIDVALIDITY restarts the folder from UID 1 (de-duplication by Message-ID prevents doubles)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels_cfg.Channel", on_delete=models.CASCADE, related_name="+")
    folder = models.OneToOneField("channels_cfg.ChannelFolder", on_delete=models.CASCADE, related_name="sync_state")
    delta_link = models.TextField(blank=True)
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_imported = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "channel"])]

    def __str__(self):
        return f"sync of folder {self.folder_id}"


class InboundReceipt(models.Model):
    """One row per provider message already turned into a TicketMessage; the unique key makes every
    import idempotent (Graph/IMAP by Internet-Message-Id, Twilio by MessageSid)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels_cfg.Channel", null=True, on_delete=models.SET_NULL, related_name="+")
    provider = models.CharField(max_length=16)
    external_id = models.CharField(max_length=998)
    message = models.ForeignKey("tickets.TicketMessage", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "provider", "external_id"], name="inbound_receipt_unique")
        ]

    def __str__(self):
        return f"{self.provider}:{self.external_id[:60]}"


OutboxStatus = outbox.OutboxStatus  # the kernel's outbox states (answerpal/outbox.py)


class Transport(models.TextChoices):
    GRAPH = "graph"
    SMTP = "smtp"
    TWILIO = "twilio"


class OutboxMessage(outbox.OutboxRow):
    """An outbound message waiting for, or done with, delivery: queued → sending → sent / failed.

    One row per TicketMessage (`idempotency_key`). A worker sends only while it holds the lease
    (`lease_owner` until `lease_until`); an expired lease or a row queued too long is re-driven by
    the sweeper. Before re-sending a row that was already attempted, the provider is asked whether
    the first attempt went out (Graph: Sent Items by the deterministic Internet-Message-Id; Twilio:
    the recorded SID or a matching recent message), so a retry never sends twice."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField("tickets.TicketMessage", on_delete=models.CASCADE, related_name="outbox")
    channel = models.ForeignKey("channels_cfg.Channel", null=True, on_delete=models.SET_NULL, related_name="+")
    transport = models.CharField(max_length=16, choices=Transport.choices)
    idempotency_key = models.CharField(max_length=100, unique=True)
    internet_message_id = models.CharField(max_length=255, blank=True)
    automated = models.BooleanField(default=False, help_text="Sent by an automation action, not a person.")
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self):
        return f"Outbox {self.pk} ({self.transport}, {self.status})"
