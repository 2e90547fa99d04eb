"""Channel DTOs with the documented JSON names; secrets are masked, numbers E.164, hostnames checked."""

import re
from urllib.parse import urlsplit

from rest_framework import serializers

from answerpal.api.fields import SecretField, TenantPrimaryKeyRelatedField
from answerpal.outbound_guard import host_validate
from channels_cfg.hostnames import hostname_entries
from channels_cfg.models import (
    Channel,
    ChannelFolder,
    ChannelTranslation,
    ChannelType,
    EmailProvider,
    TopicPolicyMode,
    e164_validator,
)
from channels_cfg.snippet import widget_snippet

_HOSTNAME = re.compile(
    r"^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$"
)


class ChannelSerializer(serializers.ModelSerializer):
    channelID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    channelType = serializers.ChoiceField(source="channel_type", choices=ChannelType.choices)
    connectionDetails = serializers.CharField(
        source="connection_details", required=False, allow_blank=True, allow_null=True, default=""
    )
    isActive = serializers.BooleanField(source="is_active", required=False, default=True)
    autoRetrieveEmails = serializers.BooleanField(source="auto_retrieve_emails", required=False, default=False)
    hostnames = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    isDefaultTranslationChannel = serializers.BooleanField(
        source="is_default_translation_channel", required=False, default=False
    )
    phoneNumber = serializers.CharField(
        source="phone_number", required=False, allow_blank=True, allow_null=True, default="", max_length=32
    )
    emailAddress = serializers.EmailField(source="email_address", required=False, allow_blank=True, allow_null=True)
    emailProviderType = serializers.ChoiceField(
        source="email_provider_type", choices=EmailProvider.choices, required=False, allow_blank=True, allow_null=True
    )
    overrideEmailSettings = serializers.BooleanField(source="override_email_settings", required=False, default=False)
    overrideGraphTenantID = serializers.CharField(
        source="override_graph_tenant_id", required=False, allow_blank=True, allow_null=True, max_length=100
    )
    overrideGraphClientID = serializers.CharField(
        source="override_graph_client_id", required=False, allow_blank=True, allow_null=True, max_length=100
    )
    overrideGraphClientSecret = SecretField(source="override_graph_client_secret")
    overrideGraphAuthorityURL = serializers.URLField(
        source="override_graph_authority_url", required=False, allow_blank=True, allow_null=True, max_length=300
    )
    overrideGraphScope = serializers.CharField(
        source="override_graph_scope", required=False, allow_blank=True, allow_null=True, max_length=300
    )
    overrideImapServer = serializers.CharField(
        source="override_imap_server", required=False, allow_blank=True, allow_null=True, max_length=253
    )
    overrideImapPort = serializers.IntegerField(
        source="override_imap_port", required=False, allow_null=True, min_value=1, max_value=65535
    )
    overrideImapUsername = serializers.CharField(
        source="override_imap_username", required=False, allow_blank=True, allow_null=True, max_length=254
    )
    overrideImapPassword = SecretField(source="override_imap_password")
    overrideImapUseSsl = serializers.BooleanField(source="override_imap_use_ssl", required=False, default=True)
    overrideSmtpServer = serializers.CharField(
        source="override_smtp_server", required=False, allow_blank=True, allow_null=True, max_length=253
    )
    overrideSmtpPort = serializers.IntegerField(
        source="override_smtp_port", required=False, allow_null=True, min_value=1, max_value=65535
    )
    overrideSmtpUsername = serializers.CharField(
        source="override_smtp_username", required=False, allow_blank=True, allow_null=True, max_length=254
    )
    overrideSmtpPassword = SecretField(source="override_smtp_password")
    overrideSmtpUseSsl = serializers.BooleanField(source="override_smtp_use_ssl", required=False, default=True)
    retentionClosedTicketsDays = serializers.IntegerField(
        source="retention_closed_tickets_days",
        required=False,
        allow_null=True,
        min_value=1,
        max_value=36500,
        help_text="Days to keep this channel's closed tickets; null = the customer's retentionClosedTicketsDays.",
    )
    token = serializers.UUIDField(read_only=True)
    topicPolicyMode = serializers.CharField(source="topic_policy_mode", read_only=True)
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    widgetSnippet = serializers.SerializerMethodField(help_text="Chat channels: the <script> line to paste on a site.")

    class Meta:
        model = Channel
        fields = [
            "channelID",
            "customerID",
            "channelType",
            "name",
            "connectionDetails",
            "isActive",
            "autoRetrieveEmails",
            "hostnames",
            "isDefaultTranslationChannel",
            "phoneNumber",
            "emailAddress",
            "emailProviderType",
            "overrideEmailSettings",
            "overrideGraphTenantID",
            "overrideGraphClientID",
            "overrideGraphClientSecret",
            "overrideGraphAuthorityURL",
            "overrideGraphScope",
            "overrideImapServer",
            "overrideImapPort",
            "overrideImapUsername",
            "overrideImapPassword",
            "overrideImapUseSsl",
            "overrideSmtpServer",
            "overrideSmtpPort",
            "overrideSmtpUsername",
            "overrideSmtpPassword",
            "overrideSmtpUseSsl",
            "retentionClosedTicketsDays",
            "token",
            "topicPolicyMode",
            "dateCreated",
            "widgetSnippet",
        ]

    def get_widgetSnippet(self, channel) -> str:
        return widget_snippet(channel)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Nullable text in the DTO is stored as blank text.
        for name, value in list(values.items()):
            if value is None and not Channel._meta.get_field(name).null:
                values[name] = ""
        return values

    def validate_hostnames(self, value):
        names = hostname_entries(value or "")
        bad = [name for name in names if not _HOSTNAME.match(name)]
        if bad:
            raise serializers.ValidationError(f"Not a hostname: {', '.join(bad)} (use e.g. www.example.com).")
        return ", ".join(names)

    def validate_phoneNumber(self, value):
        value = (value or "").replace(" ", "")
        if value:
            e164_validator(value)
        return value

    def validate(self, attrs):
        channel_type = attrs.get("channel_type")
        if self.instance is not None and channel_type != self.instance.channel_type:
            raise serializers.ValidationError({"channelType": ["The type of an existing channel cannot change."]})
        if channel_type in (ChannelType.PHONE, ChannelType.WHATSAPP) and not attrs.get("phone_number"):
            raise serializers.ValidationError({"phoneNumber": [f"A {channel_type} channel needs a phone number."]})
        if channel_type == ChannelType.EMAIL and not attrs.get("email_address"):
            raise serializers.ValidationError({"emailAddress": ["An Email channel needs the mailbox address."]})
        if channel_type != ChannelType.CHAT and attrs.get("hostnames"):
            raise serializers.ValidationError({"hostnames": ["Only Chat channels have allowed hostnames."]})
        _mail_hosts_validate(attrs)
        return attrs


def _mail_hosts_validate(attrs: dict) -> None:
    """Mail servers written as an internal IP literal (any form) or localhost are refused at save with the
    outbound-address guard's 400 OutboundAddressRefused; DNS names are checked when connecting."""
    host_validate(field="overrideImapServer", host=attrs.get("override_imap_server") or "")
    host_validate(field="overrideSmtpServer", host=attrs.get("override_smtp_server") or "")
    authority = urlsplit(attrs.get("override_graph_authority_url") or "").hostname or ""
    host_validate(field="overrideGraphAuthorityURL", host=authority)


class TopicPolicySerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=TopicPolicyMode.choices)
    includeTopicIds = serializers.ListField(
        child=TenantPrimaryKeyRelatedField(queryset=Channel.include_topics.field.related_model.objects.all()),
        required=False,
        default=list,
    )
    excludeTopicIds = serializers.ListField(
        child=TenantPrimaryKeyRelatedField(queryset=Channel.include_topics.field.related_model.objects.all()),
        required=False,
        default=list,
    )

    def to_representation(self, channel):
        return {
            "channelID": channel.pk,
            "mode": channel.topic_policy_mode,
            "includeTopicIds": sorted(topic.pk for topic in channel.include_topics.all()),
            "excludeTopicIds": sorted(topic.pk for topic in channel.exclude_topics.all()),
        }

    def validate(self, attrs):
        if attrs["mode"] == TopicPolicyMode.INCLUDE and not attrs["includeTopicIds"]:
            raise serializers.ValidationError({"includeTopicIds": ["Mode Include needs at least one topic."]})
        if set(attrs["includeTopicIds"]) & set(attrs["excludeTopicIds"]):
            raise serializers.ValidationError({"excludeTopicIds": ["A topic cannot be both included and excluded."]})
        return attrs


class RoutingTopicSerializer(serializers.Serializer):
    topicID = serializers.IntegerField(source="id")
    name = serializers.CharField()
    description = serializers.CharField()


class ChannelRoutingSerializer(serializers.Serializer):
    """GET /api/Channels/{id}/routing: where an inbound message of the channel goes."""

    channelID = serializers.IntegerField(source="channel.id")
    channelType = serializers.CharField(source="channel.channel_type")
    name = serializers.CharField(source="channel.name")
    isActive = serializers.BooleanField(source="channel.is_active")
    defaultCustomerRepID = serializers.IntegerField(source="channel.customer.default_customer_rep_id", allow_null=True)
    topicPolicy = serializers.SerializerMethodField()
    topics = RoutingTopicSerializer(many=True)

    def get_topicPolicy(self, routing) -> dict:
        return TopicPolicySerializer().to_representation(routing["channel"])


class ChannelFolderSerializer(serializers.ModelSerializer):
    channelFolderID = serializers.IntegerField(source="id", read_only=True)
    channelID = TenantPrimaryKeyRelatedField(
        source="channel", queryset=Channel.objects.filter(deleted_at__isnull=True, channel_type=ChannelType.EMAIL)
    )
    folderID = serializers.CharField(source="folder_id", max_length=512)
    folderName = serializers.CharField(source="folder_name", required=False, allow_blank=True, max_length=300)
    autoRetrieveEmails = serializers.BooleanField(source="auto_retrieve_emails", required=False, default=True)
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ChannelFolder
        fields = ["channelFolderID", "channelID", "folderID", "folderName", "autoRetrieveEmails", "dateCreated"]
        validators = []  # a duplicate link is the service's 409 DuplicateChannelFolder, not a 400


class ChannelTranslationSerializer(serializers.ModelSerializer):
    channelTranslationID = serializers.IntegerField(source="id", read_only=True)
    channelID = TenantPrimaryKeyRelatedField(source="channel", queryset=Channel.objects.filter(deleted_at__isnull=True))
    lang = serializers.RegexField(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$", max_length=16)
    isDefault = serializers.BooleanField(source="is_default", required=False, default=False)
    translations = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=4000))
    dateUpdated = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = ChannelTranslation
        fields = ["channelTranslationID", "channelID", "lang", "isDefault", "translations", "dateUpdated"]
        validators = []  # a duplicate language is the service's 409, not a 400

    def validate_lang(self, value):
        return value.replace("_", "-")


class PublicTranslationSerializer(serializers.Serializer):
    """translations-by-token: the texts found and the language they are in."""

    lang = serializers.CharField()
    requestedLang = serializers.SerializerMethodField()
    translations = serializers.DictField()

    def get_requestedLang(self, translation) -> str:
        return self.context["requested_lang"]
