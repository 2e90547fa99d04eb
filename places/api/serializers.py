"""Place description DTOs (place-descriptions.md): JSON names as the spec; referenced documents, topic and
representative must belong to the caller's customer (another tenant's id reads as missing)."""

from django.urls import reverse
from rest_framework import serializers

from accounts.models import CustomerRep
from answerpal.api.fields import TenantPrimaryKeyRelatedField, blank_nulls
from answerpal.api.filters import BIGINT_MAX
from automation.models import Topic
from documents.models import Document
from places.export import PhotoPlacement
from places.locales import EXPORT_LANG_CHOICES, LANGUAGE_CHOICES
from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto
from tickets.models import Ticket

_REPORT_TEXT = ("client_names", "case_number", "description", "landlords", "tenants", "address", "language")
_ROOM_TEXT = ("transcript", "report_text", "notes")


def _text(**kwargs) -> serializers.CharField:
    """An optional text field; null is stored as an empty string."""
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, **kwargs)


def _absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class RoomPhotoSerializer(serializers.ModelSerializer):
    placeDescriptionRoomPhotoID = serializers.IntegerField(source="id", read_only=True)
    placeDescriptionRoomID = serializers.IntegerField(source="room_id", read_only=True)
    fileName = serializers.CharField(source="file_name", read_only=True)
    contentType = serializers.CharField(source="content_type", read_only=True)
    fileSizeBytes = serializers.IntegerField(source="size", read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    caption = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    sortOrder = serializers.IntegerField(source="sort_order", required=False)
    accessToken = serializers.UUIDField(source="access_token", read_only=True)
    url = serializers.SerializerMethodField()
    thumbnailUrl = serializers.SerializerMethodField()
    dateCreatedUtc = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = PlaceDescriptionRoomPhoto
        fields = [
            "placeDescriptionRoomPhotoID",
            "placeDescriptionRoomID",
            "fileName",
            "contentType",
            "fileSizeBytes",
            "width",
            "height",
            "caption",
            "sortOrder",
            "accessToken",
            "url",
            "thumbnailUrl",
            "dateCreatedUtc",
        ]

    def get_url(self, photo) -> str:
        return _absolute(self, reverse("place-photo", kwargs={"access_token": photo.access_token}))

    def get_thumbnailUrl(self, photo) -> str:
        return _absolute(self, reverse("place-photo-thumbnail", kwargs={"access_token": photo.access_token}))

    def validate(self, attrs):
        return blank_nulls(attrs, ["caption"])


class RoomPhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, HEIC or WebP; the type is read from the bytes.")
    caption = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RoomSerializer(serializers.ModelSerializer):
    placeDescriptionRoomID = serializers.IntegerField(source="id", read_only=True)
    placeDescriptionReportID = serializers.IntegerField(source="report_id", read_only=True)
    name = serializers.CharField(max_length=200)
    sortOrder = serializers.IntegerField(source="sort_order", required=False, allow_null=True)
    transcript = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    reportText = serializers.CharField(
        source="report_text",
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="HTML; stored sanitised (headings, paragraphs, emphasis, lists, tables).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    transformStatus = serializers.CharField(source="transform_status", read_only=True)
    transformError = serializers.CharField(source="transform_error", read_only=True)
    transformModel = serializers.CharField(source="transform_model", read_only=True)
    dateTransformedUtc = serializers.DateTimeField(source="transformed_at", read_only=True, allow_null=True)
    photos = RoomPhotoSerializer(many=True, read_only=True)
    dateCreatedUtc = serializers.DateTimeField(source="created_at", read_only=True)
    dateUpdatedUtc = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = PlaceDescriptionRoom
        fields = [
            "placeDescriptionRoomID",
            "placeDescriptionReportID",
            "name",
            "sortOrder",
            "transcript",
            "reportText",
            "notes",
            "transformStatus",
            "transformError",
            "transformModel",
            "dateTransformedUtc",
            "photos",
            "dateCreatedUtc",
            "dateUpdatedUtc",
        ]

    def validate(self, attrs):
        attrs = blank_nulls(attrs, _ROOM_TEXT)
        if "sort_order" in attrs and attrs["sort_order"] is None:
            attrs.pop("sort_order")
        return attrs


class ReportSerializer(serializers.ModelSerializer):
    placeDescriptionReportID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    createdByCustomerRepID = serializers.IntegerField(
        source="created_by_customer_rep_id", read_only=True, allow_null=True
    )
    customerRepID = TenantPrimaryKeyRelatedField(
        source="customer_rep", queryset=CustomerRep.objects.all(), required=False, allow_null=True
    )
    clientNames = _text(source="client_names", max_length=500)
    caseNumber = _text(source="case_number", max_length=100)
    description = _text()
    landlords = _text(max_length=1000)
    tenants = _text(max_length=1000)
    address = _text(max_length=500)
    reportDate = serializers.DateField(source="report_date", required=False, allow_null=True)
    lexiconDocumentID = TenantPrimaryKeyRelatedField(
        source="lexicon_document", queryset=Document.objects.all(), required=False, allow_null=True
    )
    instructionsDocumentID = TenantPrimaryKeyRelatedField(
        source="instructions_document", queryset=Document.objects.all(), required=False, allow_null=True
    )
    transformTopicID = TenantPrimaryKeyRelatedField(
        source="transform_topic", queryset=Topic.objects.all(), required=False, allow_null=True
    )
    heroPhotoAccessToken = serializers.UUIDField(source="hero_photo_access_token", required=False, allow_null=True)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The report's language: labels, element headings, Word's proofing language and the page margins "
        "of the export. Empty: the rooms' dictation's language (else PLACES_REPORT_LANGUAGE).",
    )
    ticketID = TenantPrimaryKeyRelatedField(
        source="ticket",
        queryset=Ticket.objects.all(),
        required=False,
        allow_null=True,
        help_text="The ticket the report was made for; list a ticket's reports with ?ticketId=.",
    )
    dateCreatedUtc = serializers.DateTimeField(source="created_at", read_only=True)
    dateUpdatedUtc = serializers.DateTimeField(source="updated_at", read_only=True)
    rooms = RoomSerializer(many=True, read_only=True)

    class Meta:
        model = PlaceDescriptionReport
        fields = [
            "placeDescriptionReportID",
            "customerID",
            "createdByCustomerRepID",
            "customerRepID",
            "clientNames",
            "caseNumber",
            "description",
            "landlords",
            "tenants",
            "address",
            "reportDate",
            "lexiconDocumentID",
            "instructionsDocumentID",
            "transformTopicID",
            "heroPhotoAccessToken",
            "language",
            "ticketID",
            "dateCreatedUtc",
            "dateUpdatedUtc",
            "rooms",
        ]

    def validate(self, attrs):
        return blank_nulls(attrs, _REPORT_TEXT)


class ReportListSerializer(ReportSerializer):
    """A list row: the report's own columns without parties, references and rooms."""

    class Meta(ReportSerializer.Meta):
        fields = [
            "placeDescriptionReportID",
            "customerID",
            "customerRepID",
            "caseNumber",
            "clientNames",
            "address",
            "description",
            "reportDate",
            "language",
            "ticketID",
            "dateCreatedUtc",
            "dateUpdatedUtc",
        ]


class RoomOrderSerializer(serializers.Serializer):
    roomIDs = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX), allow_empty=False, max_length=1000
    )


class PhotoOrderSerializer(serializers.Serializer):
    photoIDs = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class ReportTransformSerializer(serializers.Serializer):
    """202 answer of a whole-report transformation: the queued rooms; poll the report for each room's status."""

    placeDescriptionReportID = serializers.IntegerField()
    queuedRoomIDs = serializers.ListField(child=serializers.IntegerField())


class ExportQuerySerializer(serializers.Serializer):
    photoPlacement = serializers.ChoiceField(choices=PhotoPlacement.CHOICES, default=PhotoPlacement.PER_ROOM)
    includePhotos = serializers.BooleanField(default=True)
    lang = serializers.ChoiceField(
        choices=EXPORT_LANG_CHOICES,
        required=False,
        help_text="nl, en, fr (Belgian / British defaults) or a locale; default: the report's language.",
    )
