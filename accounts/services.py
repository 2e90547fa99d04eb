"""Writes for representatives: sign-in, tokens, password resets, seats and signatures."""

import hashlib
import hmac
import logging
import secrets
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated

from accounts import lockout, selectors
from accounts.models import (
    CustomerRep,
    PasswordResetToken,
    RepSignature,
)
from answerpal.api.errors import ApiError, Conflict
from answerpal.api.policies import Role
from answerpal.api.tokens import TokenKind, token_issue
from answerpal.celery import enqueue_after_commit
from audit.models import ActorKind, AuditAction
from audit.services import audit_record
from billing.permissions import feature_require
from billing.selectors import effective_limits
from channels_cfg.models import Channel
from customers.models import Customer
from customers.services import customer_create

logger = logging.getLogger(__name__)

MULTILINGUAL_SIGNATURES = "hasMultilingualSignatures"


def invalid_credentials() -> ApiError:
    return ApiError(
        status.HTTP_401_UNAUTHORIZED, "InvalidCredentials", "The sign-in details are not valid; check them and retry."
    )


def _password_matches(rep: CustomerRep, password: str) -> bool:
    """Checks (and upgrades a legacy BCrypt hash of) the password; bcrypt refuses >72-byte input."""
    try:
        return rep.check_password(password)
    except ValueError:
        return False


def _dummy_password_check(password: str) -> None:
    """Spends the time of a real check, so response times do not reveal unknown usernames."""
    make_password(password)


def rep_token_issue(*, rep: CustomerRep) -> str:
    """A representative access token; it dies when the rep's token_version changes."""
    return token_issue(
        kind=TokenKind.REP,
        customer_id=rep.customer_id,
        rep_id=rep.pk,
        role=rep.role,
        token_version=rep.token_version,
    )


def _login_failed_audit(*, flow: str, account: str, customer_id: int | None, rep_id: int | None = None) -> None:
    """One entry per refused sign-in (attempts refused by a lock are not: the lock itself is the entry)."""
    audit_record(
        customer_id=customer_id,
        action=AuditAction.LOGIN_FAILED,
        actor_kind=ActorKind.ANONYMOUS,
        object_type="CustomerRep" if rep_id is not None else "SignIn",
        object_id=rep_id if rep_id is not None else "",
        detail={"flow": flow, "account": account},
    )


def rep_login(*, username: str, password: str, hostname: str, client_address: str = "-") -> str:
    """Signs a representative in through the customer's hostname; records last_login and
    upgrades a legacy BCrypt hash to the preferred hasher. Failures count towards the account's and the
    address's lockout (429 LoginLocked, checked before the password, the same for unknown accounts). Successes
    and failures are audited."""
    policy = lockout.login_policy()
    account = lockout.login_account(hostname=hostname, username=username)
    lockout.lockout_check(policy, account=account, address=client_address)
    candidates = selectors.reps_signing_in(hostname=hostname, username__iexact=username.strip())
    if len(candidates) != 1:
        _dummy_password_check(password)
        _login_failed_audit(flow=policy.name, account=account, customer_id=None)
        lockout.lockout_fail(policy, account=account, address=client_address)
        raise invalid_credentials()
    rep = candidates[0]
    if not _password_matches(rep, password) or not rep.is_active or not rep.customer.is_active:
        _login_failed_audit(flow=policy.name, account=account, customer_id=rep.customer_id, rep_id=rep.pk)
        lockout.lockout_fail(policy, account=account, address=client_address, rep=rep)
        raise invalid_credentials()
    lockout.lockout_succeed(policy, account=account)
    rep.last_login = timezone.now()
    rep.save(update_fields=["last_login"])
    audit_record(
        customer_id=rep.customer_id,
        actor_id=rep.pk,
        actor_kind=ActorKind.REP,
        action=AuditAction.LOGIN_SUCCEEDED,
        object_type="CustomerRep",
        object_id=rep.pk,
    )
    return rep_token_issue(rep=rep)


def device_secret_required() -> ApiError:
    return ApiError(
        status.HTTP_401_UNAUTHORIZED,
        "DeviceSecretRequired",
        "Phone sign-in needs the channel's device secret (deviceSecret): a phone number and an Account SID alone "
        "are not accepted. An Administrator turns phone sign-in on for the channel "
        "(POST /api/Channels/{id}/phone-login-secret) and gives the secret to the device.",
    )


def _device_secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_NO_CHANNEL_DIGEST = "0" * 64


def phone_login(*, phone_number: str, account_sid: str, device_secret: str = "", client_address: str = "-") -> str:
    """A phone token bound to the non-deleted channel with this number whose customer owns the Twilio account and
    whose Administrator enabled phone sign-in with the device secret given (an opt-in per channel). Without a
    device secret: 401 DeviceSecretRequired for every number; a wrong one counts towards the lockout."""
    policy = lockout.phone_login_policy()
    account = lockout.phone_account(phone_number=phone_number)
    lockout.lockout_check(policy, account=account, address=client_address)
    if not device_secret:
        raise device_secret_required()
    channel = (
        Channel.objects.filter(
            phone_number=phone_number.strip(),
            deleted_at__isnull=True,
            customer__is_active=True,
            customer__twilio_account_sid=account_sid.strip(),
        )
        .exclude(phone_login_secret_hash="")
        .order_by("id")
        .first()
    )
    expected = channel.phone_login_secret_hash if channel is not None else _NO_CHANNEL_DIGEST
    matches = hmac.compare_digest(expected, _device_secret_digest(device_secret))
    if channel is None or not matches:
        customer_id = channel.customer_id if channel else None
        _login_failed_audit(flow=policy.name, account=account, customer_id=customer_id)
        lockout.lockout_fail(policy, account=account, address=client_address, customer_id=customer_id)
        raise invalid_credentials()
    lockout.lockout_succeed(policy, account=account)
    audit_record(
        customer_id=channel.customer_id,
        actor_kind=ActorKind.PHONE,
        action=AuditAction.PHONE_LOGIN_SUCCEEDED,
        object_type="Channel",
        object_id=channel.pk,
        detail={"channelID": channel.pk, "phoneNumber": account},
    )
    return token_issue(
        kind=TokenKind.PHONE,
        customer_id=channel.customer_id,
        channel_id=channel.pk,
        token_version=channel.phone_login_version,
    )


def phone_login_secret_set(*, channel: Channel, actor: str) -> str:
    """Turns phone sign-in on for the channel with a new random device secret (returned once, only its SHA-256
    is kept); the channel's earlier phone tokens stop working. Audited."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(
            phone_login_secret_hash=_device_secret_digest(secret), phone_login_version=F("phone_login_version") + 1
        )
        channel.refresh_from_db(fields=["phone_login_secret_hash", "phone_login_version"])
        audit_record(
            customer_id=channel.customer_id,
            action=AuditAction.PHONE_LOGIN_ENABLED,
            object_type="Channel",
            object_id=channel.pk,
            detail={"phoneNumber": channel.phone_number, "by": actor[:200]},
        )
    return secret


def phone_login_secret_clear(*, channel: Channel, actor: str) -> None:
    """Turns phone sign-in off for the channel; its phone tokens stop working at once. Audited."""
    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(
            phone_login_secret_hash="", phone_login_version=F("phone_login_version") + 1
        )
        channel.refresh_from_db(fields=["phone_login_secret_hash", "phone_login_version"])
        audit_record(
            customer_id=channel.customer_id,
            action=AuditAction.PHONE_LOGIN_DISABLED,
            object_type="Channel",
            object_id=channel.pk,
            detail={"phoneNumber": channel.phone_number, "by": actor[:200]},
        )


def impersonation_start(
    *, username: str, password: str, customer_id: int, reason: str, client_address: str = "-"
) -> str:
    """An Administrator token of `customer_id` for a platform operator; the audit entry ImpersonationStarted (in
    the customer's log, with the reason) says who, when, from where and why. Operator sign-ins share the login
    lockout."""
    policy = lockout.login_policy()
    account = lockout.login_account(hostname="operator", username=username)
    address = client_address
    lockout.lockout_check(policy, account=account, address=address)
    operator = CustomerRep.objects.filter(
        customer__isnull=True, username=username.strip(), is_staff=True, deleted_at__isnull=True
    ).first()
    if operator is None:
        _dummy_password_check(password)
        _login_failed_audit(flow="impersonate", account=account, customer_id=None)
        lockout.lockout_fail(policy, account=account, address=address)
        raise invalid_credentials()
    if not _password_matches(operator, password) or not operator.is_active:
        _login_failed_audit(flow="impersonate", account=account, customer_id=None, rep_id=operator.pk)
        lockout.lockout_fail(policy, account=account, address=address, rep=operator)
        raise invalid_credentials()
    lockout.lockout_succeed(policy, account=account)
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        raise ApiError(status.HTTP_404_NOT_FOUND, "CustomerNotFound", f"No active customer has id {customer_id}.")
    with transaction.atomic():
        audit_record(
            customer_id=customer.pk,
            actor_id=operator.pk,
            actor_kind=ActorKind.OPERATOR,
            action=AuditAction.IMPERSONATION_STARTED,
            object_type="Customer",
            object_id=customer.pk,
            detail={"operator": operator.username, "reason": reason},
        )
        operator.last_login = timezone.now()
        operator.save(update_fields=["last_login"])
    logger.warning("Operator %s impersonates customer %s: %s", operator.username, customer.pk, reason)
    return token_issue(
        kind=TokenKind.IMPERSONATION, customer_id=customer.pk, role=Role.ADMINISTRATOR, operator_id=operator.pk
    )


def password_reset_request(*, email: str, hostname: str, client_address: str = "-") -> None:
    """Counts the request towards the reset lockout (429 PasswordResetLocked) and hands it to a task after commit,
    whether or not a representative has this address: the request does the same work either way, so neither its
    answer nor its timing tells whether the address is known (password_reset_prepare does the rest, in a worker;
    in embedded mode, where it runs inline, the answer waits for PASSWORD_RESET_MIN_RESPONSE_MS)."""
    from accounts.tasks import password_reset_prepare

    started = time.monotonic()
    policy = lockout.password_reset_policy()
    account = lockout.reset_account(hostname=hostname, email=email)
    lockout.lockout_check(policy, account=account, address=client_address)
    lockout.lockout_fail(policy, account=account, address=client_address)
    enqueue_after_commit(password_reset_prepare, email.strip(), hostname)
    # Without a broker (embedded mode) the task runs right here, so the known address would take longer: the
    # request then lasts at least PASSWORD_RESET_MIN_RESPONSE_MS either way.
    remaining = settings.PASSWORD_RESET_MIN_RESPONSE_MS / 1000 - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def password_reset_prepare(*, email: str, hostname: str) -> list[PasswordResetToken]:
    """Creates a reset token for every active rep with this e-mail reachable through `hostname`
    and mails each its link after commit; drops expired tokens. Finds nobody silently."""
    from accounts.tasks import password_reset_mail_send

    now = timezone.now()
    reps = [
        rep
        for rep in selectors.reps_signing_in(hostname=hostname, email__iexact=email.strip())
        if rep.is_active and rep.customer.is_active and rep.email
    ]
    with transaction.atomic():
        PasswordResetToken.objects.filter(expires_at__lt=now).delete()
        tokens = [
            PasswordResetToken.objects.create(rep=rep, expires_at=now + settings.PASSWORD_RESET_TTL) for rep in reps
        ]
        for token in tokens:
            enqueue_after_commit(password_reset_mail_send, token.pk)
    return tokens


def password_reset_mail_send(*, token_id: int) -> bool:
    """Mails the reset link of a still-usable token to its rep; False when there is nothing to send."""
    token = (
        PasswordResetToken.objects.select_related("rep__customer")
        .filter(pk=token_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        return False
    rep = token.rep
    link = settings.PASSWORD_RESET_URL.format(hostname=rep.customer.hostname, token=token.token)
    hours = int(settings.PASSWORD_RESET_TTL.total_seconds() // 3600)
    body = (
        f"Hello {rep.name or rep.username},\n\n"
        f"Someone asked to reset the AnswerPal password of the account '{rep.username}' at {rep.customer.name}.\n"
        f"Choose a new password here (the link works once, for {hours} hours):\n\n{link}\n\n"
        "If you did not ask for this, ignore this message; your password stays unchanged.\n"
    )
    send_mail("Reset your AnswerPal password", body, settings.DEFAULT_FROM_EMAIL, [rep.email])
    return True


def password_validate(*, password: str, rep: CustomerRep, field: str) -> None:
    """Django's password validators; a failure is a 400 naming `field`."""
    try:
        password_validation.validate_password(password, user=rep)
    except DjangoValidationError as error:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST, "InvalidPassword", " ".join(error.messages), errors={field: error.messages}
        ) from error


def invalid_reset_token() -> ApiError:
    return ApiError(
        status.HTTP_400_BAD_REQUEST,
        "InvalidResetToken",
        "This reset link is unknown, expired or already used; request a new one.",
    )


def password_reset_confirm(*, token: uuid.UUID, new_password: str) -> CustomerRep:
    """Sets the password of the token's rep, consumes the token, deletes the rep's other tokens,
    revokes the rep's existing access tokens and unlocks the rep's sign-in (audited)."""
    with transaction.atomic():
        reset = (
            PasswordResetToken.objects.select_for_update(of=("self",))
            .select_related("rep__customer")
            .filter(token=token, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if reset is None or reset.rep.deleted_at is not None or not reset.rep.is_active:
            raise invalid_reset_token()
        rep = reset.rep
        password_validate(password=new_password, rep=rep, field="newPassword")
        _password_set(rep=rep, password=new_password)
        reset.used_at = timezone.now()
        reset.save(update_fields=["used_at"])
        PasswordResetToken.objects.filter(rep=rep).exclude(pk=reset.pk).delete()
    lockout.rep_unlock(rep=rep, actor="password reset", reason="The password was reset with a mailed link.")
    return rep


def _password_set(*, rep: CustomerRep, password: str) -> None:
    rep.set_password(password)
    rep.token_version = F("token_version") + 1
    rep.save(update_fields=["password", "token_version"])
    rep.refresh_from_db(fields=["token_version"])


def rep_password_change(
    *, rep: CustomerRep, new_password: str, current_password: str | None = None, actor: str = "password change"
) -> None:
    """Sets a new password (checking `current_password` when given), revokes the rep's tokens and unlocks the rep's
    sign-in (so an Administrator unlocks a locked rep by setting a new password; audited)."""
    if current_password is not None and not _password_matches(rep, current_password):
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "InvalidCurrentPassword",
            "The current password is not correct.",
            errors={"currentPassword": ["The current password is not correct."]},
        )
    password_validate(password=new_password, rep=rep, field="newPassword")
    with transaction.atomic():
        _password_set(rep=rep, password=new_password)
    lockout.rep_unlock(rep=rep, actor=actor, reason="A new password was set.")


def _customer_lock(customer_id: int) -> Customer:
    """Serialises seat changes of one customer (the row lock is a no-op on SQLite)."""
    return Customer.objects.select_for_update().get(pk=customer_id)


def _seat_check(*, customer_id: int) -> None:
    """409 UserLimitExceeded when every seat of the plan's effective user limit is taken."""
    max_users = effective_limits(customer_id=customer_id).max_users
    if selectors.reps_seated_count(customer_id=customer_id) >= max_users:
        raise Conflict(
            "UserLimitExceeded",
            f"Your plan allows {max_users} active representatives; deactivate one or upgrade the plan.",
        )


def _username_check(*, customer_id: int, username: str, exclude_id: int | None = None) -> None:
    taken = CustomerRep.objects.filter(customer_id=customer_id, username__iexact=username, deleted_at__isnull=True)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict("DuplicateUsername", f"The username '{username}' is already taken in this customer.")


@dataclass(frozen=True)
class RepProfile:
    """The editable profile of a representative (DTO fields without username and password)."""

    name: str
    email: str
    phone_number: str = ""
    other_details: str = ""
    email_signature_html: str = ""
    email_signature_text: str = ""


def rep_create(
    *,
    customer_id: int,
    username: str,
    password: str,
    profile: RepProfile,
    role: str = Role.REPRESENTATIVE,
    is_active: bool = True,
    password_is_hash: bool = False,
) -> CustomerRep:
    """Creates a representative; an active one takes a seat of the plan's user limit (409
    UserLimitExceeded). The username is unique per customer (409 DuplicateUsername); the password
    passes Django's validators (400), or `password_is_hash` stores an imported hash as is."""
    rep = CustomerRep(
        customer_id=customer_id,
        username=username.strip(),
        role=role,
        is_active=is_active,
        name=profile.name,
        email=profile.email,
        phone_number=profile.phone_number,
        other_details=profile.other_details,
        email_signature_html=profile.email_signature_html,
        email_signature_text=profile.email_signature_text,
    )
    if password_is_hash:
        rep.password = password
    else:
        password_validate(password=password, rep=rep, field="password")
        rep.set_password(password)
    with transaction.atomic():
        _customer_lock(customer_id)
        _username_check(customer_id=customer_id, username=rep.username)
        if is_active:
            _seat_check(customer_id=customer_id)
        rep.save()
        _rep_audit(rep=rep, action=AuditAction.REP_CREATED, detail={"role": rep.role, "isActive": rep.is_active})
    return rep


def rep_bootstrap(*, hostname: str, username: str, password: str, profile: RepProfile) -> CustomerRep:
    """Creates the first (Administrator) rep of the customer owning `hostname`, only while that
    customer has no representatives at all (deleted ones included)."""
    refused = NotAuthenticated("Sign in: only a customer's first representative may be created without a token.")
    customer = Customer.objects.filter(hostname__iexact=selectors.hostname_normalise(hostname), is_active=True).first()
    if customer is None:
        raise refused
    with transaction.atomic():
        _customer_lock(customer.pk)
        if CustomerRep.objects.filter(customer_id=customer.pk).exists():
            raise refused
        return rep_create(
            customer_id=customer.pk, username=username, password=password, profile=profile, role=Role.ADMINISTRATOR
        )


def _rep_audit(*, rep: CustomerRep, action: str, detail: dict | None = None) -> None:
    """An entry about a representative row (the caller of the current request is the actor)."""
    audit_record(
        customer_id=rep.customer_id,
        action=action,
        object_type="CustomerRep",
        object_id=rep.pk,
        detail={"username": rep.username, **(detail or {})},
    )


def _last_administrator_guard(*, rep: CustomerRep) -> None:
    """A customer keeps at least one active Administrator, or nobody could manage its users."""
    is_live_admin = rep.role == Role.ADMINISTRATOR and rep.is_active and rep.deleted_at is None
    if is_live_admin and selectors.administrators_active_count(customer_id=rep.customer_id) <= 1:
        raise Conflict(
            "LastAdministrator", "This is the customer's last active Administrator; promote another one first."
        )


def rep_update(*, rep: CustomerRep, profile: RepProfile, role: str | None = None) -> CustomerRep:
    """Updates the profile (and role, when given; the API reads the role from the row on every
    request, so a change applies at once)."""
    with transaction.atomic():
        _customer_lock(rep.customer_id)
        fields = list(RepProfile.__dataclass_fields__)
        for field in fields:
            setattr(rep, field, getattr(profile, field))
        previous_role = rep.role
        if role is not None and role != rep.role:
            _last_administrator_guard(rep=rep)
            rep.role = role
            fields.append("role")
        rep.save(update_fields=fields)
        if rep.role != previous_role:
            _rep_audit(rep=rep, action=AuditAction.REP_ROLE_CHANGED, detail={"from": previous_role, "to": rep.role})
    return rep


def rep_activate(*, rep: CustomerRep) -> CustomerRep:
    """Activates a rep if a seat of the plan's user limit is free (409 UserLimitExceeded)."""
    with transaction.atomic():
        _customer_lock(rep.customer_id)
        rep.refresh_from_db(fields=["is_active", "deleted_at"])
        if rep.is_active:
            return rep
        _seat_check(customer_id=rep.customer_id)
        rep.is_active = True
        rep.save(update_fields=["is_active"])
        _rep_audit(rep=rep, action=AuditAction.REP_ACTIVATED)
    return rep


def rep_deactivate(*, rep: CustomerRep) -> CustomerRep:
    """Deactivates a rep (frees a seat); the rep's tokens stop working at once."""
    with transaction.atomic():
        _customer_lock(rep.customer_id)
        rep.refresh_from_db(fields=["is_active", "deleted_at", "role"])
        if not rep.is_active:
            return rep
        _last_administrator_guard(rep=rep)
        rep.is_active = False
        rep.token_version = F("token_version") + 1
        rep.save(update_fields=["is_active", "token_version"])
        rep.refresh_from_db(fields=["token_version"])
        _rep_audit(rep=rep, action=AuditAction.REP_DEACTIVATED)
    return rep


def rep_delete(*, rep: CustomerRep) -> None:
    """Soft-deletes a rep (kept for its tickets' history): inactive, hidden everywhere, tokens
    revoked, reset tokens dropped, username free again."""
    with transaction.atomic():
        _customer_lock(rep.customer_id)
        rep.refresh_from_db(fields=["is_active", "deleted_at", "role"])
        _last_administrator_guard(rep=rep)
        rep.deleted_at = timezone.now()
        rep.is_active = False
        rep.token_version = F("token_version") + 1
        rep.save(update_fields=["deleted_at", "is_active", "token_version"])
        rep.reset_tokens.all().delete()
        _rep_audit(rep=rep, action=AuditAction.REP_DELETED)


def signature_upsert(*, rep: CustomerRep, lang: str, html: str, text: str) -> tuple[RepSignature, bool]:
    """Creates or replaces the rep's signature for `lang`; a second language needs the plan's
    multilingual-signatures feature (403 FeatureNotInPlan). Returns (signature, created)."""
    lang = lang.strip()
    with transaction.atomic():
        CustomerRep.objects.select_for_update().filter(pk=rep.pk).first()
        signature = selectors.rep_signature_get(rep=rep, lang=lang)
        if signature is not None:
            signature.email_signature_html, signature.email_signature_text = html, text
            signature.save(update_fields=["email_signature_html", "email_signature_text"])
            return signature, False
        if selectors.rep_signatures(rep=rep).exists():
            feature_require(customer_id=rep.customer_id, feature=MULTILINGUAL_SIGNATURES)
        signature = RepSignature.objects.create(
            customer_id=rep.customer_id, rep=rep, lang=lang, email_signature_html=html, email_signature_text=text
        )
    return signature, True


def signature_delete(*, signature: RepSignature) -> None:
    """Removes one language's signature."""
    signature.delete()


LEGACY_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


def legacy_password_hash(raw_hash: str) -> str:
    """A legacy AnswerPal BCrypt hash (`$2a$…`) in Django's form (`bcrypt$$2a$…`); '' stays unusable."""
    raw_hash = raw_hash.strip()
    if not raw_hash:
        return make_password(None)
    raw_hash = raw_hash.removeprefix("bcrypt$")
    if not raw_hash.startswith(LEGACY_BCRYPT_PREFIXES) or len(raw_hash) != 60:
        raise ValueError("not a BCrypt hash ($2a$/$2b$/$2y$, 60 characters)")
    return f"bcrypt${raw_hash}"


def customer_onboard(
    *, name: str, hostname: str, plan_code: str, admin_username: str, admin_password: str, admin_email: str
) -> tuple[Customer, CustomerRep | None, bool]:
    """Creates a customer (with its subscription) and its first Administrator in one transaction;
    a customer that already has this hostname is returned unchanged with created=False."""
    existing = Customer.objects.filter(hostname__iexact=selectors.hostname_normalise(hostname)).first()
    if existing is not None:
        return existing, selectors.administrator_first(customer_id=existing.pk), False
    with transaction.atomic():
        customer = customer_create(name=name, hostname=hostname, plan_code=plan_code)
        rep = rep_create(
            customer_id=customer.pk,
            username=admin_username,
            password=admin_password,
            profile=RepProfile(name=admin_username, email=admin_email),
            role=Role.ADMINISTRATOR,
        )
    return customer, rep, True


def operator_ensure(*, username: str, password: str, email: str) -> tuple[CustomerRep, bool]:
    """A platform operator (no customer, staff, superuser) for the admin; an existing one is kept as is."""
    operator = CustomerRep.objects.filter(customer__isnull=True, username=username).first()
    if operator is not None:
        return operator, False
    return CustomerRep.objects.create_superuser(username, password, email=email, name=username), True
