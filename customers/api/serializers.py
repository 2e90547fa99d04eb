"""Customer DTOs: CustomerReadDTO / CustomerUpdateDTO, CustomerModelDTO, secrets, custom field definitions."""

import re
from urllib.parse import urlsplit

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from answerpal.api.fields import SecretField
from answerpal.outbound_guard import host_validate
from customers.models import AIModel, AuthenticationType, CustomFieldType, EmailProviderType


class CustomerModelSerializer(serializers.ModelSerializer):
    """CustomerModelDTO; isDefault is the catalogue's default for the model's slot."""

    modelID = serializers.IntegerField(source="id", read_only=True)
    modelType = serializers.CharField(source="model_type", read_only=True)
    modelName = serializers.CharField(source="model_name", read_only=True)
    isFineTuned = serializers.BooleanField(source="is_fine_tuned", read_only=True)
    hasVision = serializers.BooleanField(source="has_vision", read_only=True)
    requiredSubscriptionLevel = serializers.CharField(source="required_subscription_level", read_only=True)
    isGlobal = serializers.BooleanField(source="is_global", read_only=True)
    isDefault = serializers.BooleanField(source="is_default", read_only=True)

    class Meta:
        model = AIModel
        fields = [
            "modelID",
            "modelType",
            "modelName",
            "isFineTuned",
            "hasVision",
            "requiredSubscriptionLevel",
            "isGlobal",
            "isDefault",
        ]


class EmailProviderTypeField(serializers.ChoiceField):
    """Accepts the front-end's older spelling 'Office365' for Microsoft365."""

    def __init__(self, **kwargs):
        super().__init__(choices=EmailProviderType.choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data.lower() == "office365":
            data = EmailProviderType.MICROSOFT365
        return super().to_internal_value(data)


def _slot(source: str):
    return serializers.IntegerField(source=source, required=False, allow_null=True, min_value=1)


def _text(source: str, max_length: int):
    return serializers.CharField(
        source=source, required=False, allow_blank=True, allow_null=True, max_length=max_length
    )


def _port(source: str):
    return serializers.IntegerField(source=source, required=False, allow_null=True, min_value=1, max_value=65535)


def _days(source: str):
    """A retention period in days (1..36500); null = keep forever."""
    return serializers.IntegerField(
        source=source,
        required=False,
        allow_null=True,
        min_value=1,
        max_value=36500,
        help_text="Retention in days; null keeps forever.",
    )


def _url(source: str, max_length: int):
    return serializers.URLField(source=source, required=False, allow_blank=True, allow_null=True, max_length=max_length)


class CustomerUpdateSerializer(serializers.Serializer):
    """CustomerUpdateDTO: every field optional (partial body); a masked secret means unchanged."""

    apiBaseUrl = _url("api_base_url", 500)
    apiUsername = _text("api_username", 200)
    apiPassword = SecretField(source="api_password")
    apiToken = SecretField(source="api_token")
    apiAuthenticationType = serializers.ChoiceField(
        source="api_authentication_type", choices=AuthenticationType.choices, required=False
    )
    emailProviderType = EmailProviderTypeField(source="email_provider_type", required=False)
    graphTenantID = _text("graph_tenant_id", 100)
    graphClientID = _text("graph_client_id", 100)
    graphClientSecret = SecretField(source="graph_client_secret")
    graphAuthorityURL = _url("graph_authority_url", 300)
    graphScope = _text("graph_scope", 300)
    imapServer = _text("imap_server", 253)
    imapPort = _port("imap_port")
    imapUseSsl = serializers.BooleanField(source="imap_use_ssl", required=False)
    smtpServer = _text("smtp_server", 253)
    smtpPort = _port("smtp_port")
    smtpUseSsl = serializers.BooleanField(source="smtp_use_ssl", required=False)
    defaultTopicModelId = _slot("default_topic_model_id")
    defaultWebchatModelId = _slot("default_webchat_model_id")
    defaultEmailModelId = _slot("default_email_model_id")
    defaultCallModelId = _slot("default_call_model_id")
    defaultSpamModelId = _slot("default_spam_model_id")
    defaultConditionalRulesModelId = _slot("default_conditional_rules_model_id")
    defaultSummaryModelId = _slot("default_summary_model_id")
    defaultRealtimeModelId = _slot("default_realtime_model_id")
    defaultRealtimeTranslationModelId = _slot("default_realtime_translation_model_id")
    defaultTranscribeModelId = _slot("default_transcribe_model_id")
    defaultEmailModelInternetAccessEnabled = serializers.BooleanField(
        source="default_email_model_internet_access_enabled", required=False
    )
    defaultWebchatModelInternetAccessEnabled = serializers.BooleanField(
        source="default_webchat_model_internet_access_enabled", required=False
    )
    defaultCallModelInternetAccessEnabled = serializers.BooleanField(
        source="default_call_model_internet_access_enabled", required=False
    )
    defaultRealtimeModelInternetAccessEnabled = serializers.BooleanField(
        source="default_realtime_model_internet_access_enabled", required=False
    )
    twilioAccountSID = SecretField(source="twilio_account_sid", max_length=64)
    twilioAuthToken = SecretField(source="twilio_auth_token")
    twilioRegion = _text("twilio_region", 32)
    openAIApiKey = SecretField(source="openai_api_key")
    openAIBaseUrl = _url("openai_base_url", 300)
    defaultCustomerRepID = serializers.IntegerField(
        source="default_customer_rep_id", required=False, allow_null=True, min_value=1
    )
    retentionClosedTicketsDays = _days("retention_closed_tickets_days")
    retentionRecordingsDays = _days("retention_recordings_days")
    retentionEndUsersDays = _days("retention_end_users_days")

    def validate(self, attrs):
        # Servers the platform connects to for the tenant: an internal IP literal (any form) or localhost is
        # refused now with 400 OutboundAddressRefused; DNS names are checked by the guard when connecting.
        for field, source in (("imapServer", "imap_server"), ("smtpServer", "smtp_server")):
            host_validate(field=field, host=attrs.get(source) or "")
        for field, source in (
            ("graphAuthorityURL", "graph_authority_url"),
            ("apiBaseUrl", "api_base_url"),
            ("openAIBaseUrl", "openai_base_url"),
        ):
            host_validate(field=field, host=urlsplit(attrs.get(source) or "").hostname or "")
        return attrs


class CustomerReadSerializer(CustomerUpdateSerializer):
    """CustomerReadDTO: identity, every settings field (secrets masked) and the visible models."""

    customerID = serializers.IntegerField(source="id", read_only=True)
    name = serializers.CharField(read_only=True)
    hostname = serializers.CharField(read_only=True)
    models = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        identity = {name: fields.pop(name) for name in ("customerID", "name", "hostname")}
        return {**identity, **fields}

    @extend_schema_field(CustomerModelSerializer(many=True))
    def get_models(self, customer) -> list[dict]:
        return CustomerModelSerializer(self.context["models"], many=True).data


class CustomerSecretsSerializer(serializers.Serializer):
    """The old my-secrets shape, filled with short-lived scoped credentials (null where the provider is not set up):
    `openAIApiKey` an OpenAI Realtime client secret, `twilioAuthToken` a Twilio Voice access token."""

    openAIApiKey = serializers.CharField(
        allow_null=True, read_only=True, help_text="OpenAI Realtime client secret (ek_…), not the tenant's API key."
    )
    openAIApiKeyExpiresAt = serializers.DateTimeField(allow_null=True, read_only=True)
    realtimeModel = serializers.CharField(allow_null=True, read_only=True)
    twilioAccountSID = serializers.CharField(allow_null=True, read_only=True)
    twilioAuthToken = serializers.CharField(
        allow_null=True, read_only=True, help_text="Twilio Voice access token (JWT), not the account's auth token."
    )
    twilioAuthTokenExpiresAt = serializers.DateTimeField(allow_null=True, read_only=True)
    twilioIdentity = serializers.CharField(allow_null=True, read_only=True)
    twilioRegion = serializers.CharField(allow_null=True, read_only=True)
    credentialKind = serializers.CharField(read_only=True, help_text="Always 'ephemeral'.")


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CustomFieldDefinitionSerializer(serializers.Serializer):
    """CustomFieldDefinitionDTO (read, create and update): options only for dropdown fields."""

    customFieldDefinitionID = serializers.IntegerField(source="id", read_only=True)
    fieldName = serializers.CharField(source="field_name", max_length=100)
    fieldType = serializers.ChoiceField(source="field_type", choices=CustomFieldType.choices)
    displayName = serializers.CharField(source="display_name", max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    order = serializers.IntegerField(required=False, default=0, min_value=-1_000_000, max_value=1_000_000)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, allow_null=True, default=list, max_length=500
    )

    def validate_fieldName(self, value):
        if not _FIELD_NAME.match(value):
            raise serializers.ValidationError("Use letters, digits and underscores only, not starting with a digit.")
        return value

    def validate(self, attrs):
        if self.instance is not None and any(
            name in attrs and attrs[name] != getattr(self.instance, name) for name in ("field_name", "field_type")
        ):
            return attrs  # custom_field_update answers 400 ImmutableField
        field_type = attrs.get("field_type", getattr(self.instance, "field_type", None))
        options = attrs.get("options")
        if options is None and self.instance is not None:
            options = self.instance.options if "options" not in attrs else []
        options = options or []
        if field_type == CustomFieldType.DROPDOWN:
            if not options:
                raise serializers.ValidationError({"options": ["A dropdown field needs at least one option."]})
            if len(set(options)) != len(options):
                raise serializers.ValidationError({"options": ["Dropdown options must be unique."]})
        elif options:
            raise serializers.ValidationError({"options": ["Only dropdown fields have options."]})
        return attrs
