"""DOCX export: a Dutch report built through the API, transformed offline, exported and read back with python-docx
(headings, room order, photos, lists and tables as Word structure, no HTML tag text, page numbers, signatures)."""

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTContainer, LTImage, LTTextContainer

from ai.providers.room_report import HEADINGS
from places.export import DOCX_CONTENT_TYPE
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory
from tests.places.conftest import upload
from tests.places.dictations import DICTATED_ROOMS
from tests.places.photos import jpeg, photo_bytes

REPORTS = "/api/PlaceDescriptionReports"
ROOMS = [
    ("Inkomhal", "De vloer is bekleed met tegels. De muren zijn geschilderd. De voordeur sluit goed."),
    ("Keuken", "Het aanrecht vertoont krassen. De muur achter de kookplaat is vuil. Het raam is dubbel glas."),
    ("Badkamer", "De douche lekt licht. Het plafond heeft een vochtvlek. De tegels rond het bad zijn gebarsten."),
]
PHOTOS_PER_ROOM = (2, 1, 3)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s>/]")


def _all_text(document) -> str:
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    parts += [paragraph.text for paragraph in document.sections[0].footer.paragraphs]
    return "\n".join(parts)


def _embed(shape) -> str:
    return shape._inline.graphic.graphicData.pic.blipFill.blip.embed


def _headings(document) -> list[tuple[str, str]]:
    return [
        (paragraph.style.name, paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style.name.startswith("Heading") or paragraph.style.name == "Title"
    ]


@pytest.fixture
def dutch_report(rep_client, django_capture_on_commit_callbacks):
    """Three rooms created in reverse and reordered, photos uploaded, the whole report transformed offline."""
    report = rep_client.post(
        REPORTS,
        {
            "caseNumber": "PD-2026-001",
            "address": "Veldstraat 10, 9000 Gent",
            "landlords": "Jan Peeters",
            "tenants": "An Janssens",
            "clientNames": "Immo Gent",
            "description": "Intredende plaatsbeschrijving",
            "reportDate": "2026-06-05",
        },
        format="json",
    ).json()
    report_id = report["placeDescriptionReportID"]
    room_ids = []
    for name, transcript in reversed(ROOMS):
        room = rep_client.post(f"{REPORTS}/{report_id}/rooms", {"name": name, "transcript": transcript}, format="json")
        room_ids.insert(0, room.json()["placeDescriptionRoomID"])
    rep_client.put(f"{REPORTS}/{report_id}/rooms/order", {"roomIDs": room_ids}, format="json")
    tokens = []
    for room_id, count in zip(room_ids, PHOTOS_PER_ROOM, strict=True):
        for index in range(count):
            color = (40 * len(tokens), 200, 40)  # every photo different, so none is stored twice in the file
            data = jpeg(size=(300, 200), orientation=6, color=color) if index == 0 else photo_bytes("PNG", color=color)
            photo = rep_client.post(
                f"/api/PlaceDescriptionRooms/{room_id}/photos",
                {"file": upload(data, f"foto{index}.jpg"), "caption": f"Detail {index + 1}"},
                format="multipart",
            )
            tokens.append(photo.json()["accessToken"])
    rep_client.put(f"{REPORTS}/{report_id}", {"heroPhotoAccessToken": tokens[0]}, format="json")
    notes_room = room_ids[1]
    rep_client.put(
        f"/api/PlaceDescriptionRooms/{notes_room}",
        {"name": "Keuken", "transcript": ROOMS[1][1], "notes": "Meterstand gas: 1234"},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rep_client.post(f"{REPORTS}/{report_id}/transform").status_code == 202
    return report_id


def _export(client, report_id, **params):
    response = client.get(f"{REPORTS}/{report_id}/export/docx", params)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    return response, Document(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_dutch_report_exports_to_a_real_word_document(rep_client, dutch_report):
    response, document = _export(rep_client, dutch_report)
    assert response["Content-Disposition"] == 'attachment; filename="PD-2026-001.docx"'
    headings = _headings(document)
    assert headings[0] == ("Title", "Plaatsbeschrijving")
    assert [text for style, text in headings if style == "Heading 1"] == [
        "Inkomhal",
        "Keuken",
        "Badkamer",
        "Handtekeningen",
    ]
    keuken = headings.index(("Heading 1", "Keuken"))
    assert headings[keuken + 1 : keuken + 5] == [
        ("Heading 2", "Wanden"),
        ("Heading 2", "Ramen"),
        ("Heading 2", "Uitrusting"),
        ("Heading 2", "Opmerkingen"),
    ]
    bullets = [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == "List Bullet"]
    assert "De vloer is bekleed met tegels." in bullets and "De douche lekt licht." in bullets
    assert "Meterstand gas: 1234" in [paragraph.text for paragraph in document.paragraphs]
    # hero on the cover + every room photo, each embedded once per placement
    assert len(document.inline_shapes) == 1 + sum(PHOTOS_PER_ROOM)
    parts = {document.part.related_parts[_embed(shape)].partname for shape in document.inline_shapes}
    assert len(parts) == sum(PHOTOS_PER_ROOM)  # the cover photo is a room photo: stored in the file once
    text = _all_text(document)
    assert not _TAG.search(text), _TAG.search(text)
    assert "&lt;" not in text and "Detail 3" in text
    cover = document.tables[0]
    assert [row.cells[0].text for row in cover.rows][:3] == ["Dossiernummer", "Adres", "Datum"]
    assert cover.rows[2].cells[1].text == "05/06/2026"
    signatures = document.tables[-1]
    assert signatures.rows[0].cells[0].text == "Verhuurder(s)" and signatures.rows[0].cells[1].text == "Huurder(s)"
    assert "An Janssens" in signatures.rows[1].cells[1].text
    footer = document.sections[0].footer.paragraphs[0]._p
    assert [node.text for node in footer.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]


@pytest.mark.django_db
def _embedded_sizes(document) -> list[tuple[int, int]]:
    images = [document.part.related_parts[_embed(shape)].image for shape in document.inline_shapes]
    return [(image.px_width, image.px_height) for image in images]


def test_embedded_photos_are_the_small_renditions(rep_client, report, room, settings):
    settings.PLACES_EXPORT_IMAGE_PIXELS = 120
    rep_client.post(
        f"/api/PlaceDescriptionRooms/{room.pk}/photos", {"file": upload(jpeg(size=(1500, 1000)))}, format="multipart"
    )
    # a WebP (which Word cannot show) goes in as its JPEG rendition too
    rep_client.post(
        f"/api/PlaceDescriptionRooms/{room.pk}/photos",
        {"file": upload(photo_bytes("WEBP", size=(900, 1200)), name="portrait.webp")},
        format="multipart",
    )
    _, document = _export(rep_client, report.pk)
    assert _embedded_sizes(document) == [(120, 80), (90, 120)]


@pytest.mark.django_db
def test_photos_in_an_appendix_or_left_out(rep_client, dutch_report):
    _, appendix = _export(rep_client, dutch_report, photoPlacement="appendix")
    headings = _headings(appendix)
    start = headings.index(("Heading 1", "Fotobijlage"))
    assert headings[start + 1 : start + 4] == [
        ("Heading 2", "Inkomhal"),
        ("Heading 2", "Keuken"),
        ("Heading 2", "Badkamer"),
    ]
    assert len(appendix.inline_shapes) == 1 + sum(PHOTOS_PER_ROOM)
    assert len(appendix.sections) == 2
    for params in ({"photoPlacement": "none"}, {"includePhotos": "false"}):
        _, bare = _export(rep_client, dutch_report, **params)
        assert len(bare.inline_shapes) == 0 and ("Heading 1", "Fotobijlage") not in _headings(bare)


@pytest.mark.django_db
def test_html_tables_and_nested_lists_become_word_structure(admin_client, report, room):
    html = (
        "<h2>Sanitair</h2><table><tr><th>Onderdeel</th><th>Staat</th></tr><tr><td>Kraan</td><td>Goed</td></tr></table>"
        "<ol><li>Eerste<ul><li>Detail</li></ul></li></ol><p>\n  Slot\n <strong>vet</strong></p>"
    )
    admin_client.put(f"/api/PlaceDescriptionRooms/{room.pk}", {"name": "Badkamer", "reportText": html}, format="json")
    _, document = _export(admin_client, report.pk, lang="en")
    # an element heading is written in the export's language, whatever language the room's text was written in
    assert ("Heading 2", "Sanitary") in _headings(document) and _headings(document)[0] == (
        "Title",
        "Property condition report",
    )
    grid = next(table for table in document.tables if table.rows[0].cells[0].text == "Onderdeel")
    assert [[cell.text for cell in row.cells] for row in grid.rows] == [["Onderdeel", "Staat"], ["Kraan", "Goed"]]
    styles = {paragraph.text: paragraph.style.name for paragraph in document.paragraphs}
    assert styles["Eerste"] == "List Number" and styles["Detail"] == "List Bullet 2"
    bold = [run.text for paragraph in document.paragraphs for run in paragraph.runs if run.bold]
    assert "vet" in bold and "Slot vet" in styles


@pytest.mark.django_db
def test_export_validation_400(admin_client, report):
    body = assert_problem(admin_client.get(f"{REPORTS}/{report.pk}/export/docx", {"photoPlacement": "sideways"}), 400)
    assert "photoPlacement" in body["errors"]
    assert_problem(admin_client.get(f"{REPORTS}/{report.pk}/export/docx", {"lang": "xx"}), 400)


def _page_and_language(document) -> tuple:
    section = document.sections[0]
    languages = {node.get(qn("w:val")) for node in document.styles.element.iter(qn("w:lang"))}
    return (round(section.page_width.mm), round(section.page_height.mm), round(section.left_margin.mm, 1), languages)


@pytest.mark.django_db
def test_the_export_is_a4_in_the_reports_language_with_real_properties(rep_client, rep, dutch_report):
    before = timezone.now().replace(microsecond=0)
    _, document = _export(rep_client, dutch_report)
    assert _page_and_language(document) == (210, 297, 25.0, {"nl-BE"})  # Dutch, so Belgian Dutch by default
    assert all((round(s.page_width.mm), round(s.page_height.mm)) == (210, 297) for s in document.sections)
    properties = document.core_properties
    assert properties.author == properties.last_modified_by == (rep.name or rep.username) != "python-docx"
    assert properties.created >= before and properties.modified >= before
    assert properties.title == "Plaatsbeschrijving PD-2026-001" and properties.language == "nl-BE"
    assert properties.subject == "Veldstraat 10, 9000 Gent" and "python-docx" not in properties.comments
    settings_languages = {node.get(qn("w:val")) for node in document.settings.element.iter(qn("w:themeFontLang"))}
    assert settings_languages == {"nl-BE"}
    # the report's own language wins over its dictation, and an export may ask for another one
    assert rep_client.put(f"{REPORTS}/{dutch_report}", {"language": "fr-BE"}, format="json").status_code == 200
    _, french = _export(rep_client, dutch_report)
    assert _page_and_language(french)[3] == {"fr-BE"} and _headings(french)[0] == ("Title", "État des lieux")
    keuken = _headings(french).index(("Heading 1", "Keuken"))
    assert _headings(french)[keuken + 1] == ("Heading 2", "Murs")  # Dutch element headings written in French
    _, english = _export(rep_client, dutch_report, lang="en")
    assert _page_and_language(english) == (210, 297, 25.4, {"en-GB"})  # A4 with Word's British margins


@pytest.mark.django_db
def test_the_company_is_the_author_without_a_representative(admin_client, report, room):
    room.report_text = "<h3>Vloer</h3><ul><li>Nat.</li></ul>"
    room.save()
    _, document = _export(admin_client, report.pk)
    assert document.core_properties.author == "Acme"


@pytest.mark.django_db
def test_an_empty_report_is_refused_409(rep_client, report, room):
    assert_problem(rep_client.get(f"{REPORTS}/{report.pk}/export/docx"), 409, "ReportEmpty")  # a room, no content
    room.delete()
    body = assert_problem(rep_client.get(f"{REPORTS}/{report.pk}/export/docx"), 409, "ReportEmpty")
    assert "transform" in body["detail"]


@pytest.mark.django_db
def test_report_language_validation_400(rep_client, report):
    body = assert_problem(rep_client.put(f"{REPORTS}/{report.pk}", {"language": "xx-YY"}, format="json"), 400)
    assert "language" in body["errors"]
    assert_problem(rep_client.get(f"{REPORTS}/{report.pk}/export/docx", {"lang": "de"}), 400)


def _images(layout) -> list:
    """The LTImage objects in a pdfminer layout object, however deep in figures."""
    found = []
    for child in layout:
        if isinstance(child, LTImage):
            found.append(child)
        elif isinstance(child, LTContainer):
            found += _images(child)
    return found


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_the_export_as_a4_pages_with_its_headings_and_every_photo(
    rep_client, dutch_report, tmp_path
):
    room_id = rep_client.get(f"{REPORTS}/{dutch_report}").json()["rooms"][2]["placeDescriptionRoomID"]
    tall = jpeg(size=(200, 1000), color=(10, 10, 250))  # would run off the page at the grid's full width
    rep_client.post(
        f"/api/PlaceDescriptionRooms/{room_id}/photos", {"file": upload(tall, "tall.jpg")}, format="multipart"
    )
    response = rep_client.get(f"{REPORTS}/{dutch_report}/export/docx")
    assert response.status_code == 200
    docx = tmp_path / "report.docx"
    docx.write_bytes(b"".join(response.streaming_content))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",  # its own profile: parallel runs do not collide
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    keep = os.environ.get("PLACES_REPORT_DIR")  # the screenshots of docs/screenshots are made from these files
    if keep:
        for name in ("report.docx", "report.pdf"):
            shutil.copy(tmp_path / name, Path(keep) / name)
    pages = list(extract_pages(str(tmp_path / "report.pdf")))
    assert len(pages) >= 3
    for page in pages:
        assert (round(page.width), round(page.height)) == (595, 842)  # A4 in points, not Letter (612 x 792)
    texts = ["".join(element.get_text() for element in page if isinstance(element, LTTextContainer)) for page in pages]
    text = "\n".join(texts)
    for heading in ("Plaatsbeschrijving", "Inkomhal", "Keuken", "Badkamer", "Vloer", "Wanden", "Handtekeningen"):
        assert heading in text, heading
    assert f"Pagina 1 van {len(pages)}" in texts[0]  # the footer's fields, computed by LibreOffice
    assert "Property condition report" not in text and "General" not in text
    signed = [page_text for page_text in texts if "Handtekeningen" in page_text]
    assert len(signed) == 1 and "Naam: An Janssens" in signed[0]  # the signature block is not split
    images = [(number, image) for number, page in enumerate(pages) for image in _images(page)]
    assert len(images) == 1 + sum(PHOTOS_PER_ROOM) + 1  # the cover photo and every room photo, each drawn once
    assert images[0][0] == 0  # the cover photo on the first page
    for number, image in images:
        page = pages[number]
        assert 0 <= image.x0 < image.x1 <= page.width and 0 <= image.y0 < image.y1 <= page.height  # on its page


def _room_sections(document) -> dict[str, dict[str, list[str]]]:
    """{room: {element heading: [bullets]}} of an exported report."""
    rooms: dict[str, dict[str, list[str]]] = {}
    room = heading = None
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        if style == "Heading 1":
            room, heading = paragraph.text, None
            rooms[room] = {}
        elif style == "Heading 2" and room is not None:
            heading = paragraph.text
            rooms[room][heading] = []
        elif style == "List Bullet" and heading is not None:
            rooms[room][heading].append(paragraph.text)
    return rooms


@pytest.mark.django_db
def test_a_dozen_dictated_rooms_export_in_dutch_under_their_elements(
    rep_client, customer, django_capture_on_commit_callbacks
):
    lexicon = DocumentFactory(customer=customer, name="Lexicon", content="spoelbak -> gootsteen")
    report = rep_client.post(
        REPORTS, {"caseNumber": "PD-12", "language": "nl-BE", "lexiconDocumentID": lexicon.pk}, format="json"
    ).json()
    for name, dictated in DICTATED_ROOMS:
        transcript = "\n".join(sentence for sentence, _ in dictated)
        created = rep_client.post(
            f"{REPORTS}/{report['placeDescriptionReportID']}/rooms", {"name": name, "transcript": transcript}, "json"
        )
        assert created.status_code == 201, created.content
    with django_capture_on_commit_callbacks(execute=True):
        assert rep_client.post(f"{REPORTS}/{report['placeDescriptionReportID']}/transform").status_code == 202
    _, document = _export(rep_client, report["placeDescriptionReportID"])
    assert _page_and_language(document) == (210, 297, 25.0, {"nl-BE"})
    sections = _room_sections(document)
    assert list(sections) == [name for name, _ in DICTATED_ROOMS] + ["Handtekeningen"]
    dutch = set(HEADINGS["nl"].values())
    for name, dictated in DICTATED_ROOMS:
        assert set(sections[name]) <= dutch, (name, sections[name])  # Dutch headings over English and French rooms
        placed = {bullet: heading for heading, bullets in sections[name].items() for bullet in bullets}
        for sentence, element in dictated:
            sentence = sentence.replace("spoelbak", "gootsteen")
            assert placed.get(sentence) == HEADINGS["nl"][element], (name, sentence, sections[name])
