"""FilterSets of the ticket and end-user lists (array parameters come as repeated keys)."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

from answerpal.api.filters import IdField, IdFilter
from tickets.models import Ticket, TicketStatus
from tickets.services import phone_normalize

# Query parameters that TicketCounter can answer exactly (everything else counts on an index).
COUNTER_FILTERS = frozenset({"status", "isspam", "isclosed"})


class IntegerListField(forms.Field):
    """`channelIDs=1&channelIDs=2` (or `channelIDs=1,2`) → [1, 2]."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        items = [part for raw in value for part in str(raw).split(",") if part.strip()]
        id_field = IdField()
        try:
            return [id_field.clean(item) for item in items]
        except forms.ValidationError as error:
            raise forms.ValidationError("Expected integer ids.") from error


class IntegerListFilter(django_filters.Filter):
    field_class = IntegerListField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class TicketFilterSet(django_filters.FilterSet):
    """Every filter of TicketQueryParameters and the current docs (channel and channelType are synonyms;
    customerRepID=0 means unassigned)."""

    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, distinct=False)
    customerRepID = IdFilter(method="filter_rep")
    channel = django_filters.CharFilter(field_name="channel_type", lookup_expr="iexact")
    channelType = django_filters.CharFilter(field_name="channel_type", lookup_expr="iexact")
    channelIDs = IntegerListFilter(field_name="channel_id")
    uid = django_filters.CharFilter(method="filter_uid")
    isSpam = django_filters.BooleanFilter(field_name="is_spam")
    isClosed = django_filters.BooleanFilter(method="filter_closed")
    endUserId = IdFilter(field_name="end_user_id")

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_queryset(self, queryset):
        """Also leaves the cleaned values on the request, for the list's counter-based totalCount."""
        if self.request is not None:
            self.request.ticket_filters = self.form.cleaned_data
        return super().filter_queryset(queryset)

    def filter_rep(self, queryset, name, value):
        return queryset.filter(customer_rep__isnull=True) if value == 0 else queryset.filter(customer_rep_id=value)

    def filter_closed(self, queryset, name, value):
        """On the status column (indexed with the customer), which is Closed exactly when isClosed."""
        if value is None:
            return queryset
        closed = queryset.filter(status=TicketStatus.CLOSED)
        return closed if value else queryset.exclude(status=TicketStatus.CLOSED)

    def filter_uid(self, queryset, name, value):
        value = value.strip()
        forms_of_uid = {value, value.lower()}
        if any(char.isdigit() for char in value) and "@" not in value:
            forms_of_uid.add(phone_normalize(value))
        return queryset.filter(uid__in=forms_of_uid)


class SparseFilterBackend(DjangoFilterBackend):
    """django-filter builds and validates a form on every request; when the query names none of the
    FilterSet's parameters (the common first page) there is nothing to filter, so it is skipped."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        names = {name.lower() for name in filterset_class.base_filters}
        if not any(key.lower() in names for key in request.query_params):
            return None
        return super().get_filterset(request, queryset, view)
