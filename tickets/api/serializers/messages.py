"""Ticket message DTOs (list, detail, create, update), message topics, drafts, escalation and feedback."""

from rest_framework import serializers

from answerpal.api.fields import LimitedJSONField, TenantPrimaryKeyRelatedField
from answerpal.api.filters import BIGINT_MAX
from channels_cfg.models import Channel
from customers.selectors import custom_fields_validate
from tickets import registry, selectors
from tickets.api.serializers.base import NullAsBlankSerializer, SourceFieldsSerializer, with_registered_fields
from tickets.api.serializers.tickets import channel_type_validate
from tickets.models import (
    SenderType,
    TicketMessage,
    TicketMessageTopic,
)


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
    "aI_ReplyCoverage": "ai_reply_coverage",
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


def _extra_fields(serializer, instance) -> dict:
    """The fields other apps register (tickets.registry.register_message_fields) for `instance`: from the page's
    values the list serializer loaded, else loaded for this one message."""
    extras = serializer.context.get("message_extras")
    if extras is None or instance.pk not in extras:
        extras = registry.message_extra_values([instance])
    return extras[instance.pk]


class TicketMessageListSerializer(serializers.ListSerializer):
    """Loads the registered extra fields of a whole page at once before rendering it."""

    def to_representation(self, data):
        messages = list(data.all() if hasattr(data, "all") else data)
        self.child.context["message_extras"] = registry.message_extra_values(messages)
        return [self.child.to_representation(message) for message in messages]


class TicketMessageReadSerializer(SourceFieldsSerializer):
    """TicketMessageReadDTO (list item) with topics [{ticketMessageTopicID, topicName}] and the fields other apps
    register (voice's transcriptStatus, transcriptStatusText)."""

    model = TicketMessage
    dto_fields = {**_COMMON_MESSAGE_FIELDS, "preview": "body_preview"}
    topics = TopicBriefSerializer(many=True, read_only=True)

    class Meta:
        list_serializer_class = TicketMessageListSerializer

    def get_fields(self):
        return with_registered_fields(super().get_fields(), registry.message_extra_names())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["topics"] = [
            {"ticketMessageTopicID": row.pk, "topicName": row.topic.name} for row in instance.topics.all()
        ]
        data.update(_extra_fields(self, instance))
        return data


class TicketMessageDetailSerializer(SourceFieldsSerializer):
    """TicketMessageDetailDTO: every stored field, topics, custom field definitions and the fields
    other apps register in tickets.registry (e.g. automation's `actions`, voice's transcriptStatus)."""

    model = TicketMessage
    dto_fields = {**_COMMON_MESSAGE_FIELDS, **_DETAIL_ONLY_FIELDS}
    customerRepName = serializers.CharField(read_only=True, allow_null=True)
    channelName = serializers.CharField(read_only=True, allow_null=True)
    topics = TicketMessageTopicSerializer(many=True, read_only=True)
    customFieldDefinitions = serializers.ListField(child=serializers.DictField(), read_only=True)

    def get_fields(self):
        return with_registered_fields(super().get_fields(), registry.message_extra_names())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["customerRepName"] = str(instance.customer_rep) if instance.customer_rep_id else None
        data["channelName"] = instance.channel.name if instance.channel_id else None
        data["topics"] = TicketMessageTopicSerializer(instance.topics.all(), many=True).data
        data["customFieldDefinitions"] = self.context.get("custom_field_definitions", [])
        for field in registry.message_detail_fields():
            data[field.name] = field.render(instance)
        data.update(_extra_fields(self, instance))
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
    customFieldsData = LimitedJSONField(source="custom_fields_data", required=False)
    lang = serializers.CharField(max_length=16, required=False, allow_blank=True)

    def validate_channel(self, value):
        return channel_type_validate(value) if value else ""

    def validate_customFieldsData(self, value):
        return custom_fields_validate(customer_id=self.context["customer_id"], data=value)


class TicketMessageUpdateSerializer(NullAsBlankSerializer):
    """TicketMessageUpdateDTO plus the editable body, address and UID fields."""

    messageID = serializers.IntegerField(required=False)
    aI_ModifiedResponse = serializers.CharField(source="ai_modified_response", required=False, allow_blank=True)
    customFieldsData = LimitedJSONField(source="custom_fields_data", required=False)
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
    aI_ResponseDateTime = serializers.DateTimeField(source="ai_response_datetime", allow_null=True)
    aIReplyStatus = serializers.CharField(source="ai_reply_status")

    def get_draft(self, message) -> str:
        return message.ai_modified_response or message.ai_generated_response

    def get_isModified(self, message) -> bool:
        return bool(message.ai_modified_response)


class MessagePromptSerializer(serializers.Serializer):
    messageID = serializers.IntegerField(source="id")
    aiPrompt = serializers.CharField(source="ai_prompt")


class CorrectTopicsSerializer(serializers.Serializer):
    topicIds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX), allow_empty=True, max_length=100
    )


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
    topicID = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
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
