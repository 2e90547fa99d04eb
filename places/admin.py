"""Operator admin for place descriptions: reports, rooms and photos with their customer, search and thumbnails.
Deleting goes through the services, so stored files and billed photo bytes are released as on the API."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from answerpal.api.errors import ApiError
from places import services
from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto


def _thumbnail(photo: PlaceDescriptionRoomPhoto, height: int = 60) -> str:
    url = reverse("place-photo-thumbnail", kwargs={"access_token": photo.access_token})
    return format_html('<img src="{}" alt="" style="height:{}px">', url, height)


class ServiceDeletes:
    """Single and bulk deletes call the admin's `delete_row` (a delete service) for each row."""

    def delete_row(self, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_row(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_row(obj)


class PlaceDescriptionRoomInline(admin.TabularInline):
    model = PlaceDescriptionRoom
    extra = 0
    fields = ["name", "sort_order", "transform_status", "transformed_at"]
    readonly_fields = ["transform_status", "transformed_at"]
    show_change_link = True
    can_delete = False


@admin.register(PlaceDescriptionReport)
class PlaceDescriptionReportAdmin(ServiceDeletes, admin.ModelAdmin):
    list_display = ["case_number", "address", "client_names", "customer", "language", "report_date", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["customer", "report_date"]
    search_fields = ["case_number", "address", "client_names", "landlords", "tenants", "customer__name"]
    raw_id_fields = [
        "customer",
        "created_by_customer_rep",
        "customer_rep",
        "lexicon_document",
        "instructions_document",
        "transform_topic",
        "ticket",
    ]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [PlaceDescriptionRoomInline]
    actions = ["transform_rooms"]

    def delete_row(self, obj):
        services.report_delete(report=obj)

    @admin.action(description="Transform the rooms' transcripts (ai queue)")
    def transform_rooms(self, request, queryset):
        queued = 0
        for report in queryset:
            try:
                queued += len(services.report_transform_enqueue(report=report))
            except ApiError as error:
                self.message_user(request, f"{report}: {error.detail}", messages.WARNING)
        self.message_user(request, f"{queued} room(s) queued for transformation.")


class PlaceDescriptionRoomPhotoInline(admin.TabularInline):
    model = PlaceDescriptionRoomPhoto
    extra = 0
    fields = ["preview", "caption", "sort_order", "content_type", "width", "height", "size"]
    readonly_fields = ["preview", "content_type", "width", "height", "size"]
    can_delete = False

    @admin.display(description="photo")
    def preview(self, photo):
        return _thumbnail(photo)


@admin.register(PlaceDescriptionRoom)
class PlaceDescriptionRoomAdmin(ServiceDeletes, admin.ModelAdmin):
    list_display = ["name", "report", "customer", "sort_order", "transform_status", "transformed_at"]
    list_select_related = ["report", "customer"]
    list_filter = ["transform_status", "customer"]
    search_fields = ["name", "transcript", "report__case_number", "report__address", "customer__name"]
    raw_id_fields = ["customer", "report"]
    readonly_fields = ["transform_prompt", "transform_model", "transform_error", "transformed_at", "created_at"]
    inlines = [PlaceDescriptionRoomPhotoInline]

    def delete_row(self, obj):
        services.room_delete(room=obj)


@admin.register(PlaceDescriptionRoomPhoto)
class PlaceDescriptionRoomPhotoAdmin(ServiceDeletes, admin.ModelAdmin):
    list_display = ["preview", "file_name", "caption", "room", "customer", "content_type", "size", "created_at"]
    list_select_related = ["room", "customer"]
    list_filter = ["content_type", "customer"]
    search_fields = ["file_name", "caption", "room__name", "room__report__case_number", "customer__name"]
    raw_id_fields = ["customer", "room"]
    readonly_fields = ["preview_large", "access_token", "content_type", "width", "height", "size", "created_at"]
    exclude = ["file", "thumbnail"]

    def delete_row(self, obj):
        services.photo_delete(photo=obj)

    @admin.display(description="photo")
    def preview(self, photo):
        return _thumbnail(photo)

    @admin.display(description="photo")
    def preview_large(self, photo):
        return _thumbnail(photo, height=300)
