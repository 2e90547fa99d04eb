"""Ticket DTOs: TicketReadDTO rendered from list rows, the write DTO behind POST/PUT/PATCH, bulk actions
and the public chat-ticket bodies."""

from rest_framework import serializers

from accounts.models import CustomerRep
from answerpal.api.fields import TenantPrimaryKeyRelatedField
from channels_cfg.models import Channel, ChannelType
from tickets import registry, selectors
from tickets.api.serializers.base import NullAsBlankSerializer, SourceFieldsSerializer, with_registered_fields
from tickets.api.serializers.end_users import EndUserReadSerializer
from tickets.models import (
    Ticket,
    TicketStatus,
)


class TicketListSerializer(serializers.ListSerializer):
    """Loads the end users (with UIDs) and topic names of a whole page in two queries before rendering it."""

    def to_representation(self, data):
        rows = list(data)
        self.child.context["ticket_extras"] = selectors.ticket_row_extras(rows)
        return [self.child.to_representation(row) for row in rows]


class TicketReadSerializer(SourceFieldsSerializer):
    """TicketReadDTO (+channelType, endUserID, lastEndUserMessageID, token, twilio_CallSid, and the fields other
    apps register in tickets.registry, e.g. voice's transcriptStatus), rendered from the dict rows of
    selectors.ticket_rows."""

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
        "legalHold": "legal_hold",
    }
    endUsers = EndUserReadSerializer(many=True, read_only=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        list_serializer_class = TicketListSerializer

    def get_fields(self):
        return with_registered_fields(super().get_fields(), registry.ticket_extra_names())

    def to_representation(self, row):
        extras = self.context.get("ticket_extras") or selectors.ticket_row_extras([row])
        data = super().to_representation(row)
        data["token"] = str(row["token"])
        end_user = extras["end_users"].get(row["end_user_id"])
        data["endUsers"] = [_END_USER.to_representation(end_user)] if end_user else []
        data["topics"] = extras["topics"].get(row["id"], [])
        data.update(extras["fields"].get(row["id"], {}))
        return data


_END_USER = EndUserReadSerializer()


def channel_type_validate(value: str) -> str:
    """The ChannelType spelled as the client sent it in any casing (400 for an unknown one)."""
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
            attrs["channel_type"] = channel_type_validate(raw_type)
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


class TicketLegalHoldSerializer(serializers.Serializer):
    """PUT /api/Tickets/{id}/legalHold body."""

    legalHold = serializers.BooleanField(source="legal_hold")


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
