"""The audit trail: one append-only row per security-relevant act (who did what to which object, from where)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    """Stable action names (the API's `action`); new kinds are appended, never renamed."""

    LOGIN_SUCCEEDED = "LoginSucceeded", "Signed in"
    LOGIN_FAILED = "LoginFailed", "Sign-in refused"
    LOGIN_LOCKED = "LoginLocked", "Sign-in locked after failures"
    LOGIN_UNLOCKED = "LoginUnlocked", "Sign-in unlocked"
    PHONE_LOGIN_SUCCEEDED = "PhoneLoginSucceeded", "Phone token issued"
    PHONE_LOGIN_ENABLED = "PhoneLoginEnabled", "Phone sign-in enabled (device secret set)"
    PHONE_LOGIN_DISABLED = "PhoneLoginDisabled", "Phone sign-in disabled"
    PHONE_CREDENTIALS_ISSUED = "PhoneCredentialsIssued", "Short-lived phone credentials issued"
    IMPERSONATION_STARTED = "ImpersonationStarted", "Operator impersonation started"
    TICKET_READ = "TicketRead", "Ticket read"
    TICKET_MESSAGES_READ = "TicketMessagesRead", "Ticket messages listed"
    TICKET_MESSAGE_READ = "TicketMessageRead", "Ticket message read"
    FILE_DOWNLOADED = "FileDownloaded", "Attachment downloaded"
    RECORDING_PLAYED = "RecordingPlayed", "Call recording played"
    REP_CREATED = "RepCreated", "Representative created"
    REP_ROLE_CHANGED = "RepRoleChanged", "Representative role changed"
    REP_ACTIVATED = "RepActivated", "Representative activated"
    REP_DEACTIVATED = "RepDeactivated", "Representative deactivated"
    REP_DELETED = "RepDeleted", "Representative deleted"
    CHANNEL_CREATED = "ChannelCreated", "Channel created"
    CHANNEL_UPDATED = "ChannelUpdated", "Channel updated"
    CHANNEL_DELETED = "ChannelDeleted", "Channel deleted"
    SECRETS_CHANGED = "SecretsChanged", "Secret settings changed"
    ACTION_CREATED = "ActionCreated", "Action created"
    ACTION_UPDATED = "ActionUpdated", "Action updated"
    ACTION_DELETED = "ActionDeleted", "Action deleted"
    HOOK_CREATED = "HookCreated", "Hook link created"
    HOOK_UPDATED = "HookUpdated", "Hook link updated"
    HOOK_DELETED = "HookDeleted", "Hook link deleted"
    END_USER_EXPORTED = "EndUserExported", "End user's data exported"
    END_USER_ERASED = "EndUserErased", "End user erased"
    WEBHOOK_ENDPOINT_CREATED = "WebhookEndpointCreated", "Webhook endpoint registered"
    WEBHOOK_ENDPOINT_UPDATED = "WebhookEndpointUpdated", "Webhook endpoint changed"
    WEBHOOK_ENDPOINT_DELETED = "WebhookEndpointDeleted", "Webhook endpoint deleted"
    WEBHOOK_SECRET_ROTATED = "WebhookSecretRotated", "Webhook signing secret rotated"


class ActorKind(models.TextChoices):
    """How the actor acted: a representative's token, an operator (impersonating or in the admin), a phone
    device, the platform itself, or nobody signed in (a failed sign-in, a download by file token)."""

    REP = "rep", "Representative"
    IMPERSONATION = "impersonation", "Operator impersonating"
    OPERATOR = "operator", "Platform operator"
    PHONE = "phone", "Phone device"
    SYSTEM = "system", "System"
    ANONYMOUS = "anonymous", "Not signed in"


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are never changed: updates are refused; deleting is only the retention purge's (audit_purge)."""

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One act, written once by audit.services.audit_record and never changed (save() refuses an existing row).
    The actor key keeps its value when the representative row goes (no constraint, no cascade)."""

    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.SYSTEM)
    action = models.CharField(max_length=48, choices=AuditAction.choices)
    object_type = models.CharField(max_length=48, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="audit_customer_created"),
            models.Index(fields=["customer", "object_type", "object_id"], name="audit_customer_object"),
            models.Index(fields=["customer", "actor", "-created_at"], name="audit_customer_actor"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type} {self.object_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)
