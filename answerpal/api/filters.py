"""Query parameters that hold numbers: checked to fit the database column before any query runs.

Ids are BigAutoField (a signed 64-bit column on SQLite and PostgreSQL). A value outside that range
(`customerRepID=-1.79e308`, `ticketId=99999999999999999999`) or not a whole number answers 400 with
the parameter named in `errors`; the database driver would raise OverflowError (a 500) instead.
"""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from answerpal.api.errors import field_error

BIGINT_MAX = 2**63 - 1
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 0, "maximum": BIGINT_MAX}


class IdField(forms.IntegerField):
    """A whole number 0..BIGINT_MAX (0 where a filter gives it a meaning, e.g. unassigned)."""

    def __init__(self, *, min_value=0, max_value=BIGINT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """An id query parameter (`channelId=3`): IdField's range, exact match on the column."""

    field_class = IdField

    def get_max_validator(self):
        return None  # IdField carries its own range


def parse_id(raw, *, name: str) -> int:
    """One id given as text (a query parameter, a list item): 400 naming `name` unless it fits."""
    try:
        return IdField().clean(raw)
    except forms.ValidationError as error:
        raise field_error(name, f"{name} must be a whole number from 0 to {BIGINT_MAX}.") from error


def query_id(request, name: str, *, required: bool = False) -> int | None:
    """The id query parameter `name` (None when absent and not required)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise field_error(name, f"{name} is required.")
        return None
    return parse_id(raw, name=name)
