"""Automation reads: topic policy resolution, link lists, the links that apply to a message, prompt documents."""

import re

from django.db.models import Exists, OuterRef, Prefetch, Q, Sum

from automation.models import (
    ALL_TOPICS,
    Action,
    ActionType,
    HookName,
    SpecialChannel,
    TicketMessageAction,
    Topic,
    TopicAction,
    TopicChannel,
    TopicDocument,
)
from channels_cfg.models import Channel, TopicPolicyMode
from customers.models import CustomFieldDefinition
from documents.api_definition import DefinitionError, parse_field_mapping
from documents.models import DocumentCustomFieldRequirement

HOOK_NAMES = frozenset(HookName.values)


def topics_for_channel(*, customer_id: int, channel_id: int):
    """The customer's active topics that apply to the channel.

    A topic linked through TopicChannels applies only to its linked channels; an unlinked topic applies to
    every channel. The channel's topic policy then decides: All keeps them, Exclude drops its
    `exclude_topics`, Include uses exactly its `include_topics` (active ones, links ignored)."""
    channel = Channel.objects.filter(customer_id=customer_id, pk=channel_id).first()
    if channel is None:
        return Topic.objects.none()
    topics = Topic.objects.filter(customer_id=customer_id, is_active=True)
    if channel.topic_policy_mode == TopicPolicyMode.INCLUDE:
        return topics.filter(pk__in=channel.include_topics.values("pk"))
    linked_here = TopicChannel.objects.filter(topic=OuterRef("pk"), channel_id=channel_id)
    linked_anywhere = TopicChannel.objects.filter(topic=OuterRef("pk"))
    topics = topics.filter(Exists(linked_here) | ~Exists(linked_anywhere))
    if channel.topic_policy_mode == TopicPolicyMode.EXCLUDE:
        topics = topics.exclude(pk__in=channel.exclude_topics.values("pk"))
    return topics


def topic_queryset():
    """Topics with the custom-field requirements of their linked documents (three extra queries per page)."""
    requirements = DocumentCustomFieldRequirement.objects.select_related("custom_field_definition")
    return Topic.objects.prefetch_related(
        Prefetch(
            "document_links",
            queryset=TopicDocument.objects.select_related("document").prefetch_related(
                Prefetch("document__custom_field_requirements", queryset=requirements)
            ),
        )
    )


def topic_channel_queryset():
    return TopicChannel.objects.select_related("topic", "channel")


def topic_action_queryset():
    return TopicAction.objects.select_related("topic", "action", "channel")


def topic_document_queryset():
    return TopicDocument.objects.select_related("topic", "document", "channel")


def hook_action_queryset():
    return topic_action_queryset().filter(special_topic__in=HOOK_NAMES)


def _channel_match(channel_id: int | None, channel_type: str | None) -> Q:
    """Links that apply on a channel: bound to it, or unbound with no/All/its-type special channel."""
    special = ["", SpecialChannel.ALL]
    if channel_type:
        special.append(channel_type)
    unbound = Q(channel__isnull=True, special_channel__in=special)
    return (Q(channel_id=channel_id) | unbound) if channel_id else unbound


def channel_type_of(*, customer_id: int, channel_id: int | None) -> str | None:
    if channel_id is None:
        return None
    return Channel.objects.filter(customer_id=customer_id, pk=channel_id).values_list("channel_type", flat=True).first()


def hook_links(*, customer_id: int, hook_name: str, channel_id: int | None, channel_type: str | None):
    """Active actions linked to a hook for a channel, highest priority first."""
    return (
        TopicAction.objects.filter(customer_id=customer_id, special_topic=hook_name, action__is_active=True)
        .filter(_channel_match(channel_id, channel_type))
        .select_related("action")
        .order_by("-priority", "id")
    )


def topic_links(*, customer_id: int, topic_ids: list[int], channel_id: int | None, channel_type: str | None):
    """Active actions linked to any of the topics (or to every topic), highest priority first."""
    return (
        TopicAction.objects.filter(customer_id=customer_id, action__is_active=True)
        .filter(Q(topic_id__in=topic_ids) | Q(topic__isnull=True, special_topic=ALL_TOPICS))
        .filter(_channel_match(channel_id, channel_type))
        .select_related("action")
        .order_by("-priority", "id")
    )


def hook_wait_seconds(*, customer_id: int, hook_name: str, channel_id: int | None) -> int:
    """Sum of wait seconds of the active Wait actions linked to the hook on the channel."""
    channel_type = channel_type_of(customer_id=customer_id, channel_id=channel_id)
    total = (
        hook_links(customer_id=customer_id, hook_name=hook_name, channel_id=channel_id, channel_type=channel_type)
        .filter(action__action_type=ActionType.WAIT)
        .aggregate(total=Sum("action__wait_seconds"))["total"]
    )
    return int(total or 0)


def prompt_document_links(
    *,
    customer_id: int,
    channel_id: int | None,
    hook_name: str | None = None,
    topic_ids: list[int] | None = None,
):
    """Document links for a hook and/or topics (plus every-topic links) on a channel, oldest link first."""
    channel_type = channel_type_of(customer_id=customer_id, channel_id=channel_id)
    wanted = Q(pk__in=[])
    if hook_name:
        wanted |= Q(special_topic=hook_name)
    if topic_ids is not None:
        wanted |= Q(topic_id__in=topic_ids) | Q(topic__isnull=True, special_topic=ALL_TOPICS)
    return (
        TopicDocument.objects.filter(customer_id=customer_id)
        .filter(wanted)
        .filter(_channel_match(channel_id, channel_type))
        .select_related("document")
        .order_by("id")
    )


def action_of_customer(*, customer_id: int, action_id: int) -> Action | None:
    """The customer's action with this id, active or not (another customer's is None)."""
    return Action.objects.filter(customer_id=customer_id, pk=action_id).first()


def available_actions(*, customer_id: int):
    return Action.objects.filter(customer_id=customer_id, is_active=True).order_by("name", "id")


def message_action_runs(*, message_id: int):
    return (
        TicketMessageAction.objects.filter(message_id=message_id).select_related("action").order_by("-priority", "id")
    )


_CUSTOM_FIELD_REFERENCE = re.compile(r"customFields\.([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def action_custom_field_names(*, action: Action) -> set[str]:
    """Lower-cased names of the custom fields the action reads (`customFields.<name>` in its endpoint, headers,
    body template, request mappings and rules) or sets (the targets of its response mappings)."""
    texts = (
        action.api_endpoint,
        action.api_headers,
        action.api_body_template,
        action.field_mapping,
        action.conditional_rules,
        action.say_text,
    )
    names = {match.lower() for text in texts if text for match in _CUSTOM_FIELD_REFERENCE.findall(text)}
    try:
        targets = parse_field_mapping(action.response_field_mapping)
    except DefinitionError:
        targets = []
    for mapping in targets:
        target = mapping["target"].strip()
        names.add(target.split(".", 1)[1].lower() if target.lower().startswith("customfields.") else target.lower())
    return names


def action_custom_field_definitions(*, action: Action, cache: dict | None = None) -> list[CustomFieldDefinition]:
    """The customer's custom field definitions the action uses (action_custom_field_names), in definition order.
    `cache` keeps the customer's definitions across the actions of one response (one query)."""
    names = action_custom_field_names(action=action)
    if not names:
        return []
    cache = {} if cache is None else cache
    if action.customer_id not in cache:
        cache[action.customer_id] = list(CustomFieldDefinition.objects.filter(customer_id=action.customer_id))
    return [definition for definition in cache[action.customer_id] if definition.field_name.lower() in names]
