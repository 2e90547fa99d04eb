"""DOCX export of a place description with python-docx (its built-in template): a cover (title, case number,
address, parties, report date, hero photo), one section per room in report order (its report text as real Word
headings, lists and tables, its notes), the photos per room, in an appendix or left out, a signature block for
landlord and tenant, and "page X of Y" in the footer.

Memory and time stay bounded: each photo's small JPEG rendition (made at upload, PLACES_EXPORT_IMAGE_PIXELS) is
read from storage one at a time, never the camera original, so the document holds only the small copies. The file
is written to a spooled temporary file.
The page is A4 with the locale's margins; labels, element headings, Word's proofing language (w:lang of the
document defaults) and the core properties' language are the report's (`lang` asked for, else the report's
language, else that of the rooms' dictation, else PLACES_REPORT_LANGUAGE; see places.locales). The core
properties name the responsible representative (else the company) as author, and the export time as created.
A report with nothing to show (no room with report text, notes or photos) is refused with 409 ReportEmpty."""

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.package import ImageParts
from docx.shared import Cm, Mm, Pt

from ai.providers.room_report import element_heading
from answerpal.api.errors import ApiError
from places.locales import ReportLocale, locale_of, report_locale
from places.models import PlaceDescriptionReport, PlaceDescriptionRoomPhoto
from places.report_text import report_html_to_docx
from places.selectors import report_photo_by_token


class PhotoPlacement:
    PER_ROOM = "perRoom"
    APPENDIX = "appendix"
    NONE = "none"
    CHOICES = (PER_ROOM, APPENDIX, NONE)


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LABELS = {
    "nl": {
        "title": "Plaatsbeschrijving",
        "case": "Dossiernummer",
        "address": "Adres",
        "date": "Datum",
        "description": "Omschrijving",
        "client": "Opdrachtgever",
        "landlords": "Verhuurder(s)",
        "tenants": "Huurder(s)",
        "notes": "Opmerkingen",
        "appendix": "Fotobijlage",
        "signatures": "Handtekeningen",
        "approved": "Opgemaakt in tweevoud. Gelezen en goedgekeurd door de partijen.",
        "name": "Naam",
        "signature": "Handtekening",
        "page": ("Pagina ", " van "),
    },
    "en": {
        "title": "Property condition report",
        "case": "Case number",
        "address": "Address",
        "date": "Date",
        "description": "Description",
        "client": "Client",
        "landlords": "Landlord(s)",
        "tenants": "Tenant(s)",
        "notes": "Notes",
        "appendix": "Photo appendix",
        "signatures": "Signatures",
        "approved": "Drawn up in duplicate. Read and approved by the parties.",
        "name": "Name",
        "signature": "Signature",
        "page": ("Page ", " of "),
    },
    "fr": {
        "title": "État des lieux",
        "case": "Numéro de dossier",
        "address": "Adresse",
        "date": "Date",
        "description": "Description",
        "client": "Client",
        "landlords": "Bailleur(s)",
        "tenants": "Locataire(s)",
        "notes": "Remarques",
        "appendix": "Annexe photos",
        "signatures": "Signatures",
        "approved": "Établi en double exemplaire. Lu et approuvé par les parties.",
        "name": "Nom",
        "signature": "Signature",
        "page": ("Page ", " sur "),
    },
}
_PHOTO_COLUMNS = 2
_PHOTO_WIDTH = Cm(7.8)
_PHOTO_HEIGHT = Cm(10.5)  # a tall photo is narrowed so that it never runs off the page
_HERO_WIDTH = Cm(14)
_HERO_HEIGHT = Cm(11)  # with the cover table, an upright photo still fits on the first page


class _HashedImageParts(ImageParts):
    """python-docx looks for a duplicate of each new picture by hashing every image part already in the document
    again (quadratic: 4.5 of the 8 seconds of a 300-photo export went to SHA-1); this keeps each part's hash."""

    def __init__(self):
        super().__init__()
        self._by_sha1: dict[str, object] = {}

    def append(self, item):
        super().append(item)
        self._by_sha1.setdefault(item.sha1, item)

    def _get_by_sha1(self, sha1: str):
        return self._by_sha1.get(sha1)


def _new_document():
    document = Document()
    # Package.image_parts is a python-docx lazyproperty cached in the instance __dict__; a new document has none yet.
    document.part.package.__dict__["image_parts"] = _HashedImageParts()
    return document


def export_locale(report: PlaceDescriptionReport, rooms: Iterable, lang: str = "") -> ReportLocale:
    """The locale the document is written in: `lang` asked for, else the report's (see places.locales)."""
    if lang:
        return locale_of(lang)
    return report_locale(
        language=report.language, transcripts=(room.transcript for room in rooms), description=report.description
    )


def _page_setup(document, locale: ReportLocale) -> None:
    """Every section on the locale's paper (A4) with its margins."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(locale.page_width_mm), Mm(locale.page_height_mm)
        margin = Mm(locale.margin_mm)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin


def _proofing_language(document, locale: ReportLocale) -> None:
    """Word and LibreOffice spell-check the text in the report's language: the document defaults' w:lang (every
    style inherits it) and the theme font language."""
    for node in document.styles.element.iter(qn("w:lang")):
        node.set(qn("w:val"), locale.tag)
    for node in document.settings.element.iter(qn("w:themeFontLang")):
        node.set(qn("w:val"), locale.tag)


def _core_properties(document, report: PlaceDescriptionReport, labels: dict, locale: ReportLocale) -> None:
    """Author: the responsible representative, else the creator, else the company; created and modified: now."""
    rep = report.customer_rep or report.created_by_customer_rep
    author = (rep.name or rep.username) if rep is not None else report.customer.name
    now = timezone.now()
    properties = document.core_properties
    properties.author = properties.last_modified_by = author[:255]
    properties.created = properties.modified = now
    properties.revision = 1
    properties.title = f"{labels['title']} {report.case_number}".strip()[:255]
    properties.subject = report.address[:255]
    properties.language = locale.tag
    properties.keywords = ""
    properties.comments = report.description[:255]
    properties.category = labels["title"]


def report_is_empty(rooms: list) -> bool:
    """Nothing to put in a document: no room with report text, notes or photos."""
    return not any(room.report_text.strip() or room.notes.strip() or room.photos.all() for room in rooms)


def _field(run, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) updated by Word and LibreOffice when the document is shown."""
    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _page_numbers(document, labels: dict) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between = labels["page"]
    paragraph.add_run(before)
    _field(paragraph.add_run(), "PAGE")
    paragraph.add_run(between)
    _field(paragraph.add_run(), "NUMPAGES")


def _picture(run, photo: PlaceDescriptionRoomPhoto, width) -> None:
    """The photo's document rendition (made at upload, at most PLACES_EXPORT_IMAGE_PIXELS on its longer side)."""
    with photo.export_image.open("rb") as handle:
        run.add_picture(handle, width=width)


def _fitted_width(photo: PlaceDescriptionRoomPhoto, width, height):
    """The width at which the (upright) photo fits in a width x height box."""
    if not photo.width or not photo.height:
        return width
    return min(width, int(height * photo.width / photo.height))


def _photo_grid(document, photos: list[PlaceDescriptionRoomPhoto]) -> int:
    """The photos two by two in a borderless table, each with its caption; returns how many were placed."""
    if not photos:
        return 0
    rows = -(-len(photos) // _PHOTO_COLUMNS)
    table = document.add_table(rows=rows, cols=_PHOTO_COLUMNS)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, photo in enumerate(photos):
        cell = table.cell(index // _PHOTO_COLUMNS, index % _PHOTO_COLUMNS)
        _picture(cell.paragraphs[0].add_run(), photo, _fitted_width(photo, _PHOTO_WIDTH, _PHOTO_HEIGHT))
        if photo.caption:
            caption = cell.add_paragraph(photo.caption)
            caption.runs[0].italic = True
            caption.runs[0].font.size = Pt(9)
    return len(photos)


def _cover(document, report: PlaceDescriptionReport, labels: dict, *, with_photo: bool) -> None:
    document.add_heading(labels["title"], level=0)
    rows = [
        (labels["case"], report.case_number),
        (labels["address"], report.address),
        (labels["date"], report.report_date.strftime("%d/%m/%Y") if report.report_date else ""),
        (labels["description"], report.description),
        (labels["client"], report.client_names),
        (labels["landlords"], report.landlords),
        (labels["tenants"], report.tenants),
    ]
    rows = [(label, value) for label, value in rows if value]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for index, (label, value) in enumerate(rows):
        table.cell(index, 0).paragraphs[0].add_run(label).bold = True
        table.cell(index, 1).text = value
    hero = report_photo_by_token(report=report, access_token=report.hero_photo_access_token) if with_photo else None
    if hero is not None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(18)
        _picture(paragraph.add_run(), hero, _fitted_width(hero, _HERO_WIDTH, _HERO_HEIGHT))


def _signatures(document, report: PlaceDescriptionReport, labels: dict) -> None:
    """The signature block, kept on one page (heading, statement and table never split: parties sign one page)."""
    document.add_heading(labels["signatures"], level=1).paragraph_format.keep_with_next = True
    document.add_paragraph(labels["approved"]).paragraph_format.keep_with_next = True
    table = document.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    for column, (label, names) in enumerate(
        ((labels["landlords"], report.landlords), (labels["tenants"], report.tenants))
    ):
        table.cell(0, column).paragraphs[0].add_run(label).bold = True
        table.cell(1, column).text = f"{labels['name']}: {names}"
        table.cell(2, column).text = f"{labels['date']}:"
        signature = table.cell(3, column)
        signature.text = f"{labels['signature']}:"
        for _ in range(3):
            signature.add_paragraph()
    for index, row in enumerate(table.rows):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if index < len(table.rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def report_docx_write(
    *, report: PlaceDescriptionReport, out, photo_placement: str = PhotoPlacement.PER_ROOM, lang: str = ""
) -> dict:
    """Writes the DOCX of `report` (loaded with report_detail_queryset) to the binary file `out`; returns
    {"rooms": n, "photos": n} (room photos placed; placement `none` also leaves the cover photo out)."""
    if photo_placement not in PhotoPlacement.CHOICES:
        raise ValueError(f"photo_placement must be one of {', '.join(PhotoPlacement.CHOICES)}.")
    rooms = list(report.rooms.all())
    if report_is_empty(rooms):
        raise ApiError(
            409,
            "ReportEmpty",
            "The report has nothing to export yet: add rooms with report text, notes or photos "
            "(transform the rooms' dictation first).",
        )
    locale = export_locale(report, rooms, lang)
    labels = LABELS[locale.language]
    document = _new_document()
    _core_properties(document, report, labels, locale)
    _proofing_language(document, locale)
    _page_setup(document, locale)
    _page_numbers(document, labels)
    _cover(document, report, labels, with_photo=photo_placement != PhotoPlacement.NONE)
    document.add_page_break()
    placed = 0
    for room in rooms:
        document.add_heading(room.name, level=1)
        report_html_to_docx(
            document,
            room.report_text,
            top_level=2,
            heading_text=lambda text: element_heading(text, locale.language) or text,
        )
        if room.notes.strip():
            document.add_heading(labels["notes"], level=2)
            for line in room.notes.splitlines():
                if line.strip():
                    document.add_paragraph(line.strip())
        if photo_placement == PhotoPlacement.PER_ROOM:
            placed += _photo_grid(document, list(room.photos.all()))
    if photo_placement == PhotoPlacement.APPENDIX and any(room.photos.all() for room in rooms):
        document.add_section(WD_SECTION.NEW_PAGE)
        document.add_heading(labels["appendix"], level=1)
        for room in rooms:
            photos = list(room.photos.all())
            if photos:
                document.add_heading(room.name, level=2)
                placed += _photo_grid(document, photos)
    _signatures(document, report, labels)
    _page_setup(document, locale)
    document.save(out)
    return {"rooms": len(rooms), "photos": placed}


def report_docx_file(*, report: PlaceDescriptionReport, photo_placement: str, lang: str = ""):
    """The DOCX in a spooled temporary file (memory up to 8 MB, then disk), positioned at its start."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    report_docx_write(report=report, out=out, photo_placement=photo_placement, lang=lang)
    out.seek(0)
    return out
