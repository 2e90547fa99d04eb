"""The access-request archive: one ZIP written straight into the response (or a file) as it is read.

`data.json` holds every stored column of every row about the person; the original files follow under
`files/`; `index.html` says in the end user's language what the archive holds. The ZIP is written through a
write-through buffer that each step empties into the output, so memory holds one file chunk, never the archive."""

import re
import zipfile
from collections.abc import Iterator
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.html import escape

from ai.models import MessagePipeline
from automation.models import ConnectorCall, TicketMessageAction
from billing.models import CostEntry
from messaging.models import OutboxMessage
from privacy.selectors import Person, custom_field_definitions
from tickets.models import TicketMessageAttachment, TicketMessageTopic
from voice.models import AudioChunk

CHUNK_BYTES = 64 * 1024
INDEX_LANGUAGES = ("nl", "en", "fr")

_INDEX_TEXT = {
    "en": {
        "title": "Your personal data",
        "intro": "This archive holds everything {company} keeps about you, exported on {date}.",
        "data": "data.json: every record about you, machine-readable (JSON).",
        "files": "files/: the original files: attachments, call recordings and photos.",
        "counts": "What it contains",
        "kinds": {
            "tickets": "conversations",
            "messages": "messages",
            "attachments": "files attached to messages (call recordings included)",
            "phoneCalls": "phone calls",
            "placeReports": "place-description reports naming you",
            "placePhotos": "photos in those reports",
        },
    },
    "nl": {
        "title": "Uw persoonsgegevens",
        "intro": "Dit archief bevat alles wat {company} over u bewaart, geëxporteerd op {date}.",
        "data": "data.json: alle gegevens over u, machineleesbaar (JSON).",
        "files": "files/: de originele bestanden: bijlagen, gespreksopnames en foto's.",
        "counts": "Inhoud",
        "kinds": {
            "tickets": "gesprekken",
            "messages": "berichten",
            "attachments": "bijlagen bij berichten (gespreksopnames inbegrepen)",
            "phoneCalls": "telefoongesprekken",
            "placeReports": "plaatsbeschrijvingen waarin u vermeld wordt",
            "placePhotos": "foto's in die plaatsbeschrijvingen",
        },
    },
    "fr": {
        "title": "Vos données personnelles",
        "intro": "Cette archive contient tout ce que {company} conserve à votre sujet, exporté le {date}.",
        "data": "data.json : toutes les données vous concernant, lisibles par machine (JSON).",
        "files": "files/ : les fichiers originaux : pièces jointes, enregistrements d'appels et photos.",
        "counts": "Contenu",
        "kinds": {
            "tickets": "conversations",
            "messages": "messages",
            "attachments": "pièces jointes (enregistrements d'appels compris)",
            "phoneCalls": "appels téléphoniques",
            "placeReports": "états des lieux qui vous mentionnent",
            "placePhotos": "photos de ces états des lieux",
        },
    },
}


def index_language(lang: str) -> str:
    """nl, en or fr from an end user's language tag (nl-BE → nl); English otherwise."""
    base = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in INDEX_LANGUAGES else "en"


def _value(value):
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def row_data(obj) -> dict:
    """Every stored column of a row, under its column name (foreign keys as their ids, files as storage names)."""
    return {column.attname: _value(getattr(obj, column.attname)) for column in obj._meta.concrete_fields}


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name or "").strip(" .")
    return cleaned[:120] or "file"


class _WriteThrough:
    """A non-seekable sink for zipfile: collects what is written until the generator takes it out."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _collect(person: Person) -> tuple[dict, list[tuple[str, FieldFile]]]:
    """The JSON document and the (archive path, stored file) pairs of the person's files."""
    files: list[tuple[str, FieldFile]] = []
    customer_id = person.customer_id
    messages = list(person.messages().order_by("ticket_id", "created_at", "id"))
    message_ids = [message.pk for message in messages]
    attachments: dict[int, list] = {}
    for attachment in TicketMessageAttachment.objects.filter(message_id__in=message_ids).order_by("id"):
        path = f"files/attachments/{attachment.message_id}/{attachment.pk}-{_safe_name(attachment.file_name)}"
        files.append((path, attachment.file))
        attachments.setdefault(attachment.message_id, []).append({**row_data(attachment), "archivePath": path})

    def by_message(model, key="message_id"):
        grouped: dict[int, list] = {}
        for row in model.objects.filter(**{f"{key}__in": message_ids}).order_by("id"):
            grouped.setdefault(getattr(row, key), []).append(row_data(row))
        return grouped

    pipelines, outbox, runs = by_message(MessagePipeline), by_message(OutboxMessage), by_message(TicketMessageAction)
    topics: dict[int, list] = {}
    for row in TicketMessageTopic.objects.filter(message_id__in=message_ids).select_related("topic"):
        topics.setdefault(row.message_id, []).append({**row_data(row), "topicName": row.topic.name})
    message_rows: dict[int, list] = {}
    for message in messages:
        message_rows.setdefault(message.ticket_id, []).append(
            {
                **row_data(message),
                "attachments": attachments.get(message.pk, []),
                "aiPipeline": pipelines.get(message.pk, []),
                "outbox": outbox.get(message.pk, []),
                "topics": topics.get(message.pk, []),
                "actionRuns": runs.get(message.pk, []),
            }
        )
    tickets = [
        {**row_data(ticket), "messages": message_rows.pop(ticket.pk, [])}
        for ticket in person.tickets().order_by("created_at", "id")
    ]
    for ticket_id, rows in message_rows.items():  # messages naming the person in someone else's ticket
        tickets.append({"id": ticket_id, "otherPartiesOmitted": True, "messages": rows})
    calls = []
    for call in person.phone_calls().order_by("created_at", "id"):
        chunks = []
        for chunk in AudioChunk.objects.filter(call=call).order_by("index"):
            path = f"files/audio-chunks/{call.pk}/{chunk.index:05d}"
            files.append((path, chunk.file))
            chunks.append({**row_data(chunk), "archivePath": path})
        calls.append({**row_data(call), "chunks": chunks})
    reports = []
    for report in person.place_reports().prefetch_related("rooms__photos"):
        rooms = []
        for room in report.rooms.all():
            photos = []
            for photo in room.photos.all():
                path = f"files/photos/{report.pk}/{photo.pk}-{_safe_name(photo.download_name)}"
                files.append((path, photo.file))
                photos.append({**row_data(photo), "archivePath": path})
            rooms.append({**row_data(room), "photos": photos})
        reports.append({**row_data(report), "rooms": rooms})
    end_user = person.end_user
    document = {
        "exportedAt": timezone.now(),
        "customerID": customer_id,
        "endUser": row_data(end_user),
        "uids": [row_data(uid) for uid in end_user.uids.all()],
        "customFieldDefinitions": [row_data(row) for row in custom_field_definitions(customer_id=customer_id)],
        "tickets": tickets,
        "phoneCalls": calls,
        "placeDescriptionReports": reports,
        "costEntries": [
            row_data(row) for row in CostEntry.objects.filter(customer_id=customer_id, message_id__in=message_ids)
        ],
        "connectorCalls": [
            row_data(row) for row in ConnectorCall.objects.filter(customer_id=customer_id, message_id__in=message_ids)
        ],
    }
    document["counts"] = {
        "tickets": len(tickets),
        "messages": len(messages),
        "attachments": sum(len(rows) for rows in attachments.values()),
        "phoneCalls": len(calls),
        "placeReports": len(reports),
        "placePhotos": sum(len(room["photos"]) for report in reports for room in report["rooms"]),
    }
    return document, files


def _index_html(document: dict, language: str, company: str) -> str:
    text = _INDEX_TEXT[language]
    date = document["exportedAt"].strftime("%Y-%m-%d %H:%M UTC")
    items = "".join(
        f"<li>{escape(label)}: {document['counts'].get(kind, 0)}</li>" for kind, label in text["kinds"].items()
    )
    return (
        f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>{escape(text["title"])}</title>'
        f"<h1>{escape(text['title'])}</h1><p>{escape(text['intro'].format(company=company, date=date))}</p>"
        f"<ul><li>{escape(text['data'])}</li><li>{escape(text['files'])}</li></ul>"
        f"<h2>{escape(text['counts'])}</h2><ul>{items}</ul></html>\n"
    )


def export_stream(*, person: Person, language: str = "", company: str = "") -> Iterator[bytes]:
    """The archive's bytes in pieces of at most about one file chunk; files missing from storage are named in
    `data.json` under `missingFiles` (the archive is still produced)."""
    document, files = _collect(person)
    language = index_language(language or person.end_user.lang)
    sink = _WriteThrough()
    missing: list[str] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", _index_html(document, language, company))
        yield sink.take()
        for path, stored in files:
            if not stored:
                continue
            try:
                source = stored.storage.open(stored.name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(path)
                continue
            with source, archive.open(path, "w", force_zip64=True) as target:
                for chunk in iter(partial(source.read, CHUNK_BYTES), b""):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
        document["missingFiles"] = missing
        with archive.open("data.json", "w", force_zip64=True) as target:
            for piece in DjangoJSONEncoder(indent=2, ensure_ascii=False).iterencode(document):
                target.write(piece.encode())
        yield sink.take()
    yield sink.take()


def export_file_name(person: Person) -> str:
    return f"enduser-{person.end_user.pk}-export-{timezone.now():%Y%m%d}.zip"
