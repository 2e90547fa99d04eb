"""A room's report text is HTML limited to document structure: headings, paragraphs, emphasis, lists and tables.
`report_html_clean` (nh3, an allow-list sanitiser) is applied to everything stored, whether typed by a
representative or written by a model, so scripts, styles, links, images and event attributes never survive.
`report_html_to_docx` turns that HTML into real Word structure (headings, list paragraphs, tables), never
into tag text."""

import re

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

ALLOWED_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote"}
    | {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"}
)
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def report_html_clean(html: str) -> str:
    """The allowed structure of `html`; scripts and styles are removed with their content."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        link_rel=None,
    ).strip()


_WHITESPACE = re.compile(r"\s+")
_INLINE_STYLES = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _add_runs(paragraph, node, styles: frozenset = frozenset()) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            # HTML whitespace: runs of it are one space, and the space between inline elements is kept
            # ("Tegels <b>goed</b>" is "Tegels goed"); only a paragraph's leading space is dropped.
            text = _WHITESPACE.sub(" ", str(child))
            if not paragraph.runs:
                text = text.lstrip()
            if text:
                run = paragraph.add_run(text)
                run.bold = "bold" in styles or None
                run.italic = "italic" in styles or None
                run.underline = "underline" in styles or None
        elif isinstance(child, Tag):
            if child.name == "br":
                paragraph.add_run().add_break()
            elif child.name in ("ul", "ol", "table"):
                continue  # block content inside an inline position is rendered by its block parent
            else:
                _add_runs(paragraph, child, styles | {_INLINE_STYLES.get(child.name, "")} - {""})


def _list(document, node: Tag, level: int) -> None:
    style = "List Number" if node.name == "ol" else "List Bullet"
    if level > 0:
        style = f"{style} {min(level + 1, 3)}"
    for item in node.find_all("li", recursive=False):
        paragraph = document.add_paragraph(style=style)
        _add_runs(paragraph, item)
        for nested in item.find_all(["ul", "ol"], recursive=False):
            _list(document, nested, level + 1)


def _table(document, node: Tag) -> None:
    rows = node.find_all("tr")
    if not rows:
        return
    width = max(sum(int(cell.get("colspan", 1) or 1) for cell in row.find_all(["td", "th"])) for row in rows)
    table = document.add_table(rows=len(rows), cols=max(width, 1))
    table.style = "Table Grid"
    for row_index, row in enumerate(rows):
        column = 0
        for cell_node in row.find_all(["td", "th"], recursive=False):
            span = max(int(cell_node.get("colspan", 1) or 1), 1)
            cell = table.cell(row_index, column)
            if span > 1 and column + span - 1 < width:
                cell = cell.merge(table.cell(row_index, column + span - 1))
            styles = frozenset({"bold"}) if cell_node.name == "th" else frozenset()
            _add_runs(cell.paragraphs[0], cell_node, styles)
            column += span


def report_html_to_docx(document, html: str, *, top_level: int = 2, heading_text=None) -> None:
    """Appends report HTML (sanitised again) to a python-docx Document: its highest heading becomes a Word heading
    of `top_level` and lower ones follow (at most 9), lists become List Bullet / List Number paragraphs (nested
    up to three levels), tables become grid tables; loose text becomes paragraphs. `heading_text`, when given,
    rewrites each heading's text (the export puts element headings in the report's language)."""
    soup = BeautifulSoup(report_html_clean(html), "html.parser")
    highest = min((_HEADINGS[tag.name] for tag in soup.find_all(list(_HEADINGS), recursive=False)), default=1)
    for node in soup.children:
        if isinstance(node, NavigableString):
            if node.strip():
                document.add_paragraph(" ".join(node.split()))
        elif node.name in _HEADINGS:
            level = min(top_level + _HEADINGS[node.name] - highest, 9)
            text = node.get_text(" ", strip=True)
            document.add_heading(heading_text(text) if heading_text else text, level=level)
        elif node.name in ("ul", "ol"):
            _list(document, node, 0)
        elif node.name == "table":
            _table(document, node)
        elif node.name == "blockquote":
            _add_runs(document.add_paragraph(style="Quote"), node)
        else:
            _add_runs(document.add_paragraph(), node)
