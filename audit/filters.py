"""The FilterSet of GET /api/AuditLog."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from audit.models import ActorKind, AuditAction, AuditEntry


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in the database's range (1.5 or 1e400 is a 400, not a guess or an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class AuditEntryFilterSet(django_filters.FilterSet):
    """actorID, action (repeatable), actorKind, objectType, objectID, and the time range `from` (inclusive) /
    `to` (exclusive) as ISO 8601 date-times."""

    actorID = IdFilter(field_name="actor_id")
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, distinct=False)
    actorKind = django_filters.ChoiceFilter(field_name="actor_kind", choices=ActorKind.choices)
    objectType = django_filters.CharFilter(field_name="object_type", lookup_expr="iexact")
    objectID = django_filters.CharFilter(field_name="object_id")

    class Meta:
        model = AuditEntry
        fields: list[str] = []


# `from` is a Python keyword, so the range filters are added by name (as billing's from/to parameters).
AuditEntryFilterSet.base_filters["from"] = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
AuditEntryFilterSet.base_filters["to"] = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
