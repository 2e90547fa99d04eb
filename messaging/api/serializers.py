"""Request and response shapes of the transport routes."""

from rest_framework import serializers

from channels_cfg.api.serializers import ChannelSerializer


class ImportQueuedSerializer(serializers.Serializer):
    channelIDs = serializers.ListField(child=serializers.IntegerField())
    queued = serializers.IntegerField()


class ConnectionTestInputSerializer(ChannelSerializer):
    """The Channel DTO to test (unsaved settings); with channelID, stored secrets fill masked ones."""

    channelID = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        return attrs  # a connection test checks reachability, not completeness of the channel


class ConnectionStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class ConnectionTestResultSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    provider = serializers.CharField()
    failedStep = serializers.CharField(source="failed_step", allow_null=True)
    error = serializers.CharField(allow_null=True)
    steps = ConnectionStepSerializer(many=True)


class MailboxFolderSerializer(serializers.Serializer):
    folderID = serializers.CharField()
    folderName = serializers.CharField()
    totalItemCount = serializers.IntegerField(allow_null=True)
    isLinked = serializers.BooleanField()
    channelFolderID = serializers.IntegerField(allow_null=True)


class SendMessageSerializer(serializers.Serializer):
    """SendMessageDTO."""

    modifiedAnswer = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100_000)


class SendForwardSerializer(serializers.Serializer):
    toAddress = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    ccAddress = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    toNumber = serializers.RegexField(r"^\+[1-9]\d{6,14}$", required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def validate_toAddress(self, value):
        from django.core.validators import validate_email

        addresses = [item.strip() for item in value.replace(";", ",").split(",") if item.strip()]
        for address in addresses:
            try:
                validate_email(address)
            except Exception as error:
                raise serializers.ValidationError(f"'{address}' is not an e-mail address.") from error
        return ", ".join(addresses)

    def validate(self, attrs):
        if not attrs.get("toAddress") and not attrs.get("toNumber"):
            raise serializers.ValidationError({"toAddress": ["Give toAddress or toNumber."]})
        return attrs


class SentMessageSerializer(serializers.Serializer):
    """What a send route answers: the outbound message and its delivery state."""

    messageID = serializers.IntegerField(source="id")
    ticketID = serializers.IntegerField(source="ticket_id")
    status = serializers.CharField()
    channelID = serializers.IntegerField(source="channel_id", allow_null=True)
    toAddress = serializers.CharField(source="to_address")
    toNumber = serializers.CharField(source="to_number")
    subject = serializers.CharField()
    replyToMessageID = serializers.IntegerField(source="reply_to_message_id", allow_null=True)


class WebChatPostSerializer(serializers.Serializer):
    ticketToken = serializers.UUIDField(required=False, allow_null=True)
    message = serializers.CharField(max_length=4000)
    pageURL = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class WebChatMessageSerializer(serializers.Serializer):
    messageID = serializers.IntegerField(source="id")
    senderType = serializers.CharField(source="sender_type")
    message = serializers.SerializerMethodField()
    customerRepName = serializers.SerializerMethodField()
    dateCreated = serializers.DateTimeField(source="created_at")

    def get_message(self, message) -> str:
        return message.message or message.text_body

    def get_customerRepName(self, message) -> str | None:
        return message.customer_rep.name if message.customer_rep_id else None


class WebChatPostResultSerializer(serializers.Serializer):
    ticketToken = serializers.UUIDField()
    ticketID = serializers.IntegerField()
    messageID = serializers.IntegerField()


class WebChatMessagesSerializer(serializers.Serializer):
    items = WebChatMessageSerializer(many=True)
    cursor = serializers.IntegerField()
