"""Channels, ChannelFolders and ChannelTranslations routes, plus the public translations-by-token."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from answerpal.api.errors import ApiError
from answerpal.api.policies import ManageSettings, RepToken
from answerpal.api.viewsets import PublicApiView, ReplaceModelMixin, TenantModelViewSet, TenantViewSet
from channels_cfg import selectors, services
from channels_cfg.api.serializers import (
    ChannelFolderSerializer,
    ChannelRoutingSerializer,
    ChannelSerializer,
    ChannelTranslationSerializer,
    PublicTranslationSerializer,
    TopicPolicySerializer,
)
from channels_cfg.models import Channel, ChannelFolder, ChannelTranslation

_READ_ACTIONS = frozenset({"list", "retrieve", "routing", "by_channel"})


class SettingsWritePermissions:
    """Reads need any representative token; writes need ManageSettings."""

    policy = ManageSettings
    policies = dict.fromkeys(_READ_ACTIONS, RepToken)


class ChannelViewSet(SettingsWritePermissions, TenantModelViewSet):
    """GET/POST /api/Channels (un-paged array), GET/PUT/DELETE /api/Channels/{id}, routing, topic policy.

    The transport routes (import-emails, test-connection) are messaging's (messaging/api/urls.py)."""

    queryset = Channel.objects.filter(deleted_at__isnull=True).select_related("customer")
    serializer_class = ChannelSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer):
        serializer.instance = services.channel_create(customer_id=self.customer_id, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.channel_update(channel=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.channel_delete(channel=instance)

    @extend_schema(responses=ChannelRoutingSerializer)
    @action(detail=True, methods=["get"], url_path="routing")
    def routing(self, request, pk=None):
        channel = self.get_object()
        topics = selectors.channel_topics(channel=channel)
        channel = selectors.channel_with_topic_policy(channel_id=channel.pk)
        return Response(ChannelRoutingSerializer({"channel": channel, "topics": topics}).data)

    @extend_schema(request=TopicPolicySerializer, responses=TopicPolicySerializer)
    @action(detail=True, methods=["get", "put"], url_path="topic-policy")
    def topic_policy(self, request, pk=None):
        channel = self.get_object()
        if request.method == "PUT":
            serializer = TopicPolicySerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            services.channel_topic_policy_set(
                channel=channel,
                mode=serializer.validated_data["mode"],
                include_topics=serializer.validated_data["includeTopicIds"],
                exclude_topics=serializer.validated_data["excludeTopicIds"],
            )
        channel = selectors.channel_with_topic_policy(channel_id=channel.pk)
        return Response(TopicPolicySerializer().to_representation(channel))


class ChannelChildViewSet(
    SettingsWritePermissions,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ReplaceModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """A channel's child rows: /{id} CRUD and GET byChannel/{channelId} (un-paged array)."""

    lookup_value_regex = "[0-9]+"
    pagination_class = None

    @action(detail=False, methods=["get"], url_path=r"byChannel/(?P<channelId>[0-9]+)")
    def by_channel(self, request, channelId=None):
        channel = get_object_or_404(selectors.channels_live(), pk=channelId, customer_id=self.customer_id)
        rows = self.get_queryset().filter(channel=channel)
        return Response(self.get_serializer(rows, many=True).data)


@extend_schema_view(by_channel=extend_schema(responses=ChannelFolderSerializer(many=True)))
class ChannelFolderViewSet(ChannelChildViewSet):
    """Mailbox folders linked to Email channels; a second link of the same folder is 409 DuplicateChannelFolder."""

    queryset = ChannelFolder.objects.filter(channel__deleted_at__isnull=True).select_related("channel")
    serializer_class = ChannelFolderSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.channel_folder_create(
            channel=data["channel"],
            folder_id=data["folder_id"],
            folder_name=data.get("folder_name", ""),
            auto_retrieve_emails=data["auto_retrieve_emails"],
        )

    def perform_update(self, serializer):
        serializer.instance = services.channel_folder_update(folder=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.channel_folder_delete(folder=instance)


@extend_schema_view(by_channel=extend_schema(responses=ChannelTranslationSerializer(many=True)))
class ChannelTranslationViewSet(ChannelChildViewSet):
    """Per-channel chat UI texts per language (one default per channel)."""

    queryset = ChannelTranslation.objects.filter(channel__deleted_at__isnull=True)
    serializer_class = ChannelTranslationSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        channel = data.pop("channel")
        serializer.instance = services.channel_translation_create(channel=channel, data=data)

    def perform_update(self, serializer):
        serializer.instance = services.channel_translation_update(
            translation=serializer.instance, data=serializer.validated_data
        )


class TranslationsByTokenView(PublicApiView):
    """GET /api/Channels/{channelToken}/translations-by-token/{lang}: public chat-widget texts;
    falls back exact → base language → channel default → any (→ the default translation channel)."""

    @extend_schema(responses=PublicTranslationSerializer)
    def get(self, request, channelToken, lang):
        translation = selectors.channel_translation_for_token(token=channelToken, lang=lang)
        if translation is None:
            raise ApiError(status.HTTP_404_NOT_FOUND, "NotFound", "No texts exist for this channel token.")
        return Response(PublicTranslationSerializer(translation, context={"requested_lang": lang}).data)
