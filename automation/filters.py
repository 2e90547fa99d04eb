"""FilterSets of the automation lists (query names match in any casing)."""

import django_filters

from automation.models import HookName, TopicAction, TopicChannel, TopicDocument
from automation.selectors import HOOK_NAMES


class TopicChannelFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")

    class Meta:
        model = TopicChannel
        fields = []


class TopicActionFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    actionId = django_filters.NumberFilter(field_name="action_id")
    hookName = django_filters.ChoiceFilter(field_name="special_topic", choices=HookName.choices)
    channelId = django_filters.NumberFilter(field_name="channel_id")
    isActive = django_filters.BooleanFilter(field_name="action__is_active")

    class Meta:
        model = TopicAction
        fields = []


class TopicDocumentFilterSet(django_filters.FilterSet):
    topicId = django_filters.NumberFilter(field_name="topic_id")
    documentId = django_filters.NumberFilter(field_name="document_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")
    hookName = django_filters.ChoiceFilter(field_name="special_topic", choices=HookName.choices)
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
    hookName = django_filters.ChoiceFilter(field_name="special_topic", choices=HookName.choices)
    actionId = django_filters.NumberFilter(field_name="action_id")
    channelId = django_filters.NumberFilter(field_name="channel_id")

    class Meta:
        model = TopicAction
        fields = []
