"""Writes of billing data: default plans, the cost ledger, storage usage and its notifications."""

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from answerpal.api.policies import Role
from answerpal.events import Event, publish
from billing.models import (
    CostEntry,
    CostProvider,
    CustomerSubscription,
    StorageCategory,
    StorageNotificationState,
    StorageUsage,
    SubscriptionPlan,
)
from billing.selectors import effective_limits, storage_status
from billing.storage import storage_measure
from customers.models import AIModel

logger = logging.getLogger(__name__)

_ALL_FEATURES = {
    "has_chat": True,
    "has_email": True,
    "has_phone": True,
    "has_multilingual_signatures": True,
    "has_fine_tuned_models": True,
    "has_api_calls": True,
    "has_schedules_of_condition": True,
}

# The platform's standard plans (prices in EUR per month). Operators may edit them in the admin;
# plans_ensure_default() only creates missing ones and never overwrites edits.
DEFAULT_PLANS: dict[str, dict] = {
    "starter": {
        "plan_name": "Starter",
        "level": 10,
        "monthly_fee": Decimal("49.00"),
        "max_users": 3,
        "storage_limit_gb": Decimal("10.00"),
        "ai_phone_budget_percent": Decimal("0.00"),
        "ai_phone_budget_eur": Decimal("0.00"),
        "has_chat": True,
        "has_email": True,
        "has_phone": False,
        "has_multilingual_signatures": False,
        "has_fine_tuned_models": False,
        "has_api_calls": False,
        "has_schedules_of_condition": False,
    },
    "business": {
        "plan_name": "Business",
        "level": 30,
        "monthly_fee": Decimal("199.00"),
        "max_users": 10,
        "storage_limit_gb": Decimal("50.00"),
        "ai_phone_budget_percent": Decimal("20.00"),
        "ai_phone_budget_eur": Decimal("100.00"),
        **_ALL_FEATURES,
    },
    "enterprise": {
        "plan_name": "Enterprise",
        "level": 50,
        "monthly_fee": Decimal("699.00"),
        "max_users": 50,
        "storage_limit_gb": Decimal("500.00"),
        "ai_phone_budget_percent": Decimal("30.00"),
        "ai_phone_budget_eur": Decimal("1000.00"),
        **_ALL_FEATURES,
    },
}

_MILLION = Decimal(1_000_000)
_AMOUNT_PLACES = Decimal("0.000001")


@transaction.atomic
def plans_ensure_default() -> list[SubscriptionPlan]:
    """Creates the starter, business and enterprise plans when missing (idempotent; edits are kept)."""
    return [
        SubscriptionPlan.objects.get_or_create(code=code, defaults=values)[0] for code, values in DEFAULT_PLANS.items()
    ]


def _model_for_cost(*, customer_id: int, model_name: str, purpose: str) -> AIModel | None:
    """The catalogue row priced for this call: the customer's own before a global one, same purpose first."""
    candidates = AIModel.objects.filter(Q(customer_id=customer_id) | Q(customer__isnull=True), model_name=model_name)
    ranked = sorted(candidates, key=lambda row: (row.customer_id is None, row.model_type != purpose, row.pk))
    return ranked[0] if ranked else None


def cost_amount(*, model: AIModel, input_tokens: int = 0, output_tokens: int = 0, seconds=0) -> Decimal:
    """Price of one call from the model's per-million token prices and per-minute audio price."""
    amount = (
        Decimal(input_tokens) * model.input_price_per_million / _MILLION
        + Decimal(output_tokens) * model.output_price_per_million / _MILLION
        + Decimal(str(seconds)) * model.price_per_minute / 60
    )
    return amount.quantize(_AMOUNT_PLACES)


def cost_record(
    *,
    customer_id: int,
    provider: str,
    model: "str | AIModel",
    purpose: str,
    input_tokens: int = 0,
    output_tokens: int = 0,
    seconds=0,
    amount: Decimal | None = None,
    message_id: int | None = None,
    occurred_at: datetime | None = None,
) -> CostEntry:
    """Appends one row to the cost ledger; without `amount` it is priced from the AIModel catalogue
    (0 when the model is not in the catalogue, which is logged)."""
    if provider not in CostProvider.values:
        raise ValueError(f"Unknown cost provider {provider!r}; use one of {', '.join(CostProvider.values)}.")
    if min(input_tokens, output_tokens, Decimal(str(seconds))) < 0:
        raise ValueError("Token counts and seconds cannot be negative.")
    if isinstance(model, AIModel):
        ai_model, model_name = model, model.model_name
    else:
        model_name = model or ""
        ai_model = _model_for_cost(customer_id=customer_id, model_name=model_name, purpose=purpose) if model else None
    if amount is None:
        if ai_model is None:
            logger.warning("No catalogue price for %r (customer %s); cost recorded as 0.", model_name, customer_id)
            amount = Decimal(0)
        else:
            amount = cost_amount(
                model=ai_model, input_tokens=input_tokens, output_tokens=output_tokens, seconds=seconds
            )
    return CostEntry.objects.create(
        customer_id=customer_id,
        provider=provider,
        model_name=model_name,
        ai_model=ai_model,
        purpose=purpose or "",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        seconds=Decimal(str(seconds)),
        amount=Decimal(amount).quantize(_AMOUNT_PLACES),
        message_id=message_id,
        occurred_at=occurred_at or timezone.now(),
    )


def _storage_column(category: str) -> str:
    if category not in StorageCategory.values:
        raise ValueError(f"Unknown storage category {category!r}; use one of {', '.join(StorageCategory.values)}.")
    return f"{category}_bytes"


def _notification_state(used_bytes: int, limit_bytes: int) -> str:
    if used_bytes >= limit_bytes:
        return StorageNotificationState.EXCEEDED
    if used_bytes * 10 >= limit_bytes * 8:
        return StorageNotificationState.WARNING_80
    return StorageNotificationState.NORMAL


def _notification_update(usage: StorageUsage) -> None:
    """Moves the 80 % / 100 % state; on first entering a state stamps it and publishes
    StorageThresholdReached once (billing emails the administrators; other apps may subscribe);
    dropping back below 80 % re-arms both notifications."""
    limit_bytes = effective_limits(customer_id=usage.customer_id).storage_limit_bytes
    state = _notification_state(usage.used_bytes, limit_bytes)
    now = timezone.now()
    if state == StorageNotificationState.NORMAL:
        usage.warning_notified_at = usage.exceeded_notified_at = None
    elif state == StorageNotificationState.WARNING_80:
        usage.exceeded_notified_at = None
        if usage.warning_notified_at is None:
            usage.warning_notified_at = now
            publish(Event.STORAGE_THRESHOLD_REACHED, customer_id=usage.customer_id, state=state)
    elif usage.exceeded_notified_at is None:
        usage.exceeded_notified_at = now
        usage.warning_notified_at = usage.warning_notified_at or now
        publish(Event.STORAGE_THRESHOLD_REACHED, customer_id=usage.customer_id, state=state)
    usage.notification_state = state
    usage.save(update_fields=["notification_state", "warning_notified_at", "exceeded_notified_at", "updated_at"])


@transaction.atomic
def storage_usage_change(*, customer_id: int, delta_bytes: int, category: str) -> StorageUsage:
    """Adds `delta_bytes` (negative when a file is deleted) to one category atomically (F(), never
    below 0) and re-evaluates the 80 % / 100 % notification state."""
    column = _storage_column(category)
    StorageUsage.objects.get_or_create(customer_id=customer_id)
    StorageUsage.objects.filter(customer_id=customer_id).update(
        **{column: Greatest(F(column) + delta_bytes, 0)}, updated_at=timezone.now()
    )
    usage = StorageUsage.objects.select_for_update().get(customer_id=customer_id)
    _notification_update(usage)
    return usage


def stored_files_release(*, customer_id: int, category: str, files, freed_bytes: int) -> None:
    """Deletes the stored `files` (storage-API FieldFiles) once the transaction commits, so a rollback keeps
    them, and gives `freed_bytes` of `category` back to the customer's storage count now."""
    removals = [(file.storage, file.name) for file in files if file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in removals])
    if freed_bytes:
        storage_usage_change(customer_id=customer_id, delta_bytes=-freed_bytes, category=category)


@transaction.atomic
def storage_usage_recalculate(*, customer_id: int) -> StorageUsage:
    """Replaces every category's bytes with the sum of the registered storage sources and stamps
    last_calculated_at; re-evaluates the notification state."""
    measured = storage_measure(customer_id=customer_id)
    usage, _ = StorageUsage.objects.select_for_update().get_or_create(customer_id=customer_id)
    for category, size in measured.items():
        setattr(usage, _storage_column(category), size)
    usage.last_calculated_at = timezone.now()
    usage.save()
    _notification_update(usage)
    return usage


_THRESHOLD_SUBJECTS = {
    StorageNotificationState.WARNING_80: "AnswerPal: {name} has used 80% of its storage",
    StorageNotificationState.EXCEEDED: "AnswerPal: {name} has reached its storage limit",
}


def storage_threshold_notify(*, customer_id: int, state: str) -> int:
    """Emails the customer's active administrators that storage crossed 80 % or 100 % of the
    effective limit; returns the number of messages sent (0 when the state has passed meanwhile)."""
    usage = StorageUsage.objects.select_related("customer").filter(customer_id=customer_id).first()
    if usage is None or usage.notification_state != state or state not in _THRESHOLD_SUBJECTS:
        return 0
    status = storage_status(customer_id=customer_id)
    # Representatives belong to accounts (a higher floor): reached through their foreign key to the customer.
    recipients = list(
        usage.customer.reps.filter(role=Role.ADMINISTRATOR, is_active=True, deleted_at__isnull=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    subject = _THRESHOLD_SUBJECTS[state].format(name=usage.customer.name)
    body = (
        f"{usage.customer.name} stores {status.used_gb} GB of its {status.limit_gb} GB "
        f"({status.usage_percent}%).\n\n"
        + (
            "New attachments, documents and call recordings are refused until space is freed or the plan is upgraded."
            if state == StorageNotificationState.EXCEEDED
            else "Delete files you no longer need or upgrade the plan before the limit is reached."
        )
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@transaction.atomic
def subscription_create(*, customer_id: int, plan_code: str) -> CustomerSubscription:
    """Subscribes the customer to the plan with that code (DoesNotExist for an unknown code; one per customer)."""
    return CustomerSubscription.objects.create(
        customer_id=customer_id, plan=SubscriptionPlan.objects.get(code=plan_code)
    )
