"""Writes of tenant data: creating customers, the default AI model catalogue, settings, custom fields."""

from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction

from answerpal.api.errors import Conflict, field_error
from customers.models import DEFAULT_MODEL_SLOTS, AIModel, AIProvider, Customer, ModelPurpose

_MINI = {"input_price_per_million": Decimal("0.15"), "output_price_per_million": Decimal("0.60")}
_4O = {"input_price_per_million": Decimal("2.50"), "output_price_per_million": Decimal("10.00"), "has_vision": True}
_4O_ONLINE = {**_4O, "supports_internet_access": True, "required_subscription_level": "business"}
_REALTIME = {"input_price_per_million": Decimal("40.00"), "output_price_per_million": Decimal("80.00")}
_REALTIME_MINI = {"input_price_per_million": Decimal("10.00"), "output_price_per_million": Decimal("20.00")}

# (purpose, OpenAI model name, attributes); the first model of each purpose is its OpenAI default.
# Prices are the provider's list prices per million tokens (audio models: per minute).
OPENAI_CATALOGUE: list[tuple[str, str, dict]] = [
    (ModelPurpose.TOPICS, "gpt-4o-mini", _MINI),
    (ModelPurpose.TOPICS, "gpt-4o", {**_4O, "required_subscription_level": "business"}),
    (ModelPurpose.WEBCHAT, "gpt-4o-mini", {**_MINI, "supports_internet_access": True}),
    (ModelPurpose.WEBCHAT, "gpt-4o", _4O_ONLINE),
    (ModelPurpose.EMAIL, "gpt-4o-mini", {**_MINI, "supports_internet_access": True}),
    (ModelPurpose.EMAIL, "gpt-4o", _4O_ONLINE),
    (ModelPurpose.CALL, "gpt-4o-mini", {**_MINI, "supports_internet_access": True}),
    (ModelPurpose.SPAM, "gpt-4o-mini", _MINI),
    (ModelPurpose.CONDITIONAL_RULES, "gpt-4o-mini", _MINI),
    (ModelPurpose.SUMMARY, "gpt-4o-mini", _MINI),
    (ModelPurpose.REALTIME, "gpt-4o-mini-realtime-preview", {**_REALTIME_MINI, "supports_internet_access": True}),
    (
        ModelPurpose.REALTIME,
        "gpt-4o-realtime-preview",
        {**_REALTIME, "supports_internet_access": True, "required_subscription_level": "business"},
    ),
    (ModelPurpose.REALTIME_TRANSLATION, "gpt-4o-realtime-preview", _REALTIME),
    (ModelPurpose.TRANSCRIBE, "whisper-1", {"price_per_minute": Decimal("0.006")}),
    (ModelPurpose.TRANSCRIBE, "gpt-4o-transcribe", {"price_per_minute": Decimal("0.006")}),
]
LOCAL_MODEL_NAME = "local"


@transaction.atomic
def model_catalogue_ensure_default() -> list[AIModel]:
    """Creates the global AI model catalogue when missing (idempotent; edits are kept): OpenAI models
    for every purpose plus an offline `local` model per purpose, the local one being the slot's
    default when AI_PROVIDER is local (the embedded setup), else the first OpenAI model."""
    local_is_default = settings.AI_PROVIDER == AIProvider.LOCAL
    seen_purposes: set[str] = set()
    rows = []
    for purpose, model_name, attributes in OPENAI_CATALOGUE:
        is_default = not local_is_default and purpose not in seen_purposes
        seen_purposes.add(purpose)
        rows.append(
            AIModel.objects.get_or_create(
                customer=None,
                provider=AIProvider.OPENAI,
                model_name=model_name,
                model_type=purpose,
                defaults={**attributes, "is_default": is_default},
            )[0]
        )
    for purpose in ModelPurpose.values:
        rows.append(
            AIModel.objects.get_or_create(
                customer=None,
                provider=AIProvider.LOCAL,
                model_name=LOCAL_MODEL_NAME,
                model_type=purpose,
                defaults={"is_default": local_is_default},
            )[0]
        )
    return rows


@transaction.atomic
def customer_create(*, name: str, hostname: str, plan_code: str = "business") -> Customer:
    """Creates a tenant with its subscription on `plan_code` and every default model slot set to the
    catalogue's default model for that purpose (409 DuplicateHostname when the hostname is taken)."""
    # billing (floor 3) owns the plan models; customers reaches them by name, as model FKs do.
    plan_model = apps.get_model("billing", "SubscriptionPlan")
    subscription_model = apps.get_model("billing", "CustomerSubscription")
    name, hostname = name.strip(), hostname.strip().lower()
    if not name:
        raise field_error("name", "A customer needs a name.")
    if not hostname:
        raise field_error("hostname", "A customer needs a hostname.")
    plan = plan_model.objects.filter(code=plan_code).first()
    if plan is None:
        raise field_error("plan_code", f"No subscription plan '{plan_code}' exists; create the default plans first.")
    defaults = {
        row.model_type: row
        for row in AIModel.objects.filter(customer__isnull=True, is_active=True, is_default=True).order_by("-pk")
    }
    slots = {column: defaults.get(purpose) for purpose, column in DEFAULT_MODEL_SLOTS.items()}
    if Customer.objects.filter(hostname__iexact=hostname).exists():
        raise Conflict("DuplicateHostname", f"A customer with hostname '{hostname}' already exists.")
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name=name, hostname=hostname, **slots)
    except IntegrityError as error:
        raise Conflict("DuplicateHostname", f"A customer with hostname '{hostname}' already exists.") from error
    subscription_model.objects.create(customer=customer, plan=plan)
    return customer
