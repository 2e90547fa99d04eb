"""FilterSets of the place description lists (query names match in any casing)."""

import django_filters

from answerpal.api.filters import IdFilter
from places.models import PlaceDescriptionReport


class PlaceDescriptionReportFilterSet(django_filters.FilterSet):
    """`ticketId`: the reports linked to one ticket (the ticket's reports)."""

    ticketId = IdFilter(field_name="ticket_id")

    class Meta:
        model = PlaceDescriptionReport
        fields = []
