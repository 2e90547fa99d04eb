"""Sign-in protection in the cache (Redis in production): failures counted per account and per client address.

A policy (login, phone login, password-reset requests) allows `account_limit` failures of one account and
`address_limit` failures from one address; failures are forgotten `window` seconds after the last one. Past the
limit every further attempt waits: the first wait is `delay` seconds and each failure after a wait doubles it, up
to `max_wait` (the temporary lock). While waiting, attempts answer 429 + Retry-After with the policy's stable code,
before any password is checked, whether the account exists or not (the account key is what the caller typed, so an
unknown account locks exactly like a known one and nothing is revealed). A successful sign-in clears the account's
failures (not the address's), a password reset and an operator unlock clear them too. Reaching a limit and every
unlock are audit entries (audit.services.audit_record, with the current request's address and request id)."""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions

from accounts.models import CustomerRep
from answerpal.api.errors import ApiError
from audit.models import ActorKind, AuditAction
from audit.services import audit_record

logger = logging.getLogger(__name__)

KEY_PREFIX = "lockout"


@dataclass(frozen=True)
class LockoutPolicy:
    name: str
    code: str
    account_limit: int
    address_limit: int
    delay: int
    max_wait: int
    window: int
    message: str


def login_policy() -> LockoutPolicy:
    return LockoutPolicy(
        name="login",
        code="LoginLocked",
        account_limit=settings.LOGIN_LOCKOUT_FAILURES,
        address_limit=settings.LOGIN_LOCKOUT_ADDRESS_FAILURES,
        delay=settings.LOGIN_LOCKOUT_DELAY_SECONDS,
        max_wait=settings.LOGIN_LOCKOUT_MAX_SECONDS,
        window=settings.LOGIN_LOCKOUT_WINDOW_SECONDS,
        message="Too many failed sign-ins: wait before trying again, or reset the password.",
    )


def phone_login_policy() -> LockoutPolicy:
    return LockoutPolicy(**{**login_policy().__dict__, "name": "phone-login"})


def password_reset_policy() -> LockoutPolicy:
    """Every reset request counts (there is no 'success' that would reveal the account)."""
    return LockoutPolicy(
        name="password-reset",
        code="PasswordResetLocked",
        account_limit=settings.PASSWORD_RESET_REQUESTS_PER_ACCOUNT,
        address_limit=settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS,
        delay=settings.LOGIN_LOCKOUT_DELAY_SECONDS,
        max_wait=settings.LOGIN_LOCKOUT_MAX_SECONDS,
        window=settings.LOGIN_LOCKOUT_WINDOW_SECONDS,
        message="Too many password-reset requests: wait before asking again.",
    )


class LockedOut(ApiError, exceptions.Throttled):
    """429 with the policy's stable code; `wait` becomes the Retry-After header (seconds)."""

    def __init__(self, policy: LockoutPolicy, wait: float):
        super().__init__(429, policy.code, policy.message)
        self.wait = max(wait, 1)


def _case_key(text: str) -> str:
    """The account as the database compares it (`iexact` is UPPER() on PostgreSQL): the long s and "S" are one key,
    so other spellings of a name buy no fresh failures."""
    return text.strip().upper().lower()


def login_account(*, hostname: str, username: str) -> str:
    from accounts.selectors import hostname_normalise

    return f"{hostname_normalise(hostname)}/{_case_key(username)}"


def reset_account(*, hostname: str, email: str) -> str:
    from accounts.selectors import hostname_normalise

    return f"{hostname_normalise(hostname)}/{_case_key(email)}"


def phone_account(*, phone_number: str) -> str:
    return "".join(phone_number.split())


def _key(policy: LockoutPolicy, scope: str, ident: str, part: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}:{policy.name}:{scope}:{digest}:{part}"


def _wait(failures: int, limit: int, policy: LockoutPolicy) -> int:
    """0 below the limit; then delay, 2 delay, 4 delay… capped at max_wait."""
    if failures < limit:
        return 0
    return min(policy.delay * 2 ** min(failures - limit, 30), policy.max_wait)


def lockout_check(policy: LockoutPolicy, *, account: str, address: str) -> None:
    """429 (LockedOut) while the account or the address waits; nothing is counted here."""
    keys = [_key(policy, "account", account, "until"), _key(policy, "address", address, "until")]
    now = time.time()
    waits = [until - now for until in cache.get_many(keys).values() if until and until > now]
    if waits:
        raise LockedOut(policy, math.ceil(max(waits)))


def _count(policy: LockoutPolicy, scope: str, ident: str, limit: int) -> tuple[int, int]:
    count_key = _key(policy, scope, ident, "failures")
    cache.add(count_key, 0, timeout=policy.window)
    try:
        failures = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=policy.window)
        failures = 1
    cache.touch(count_key, timeout=policy.window)  # forgotten `window` seconds after the last failure
    wait = _wait(failures, limit, policy)
    if wait:
        cache.set(_key(policy, scope, ident, "until"), time.time() + wait, timeout=wait)
    return failures, wait


def lockout_fail(
    policy: LockoutPolicy, *, account: str, address: str, rep: CustomerRep | None = None, customer_id=None
) -> None:
    """Counts one failure of the account and of the address; the failure that reaches a limit locks (audited)."""
    account_failures, account_wait = _count(policy, "account", account, policy.account_limit)
    address_failures, address_wait = _count(policy, "address", address, policy.address_limit)
    if account_failures == policy.account_limit:
        _locked_audit(
            policy,
            subject=f"{policy.name} {account}",
            address=address,
            wait=account_wait,
            rep=rep,
            customer_id=customer_id,
            failures=account_failures,
        )
    if address_failures == policy.address_limit:
        _locked_audit(
            policy,
            subject=f"{policy.name} from {address}",
            address=address,
            wait=address_wait,
            rep=None,
            customer_id=None,
            failures=address_failures,
        )


def _locked_audit(policy, *, subject, address, wait, rep, customer_id, failures) -> None:
    logger.warning("%s locked for %ss after %s failures", subject, wait, failures)
    audit_record(
        customer_id=rep.customer_id if rep is not None else customer_id,
        action=AuditAction.LOGIN_LOCKED,
        actor_kind=ActorKind.SYSTEM,
        object_type="CustomerRep" if rep is not None else "SignIn",
        object_id=rep.pk if rep is not None else "",
        detail={
            "policy": policy.name,
            "subject": subject[:300],
            "lockedAddress": address,
            "failures": failures,
            "waitSeconds": wait,
            "maxWaitSeconds": policy.max_wait,
        },
    )


def _clear(policy: LockoutPolicy, scope: str, ident: str) -> bool:
    keys = [_key(policy, scope, ident, "failures"), _key(policy, scope, ident, "until")]
    had = bool(cache.get_many(keys))
    cache.delete_many(keys)
    return had


def lockout_succeed(policy: LockoutPolicy, *, account: str) -> None:
    """A successful sign-in forgets the account's failures (the address keeps its count)."""
    _clear(policy, "account", account)


def rep_accounts(rep: CustomerRep) -> list[tuple[LockoutPolicy, str]]:
    """The lockout accounts a representative signs in or resets through."""
    if rep.customer_id is None:
        return [(login_policy(), login_account(hostname="operator", username=rep.username))]
    hostname = rep.customer.hostname
    accounts = [(login_policy(), login_account(hostname=hostname, username=rep.username))]
    if rep.email:
        accounts.append((password_reset_policy(), reset_account(hostname=hostname, email=rep.email)))
    return accounts


def rep_unlock(*, rep: CustomerRep, actor: str, reason: str = "") -> bool:
    """Clears the representative's sign-in and reset locks and failures; audited when there was any (`actor`
    says how, e.g. 'password reset'; the caller of the current request is the entry's actor)."""
    cleared = [policy.name for policy, account in rep_accounts(rep) if _clear(policy, "account", account)]
    if cleared:
        audit_record(
            customer_id=rep.customer_id,
            action=AuditAction.LOGIN_UNLOCKED,
            object_type="CustomerRep",
            object_id=rep.pk,
            detail={"policies": cleared, "username": rep.username, "by": actor[:200], "reason": reason},
        )
        logger.info("Sign-in of %s unlocked by %s (%s)", rep.username, actor, reason)
    return bool(cleared)


def address_unlock(*, address: str, actor: str) -> bool:
    """Clears the failures and locks of one client address for every policy; audited when there was any."""
    policies = (login_policy(), phone_login_policy(), password_reset_policy())
    cleared = [policy.name for policy in policies if _clear(policy, "address", address)]
    if cleared:
        audit_record(
            customer_id=None,
            action=AuditAction.LOGIN_UNLOCKED,
            object_type="ClientAddress",
            object_id=address,
            detail={"policies": cleared, "by": actor[:200]},
        )
    return bool(cleared)


def phone_unlock(*, phone_number: str, actor: str) -> bool:
    """Clears the phone sign-in failures and lock of one number; audited when there was any."""
    account = phone_account(phone_number=phone_number)
    if not _clear(phone_login_policy(), "account", account):
        return False
    audit_record(
        customer_id=None,
        action=AuditAction.LOGIN_UNLOCKED,
        object_type="PhoneNumber",
        object_id=account,
        detail={"policies": ["phone-login"], "by": actor[:200]},
    )
    return True
