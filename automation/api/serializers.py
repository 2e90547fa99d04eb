"""Topics, links, actions, hooks and runtime DTOs (topics.md, actions.md, hooks.md, ticket-messages.md)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from answerpal.api.fields import TenantPrimaryKeyRelatedField, blank_nulls
from automation.models import ALL_TOPICS, Action, ActionType, HookName, SpecialChannel, Topic
from automation.rules import RuleError, parse_rules
from automation.selectors import action_custom_field_definitions
from channels_cfg.models import Channel
from customers.api.serializers import CustomFieldDefinitionSerializer
from customers.models import AIModel, ModelPurpose
from documents.api.serializers import OutboundConnectorSerializer, field_mapping_field, field_mappings_or_empty
from documents.models import Document, HttpMethod
from tickets.api.serializers import EndUserReadSerializer, TicketReadSerializer

SPECIAL_TOPICS = [ALL_TOPICS, *HookName.values]
PHONE_MODEL_PURPOSES = {ModelPurpose.CALL, ModelPurpose.REALTIME, ModelPurpose.REALTIME_TRANSLATION}


class TopicSerializer(serializers.ModelSerializer):
    topicID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    isActive = serializers.BooleanField(source="is_active", default=True)
    phoneModelID = serializers.PrimaryKeyRelatedField(
        source="phone_model", queryset=AIModel.objects.filter(is_active=True), required=False, allow_null=True
    )
    phoneInstructions = serializers.CharField(
        source="phone_instructions", required=False, allow_blank=True, allow_null=True, default=""
    )
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    customFieldRequirements = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "topicID",
            "customerID",
            "name",
            "description",
            "isActive",
            "phoneModelID",
            "phoneInstructions",
            "dateCreated",
            "customFieldRequirements",
        ]

    def get_customFieldRequirements(self, topic) -> list[dict]:
        """Derived from the topic's linked documents (a legacy input of the same name is ignored)."""
        seen, items = set(), []
        for link in topic.document_links.all():
            for row in link.document.custom_field_requirements.all():
                definition = row.custom_field_definition
                if definition.pk in seen:
                    continue
                seen.add(definition.pk)
                items.append(
                    {
                        "customFieldDefinitionID": definition.pk,
                        "fieldName": definition.field_name,
                        "displayName": definition.display_name,
                        "fieldType": definition.field_type,
                        "isRequired": row.is_required,
                        "documentID": link.document_id,
                    }
                )
        return items

    def validate_phoneModelID(self, model):
        if model is None:
            return None
        if model.customer_id not in (None, self.context["customer_id"]):
            raise serializers.ValidationError(f'Invalid pk "{model.pk}" - object does not exist.')
        if model.model_type not in PHONE_MODEL_PURPOSES:
            raise serializers.ValidationError("The phone model must be a call or realtime model.")
        return model

    def validate(self, attrs):
        return blank_nulls(attrs, ("description", "phone_instructions"))


class TopicChannelSerializer(serializers.Serializer):
    topicChannelID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    topicID = TenantPrimaryKeyRelatedField(source="topic", queryset=Topic.objects.all())
    topicName = serializers.CharField(source="topic.name", read_only=True, allow_null=True)
    channelID = TenantPrimaryKeyRelatedField(source="channel", queryset=Channel.objects.filter(deleted_at__isnull=True))
    channelName = serializers.CharField(source="channel.name", read_only=True, allow_null=True)


class IdListSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000)


class _LinkTargetMixin:
    """Shared rules of topic links: exactly one of topicID / specialTopic, channelID or specialChannel."""

    def validate(self, attrs):
        topic = attrs.get("topic", getattr(self.instance, "topic", None))
        special_topic = attrs.get("special_topic", getattr(self.instance, "special_topic", "")) or ""
        attrs["special_topic"] = special_topic
        if topic is not None and special_topic:
            raise serializers.ValidationError({"specialTopic": ["Give either topicID or specialTopic, not both."]})
        if topic is None and not special_topic:
            raise serializers.ValidationError({"topicID": ["Give a topicID or a specialTopic (All or a hook name)."]})
        channel = attrs.get("channel", getattr(self.instance, "channel", None))
        special_channel = attrs.get("special_channel", getattr(self.instance, "special_channel", "")) or ""
        attrs["special_channel"] = special_channel
        if channel is not None and special_channel:
            raise serializers.ValidationError(
                {"specialChannel": ["Give either channelID or specialChannel, not both."]}
            )
        return attrs


def _topic_field():
    return TenantPrimaryKeyRelatedField(
        source="topic", queryset=Topic.objects.all(), required=False, allow_null=True, default=None
    )


def _special_topic_field():
    return serializers.ChoiceField(
        source="special_topic", choices=SPECIAL_TOPICS, required=False, allow_blank=True, allow_null=True
    )


def _channel_field():
    return TenantPrimaryKeyRelatedField(
        source="channel",
        queryset=Channel.objects.filter(deleted_at__isnull=True),
        required=False,
        allow_null=True,
        default=None,
    )


class SpecialChannelField(serializers.ChoiceField):
    """A channel name (or All); a link without one answers null, not "" (the web app's type allows only names)."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


def _special_channel_field():
    return SpecialChannelField(
        source="special_channel", choices=SpecialChannel.choices, required=False, allow_blank=True, allow_null=True
    )


class TopicActionSerializer(_LinkTargetMixin, serializers.Serializer):
    topicActionID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    topicID = _topic_field()
    topicName = serializers.CharField(source="topic.name", read_only=True, allow_null=True, default=None)
    specialTopic = _special_topic_field()
    actionID = TenantPrimaryKeyRelatedField(source="action", queryset=Action.objects.all())
    actionName = serializers.CharField(source="action.name", read_only=True)
    actionType = serializers.CharField(source="action.action_type", read_only=True)
    isActive = serializers.BooleanField(source="action.is_active", read_only=True)
    channelID = _channel_field()
    channelName = serializers.CharField(source="channel.name", read_only=True, allow_null=True, default=None)
    specialChannel = _special_channel_field()
    priority = serializers.IntegerField(default=0, min_value=-100000, max_value=100000)


class PrioritySerializer(serializers.Serializer):
    priority = serializers.IntegerField(min_value=-100000, max_value=100000)


class TopicDocumentSerializer(_LinkTargetMixin, serializers.Serializer):
    topicDocumentID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    topicID = _topic_field()
    topicName = serializers.CharField(source="topic.name", read_only=True, allow_null=True, default=None)
    specialTopic = _special_topic_field()
    documentID = TenantPrimaryKeyRelatedField(source="document", queryset=Document.objects.all())
    documentName = serializers.CharField(source="document.name", read_only=True)
    channelID = _channel_field()
    channelName = serializers.CharField(source="channel.name", read_only=True, allow_null=True, default=None)
    channelType = serializers.CharField(source="channel.channel_type", read_only=True, allow_null=True, default=None)
    specialChannel = _special_channel_field()


class HookActionSerializer(_LinkTargetMixin, serializers.Serializer):
    hookActionID = serializers.IntegerField(source="id", read_only=True)
    hookName = serializers.ChoiceField(source="special_topic", choices=HookName.choices)
    actionID = TenantPrimaryKeyRelatedField(source="action", queryset=Action.objects.all())
    actionName = serializers.CharField(source="action.name", read_only=True)
    channelID = _channel_field()
    channelName = serializers.CharField(source="channel.name", read_only=True, allow_null=True, default=None)
    specialChannel = _special_channel_field()
    priority = serializers.IntegerField(default=0, min_value=-100000, max_value=100000)


class HookDocumentSerializer(_LinkTargetMixin, serializers.Serializer):
    topicDocumentID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    hookName = serializers.ChoiceField(source="special_topic", choices=HookName.choices)
    specialTopic = serializers.CharField(source="special_topic", read_only=True)
    topicID = serializers.IntegerField(source="topic_id", read_only=True, default=None)
    documentID = TenantPrimaryKeyRelatedField(source="document", queryset=Document.objects.all())
    documentName = serializers.CharField(source="document.name", read_only=True)
    channelID = _channel_field()
    channelName = serializers.CharField(source="channel.name", read_only=True, allow_null=True, default=None)
    specialChannel = _special_channel_field()


class ActionSerializer(OutboundConnectorSerializer, serializers.ModelSerializer):
    actionID = serializers.IntegerField(source="id", required=False)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    actionType = serializers.ChoiceField(source="action_type", choices=ActionType.choices)
    isActive = serializers.BooleanField(source="is_active", default=True)
    apiMethod = serializers.ChoiceField(source="api_method", choices=HttpMethod.choices, default=HttpMethod.POST)
    responseFieldMapping = field_mapping_field("response_field_mapping")
    responseFieldMappings = serializers.SerializerMethodField()
    conditionalRules = serializers.CharField(
        source="conditional_rules", required=False, allow_blank=True, allow_null=True, default=""
    )
    forwardRecipients = serializers.CharField(
        source="forward_recipients", required=False, allow_blank=True, allow_null=True, default=""
    )
    forwardPhoneNumber = serializers.RegexField(
        r"^\+[1-9]\d{6,14}$",
        source="forward_phone_number",
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        error_messages={"invalid": "Use the international E.164 form, e.g. +32470123456."},
    )
    waitSeconds = serializers.IntegerField(source="wait_seconds", default=0, min_value=0, max_value=86400)
    sayText = serializers.CharField(source="say_text", required=False, allow_blank=True, default="")
    sayLanguage = serializers.CharField(
        source="say_language", required=False, allow_blank=True, max_length=16, default=""
    )
    customFieldDefinitions = serializers.SerializerMethodField(
        help_text="The custom fields the action reads (customFields.<name> in its templates, request mappings and "
        "rules) or sets (its response mappings' targets), like a document's."
    )
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    lastModifiedDate = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Action
        fields = [
            "actionID",
            "customerID",
            "name",
            "description",
            "actionType",
            "isActive",
            "apiEndpoint",
            "apiMethod",
            "apiHeaders",
            "apiBodyTemplate",
            "overrideApiBaseUrl",
            "overrideApiUsername",
            "overrideApiPassword",
            "overrideApiToken",
            "overrideApiAuthenticationType",
            "fieldMapping",
            "fieldMappings",
            "responseFieldMapping",
            "responseFieldMappings",
            "customFieldDefinitions",
            "conditionalRules",
            "forwardRecipients",
            "forwardPhoneNumber",
            "waitSeconds",
            "sayText",
            "sayLanguage",
            "dateCreated",
            "lastModifiedDate",
        ]

    def get_responseFieldMappings(self, action) -> list[dict]:
        return field_mappings_or_empty(action.response_field_mapping)

    @extend_schema_field(CustomFieldDefinitionSerializer(many=True))
    def get_customFieldDefinitions(self, action) -> list[dict]:
        # the customer's definitions are read once per response, however many actions it lists
        cache = self.context.setdefault("_custom_field_definitions", {})
        definitions = action_custom_field_definitions(action=action, cache=cache)
        return CustomFieldDefinitionSerializer(definitions, many=True).data

    def validate_conditionalRules(self, value):
        try:
            parse_rules(value)
        except RuleError as error:
            raise serializers.ValidationError(str(error)) from error
        return value

    def validate(self, attrs):
        attrs = blank_nulls(
            attrs,
            (
                "description",
                *self.CONNECTOR_TEXT_SOURCES,
                "response_field_mapping",
                "conditional_rules",
                "forward_recipients",
                "forward_phone_number",
            ),
        )
        action_type = attrs.get("action_type", getattr(self.instance, "action_type", None))
        endpoint = attrs.get("api_endpoint", getattr(self.instance, "api_endpoint", ""))
        if action_type == ActionType.API_CALL and not endpoint:
            raise serializers.ValidationError({"apiEndpoint": ["An ApiCall action needs an apiEndpoint."]})
        if action_type == ActionType.FORWARD:
            recipients = attrs.get("forward_recipients", getattr(self.instance, "forward_recipients", ""))
            phone = attrs.get("forward_phone_number", getattr(self.instance, "forward_phone_number", ""))
            if not recipients and not phone:
                raise serializers.ValidationError(
                    {"forwardRecipients": ["A Forward action needs forwardRecipients or a forwardPhoneNumber."]}
                )
            if recipients:
                email_field = serializers.EmailField()
                for address in filter(None, (part.strip() for part in recipients.replace(";", ",").split(","))):
                    try:
                        email_field.run_validation(address)
                    except serializers.ValidationError as error:
                        raise serializers.ValidationError(
                            {"forwardRecipients": [f"'{address}' is not a valid e-mail address."]}
                        ) from error
        if action_type == ActionType.WAIT:
            seconds = attrs.get("wait_seconds", getattr(self.instance, "wait_seconds", 0))
            if not seconds:
                raise serializers.ValidationError({"waitSeconds": ["A Wait action needs waitSeconds above 0."]})
        return attrs


class ActionAvailableSerializer(serializers.Serializer):
    actionID = serializers.IntegerField(source="id")
    customerID = serializers.IntegerField(source="customer_id")
    name = serializers.CharField()
    description = serializers.CharField()
    actionType = serializers.CharField(source="action_type")
    isActive = serializers.BooleanField(source="is_active")


class WaitSecondsSerializer(serializers.Serializer):
    totalWaitSeconds = serializers.IntegerField()


class PromptDocumentSerializer(serializers.Serializer):
    documentID = serializers.IntegerField()
    name = serializers.CharField()
    content = serializers.CharField(allow_blank=True)
    contentType = serializers.CharField()
    includeInRealtimeInstructions = serializers.BooleanField()
    isDataRetrievalProcess = serializers.BooleanField()
    imageUrls = serializers.ListField(child=serializers.CharField())


class PromptDocsExtendedSerializer(serializers.Serializer):
    """PromptDocsExtendedDTO: the prompt documents with the message's end user and their other tickets."""

    promptDocuments = PromptDocumentSerializer(many=True)
    endUsers = EndUserReadSerializer(many=True)
    tickets = TicketReadSerializer(many=True)


class TicketMessageActionSerializer(serializers.Serializer):
    ticketMessageActionID = serializers.IntegerField(source="id")
    messageID = serializers.IntegerField(source="message_id")
    actionID = serializers.IntegerField(source="action_id")
    actionName = serializers.CharField(source="action.name")
    trigger = serializers.CharField()
    dateAssigned = serializers.DateTimeField(source="date_assigned")
    status = serializers.CharField()
    priority = serializers.IntegerField()
    result = serializers.CharField()


class ExecuteHookSerializer(serializers.Serializer):
    hookName = serializers.ChoiceField(choices=HookName.choices)


class ExecuteActionSerializer(serializers.Serializer):
    actionID = TenantPrimaryKeyRelatedField(queryset=Action.objects.all())


class ExecuteActionResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    finished = serializers.BooleanField()
