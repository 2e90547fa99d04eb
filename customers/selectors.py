"""Reads of tenant data: the customer with its settings, its visible AI models, custom field rules."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from answerpal.api.errors import ApiError
from customers.models import DEFAULT_MODEL_SLOTS, AIModel, Customer, CustomFieldDefinition, CustomFieldType

CUSTOM_FIELDS_DATA = "customFieldsData"


def customer_get(*, customer_id: int) -> Customer:
    """The caller's customer (the JWT proved it exists and is active)."""
    return Customer.objects.get(pk=customer_id)


def customer_models(*, customer: Customer) -> list[AIModel]:
    """Models a customer may see: active global and own models, plus inactive ones still selected as
    a default slot (so the UI can show what is set). One query."""
    selected = [pk for pk in (getattr(customer, f"{column}_id") for column in DEFAULT_MODEL_SLOTS.values()) if pk]
    visible = Q(customer__isnull=True) | Q(customer_id=customer.pk)
    rows = AIModel.objects.filter(visible).filter(Q(is_active=True) | Q(pk__in=selected))
    return list(rows.order_by("model_type", "model_name", "pk"))


def custom_fields_list(*, customer_id: int):
    return CustomFieldDefinition.objects.filter(customer_id=customer_id).order_by("order", "pk")


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def _custom_value(definition: CustomFieldDefinition, value):
    """The value normalised for its field type; ValueError with the reason when it does not fit."""
    if value is None:
        return None
    if definition.field_type == CustomFieldType.NUMBER:
        try:
            return _number(value)
        except (ValueError, InvalidOperation):
            raise ValueError("must be a number") from None
    if definition.field_type == CustomFieldType.DATE:
        return _date(value)
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if definition.field_type == CustomFieldType.DROPDOWN and value not in definition.options:
        raise ValueError(f"must be one of: {', '.join(definition.options)}")
    return value


def _date(value) -> str:
    message = "must be a date as YYYY-MM-DD"
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(message)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(message) from None


def custom_fields_validate(*, customer_id: int, data: dict) -> dict:
    """Checks a `customFieldsData` map against the customer's definitions (unknown key, wrong type,
    date format, dropdown option) and returns it normalised; 400 InvalidCustomFields names every
    offending key as `customFieldsData.<fieldName>`. One query."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        message = "must be an object mapping field names to values"
        errors = {CUSTOM_FIELDS_DATA: [message]}
        raise ApiError(400, "InvalidCustomFields", f"{CUSTOM_FIELDS_DATA} {message}.", errors=errors)
    definitions = {row.field_name: row for row in CustomFieldDefinition.objects.filter(customer_id=customer_id)}
    cleaned, errors = {}, {}
    for key, value in data.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"{CUSTOM_FIELDS_DATA}.{key}"] = ["is not a custom field of this customer"]
            continue
        try:
            cleaned[key] = _custom_value(definition, value)
        except ValueError as error:
            errors[f"{CUSTOM_FIELDS_DATA}.{key}"] = [str(error)]
    if errors:
        summary = "; ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
        raise ApiError(400, "InvalidCustomFields", summary, errors=errors)
    return cleaned
