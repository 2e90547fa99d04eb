"""Place description routes. The six documented report routes (PD1) plus the routes PD1 only summarises,
designed like the rest of the API (flat controllers, detail actions, problem+json):

| route | what |
|---|---|
| POST /api/PlaceDescriptionReports/{id}/rooms | add a room (last unless sortOrder is given) |
| PUT /api/PlaceDescriptionReports/{id}/rooms/order | `{roomIDs: [...]}`: every room once, new order |
| POST /api/PlaceDescriptionReports/{id}/transform | queue every room with a transcript on the `ai` queue (202) |
| GET /api/PlaceDescriptionReports/{id}/hero-photo | the cover photo's bytes (404 HeroPhotoNotSet) |
| GET/PUT/DELETE /api/PlaceDescriptionRooms/{id} | one room (PUT: name, sortOrder, transcript, reportText, notes) |
| POST /api/PlaceDescriptionRooms/{id}/transform | transcript → report text now (sync), the room back |
| GET/POST /api/PlaceDescriptionRooms/{id}/photos | the room's photos (array, in order) / upload `file` (+ `caption`) |
| PUT /api/PlaceDescriptionRooms/{id}/photos/order | `{photoIDs: [...]}` |
| GET/PUT/DELETE /api/PlaceDescriptionRoomPhotos/{id} | one photo's metadata (PUT: caption, sortOrder) |
| GET /api/PlaceDescriptionPhotos/{accessToken} (+ /thumbnail) | public by token, like File/{token} |

All protected routes need TicketAccess and the plan feature hasSchedulesOfCondition (403 FeatureNotInPlan);
the token routes are public, and a token is the only key (no tenant can be guessed from another's)."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from answerpal.api.downloads import stored_file_response
from answerpal.api.errors import ApiError
from answerpal.api.parsers import LimitedJSONParser
from answerpal.api.policies import TicketAccess
from answerpal.api.throttling import PublicAssetThrottle
from answerpal.api.viewsets import PublicApiView, ReplaceModelMixin, TenantModelViewSet, TenantViewSet
from billing.permissions import RequiresFeature
from places import selectors, services
from places.api.serializers import (
    ExportQuerySerializer,
    PhotoOrderSerializer,
    ReportListSerializer,
    ReportSerializer,
    ReportTransformSerializer,
    RoomOrderSerializer,
    RoomPhotoSerializer,
    RoomPhotoUploadSerializer,
    RoomSerializer,
)
from places.export import DOCX_CONTENT_TYPE, PhotoPlacement, report_docx_file
from places.filters import PlaceDescriptionReportFilterSet
from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto

PLACES_POLICY = (TicketAccess, RequiresFeature("hasSchedulesOfCondition"))


def _validated(serializer_class, request, data=None) -> dict:
    """The validated body (or `data`, e.g. query parameters) of an action's input serializer; 400 otherwise."""
    serializer = serializer_class(data=request.data if data is None else data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


_BINARY = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


class PlaceDescriptionReportViewSet(TenantModelViewSet):
    """Reports of the caller's customer; the list searches address, case number and client names, and `ticketId`
    lists the reports linked to a ticket."""

    calls_provider = True  # schema: 502/503 provider answers
    conflict_actions = ("export_docx",)  # schema: 409 ReportEmpty
    queryset = PlaceDescriptionReport.objects.all()
    serializer_class = ReportSerializer
    filterset_class = PlaceDescriptionReportFilterSet
    policy = PLACES_POLICY
    sort_fields = {
        "dateCreatedUtc": "created_at",
        "dateUpdatedUtc": "updated_at",
        "reportDate": "report_date",
        "caseNumber": "case_number",
        "address": "address",
        "clientNames": "client_names",
    }
    default_sort = "dateCreatedUtc"
    default_sort_order = "desc"
    search_fields = ["address", "case_number", "client_names"]

    def scope_queryset(self, queryset):
        return selectors.report_list_queryset() if self.action == "list" else selectors.report_detail_queryset()

    def get_serializer_class(self):
        return ReportListSerializer if self.action == "list" else ReportSerializer

    def perform_create(self, serializer):
        serializer.instance = services.report_create(
            customer_id=self.customer_id, rep_id=self.request.auth.rep_id, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.report_update(report=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.report_delete(report=instance)

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, DOCX_CONTENT_TYPE): OpenApiTypes.BINARY},
        description="The report as a Word document. photoPlacement: perRoom (default), appendix or none; "
        "includePhotos=false leaves photos out whatever the placement; lang: nl, en or fr labels (default: the "
        "report's language, else the dictation's). 409 ReportEmpty when no room has report text, notes or photos.",
    )
    @action(detail=True, methods=["get"], url_path="export/docx")
    def export_docx(self, request, pk=None):
        report = self.get_object()
        options = _validated(ExportQuerySerializer, request, request.query_params)
        placement = options["photoPlacement"] if options["includePhotos"] else PhotoPlacement.NONE
        out = report_docx_file(report=report, photo_placement=placement, lang=options.get("lang", ""))
        name = f"{report.case_number or f'place-description-{report.pk}'}.docx"
        return FileResponse(out, as_attachment=True, filename=name, content_type=DOCX_CONTENT_TYPE)

    @extend_schema(request=RoomSerializer, responses={201: RoomSerializer})
    @action(detail=True, methods=["post"], url_path="rooms")
    def rooms(self, request, pk=None):
        """Adds a room; without sortOrder it goes last."""
        report = self.get_object()
        serializer = RoomSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        room = services.room_create(report=report, data=serializer.validated_data)
        return Response(RoomSerializer(room, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=RoomOrderSerializer, responses={200: RoomSerializer(many=True)})
    @action(detail=True, methods=["put"], url_path="rooms/order")
    def rooms_order(self, request, pk=None):
        """Reorders the rooms: `roomIDs` lists every room of the report once; the first gets sortOrder 0."""
        report = self.get_object()
        room_ids = _validated(RoomOrderSerializer, request)["roomIDs"]
        services.rooms_reorder(report=report, room_ids=room_ids)
        rooms = selectors.report_rooms(report=report)
        return Response(RoomSerializer(rooms, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={202: ReportTransformSerializer})
    @action(detail=True, methods=["post"], url_path="transform")
    def transform(self, request, pk=None):
        """Queues every room with a transcript (status Queued → Running → Done/Failed per room; poll the report)."""
        report = self.get_object()
        room_ids = services.report_transform_enqueue(report=report)
        return Response({"placeDescriptionReportID": report.pk, "queuedRoomIDs": room_ids}, status=202)

    @extend_schema(responses={**_BINARY, 404: OpenApiResponse(description="HeroPhotoNotSet")})
    @action(detail=True, methods=["get"], url_path="hero-photo")
    def hero_photo(self, request, pk=None):
        """The report's cover photo (the room photo named by heroPhotoAccessToken)."""
        report = self.get_object()
        photo = selectors.report_photo_by_token(report=report, access_token=report.hero_photo_access_token)
        if photo is None:
            raise ApiError(404, "HeroPhotoNotSet", "This report has no hero photo; set heroPhotoAccessToken.")
        return stored_file_response(
            request, file=photo.file, content_type=photo.content_type, file_name=photo.download_name
        )


class PlaceDescriptionRoomViewSet(
    mixins.RetrieveModelMixin, ReplaceModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """One room: read, replace, delete; its photos, their order and its transformation."""

    calls_provider = True  # schema: 502/503 provider answers
    queryset = PlaceDescriptionRoom.objects.all()
    serializer_class = RoomSerializer
    policy = PLACES_POLICY
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def scope_queryset(self, queryset):
        return selectors.room_queryset()

    def perform_update(self, serializer):
        serializer.instance = services.room_update(room=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.room_delete(room=instance)

    @extend_schema(methods=["get"], request=None, responses={200: RoomPhotoSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": RoomPhotoUploadSerializer},
        responses={201: RoomPhotoSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="photos", pagination_class=None)
    def photos(self, request, pk=None):
        """GET: the room's photos in order. POST: upload `file` (JPEG, PNG, HEIC or WebP, type read from the bytes;
        413 PhotoTooLarge / StorageLimitExceeded, 415 UnsupportedPhotoType, 400 InvalidPhoto) with `caption`."""
        room = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return Response(RoomPhotoSerializer(selectors.room_photos(room=room), many=True, context=context).data)
        upload = _validated(RoomPhotoUploadSerializer, request)
        photo = services.photo_store(
            room=room, content=upload["file"], file_name=upload["file"].name, caption=upload["caption"]
        )
        return Response(RoomPhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PhotoOrderSerializer, responses={200: RoomPhotoSerializer(many=True)})
    @action(detail=True, methods=["put"], url_path="photos/order", pagination_class=None)
    def photos_order(self, request, pk=None):
        """Reorders the photos: `photoIDs` lists every photo of the room once; the first gets sortOrder 0."""
        room = self.get_object()
        photo_ids = _validated(PhotoOrderSerializer, request)["photoIDs"]
        services.photos_reorder(room=room, photo_ids=photo_ids)
        photos = selectors.room_photos(room=room)
        return Response(RoomPhotoSerializer(photos, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: RoomSerializer})
    @action(detail=True, methods=["post"], url_path="transform")
    def transform(self, request, pk=None):
        """Writes the room's report text from its transcript now (400 TranscriptMissing, 502/503 provider errors)."""
        room = services.room_transform(room_id=self.get_object().pk)
        return Response(RoomSerializer(room, context=self.get_serializer_context()).data)


class PlaceDescriptionRoomPhotoViewSet(
    mixins.RetrieveModelMixin, ReplaceModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """One photo's metadata: read, replace caption / sortOrder, delete (files and stored bytes released)."""

    queryset = PlaceDescriptionRoomPhoto.objects.all()
    serializer_class = RoomPhotoSerializer
    policy = PLACES_POLICY

    def scope_queryset(self, queryset):
        return selectors.photo_queryset()

    def perform_update(self, serializer):
        serializer.instance = services.photo_update(photo=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.photo_delete(photo=instance)


class PlaceDescriptionPhotoView(PublicApiView):
    """A room photo by its access token (public: the token is the permission), shown inline as an image;
    registered a second time with `thumbnail=True` for the photo's JPEG thumbnail."""

    throttle_classes = [PublicAssetThrottle]
    thumbnail = False

    @extend_schema(responses=_BINARY)
    def get(self, request, access_token):
        photo = selectors.photo_by_token(access_token=access_token)
        if photo is None:
            raise ApiError(404, "NotFound", "No photo has this token.")
        if self.thumbnail:
            name = photo.download_name.rsplit(".", 1)[0] + "-thumbnail.jpg"
            return stored_file_response(request, file=photo.thumbnail, content_type="image/jpeg", file_name=name)
        return stored_file_response(
            request, file=photo.file, content_type=photo.content_type, file_name=photo.download_name
        )
