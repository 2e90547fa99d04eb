"""Reads of place descriptions: report lists and details with rooms in report order (sortOrder, then id) and
their photos prefetched, photos by public token, the sources of a transformation, and stored photo bytes."""

from dataclasses import dataclass

from django.db.models import Max, Prefetch, Sum

from ai.providers.base import Passage
from automation.prompt_documents import prompt_documents_build
from places.locales import ReportLocale, report_locale
from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto


def photos_ordered():
    return PlaceDescriptionRoomPhoto.objects.order_by("sort_order", "id")


def rooms_ordered():
    return PlaceDescriptionRoom.objects.order_by("sort_order", "id").prefetch_related(
        Prefetch("photos", queryset=photos_ordered())
    )


def report_list_queryset():
    """Only the list columns (descriptions and parties can be long)."""
    return PlaceDescriptionReport.objects.only(
        "id",
        "customer_id",
        "case_number",
        "client_names",
        "address",
        "description",
        "report_date",
        "customer_rep_id",
        "language",
        "ticket_id",
        "created_at",
        "updated_at",
    )


def report_detail_queryset():
    """Reports with their representatives and customer (the export's author), their rooms in report order and
    each room's photos in order (three queries for one report)."""
    return PlaceDescriptionReport.objects.select_related(
        "customer", "customer_rep", "created_by_customer_rep"
    ).prefetch_related(Prefetch("rooms", queryset=rooms_ordered()))


def room_queryset():
    return PlaceDescriptionRoom.objects.select_related("report").prefetch_related(
        Prefetch("photos", queryset=photos_ordered())
    )


def photo_queryset():
    return PlaceDescriptionRoomPhoto.objects.select_related("room")


def photo_by_token(*, access_token) -> PlaceDescriptionRoomPhoto | None:
    """The photo a public token names; the token is the only key, so no tenant filter applies."""
    return PlaceDescriptionRoomPhoto.objects.filter(access_token=access_token).first()


def report_photo_by_token(*, report: PlaceDescriptionReport, access_token) -> PlaceDescriptionRoomPhoto | None:
    """A photo of one of this report's rooms with this token (the hero photo must be one)."""
    if access_token is None:
        return None
    return PlaceDescriptionRoomPhoto.objects.filter(
        access_token=access_token, room__report=report, customer_id=report.customer_id
    ).first()


def next_sort_order(queryset) -> int:
    """One past the highest sortOrder of `queryset` (0 when empty): new rooms and photos go last."""
    highest = queryset.aggregate(highest=Max("sort_order"))["highest"]
    return 0 if highest is None else highest + 1


def photo_storage_bytes(customer_id: int) -> int:
    """Bytes of photos and thumbnails stored for the customer (billing's `photos` category)."""
    total = PlaceDescriptionRoomPhoto.objects.filter(customer_id=customer_id).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class TransformSources:
    """What a room's transformation is built from besides its transcript."""

    lexicon: str
    instructions: tuple[Passage, ...]
    report_context: str


def transform_sources(*, report: PlaceDescriptionReport) -> TransformSources:
    """The report's lexicon document, its instructions document and the static prompt documents linked to its
    transform topic (placeholders filled; data-retrieval and function-tool documents are left out, a report has
    no conversation to call them for)."""
    instructions = []
    if report.instructions_document_id:
        document = report.instructions_document
        instructions.append(Passage(title=document.name, text=document.content))
    if report.transform_topic_id:
        documents = prompt_documents_build(
            customer_id=report.customer_id,
            channel_id=None,
            hook_name=None,
            message=None,
            static_only=True,
            topic_ids=[report.transform_topic_id],
        )
        known = {report.instructions_document_id, report.lexicon_document_id}
        instructions += [
            Passage(title=document["name"], text=document["content"])
            for document in documents
            if document["documentID"] not in known and document["content"].strip()
        ]
    context = "\n".join(
        f"{label}: {value}"
        for label, value in (
            ("Case number", report.case_number),
            ("Address", report.address),
            ("Description", report.description),
            ("Landlords", report.landlords),
            ("Tenants", report.tenants),
        )
        if value
    )
    return TransformSources(
        lexicon=report.lexicon_document.content if report.lexicon_document_id else "",
        instructions=tuple(instructions),
        report_context=context,
    )


def report_locale_of(*, report: PlaceDescriptionReport) -> ReportLocale:
    """The report's locale (its language, else its rooms' dictation's; see places.locales). One query at most."""
    if report.language:
        return report_locale(language=report.language, transcripts=())
    transcripts = PlaceDescriptionRoom.objects.filter(report_id=report.pk).values_list("transcript", flat=True)
    return report_locale(language="", transcripts=transcripts, description=report.description)


def report_rooms(*, report: PlaceDescriptionReport) -> list[PlaceDescriptionRoom]:
    """The report's rooms in report order with their photos (two queries)."""
    return list(rooms_ordered().filter(report=report))


def room_photos(*, room: PlaceDescriptionRoom) -> list[PlaceDescriptionRoomPhoto]:
    return list(photos_ordered().filter(room=room))
