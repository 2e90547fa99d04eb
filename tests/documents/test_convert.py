"""POST /api/Documents/convert: DOCX, XLSX, PDF and HTML to markdown; size cap and clear errors."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument
from openpyxl import Workbook

from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/Documents/convert"


def _upload(client, name: str, data: bytes):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def _docx() -> bytes:
    document = WordDocument()
    document.add_heading("Returns", level=1)
    document.add_paragraph("Items can be returned within 30 days.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Prices"
    sheet.append(["Product", "Price"])
    sheet.append(["Basic | plan", 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_docx_to_markdown(admin_client):
    response = _upload(admin_client, "returns.docx", _docx())
    assert response.status_code == 200, response.json()
    markdown = response.json()["markdown"]
    assert "# Returns" in markdown and "returned within 30 days" in markdown


def test_xlsx_to_markdown_table(admin_client):
    response = _upload(admin_client, "prices.xlsx", _xlsx())
    assert response.status_code == 200, response.json()
    markdown = response.json()["markdown"]
    assert "## Prices" in markdown
    assert "| Product | Price |" in markdown
    assert "| Basic \\| plan | 10 |" in markdown


def test_pdf_to_text(admin_client):
    response = _upload(admin_client, "faq.pdf", _pdf("Shipping takes two days"))
    assert response.status_code == 200, response.json()
    assert "Shipping takes two days" in response.json()["markdown"]


def test_html_to_markdown(admin_client):
    html = b"<html><body><h2>Hours</h2><p>Open <b>daily</b></p><script>alert(1)</script></body></html>"
    response = _upload(admin_client, "hours.html", html)
    assert response.status_code == 200, response.json()
    markdown = response.json()["markdown"]
    assert "## Hours" in markdown and "**daily**" in markdown and "alert" not in markdown


def test_unsupported_type_is_415(admin_client):
    assert_problem(_upload(admin_client, "notes.txt", b"plain text"), 415, "UnsupportedDocumentType")


def test_broken_docx_is_400(admin_client):
    assert_problem(_upload(admin_client, "broken.docx", b"PK\x03\x04 not really a zip"), 400, "BrokenDocument")


def test_pdf_named_docx_is_400(admin_client):
    assert_problem(_upload(admin_client, "fake.docx", _pdf("x")), 400, "BrokenDocument")


def test_missing_file_is_400(admin_client):
    body = assert_problem(admin_client.post(URL, {}, format="multipart"), 400, "ValidationFailed")
    assert "file" in body["errors"]


def test_too_large_is_413(admin_client, settings):
    settings.ANSWERPAL_MAX_UPLOAD_BYTES = 1024
    assert_problem(_upload(admin_client, "big.html", b"<p>" + b"x" * 2048 + b"</p>"), 413, "DocumentTooLarge")
