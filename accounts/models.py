"""Representatives (the user model), their signatures, reset tokens and the impersonation log."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from answerpal.api.policies import Role


class CustomerRepManager(BaseUserManager):
    """Platform operators (customer null) log in to the admin by username; tenants' reps by API."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(username=username, customer__isnull=True)

    def create_user(self, username, password=None, **extra):
        rep = self.model(username=username, **extra)
        rep.set_password(password)
        rep.save(using=self._db)
        return rep

    def create_superuser(self, username, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, customer=None, role=Role.ADMINISTRATOR)
        return self.create_user(username, password, **extra)


class CustomerRep(AbstractBaseUser, PermissionsMixin):
    """A representative of one customer, or (customer null, is_staff) a platform operator.

    Usernames are unique per customer (case-insensitively) among reps that are not deleted."""

    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="reps"
    )
    username = models.CharField(max_length=150)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone_number = models.CharField(max_length=32, blank=True)
    other_details = models.TextField(blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REPRESENTATIVE)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform operator: may use the admin.")
    email_signature_html = models.TextField(blank=True)
    email_signature_text = models.TextField(blank=True)
    token_version = models.PositiveIntegerField(default=0, help_text="Bumped to revoke issued tokens.")
    date_joined = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerRepManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "representative"
        constraints = [
            models.UniqueConstraint(
                "customer",
                Lower("username"),
                condition=Q(deleted_at__isnull=True),
                name="rep_username_unique_per_customer",
                violation_error_message="A representative with this username already exists.",
            ),
            models.UniqueConstraint(
                fields=["username"], condition=Q(customer__isnull=True), name="operator_username_unique"
            ),
        ]
        indexes = [models.Index(fields=["customer", "is_active"])]

    def __str__(self):
        return self.name or self.username


class RepSignature(models.Model):
    """A representative's e-mail signature for one language (one per language)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(CustomerRep, on_delete=models.CASCADE, related_name="signatures")
    lang = models.CharField(max_length=16)
    email_signature_html = models.TextField(blank=True)
    email_signature_text = models.TextField(blank=True)

    class Meta:
        ordering = ["lang"]
        constraints = [models.UniqueConstraint(fields=["rep", "lang"], name="signature_unique_per_rep_lang")]

    def __str__(self):
        return f"{self.rep} [{self.lang}]"


class PasswordResetToken(models.Model):
    """A single-use reset token; valid until `expires_at`, consumed by setting `used_at`."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rep = models.ForeignKey(CustomerRep, on_delete=models.CASCADE, related_name="reset_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Reset for {self.rep} until {self.expires_at:%Y-%m-%d %H:%M}"
