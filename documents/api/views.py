"""Documents routes: CRUD, placeholder replacement on read, and file → markdown conversion."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from answerpal.api.errors import ApiError, field_error
from answerpal.api.filters import query_id
from answerpal.api.policies import ManageSettings
from answerpal.api.viewsets import TenantModelViewSet
from documents.api.serializers import DocumentConvertSerializer, DocumentSerializer, MarkdownSerializer
from documents.conversion import ConversionError, convert_to_markdown
from documents.models import Document
from documents.placeholders import PlaceholderSourceNotFound, placeholder_context, render_placeholders
from documents.selectors import document_queryset
from documents.services import document_create, document_delete, document_update

_CONVERSION_STATUS = {"UnsupportedDocumentType": 415, "BrokenDocument": 400}


class DocumentViewSet(TenantModelViewSet):
    """Prompt, realtime-instruction, data-retrieval and function-tool documents (ManageSettings)."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    max_page_size = 1000  # the web app fetches "all" with pageSize=1000 (frontend.md)
    policy = ManageSettings
    sort_fields = {"name": "name", "creationDate": "creation_date", "lastModifiedDate": "last_modified_date"}
    default_sort = "name"
    search_fields = ["name", "description"]

    def scope_queryset(self, queryset):
        return document_queryset()

    def _write_kwargs(self, serializer) -> tuple[dict, list | None]:
        data = dict(serializer.validated_data)
        requirements = data.pop("custom_field_requirements", None)
        return data, requirements

    def perform_create(self, serializer):
        data, requirements = self._write_kwargs(serializer)
        serializer.instance = document_create(customer_id=self.customer_id, data=data, requirements=requirements)

    def perform_update(self, serializer):
        data, requirements = self._write_kwargs(serializer)
        serializer.instance = document_update(document=serializer.instance, data=data, requirements=requirements)

    def perform_destroy(self, instance):
        document_delete(document=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("replacePlaceholders", OpenApiTypes.BOOL, description="Fill {{…}} placeholders."),
            OpenApiParameter("messageId", OpenApiTypes.INT, description="Message whose values fill placeholders."),
            OpenApiParameter("ticketId", OpenApiTypes.INT, description="Ticket whose values fill placeholders."),
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        body = self.get_serializer(document).data
        if request.query_params.get("replacePlaceholders", "").lower() == "true":
            try:
                context = placeholder_context(
                    customer_id=self.customer_id,
                    message_id=query_id(request, "messageId"),
                    ticket_id=query_id(request, "ticketId"),
                )
            except PlaceholderSourceNotFound as error:
                raise field_error(error.field, error.detail) from error
            body["content"] = render_placeholders(document.content, context)
        return Response(body)

    @extend_schema(request={"multipart/form-data": DocumentConvertSerializer}, responses=MarkdownSerializer)
    @action(detail=False, methods=["post"], url_path="convert", parser_classes=[MultiPartParser])
    def convert(self, request):
        """Word, Excel, PDF or HTML upload (field `file`, at most 50 MB) → {markdown}."""
        upload = request.FILES.get("file")
        limit = settings.ANSWERPAL_MAX_UPLOAD_BYTES
        if upload is not None and upload.size > limit:
            raise ApiError(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                "DocumentTooLarge",
                f"The file is {upload.size} bytes; documents up to {limit // (1024 * 1024)} MB can be converted.",
            )
        serializer = DocumentConvertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            markdown = convert_to_markdown(file_name=upload.name, data=upload.read())
        except ConversionError as error:
            raise ApiError(_CONVERSION_STATUS[error.code], error.code, error.detail) from error
        return Response({"markdown": markdown})
