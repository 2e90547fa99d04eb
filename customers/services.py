"""Writes of tenant data: creating customers, the default AI model catalogue, settings, custom fields."""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from answerpal.api.errors import ApiError, Conflict, field_error
from answerpal.fields import EncryptedTextField
from audit.models import AuditAction
from audit.services import audit_record
from customers.models import DEFAULT_MODEL_SLOTS, AIModel, AIProvider, Customer, CustomFieldDefinition, ModelPurpose
from customers.plans import plan_port

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
    name, hostname = name.strip(), hostname.strip().lower()
    if not name:
        raise field_error("name", "A customer needs a name.")
    if not hostname:
        raise field_error("hostname", "A customer needs a hostname.")
    if not plan_port().plan_exists(code=plan_code):
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
    plan_port().subscribe(customer_id=customer.pk, plan_code=plan_code)
    return customer


# Default-model slot column -> its DTO name (400 errors name the DTO field).
SLOT_DTO_NAMES = {
    "default_topic_model": "defaultTopicModelId",
    "default_webchat_model": "defaultWebchatModelId",
    "default_email_model": "defaultEmailModelId",
    "default_call_model": "defaultCallModelId",
    "default_spam_model": "defaultSpamModelId",
    "default_conditional_rules_model": "defaultConditionalRulesModelId",
    "default_summary_model": "defaultSummaryModelId",
    "default_realtime_model": "defaultRealtimeModelId",
    "default_realtime_translation_model": "defaultRealtimeTranslationModelId",
    "default_transcribe_model": "defaultTranscribeModelId",
}


def _slot_errors(*, customer: Customer, chosen: dict[str, int]) -> dict[str, list[str]]:
    """Why each chosen model may not fill its slot: missing or foreign, inactive, wrong purpose, or
    above the plan (required plan level, fine-tuned without hasFineTunedModels)."""
    # The subscription and plans belong to billing (a higher floor): asked through the plan port billing registers.
    plan = plan_port().facts(customer_id=customer.pk)
    visible = Q(customer__isnull=True) | Q(customer_id=customer.pk)
    models = {row.pk: row for row in AIModel.objects.filter(visible, pk__in=chosen.values())}
    required_codes = {row.required_subscription_level for row in models.values() if row.required_subscription_level}
    levels = plan_port().levels(codes=required_codes)
    purposes = {column: purpose for purpose, column in DEFAULT_MODEL_SLOTS.items()}
    errors = {}
    for column, model_id in chosen.items():
        model, field = models.get(model_id), SLOT_DTO_NAMES[column]
        if model is None:
            errors[field] = [f"No AI model with id {model_id} is available to this customer."]
        elif not model.is_active:
            errors[field] = [f"The model '{model.model_name}' is no longer active."]
        elif model.model_type != purposes[column]:
            errors[field] = [f"The model '{model.model_name}' is a {model.model_type} model, not {purposes[column]}."]
        elif plan is None:
            errors[field] = ["This customer has no subscription plan."]
        elif model.required_subscription_level and (
            levels.get(model.required_subscription_level) is None
            or plan.level < levels[model.required_subscription_level]
        ):
            errors[field] = [f"The model '{model.model_name}' needs the {model.required_subscription_level} plan."]
        elif model.is_fine_tuned and not plan.fine_tuned_models:
            errors[field] = ["Fine-tuned models are not part of your subscription plan."]
    return errors


def _default_rep_error(*, customer: Customer, rep_id: int) -> list[str] | None:
    # Representatives belong to accounts (a higher floor): reached through their foreign key to the customer.
    rep_active = customer.reps.filter(pk=rep_id, is_active=True, deleted_at__isnull=True).exists()
    return None if rep_active else [f"No active representative with id {rep_id} exists."]


@transaction.atomic
def customer_settings_update(*, customer_id: int, changes: dict) -> Customer:
    """Applies a partial settings change (model field names as keys; `<slot>_id` for model slots and
    `default_customer_rep_id`); secrets given as None or '' are cleared, a new Graph secret forgets
    the old one's expiry. Validates every default model slot and the default representative,
    naming DTO fields in the 400. A change of a secret is audited (which secrets, never their values)."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    chosen = {
        column: changes[f"{column}_id"]
        for column in DEFAULT_MODEL_SLOTS.values()
        if changes.get(f"{column}_id") is not None
    }
    errors = _slot_errors(customer=customer, chosen=chosen) if chosen else {}
    rep_id = changes.get("default_customer_rep_id")
    if rep_id is not None and (rep_error := _default_rep_error(customer=customer, rep_id=rep_id)):
        errors["defaultCustomerRepID"] = rep_error
    if errors:
        summary = "; ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
        raise ApiError(400, "ValidationFailed", summary, errors=errors)
    if "graph_client_secret" in changes and (changes["graph_client_secret"] or "") != customer.graph_client_secret:
        customer.graph_client_secret_expires_at = None  # the known expiry belonged to the replaced secret
    secrets_changed = []
    for name, value in changes.items():
        field = Customer._meta.get_field(name)
        if value is None and not field.null:
            value = ""
        if isinstance(field, EncryptedTextField) and getattr(customer, name) != value:
            secrets_changed.append(name)
        setattr(customer, name, value)
    customer.save()
    if secrets_changed:
        audit_record(
            customer_id=customer.pk,
            action=AuditAction.SECRETS_CHANGED,
            object_type="Customer",
            object_id=customer.pk,
            detail={"fields": sorted(secrets_changed)},
        )
    return customer


def _custom_field_conflict(field_name: str) -> Conflict:
    return Conflict("DuplicateCustomField", f"A custom field named '{field_name}' already exists.")


@transaction.atomic
def custom_field_create(
    *,
    customer_id: int,
    field_name: str,
    field_type: str,
    display_name: str,
    description: str = "",
    order: int = 0,
    options: list[str] | None = None,
) -> CustomFieldDefinition:
    """Creates a custom field definition; 409 DuplicateCustomField when the name (any casing) exists."""
    if CustomFieldDefinition.objects.filter(customer_id=customer_id, field_name__iexact=field_name).exists():
        raise _custom_field_conflict(field_name)
    try:
        with transaction.atomic():
            return CustomFieldDefinition.objects.create(
                customer_id=customer_id,
                field_name=field_name,
                field_type=field_type,
                display_name=display_name,
                description=description or "",
                order=order,
                options=options or [],
            )
    except IntegrityError as error:
        raise _custom_field_conflict(field_name) from error


@transaction.atomic
def custom_field_update(*, definition: CustomFieldDefinition, changes: dict) -> CustomFieldDefinition:
    """Edits display name, description, order and options; fieldName and fieldType are immutable
    (400 ImmutableField when a different value is sent)."""
    for name, dto_name in (("field_name", "fieldName"), ("field_type", "fieldType")):
        if name in changes and changes[name] != getattr(definition, name):
            raise field_error(dto_name, f"{dto_name} cannot be changed after creation.", code="ImmutableField")
    for name in ("display_name", "description", "order", "options"):
        if name in changes:
            setattr(definition, name, changes[name] if changes[name] is not None else ([] if name == "options" else ""))
    definition.save()
    return definition


@transaction.atomic
def custom_field_delete(*, definition: CustomFieldDefinition) -> None:
    """Deletes the definition; values already stored in messages' customFieldsData are kept."""
    definition.delete()


@transaction.atomic
def customers_set_active(*, customer_ids: list[int], is_active: bool) -> int:
    """Activates or deactivates customers; a deactivated customer's tokens are refused at once."""
    return Customer.objects.filter(pk__in=customer_ids).exclude(is_active=is_active).update(is_active=is_active)


@transaction.atomic
def ai_models_set_active(*, model_ids: list[int], is_active: bool) -> int:
    """Activates or deactivates catalogue models; a deactivated model stays selected where it was a default."""
    return AIModel.objects.filter(pk__in=model_ids).exclude(is_active=is_active).update(is_active=is_active)
