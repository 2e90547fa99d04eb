"""Reads of channel configuration: live channels, the public translation lookup, topic routing."""

from django.db.models import Case, IntegerField, Value, When

from channels_cfg.models import Channel, ChannelTranslation, TopicPolicyMode


def channels_live():
    """Channels that are not soft-deleted."""
    return Channel.objects.filter(deleted_at__isnull=True)


def channel_with_topic_policy(*, channel_id: int) -> Channel:
    """A channel with its customer and its included / excluded topics (routing and topic-policy reads)."""
    return (
        Channel.objects.prefetch_related("include_topics", "exclude_topics")
        .select_related("customer")
        .get(pk=channel_id)
    )


def channel_type_of(*, channel_id: int) -> str | None:
    """The type (Email, Chat, Phone, …) of a channel, deleted ones included (their tickets keep it)."""
    return Channel.objects.filter(pk=channel_id).values_list("channel_type", flat=True).first()


def channel_by_token(*, token) -> Channel | None:
    """The active channel behind a public channel token, or None."""
    return channels_live().filter(token=token, is_active=True).select_related("customer").first()


def _translation_for(channel_id: int, lang: str) -> ChannelTranslation | None:
    """exact language → base language → the channel's default → any, in one query."""
    lang = lang.strip().replace("_", "-")
    base = lang.split("-")[0]
    return (
        ChannelTranslation.objects.filter(channel_id=channel_id)
        .annotate(
            rank=Case(
                When(lang__iexact=lang, then=Value(0)),
                When(lang__iexact=base, then=Value(1)),
                When(lang__istartswith=f"{base}-", then=Value(2)),
                When(is_default=True, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "lang", "id")
        .first()
    )


def channel_translation_for_token(*, token, lang: str) -> ChannelTranslation | None:
    """The best translation of the token's channel for `lang`; a channel without any texts borrows
    those of the customer's default translation channel."""
    channel = channel_by_token(token=token)
    return None if channel is None else channel_translation_for(channel=channel, lang=lang)


def channel_translation_for(*, channel: Channel, lang: str) -> ChannelTranslation | None:
    """The best translation of `channel` for `lang` (exact → base language → default row → any), else the
    customer's default translation channel's."""
    translation = _translation_for(channel.pk, lang)
    if translation is None and not channel.is_default_translation_channel:
        fallback = (
            channels_live()
            .filter(customer_id=channel.customer_id, is_default_translation_channel=True)
            .values_list("pk", flat=True)
            .first()
        )
        if fallback is not None:
            translation = _translation_for(fallback, lang)
    return translation


def channel_topics(*, channel: Channel):
    """The customer's active topics that apply to `channel` under its topic policy."""
    topic_model = Channel.include_topics.field.related_model
    topics = topic_model.objects.filter(customer_id=channel.customer_id, is_active=True)
    if channel.topic_policy_mode == TopicPolicyMode.INCLUDE:
        return topics.filter(pk__in=channel.include_topics.values("pk"))
    if channel.topic_policy_mode == TopicPolicyMode.EXCLUDE:
        return topics.exclude(pk__in=channel.exclude_topics.values("pk"))
    return topics
