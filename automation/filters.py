"""FilterSets of the automation lists (query names match in any casing)."""

import django_filters
from django import forms

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
            raise forms.ValidationError(f"Unknown hookName '{value}'; use one of: {', '.join(HookName.values)}.")
        return _HOOKS_BY_LOWER[value.lower()]


class HookNameFilter(django_filters.CharFilter):
    field_class = HookNameField


class TopicChannelFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")

    class Meta:
        model = TopicChannel
        fields = []


class TopicActionFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    actionId = django_filters.NumberFilter(field_name="action_id")
    hookName = HookNameFilter(field_name="special_topic")
    channelId = django_filters.NumberFilter(field_name="channel_id")
    isActive = django_filters.BooleanFilter(field_name="action__is_active")

    class Meta:
        model = TopicAction
        fields = []


class TopicDocumentFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    documentId = django_filters.NumberFilter(field_name="document_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")
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
    actionId = django_filters.NumberFilter(field_name="action_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")

    class Meta:
        model = TopicAction
        fields = []
