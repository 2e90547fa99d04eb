"""What every ticket DTO serializer shares: fields declared from a `{DTO name: model path}` map (typed in
the schema from the model), rendering from rows or instances, and nulls stored as blank text."""

import datetime
from functools import partial

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers


def _schema_field(model, name: str, source: str) -> serializers.Field:
    """A read-only field typed like the model attribute `source` (documents the DTO in the schema)."""
    options = {"read_only": True, "allow_null": True, **({"source": source} if source != name else {})}
    try:
        internal = model._meta.get_field(source).get_internal_type()  # a foreign key's `x_id` finds it too
    except FieldDoesNotExist:
        internal = "BigAutoField" if source == "id" or source.endswith("_id") else "CharField"
    field_class = {
        "ForeignKey": serializers.IntegerField,
        "OneToOneField": serializers.IntegerField,
        "BigAutoField": serializers.IntegerField,
        "IntegerField": serializers.IntegerField,
        "BooleanField": serializers.BooleanField,
        "DateTimeField": serializers.DateTimeField,
        "JSONField": serializers.JSONField,
        "PositiveIntegerField": serializers.IntegerField,
        "BigIntegerField": serializers.IntegerField,
    }.get(internal, serializers.CharField)
    return field_class(**options)


class SourceFieldsSerializer(serializers.Serializer):
    """Renders `dto_fields` ({DTO name: attribute}) straight from attributes: one mapping drives both the
    schema (typed read-only fields declared from it) and a fast to_representation for large pages
    (DRF's per-field machinery costs ~1 ms a row on wide DTOs)."""

    model = None
    dto_fields: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = {name: _schema_field(cls.model, name, source) for name, source in cls.dto_fields.items()}
        cls._declared_fields = {**declared, **cls._declared_fields}

    def to_representation(self, instance):
        read = instance.__getitem__ if isinstance(instance, dict) else partial(getattr, instance)
        return {name: _plain(read(source)) for name, source in self.dto_fields.items()}


def with_registered_fields(fields: dict, names) -> dict:
    """`fields` plus a read-only nullable text field per registered extra name (tickets.registry), so the schema
    documents the fields other apps add to a DTO."""
    for name in names:
        fields.setdefault(name, serializers.CharField(read_only=True, allow_null=True))
    return fields


def source_attribute(instance, source: str):
    """A model attribute, or the same key of a values() row."""
    return instance[source] if isinstance(instance, dict) else getattr(instance, source)


_TEMPORAL = (datetime.date, datetime.time)  # datetime.datetime is a date


def _plain(value):
    if isinstance(value, _TEMPORAL):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


class NullAsBlankSerializer(serializers.Serializer):
    """Clients send `null` for optional texts (TypeScript `field?: string`); an optional text field
    that allows blank reads null as ""."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            blank_ok = {
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField) and field.allow_blank and not field.allow_null
            }
            data = {key: ("" if value is None and key in blank_ok else value) for key, value in data.items()}
        return super().to_internal_value(data)
