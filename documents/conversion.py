"""Turns uploaded Word, Excel, PDF and HTML files into markdown for prompt documents.

DOCX → mammoth (HTML) → markdownify; XLSX → openpyxl, one markdown table per sheet; PDF → pdfminer.six
text; HTML → markdownify. The type comes from the file's content (zip members / PDF signature / markup),
cross-checked with its extension, never from the client's content type alone."""

import io
import zipfile
from dataclasses import dataclass

import mammoth
from bs4 import BeautifulSoup
from markdownify import MarkdownConverter
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from pdfminer.psexceptions import PSException


class DocumentKind:
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"
    HTML = "html"


_EXTENSIONS = {
    ".docx": DocumentKind.DOCX,
    ".xlsx": DocumentKind.XLSX,
    ".xlsm": DocumentKind.XLSX,
    ".pdf": DocumentKind.PDF,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
}


@dataclass
class ConversionError(Exception):
    """Why a file cannot be converted; `code` is UnsupportedDocumentType or BrokenDocument."""

    code: str
    detail: str

    def __str__(self):
        return self.detail


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return DocumentKind.DOCX
        if "xl/workbook.xml" in names:
            return DocumentKind.XLSX
        return None
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<body", b"<div", b"<p", b"<h1", b"<table")):
        return DocumentKind.HTML
    return None


def detect_kind(file_name: str, data: bytes) -> str:
    """The document kind; raises ConversionError when the extension is unsupported or contradicts the content."""
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    expected = _EXTENSIONS.get(extension)
    if expected is None:
        raise ConversionError(
            "UnsupportedDocumentType",
            f"Files of type '{extension or 'unknown'}' cannot be converted; upload .docx, .xlsx, .pdf or .html.",
        )
    sniffed = _sniff(data)
    if sniffed is None and expected == DocumentKind.HTML:
        sniffed = DocumentKind.HTML  # HTML fragments have no reliable signature
    if sniffed != expected:
        raise ConversionError(
            "BrokenDocument", f"The file is named {extension} but its content is not a readable {expected.upper()}."
        )
    return expected


def _markdown_cell(value) -> str:
    if value is None:
        return ""
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _xlsx_to_markdown(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sections = []
    try:
        for sheet in workbook.worksheets:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
            if not rows:
                continue
            width = max(len(row) for row in rows)
            cells = [[_markdown_cell(cell) for cell in row] + [""] * (width - len(row)) for row in rows]
            lines = [f"## {sheet.title}", "", "| " + " | ".join(cells[0]) + " |", "|" + " --- |" * width]
            lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
            sections.append("\n".join(lines))
    finally:
        workbook.close()
    return "\n\n".join(sections)


def _html_to_markdown(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "noscript", "template"]):
        element.decompose()  # their text is code, not document content
    # A Word table has no header cells: its first row becomes the markdown header (not an empty one above it), so
    # readers of the markdown (the offline AI's passages) know the column names.
    return MarkdownConverter(heading_style="ATX", table_infer_header=True).convert_soup(soup).strip()


def convert_to_markdown(*, file_name: str, data: bytes) -> str:
    """Markdown text of the file; raises ConversionError (unsupported type or broken content)."""
    kind = detect_kind(file_name, data)
    try:
        if kind == DocumentKind.DOCX:
            html = mammoth.convert_to_html(io.BytesIO(data)).value
            return _html_to_markdown(html)
        if kind == DocumentKind.XLSX:
            return _xlsx_to_markdown(data)
        if kind == DocumentKind.PDF:
            return extract_text(io.BytesIO(data)).strip()
        return _html_to_markdown(data.decode("utf-8", errors="replace"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, PSException) as error:
        raise ConversionError("BrokenDocument", f"The {kind.upper()} file could not be read: {error}.") from error
