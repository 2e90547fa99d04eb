"""Writes of place descriptions: reports, rooms and photos (files through the storage API, their bytes in billing's
`photos` storage category), reordering, and the transcript → report text transformation through the ai provider
layer (one cost-ledger row per call, prompt kept on the room, result sanitised)."""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ai import services as ai_services
from ai.providers import Purpose, resolve
from ai.providers.base import AIProviderError, RoomReportRequest
from ai.selectors import customer_for_ai
from answerpal.api.errors import ApiError, field_error
from answerpal.celery import enqueue_after_commit
from billing.models import StorageCategory
from billing.selectors import storage_status
from billing.services import storage_usage_change, stored_files_release
from places.images import PhotoRejected, photo_process
from places.models import (
    PlaceDescriptionReport,
    PlaceDescriptionRoom,
    PlaceDescriptionRoomPhoto,
    TransformStatus,
)
from places.report_text import report_html_clean
from places.selectors import next_sort_order, report_locale_of, report_photo_by_token, transform_sources

logger = logging.getLogger(__name__)

_PHOTO_STATUS = {"UnsupportedPhotoType": 415, "InvalidPhoto": 400, "PhotoTooLarge": 413}


def _assign(instance, data: dict):
    """Sets the validated fields on the row and saves it."""
    for name, value in data.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def _clean_text_fields(data: dict) -> dict:
    if "report_text" in data:
        data["report_text"] = report_html_clean(data["report_text"])
    return data


def _photos_release(customer_id: int, photos: list[PlaceDescriptionRoomPhoto]) -> None:
    """Deletes the photos' files after commit and gives their bytes back to billing."""
    if not photos:
        return
    stored_files_release(
        customer_id=customer_id,
        category=StorageCategory.PHOTOS,
        files=[file for photo in photos for file in (photo.file, photo.thumbnail, photo.export_image)],
        freed_bytes=sum(photo.size for photo in photos),
    )


# --- reports -------------------------------------------------------------------------------------


def _hero_check(report: PlaceDescriptionReport, token) -> None:
    if token is not None and report_photo_by_token(report=report, access_token=token) is None:
        raise field_error("heroPhotoAccessToken", "The hero photo must be a photo of one of this report's rooms.")


@transaction.atomic
def report_create(*, customer_id: int, rep_id: int | None, data: dict) -> PlaceDescriptionReport:
    """Creates a report for the customer, created by the caller and by default the caller's responsibility; a
    new report has no photos yet, so a hero photo token is refused."""
    data = dict(data)
    if data.get("hero_photo_access_token") is not None:
        raise field_error("heroPhotoAccessToken", "A new report has no photos yet; set the hero photo after upload.")
    if "customer_rep" not in data:
        data["customer_rep_id"] = rep_id
    return PlaceDescriptionReport.objects.create(customer_id=customer_id, created_by_customer_rep_id=rep_id, **data)


@transaction.atomic
def report_update(*, report: PlaceDescriptionReport, data: dict) -> PlaceDescriptionReport:
    """Replaces the given metadata, document references, transform topic and hero photo token."""
    if "hero_photo_access_token" in data:
        _hero_check(report, data["hero_photo_access_token"])
    return _assign(report, data)


@transaction.atomic
def report_delete(*, report: PlaceDescriptionReport) -> None:
    """Deletes the report with its rooms and photos (files after commit, stored bytes released)."""
    photos = list(
        PlaceDescriptionRoomPhoto.objects.filter(room__report=report).only(
            "id", "file", "thumbnail", "export_image", "size"
        )
    )
    _photos_release(report.customer_id, photos)
    report.delete()


# --- rooms ---------------------------------------------------------------------------------------


@transaction.atomic
def room_create(*, report: PlaceDescriptionReport, data: dict) -> PlaceDescriptionRoom:
    """Adds a room to the report, last unless a sortOrder is given; its report text is sanitised."""
    data = _clean_text_fields(dict(data))
    if data.get("sort_order") is None:
        data["sort_order"] = next_sort_order(report.rooms.all())
    return PlaceDescriptionRoom.objects.create(customer_id=report.customer_id, report=report, **data)


@transaction.atomic
def room_update(*, room: PlaceDescriptionRoom, data: dict) -> PlaceDescriptionRoom:
    """Replaces the given room fields; report text is stored sanitised."""
    return _assign(room, _clean_text_fields(dict(data)))


def _reorder(queryset, ordered_ids: list[int], field: str) -> None:
    rows = list(queryset.only("id", "sort_order"))
    if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != {row.pk for row in rows}:
        raise field_error(field, f"{field} must list each of the {len(rows)} ids exactly once.")
    position = {row_id: index for index, row_id in enumerate(ordered_ids)}
    for row in rows:
        row.sort_order = position[row.pk]
    queryset.model.objects.bulk_update(rows, ["sort_order"])


@transaction.atomic
def rooms_reorder(*, report: PlaceDescriptionReport, room_ids: list[int]) -> None:
    """Sets sortOrder 0, 1, 2 … in the given order; the list must name every room of the report once."""
    _reorder(PlaceDescriptionRoom.objects.filter(report=report).select_for_update(), room_ids, "roomIDs")


@transaction.atomic
def room_delete(*, room: PlaceDescriptionRoom) -> None:
    """Deletes the room with its photos (files after commit, bytes released; a hero photo among them is unset)."""
    photos = list(room.photos.only("id", "file", "thumbnail", "export_image", "size", "access_token"))
    tokens = [photo.access_token for photo in photos]
    PlaceDescriptionReport.objects.filter(pk=room.report_id, hero_photo_access_token__in=tokens).update(
        hero_photo_access_token=None
    )
    _photos_release(room.customer_id, photos)
    room.delete()


# --- photos --------------------------------------------------------------------------------------


def photo_store(*, room: PlaceDescriptionRoom, content, file_name: str, caption: str = "") -> PlaceDescriptionRoomPhoto:
    """Stores a photo in the room, upright, without metadata, with a thumbnail and a document rendition; 413
    above PLACES_PHOTO_MAX_BYTES or when the customer's storage is full, 415 for a type other than
    JPEG/PNG/HEIC/WebP (sniffed from the bytes), 400 when it does not decode. The stored bytes (all three files)
    are added to billing's photo storage."""
    limit = settings.PLACES_PHOTO_MAX_BYTES
    if content.size > limit:
        raise ApiError(413, "PhotoTooLarge", f"A photo may be at most {limit // (1024 * 1024)} MB.")
    if storage_status(customer_id=room.customer_id).is_over_limit:
        raise ApiError(413, "StorageLimitExceeded", "The storage of your plan is full; delete files or upgrade.")
    try:
        processed = photo_process(content)
    except PhotoRejected as error:
        raise ApiError(_PHOTO_STATUS[error.code], error.code, error.detail) from error
    photo = PlaceDescriptionRoomPhoto(
        customer_id=room.customer_id,
        room=room,
        access_token=uuid.uuid4(),
        file_name=(file_name or f"photo.{processed.extension}")[:255],
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        size=len(processed.data) + len(processed.thumbnail) + len(processed.export_image),
        caption=caption or "",
    )
    stem = photo.access_token.hex
    photo.file.save(f"{stem}.{processed.extension}", ContentFile(processed.data), save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.export_image.save(f"{stem}-doc.jpg", ContentFile(processed.export_image), save=False)
    try:
        with transaction.atomic():
            photo.sort_order = next_sort_order(room.photos.all())
            photo.save()
            storage_usage_change(customer_id=room.customer_id, delta_bytes=photo.size, category=StorageCategory.PHOTOS)
    except Exception:
        for stored in (photo.file, photo.thumbnail, photo.export_image):
            stored.storage.delete(stored.name)
        raise
    return photo


@transaction.atomic
def photo_update(*, photo: PlaceDescriptionRoomPhoto, data: dict) -> PlaceDescriptionRoomPhoto:
    """Replaces the caption and/or sortOrder."""
    return _assign(photo, data)


@transaction.atomic
def photos_reorder(*, room: PlaceDescriptionRoom, photo_ids: list[int]) -> None:
    """Sets sortOrder 0, 1, 2 … in the given order; the list must name every photo of the room once."""
    _reorder(PlaceDescriptionRoomPhoto.objects.filter(room=room).select_for_update(), photo_ids, "photoIDs")


@transaction.atomic
def photo_delete(*, photo: PlaceDescriptionRoomPhoto) -> None:
    """Deletes the photo (files after commit, bytes released); when it was the hero photo the report has none."""
    PlaceDescriptionReport.objects.filter(pk=photo.room.report_id, hero_photo_access_token=photo.access_token).update(
        hero_photo_access_token=None
    )
    _photos_release(photo.customer_id, [photo])
    photo.delete()


# --- transformation ------------------------------------------------------------------------------


def room_transform(*, room_id: int, final_attempt: bool = True) -> PlaceDescriptionRoom | None:
    """Writes the room's report text from its transcript with the customer's model (purpose placeReport), headed
    in the report's language (places.locales): lexicon, instructions and transform-topic documents go with it, the
    result is sanitised, the prompt and model are kept and one cost row is written. A provider error marks the
    room Failed on the final attempt and is re-raised; an earlier attempt leaves it Queued for the retry. Runs
    outside a transaction (the AI call is slow)."""
    room = (
        PlaceDescriptionRoom.objects.select_related("report__lexicon_document", "report__instructions_document")
        .filter(pk=room_id)
        .first()
    )
    if room is None:
        return None
    if not room.transcript.strip():
        if room.transform_status == TransformStatus.QUEUED:  # emptied after it was queued
            PlaceDescriptionRoom.objects.filter(pk=room.pk).update(
                transform_status=TransformStatus.FAILED, transform_error="TranscriptMissing"
            )
        raise field_error("transcript", "The room has no transcript to transform.", code="TranscriptMissing")
    PlaceDescriptionRoom.objects.filter(pk=room.pk).update(transform_status=TransformStatus.RUNNING)
    sources = transform_sources(report=room.report)
    request = RoomReportRequest(
        room_name=room.name,
        transcript=room.transcript,
        lexicon=sources.lexicon,
        instructions=sources.instructions,
        report_context=sources.report_context,
        lang=report_locale_of(report=room.report).language,
    )
    try:
        resolved = resolve(customer_for_ai(customer_id=room.customer_id), Purpose.PLACE_REPORT)
        result = ai_services.ai_call(
            resolved,
            customer_id=room.customer_id,
            message_id=None,
            call=lambda provider, model: provider.write_room_report(model=model, request=request),
        )
    except AIProviderError as error:
        status = TransformStatus.FAILED if final_attempt or not error.retryable else TransformStatus.QUEUED
        PlaceDescriptionRoom.objects.filter(pk=room.pk).update(transform_status=status, transform_error=error.code)
        raise
    except ApiError as error:
        PlaceDescriptionRoom.objects.filter(pk=room.pk).update(
            transform_status=TransformStatus.FAILED, transform_error=str(error.code)[:500]
        )
        raise
    room.report_text = report_html_clean(result.value)
    room.transform_status = TransformStatus.DONE
    room.transform_error = ""
    room.transform_prompt = result.prompt
    room.transform_model = result.model
    room.transformed_at = timezone.now()
    room.save(
        update_fields=[
            "report_text",
            "transform_status",
            "transform_error",
            "transform_prompt",
            "transform_model",
            "transformed_at",
            "updated_at",
        ]
    )
    return room


@transaction.atomic
def report_transform_enqueue(*, report: PlaceDescriptionReport) -> list[int]:
    """Queues every room with a transcript for transformation on the `ai` queue (one task per room, after commit)
    and marks it Queued; returns the queued room ids. Rooms without a transcript are left as they are."""
    from places.tasks import room_transform_task

    room_ids = list(
        PlaceDescriptionRoom.objects.filter(report=report)
        .exclude(transcript="")
        .order_by()
        .values_list("id", flat=True)
    )
    if not room_ids:
        raise field_error("rooms", "No room of this report has a transcript to transform.", code="TranscriptMissing")
    PlaceDescriptionRoom.objects.filter(pk__in=room_ids).update(
        transform_status=TransformStatus.QUEUED, transform_error=""
    )
    for room_id in room_ids:
        enqueue_after_commit(room_transform_task, room_id)
    return room_ids
