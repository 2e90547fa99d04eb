"""Serializer fields shared by every app: tenant-checked relations, bounded JSON and masked secrets."""

from rest_framework import serializers

from answerpal.api.parsers import JsonInputError, json_loads_limited

MASK = "********"


class TenantPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the caller's customer; another tenant's id reads as missing."""

    default_error_messages = {
        "does_not_exist": "No object with id {pk_value} exists.",
        "incorrect_type": "Expected an integer id, received {data_type}.",
    }

    def __init__(self, tenant_field: str = "customer", **kwargs):
        self.tenant_field = tenant_field
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        customer_id = self.context.get("customer_id")
        return queryset.filter(**{f"{self.tenant_field}_id": customer_id})


class LimitedJSONField(serializers.JSONField):
    """A JSON value; sent as text in a form or multipart body it is parsed by json_loads_limited
    (400 with the field named, not a RecursionError), as JSON bodies are by LimitedJSONParser."""

    def to_internal_value(self, data):
        if self.binary or getattr(data, "is_json_string", False):
            text = data.decode() if isinstance(data, bytes) else data
            try:
                return json_loads_limited(text)
            except (JsonInputError, UnicodeDecodeError) as error:
                raise serializers.ValidationError(str(error), code="invalid") from error
        return super().to_internal_value(data)


def blank_nulls(attrs: dict, names) -> dict:
    """Stores an explicit null sent for any of these (blank-able text) sources as an empty string."""
    for name in names:
        if name in attrs and attrs[name] is None:
            attrs[name] = ""
    return attrs


def mask_secret(value: str | None, *, last_four: bool = True) -> str | None:
    """Shows that a secret is set without revealing it: '********abcd' (or '********' without `last_four`)."""
    if not value:
        return None
    return MASK + value[-4:] if last_four and len(value) > 8 else MASK


def _caller_is_administrator(context: dict) -> bool:
    request = context.get("request")
    auth = getattr(request, "auth", None)
    return bool(getattr(auth, "is_admin", False))


class SecretField(serializers.CharField):
    """A write-mostly secret: read back masked (its last four characters only for Administrators, who manage
    it; other callers see only that it is set); a masked value sent back means 'unchanged'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return mask_secret(value, last_four=_caller_is_administrator(self.context))

    def validate_empty_values(self, data):
        if isinstance(data, str) and data.startswith(MASK):
            raise serializers.SkipField()
        return super().validate_empty_values(data)
