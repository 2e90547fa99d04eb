"""FilterSets of the automation lists (query names match in any casing)."""

import django_filters
from django import forms

from answerpal.api.filters import IdFilter
from automation.models import HookName, TopicAction, TopicChannel, TopicDocument
from automation.selectors import HOOK_NAMES

_HOOKS_BY_LOWER = {name.lower(): name for name in HookName.values}


class HookNameField(forms.CharField):
    """A HookName in any casing ("onclose" → "OnClose")."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        if value.lower() not in _HOOKS_BY_LOWER:
            # The value goes in params: django-filter %-formats messages, so a "%" in it would raise.
            raise forms.ValidationError(
                "Unknown hookName '%(value)s'; use one of: %(names)s.",
                code="invalid",
                params={"value": value, "names": ", ".join(HookName.values)},
            )
        return _HOOKS_BY_LOWER[value.lower()]


class HookNameFilter(django_filters.CharFilter):
    field_class = HookNameField


class TopicChannelFilterSet(django_filters.FilterSet):
    topicId = IdFilter(field_name="topic_id")
    channelId = IdFilter(field_name="channel_id")

    class Meta:
        model = TopicChannel
        fields = []


class TopicActionFilterSet(django_filters.FilterSet):
    topicId = IdFilter(field_name="topic_id")
    actionId = IdFilter(field_name="action_id")
    hookName = HookNameFilter(field_name="special_topic")
    channelId = IdFilter(field_name="channel_id")
    isActive = django_filters.BooleanFilter(field_name="action__is_active")

    class Meta:
        model = TopicAction
        fields = []


class TopicDocumentFilterSet(django_filters.FilterSet):
    topicId = IdFilter(field_name="topic_id")
    documentId = IdFilter(field_name="document_id")
    channelId = IdFilter(field_name="channel_id")
    hookName = HookNameFilter(field_name="special_topic")
    isHook = django_filters.BooleanFilter(method="filter_is_hook")

    class Meta:
        model = TopicDocument
        fields = []

    def filter_is_hook(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(special_topic__in=HOOK_NAMES) if value else queryset.exclude(special_topic__in=HOOK_NAMES)
        )


class HookActionFilterSet(django_filters.FilterSet):
    hookName = HookNameFilter(field_name="special_topic")
    actionId = IdFilter(field_name="action_id")
    channelId = IdFilter(field_name="channel_id")

    class Meta:
        model = TopicAction
        fields = []
