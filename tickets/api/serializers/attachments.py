"""Attachment DTOs: metadata with a download token, and the multipart upload."""

from rest_framework import serializers

from tickets import selectors
from tickets.models import (
    TicketMessageAttachment,
)


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
    convertedFromAttachmentID = serializers.IntegerField(source="converted_from_id", read_only=True, allow_null=True)
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
