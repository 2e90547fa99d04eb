"""The FilterSet of GET /api/AuditLog."""

import django_filters

from answerpal.api.filters import IdFilter
from audit.models import ActorKind, AuditAction, AuditEntry


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
