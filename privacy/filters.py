"""FilterSets of the privacy lists (query names match in any casing)."""

import django_filters

from answerpal.api.filters import IdFilter
from privacy.models import ErasureJob, ErasureState, RetentionRun


class ErasureJobFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="state", choices=ErasureState.choices)
    endUserID = IdFilter(field_name="end_user_id")

    class Meta:
        model = ErasureJob
        fields = []


class RetentionRunFilterSet(django_filters.FilterSet):
    dryRun = django_filters.TypedChoiceFilter(
        field_name="dry_run", choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true"
    )

    class Meta:
        model = RetentionRun
        fields = []
