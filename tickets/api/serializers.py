"""DTOs of End Users, Tickets, Ticket Messages, attachments and message topics (names as in the spec)."""

import datetime
from functools import partial

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

from accounts.models import CustomerRep
from answerpal.api.fields import TenantPrimaryKeyRelatedField
from channels_cfg.models import Channel, ChannelType
from customers.selectors import custom_fields_validate
from tickets import registry, selectors
from tickets.models import (
    CustomerType,
    EndUser,
    EndUserUID,
    SenderType,
    Ticket,
    TicketMessage,
    TicketMessageAttachment,
    TicketMessageTopic,
    TicketStatus,
    UidType,
)


def _schema_field(model, name: str, source: str) -> serializers.Field:
    """A read-only field typed like the model attribute `source` (documents the DTO in the schema)."""
    options = {"read_only": True, "allow_null": True, **({"source": source} if source != name else {})}
    if source == "id" or source.endswith("_id"):
        return serializers.IntegerField(**options)
    try:
        internal = model._meta.get_field(source).get_internal_type()
    except FieldDoesNotExist:
        internal = "CharField"
    field_class = {
        "BooleanField": serializers.BooleanField,
        "DateTimeField": serializers.DateTimeField,
        "JSONField": serializers.JSONField,
        "PositiveIntegerField": serializers.IntegerField,
        "BigIntegerField": serializers.IntegerField,
    }.get(internal, serializers.CharField)
    return field_class(**options)


class _SourceFieldsSerializer(serializers.Serializer):
    """Renders `dto_fields` ({DTO name: attribute}) straight from attributes: one mapping drives both the
    schema (typed read-only fields declared from it) and a fast to_representation for large pages
    (DRF's per-field machinery costs ~1 ms a row on wide DTOs)."""

    model = None
    dto_fields: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = {name: _schema_field(cls.model, name, source) for name, source in cls.dto_fields.items()}
        cls._declared_fields = {**declared, **cls._declared_fields}

    def to_representation(self, instance):
        read = instance.__getitem__ if isinstance(instance, dict) else partial(getattr, instance)
        return {name: _plain(read(source)) for name, source in self.dto_fields.items()}


def _attribute(instance, source: str):
    """A model attribute, or the same key of a values() row."""
    return instance[source] if isinstance(instance, dict) else getattr(instance, source)


_TEMPORAL = (datetime.date, datetime.time)  # datetime.datetime is a date


def _plain(value):
    if isinstance(value, _TEMPORAL):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


class NullAsBlankSerializer(serializers.Serializer):
    """Clients send `null` for optional texts (TypeScript `field?: string`); an optional text field
    that allows blank reads null as ""."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            blank_ok = {
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField) and field.allow_blank and not field.allow_null
            }
            data = {key: ("" if value is None and key in blank_ok else value) for key, value in data.items()}
        return super().to_internal_value(data)


# --- end users ----------------------------------------------------------------------------------


class EndUserUIDReadSerializer(_SourceFieldsSerializer):
    """EndUserUIDReadDTO."""

    model = EndUserUID
    dto_fields = {"endUserUIDID": "id", "uid": "uid", "uidType": "uid_type", "isPrimary": "is_primary"}


class EndUserReadSerializer(_SourceFieldsSerializer):
    """EndUserReadDTO; UIDs under both `uiDs` (front-end) and `uids` (current docs), the AI notes under
    both `aIDocumentation` (front-end) and `aiDocumentation` (current docs)."""

    model = EndUser
    dto_fields = {
        "endUserID": "id",
        "firstname": "firstname",
        "lastname": "lastname",
        "name": "name",
        "gender": "gender",
        "otherContactDetails": "other_contact_details",
        "customerRef": "customer_ref",
        "customerType": "customer_type",
        "country": "country",
        "lang": "lang",
        "company": "company",
        "street": "street",
        "houseNumber": "house_number",
        "postalCode": "postal_code",
        "city": "city",
        "aIDocumentation": "ai_documentation",
        "aiDocumentation": "ai_documentation",
    }
    uiDs = EndUserUIDReadSerializer(many=True, read_only=True)
    uids = EndUserUIDReadSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        """`instance` is an EndUser with prefetched UIDs, or a dict row (selectors.ticket_rows) with `uids`."""
        if isinstance(instance, dict):
            uids = instance["uids"]
            instance = {**instance, "name": " ".join(p for p in (instance["firstname"], instance["lastname"]) if p)}
        else:
            uids = instance.uids.all()
        data = super().to_representation(instance)
        uid_fields = EndUserUIDReadSerializer.dto_fields.items()
        data["uiDs"] = data["uids"] = [{name: _attribute(row, source) for name, source in uid_fields} for row in uids]
        return data


class EndUserUIDWriteSerializer(NullAsBlankSerializer):
    """EndUserUIDCreateDTO / EndUserUIDUpdateDTO (endUserUIDID null = new)."""

    endUserUIDID = serializers.IntegerField(source="id", required=False, allow_null=True)
    uidType = serializers.ChoiceField(source="uid_type", choices=UidType.choices, required=False, allow_blank=True)
    uid = serializers.CharField(max_length=320)
    isPrimary = serializers.BooleanField(source="is_primary", default=False)
    markAsDeleted = serializers.BooleanField(source="mark_as_deleted", default=False)


class EndUserWriteSerializer(NullAsBlankSerializer):
    """EndUserCreateDTO / EndUserUpdateDTO; accepts `uiDs` or `uids`, `aIDocumentation` or `aiDocumentation`."""

    firstname = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lastname = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gender = serializers.BooleanField(required=False, allow_null=True)
    otherContactDetails = serializers.CharField(source="other_contact_details", required=False, allow_blank=True)
    customerRef = serializers.CharField(source="customer_ref", max_length=200, required=False, allow_blank=True)
    customerType = serializers.ChoiceField(
        source="customer_type", choices=[*CustomerType.values, ""], required=False, allow_null=True
    )
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)
    lang = serializers.CharField(max_length=16, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    houseNumber = serializers.CharField(source="house_number", max_length=32, required=False, allow_blank=True)
    postalCode = serializers.CharField(source="postal_code", max_length=32, required=False, allow_blank=True)
    city = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aIDocumentation = serializers.CharField(source="ai_documentation", required=False, allow_blank=True)
    uiDs = EndUserUIDWriteSerializer(source="uids", many=True, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "copy"):
            data = data.copy()
            if "uids" in data and "uiDs" not in data:
                data["uiDs"] = data.pop("uids")
            if "aiDocumentation" in data and "aIDocumentation" not in data:
                data["aIDocumentation"] = data.pop("aiDocumentation")
        values = super().to_internal_value(data)
        if values.get("customer_type") is None:
            values.pop("customer_type", None)
        return values


class AssignUIDSerializer(serializers.Serializer):
    """AssignUIDRequest."""

    uid = serializers.CharField(max_length=320)
    endUserID = TenantPrimaryKeyRelatedField(source="end_user", queryset=EndUser.objects.all())
    uidType = serializers.ChoiceField(source="uid_type", choices=UidType.choices, required=False, allow_blank=True)
    isPrimary = serializers.BooleanField(source="is_primary", default=False)


# --- tickets ------------------------------------------------------------------------------------


class TicketListSerializer(serializers.ListSerializer):
    """Loads the end users (with UIDs) and topic names of a whole page in two queries before rendering it."""

    def to_representation(self, data):
        rows = list(data)
        self.child.context["ticket_extras"] = selectors.ticket_row_extras(rows)
        return [self.child.to_representation(row) for row in rows]


class TicketReadSerializer(_SourceFieldsSerializer):
    """TicketReadDTO (+channelType, endUserID, lastEndUserMessageID, token, twilio_CallSid), rendered from
    the dict rows of selectors.ticket_rows."""

    model = Ticket
    dto_fields = {
        "ticketID": "id",
        "customerRepID": "customer_rep_id",
        "customerRepName": "customer_rep_name",
        "status": "status",
        "subject": "subject",
        "escalated": "escalated",
        "isSpam": "is_spam",
        "isClosed": "is_closed",
        "dateCreated": "created_at",
        "lastMessageDate": "last_message_at",
        "closeDate": "close_date",
        "channel": "channel_type",
        "channelType": "channel_type",
        "channelName": "channel_name",
        "uid": "uid",
        "channelID": "channel_id",
        "endUserID": "end_user_id",
        "preview": "preview",
        "aiFeedbackComments": "ai_feedback_comments",
        "summary": "summary",
        "lastEndUserMessageID": "last_end_user_message_id",
        "twilio_CallSid": "twilio_call_sid",
        "token": "token",
    }
    endUsers = EndUserReadSerializer(many=True, read_only=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        list_serializer_class = TicketListSerializer

    def to_representation(self, row):
        extras = self.context.get("ticket_extras") or selectors.ticket_row_extras([row])
        data = super().to_representation(row)
        data["token"] = str(row["token"])
        end_user = extras["end_users"].get(row["end_user_id"])
        data["endUsers"] = [_END_USER.to_representation(end_user)] if end_user else []
        data["topics"] = extras["topics"].get(row["id"], [])
        return data


_END_USER = EndUserReadSerializer()


def _channel_type(value: str) -> str:
    for choice in ChannelType.values:
        if choice.lower() == (value or "").strip().lower():
            return choice
    raise serializers.ValidationError(f"Unknown channel type '{value}'; use one of {', '.join(ChannelType.values)}.")


class TicketWriteSerializer(NullAsBlankSerializer):
    """TicketWriteDTO (`channel` or `channelType`; with only `channelID` the channel's type is used)."""

    customerRepID = TenantPrimaryKeyRelatedField(
        source="customer_rep",
        queryset=CustomerRep.objects.filter(is_active=True, deleted_at__isnull=True),
        required=False,
        allow_null=True,
    )
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    subject = serializers.CharField(max_length=500, allow_blank=True)
    escalated = serializers.BooleanField(default=False)
    isSpam = serializers.BooleanField(source="is_spam", default=False)
    isClosed = serializers.BooleanField(source="is_closed", required=False)
    closeDate = serializers.DateTimeField(source="close_date", required=False, allow_null=True)
    channel = serializers.CharField(max_length=20, required=False, allow_blank=True)
    channelType = serializers.CharField(max_length=20, required=False, allow_blank=True)
    uid = serializers.CharField(max_length=320, required=False, allow_blank=True)
    channelID = TenantPrimaryKeyRelatedField(
        source="channel_obj", queryset=Channel.objects.all(), required=False, allow_null=True
    )
    preview = serializers.CharField(max_length=500, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    twilio_CallSid = serializers.CharField(source="twilio_call_sid", max_length=64, required=False, allow_blank=True)

    def validate(self, attrs):
        raw_type = attrs.pop("channelType", "") or attrs.pop("channel", "")
        attrs.pop("channel", None)
        channel = attrs.get("channel_obj")
        if raw_type:
            attrs["channel_type"] = _channel_type(raw_type)
        elif channel is not None:
            attrs["channel_type"] = channel.channel_type
        else:
            raise serializers.ValidationError({"channelType": ["channelType (or channel / channelID) is required."]})
        if channel is not None and channel.channel_type != attrs["channel_type"]:
            raise serializers.ValidationError({"channelType": ["Does not match the type of channelID."]})
        return attrs

    def to_changes(self) -> dict:
        """The validated body as service field names."""
        data = dict(self.validated_data)
        changes = {key: value for key, value in data.items() if key not in ("customer_rep", "channel_obj")}
        if "customer_rep" in data:
            changes["customer_rep_id"] = data["customer_rep"].pk if data["customer_rep"] else None
        if "channel_obj" in data:
            changes["channel_id"] = data["channel_obj"].pk if data["channel_obj"] else None
        return changes


class TicketBulkSerializer(serializers.Serializer):
    """BulkUpdateRequest: customerRepID omitted/null = keep, 0 = unassign, >0 = assign."""

    ticketIDs = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)
    action = serializers.CharField(max_length=64)
    customerRepID = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ChatTicketCreateSerializer(NullAsBlankSerializer):
    """Body of the public POST /api/Tickets/createchatticket."""

    token = serializers.UUIDField(help_text="The chat channel's public token.")
    hostname = serializers.CharField(max_length=253, required=False, allow_blank=True)
    uid = serializers.CharField(max_length=320, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True)
    pageURL = serializers.URLField(max_length=2000, required=False, allow_blank=True)


class ChatTicketSerializer(serializers.Serializer):
    ticketID = serializers.IntegerField()
    token = serializers.UUIDField()


# --- messages -----------------------------------------------------------------------------------


class TopicBriefSerializer(serializers.ModelSerializer):
    ticketMessageTopicID = serializers.IntegerField(source="id", read_only=True)
    topicName = serializers.CharField(source="topic.name", read_only=True)

    class Meta:
        model = TicketMessageTopic
        fields = ["ticketMessageTopicID", "topicName"]


class TicketMessageTopicSerializer(serializers.ModelSerializer):
    """TicketMessageTopicDTO."""

    ticketMessageTopicID = serializers.IntegerField(source="id", read_only=True)
    messageID = serializers.IntegerField(source="message_id", read_only=True)
    topicID = serializers.IntegerField(source="topic_id", read_only=True)
    topicName = serializers.CharField(source="topic.name", read_only=True)
    correctionDate = serializers.DateTimeField(source="correction_date", read_only=True)
    correctedByCustomerRepID = serializers.IntegerField(source="corrected_by_id", read_only=True)
    correctedByCustomerRepName = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessageTopic
        fields = [
            "ticketMessageTopicID",
            "messageID",
            "topicID",
            "topicName",
            "corrected",
            "correctionDate",
            "correctedByCustomerRepID",
            "correctedByCustomerRepName",
        ]

    def get_correctedByCustomerRepName(self, row) -> str | None:
        return str(row.corrected_by) if row.corrected_by_id else None


_COMMON_MESSAGE_FIELDS = {
    "messageID": "id",
    "ticketID": "ticket_id",
    "dateCreated": "created_at",
    "senderType": "sender_type",
    "customerRepID": "customer_rep_id",
    "message": "message",
    "subject": "subject",
    "fromAddress": "from_address",
    "toAddress": "to_address",
    "fromName": "from_name",
    "isOpened": "is_opened",
    "messageDate": "message_date",
    "uid": "uid",
    "status": "status",
    "channelID": "channel_id",
    "pageScreenshot": "page_screenshot",
    "pageURL": "page_url",
    "htmlBody": "html_body",
    "textBody": "text_body",
    "hasAttachment": "has_attachment",
    "isEscalated": "is_escalated",
    "aI_FeedbackComment": "ai_feedback_comment",
    "incoming": "incoming",
}

_DETAIL_ONLY_FIELDS = {
    "headers": "headers",
    "ccAddress": "cc_address",
    "bccAddress": "bcc_address",
    "isBounced": "is_bounced",
    "messageIdentifier": "message_identifier",
    "conversationID": "conversation_id",
    "inReplyTo": "in_reply_to",
    "references": "references",
    "emailAddress": "email_address",
    "lastOpenDate": "last_open_date",
    "twilio_CallSid": "twilio_call_sid",
    "fromNumber": "from_number",
    "toNumber": "to_number",
    "pageHTML": "page_html",
    "aISpamStatus": "ai_spam_status",
    "aITopicsStatus": "ai_topics_status",
    "aIReplyStatus": "ai_reply_status",
    "aI_GeneratedResponse": "ai_generated_response",
    "aI_ModifiedResponse": "ai_modified_response",
    "aI_ResponseDateTime": "ai_response_datetime",
    "isLiked": "is_liked",
    "aiPrompt": "ai_prompt",
    "emailTemplateID": "email_template_id",
    "bodyPreview": "body_preview",
    "customerID": "customer_id",
    "emailMsSqlID": "email_ms_sql_id",
    "isKnownEndUser": "is_known_end_user",
    "isSpamSpamAssassin": "is_spam_spamassassin",
    "isSpamAI": "is_spam_ai",
    "additionalInfo": "additional_info",
    "replyToMessageID": "reply_to_message_id",
    "customFieldsData": "custom_fields_data",
    "lang": "lang",
    "endUserID": "end_user_id",
    "direction": "direction",
}


class TicketMessageReadSerializer(_SourceFieldsSerializer):
    """TicketMessageReadDTO (list item) with topics [{ticketMessageTopicID, topicName}]."""

    model = TicketMessage
    dto_fields = {**_COMMON_MESSAGE_FIELDS, "preview": "body_preview"}
    topics = TopicBriefSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["topics"] = [
            {"ticketMessageTopicID": row.pk, "topicName": row.topic.name} for row in instance.topics.all()
        ]
        return data


class TicketMessageDetailSerializer(_SourceFieldsSerializer):
    """TicketMessageDetailDTO: every stored field, topics, custom field definitions and the fields
    other apps register in tickets.registry (e.g. automation's `actions`)."""

    model = TicketMessage
    dto_fields = {**_COMMON_MESSAGE_FIELDS, **_DETAIL_ONLY_FIELDS}
    customerRepName = serializers.CharField(read_only=True, allow_null=True)
    channelName = serializers.CharField(read_only=True, allow_null=True)
    topics = TicketMessageTopicSerializer(many=True, read_only=True)
    customFieldDefinitions = serializers.ListField(child=serializers.DictField(), read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["customerRepName"] = str(instance.customer_rep) if instance.customer_rep_id else None
        data["channelName"] = instance.channel.name if instance.channel_id else None
        data["topics"] = TicketMessageTopicSerializer(instance.topics.all(), many=True).data
        data["customFieldDefinitions"] = self.context.get("custom_field_definitions", [])
        for field in registry.message_detail_fields():
            data[field.name] = field.render(instance)
        return data


class TicketMessageCreateSerializer(NullAsBlankSerializer):
    """TicketMessageCreateDTO."""

    ticketID = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    channel = serializers.CharField(max_length=20, required=False, allow_blank=True)
    channelID = TenantPrimaryKeyRelatedField(
        source="channel_obj", queryset=Channel.objects.all(), required=False, allow_null=True
    )
    incoming = serializers.BooleanField(default=True)
    senderType = serializers.ChoiceField(source="sender_type", choices=SenderType.choices, required=False)
    uid = serializers.CharField(max_length=320, required=False, allow_blank=True)
    fromAddress = serializers.CharField(source="from_address", max_length=320, required=False, allow_blank=True)
    fromName = serializers.CharField(source="from_name", max_length=200, required=False, allow_blank=True)
    toAddress = serializers.CharField(source="to_address", required=False, allow_blank=True)
    ccAddress = serializers.CharField(source="cc_address", required=False, allow_blank=True)
    bccAddress = serializers.CharField(source="bcc_address", required=False, allow_blank=True)
    fromNumber = serializers.CharField(source="from_number", max_length=32, required=False, allow_blank=True)
    toNumber = serializers.CharField(source="to_number", max_length=32, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True)
    textBody = serializers.CharField(source="text_body", required=False, allow_blank=True)
    htmlBody = serializers.CharField(source="html_body", required=False, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True)
    pageScreenshot = serializers.CharField(source="page_screenshot", required=False, allow_blank=True)
    pageURL = serializers.URLField(source="page_url", max_length=2000, required=False, allow_blank=True)
    isOpened = serializers.BooleanField(source="is_opened", required=False)
    additionalInfo = serializers.CharField(source="additional_info", required=False, allow_blank=True)
    customFieldsData = serializers.JSONField(source="custom_fields_data", required=False)
    lang = serializers.CharField(max_length=16, required=False, allow_blank=True)

    def validate_channel(self, value):
        return _channel_type(value) if value else ""

    def validate_customFieldsData(self, value):
        return custom_fields_validate(customer_id=self.context["customer_id"], data=value)


class TicketMessageUpdateSerializer(NullAsBlankSerializer):
    """TicketMessageUpdateDTO plus the editable body, address and UID fields."""

    messageID = serializers.IntegerField(required=False)
    aI_ModifiedResponse = serializers.CharField(source="ai_modified_response", required=False, allow_blank=True)
    customFieldsData = serializers.JSONField(source="custom_fields_data", required=False)
    lang = serializers.CharField(max_length=16, required=False, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True)
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True)
    textBody = serializers.CharField(source="text_body", required=False, allow_blank=True)
    htmlBody = serializers.CharField(source="html_body", required=False, allow_blank=True)
    fromAddress = serializers.CharField(source="from_address", max_length=320, required=False, allow_blank=True)
    fromName = serializers.CharField(source="from_name", max_length=200, required=False, allow_blank=True)
    toAddress = serializers.CharField(source="to_address", required=False, allow_blank=True)
    ccAddress = serializers.CharField(source="cc_address", required=False, allow_blank=True)
    bccAddress = serializers.CharField(source="bcc_address", required=False, allow_blank=True)
    uid = serializers.CharField(max_length=320, required=False, allow_blank=True)
    additionalInfo = serializers.CharField(source="additional_info", required=False, allow_blank=True)

    def validate_customFieldsData(self, value):
        return custom_fields_validate(customer_id=self.context["customer_id"], data=value)

    def validate_messageID(self, value):
        instance = self.context.get("message")
        if instance is not None and value != instance.pk:
            raise serializers.ValidationError("Does not match the message in the path.")
        return value


class MessageDraftSerializer(serializers.Serializer):
    messageID = serializers.IntegerField(source="id")
    draft = serializers.SerializerMethodField()
    isModified = serializers.SerializerMethodField()
    aI_ResponseDateTime = serializers.DateTimeField(source="ai_response_datetime")
    aIReplyStatus = serializers.CharField(source="ai_reply_status")

    def get_draft(self, message) -> str:
        return message.ai_modified_response or message.ai_generated_response

    def get_isModified(self, message) -> bool:
        return bool(message.ai_modified_response)


class MessagePromptSerializer(serializers.Serializer):
    messageID = serializers.IntegerField(source="id")
    aiPrompt = serializers.CharField(source="ai_prompt")


class CorrectTopicsSerializer(serializers.Serializer):
    topicIds = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=100)


class EscalateSerializer(NullAsBlankSerializer):
    """EscalateRequest: an optional comment of the end user or representative."""

    aI_FeedbackComment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class MessageResultSerializer(serializers.Serializer):
    message = serializers.CharField()


class LikeDislikeSerializer(serializers.Serializer):
    like = serializers.BooleanField()


class LikeDislikeResponseSerializer(serializers.Serializer):
    agentAvailable = serializers.BooleanField()
    customerRepName = serializers.CharField(allow_null=True)


class AddTopicSerializer(serializers.Serializer):
    """AddTopicRequest."""

    messageID = TenantPrimaryKeyRelatedField(source="message", queryset=TicketMessage.objects.all())
    topicID = serializers.IntegerField(min_value=1)
    customerRepID = serializers.IntegerField(required=False, allow_null=True)

    def validate_topicID(self, value):
        if not selectors.topic_ids_of_customer(customer_id=self.context["customer_id"], topic_ids=[value]):
            raise serializers.ValidationError(f"No topic with id {value} exists.")
        return value


class RemoveTopicSerializer(serializers.Serializer):
    """RemoveTopicRequest."""

    ticketMessageTopicID = TenantPrimaryKeyRelatedField(
        source="message_topic", queryset=TicketMessageTopic.objects.all()
    )
    customerRepID = serializers.IntegerField(required=False, allow_null=True)


# --- attachments --------------------------------------------------------------------------------


class TicketMessageAttachmentSerializer(serializers.ModelSerializer):
    """TicketMessageAttachmentDTO (no bytes) with the public download `url`."""

    ticketMessageAttachmentID = serializers.IntegerField(source="id", read_only=True)
    messageID = serializers.IntegerField(source="message_id", read_only=True)
    fileName = serializers.CharField(source="file_name", read_only=True)
    contentType = serializers.CharField(source="content_type", read_only=True)
    fileSizeBytes = serializers.IntegerField(source="size", read_only=True)
    createdDateTime = serializers.DateTimeField(source="created_at", read_only=True)
    isEndUserProvided = serializers.BooleanField(source="is_end_user_provided", read_only=True)
    isCustomerRepProvided = serializers.BooleanField(source="is_customer_rep_provided", read_only=True)
    convertedFromAttachmentID = serializers.IntegerField(source="converted_from_id", read_only=True)
    contentId = serializers.CharField(source="content_id", read_only=True)
    accessToken = serializers.UUIDField(source="access_token", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessageAttachment
        fields = [
            "ticketMessageAttachmentID",
            "messageID",
            "fileName",
            "contentType",
            "fileSizeBytes",
            "createdDateTime",
            "isEndUserProvided",
            "isCustomerRepProvided",
            "convertedFromAttachmentID",
            "contentId",
            "accessToken",
            "url",
        ]

    def get_url(self, attachment) -> str:
        path = selectors.attachment_download_path(attachment)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    isEndUserProvided = serializers.BooleanField(required=False, default=False)
