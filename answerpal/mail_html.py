"""Message HTML made safe to store and to show (nh3, an allow-list sanitiser): inbound e-mail bodies and the HTML
that representatives write go through `message_html_clean` before they are stored, whoever writes them (the
message services call it). Kept: what mail formatting needs (paragraphs, headings, lists, tables, quotes, bold,
fonts, images from http(s) or a cid: part, links to http(s), mailto: or tel:) and inline styles reduced to a list
of harmless properties with plain values. Dropped: script, style, iframe, object, embed, form and its controls,
SVG and MathML (with their content), <base>, <meta> (a refresh), event handlers, class and id, comments, every
other URL scheme (javascript:, vbscript:, data:) and relative URLs (which would point into the app).

`html_is_markup` tells HTML from plain text that only contains angle brackets ("use <Ctrl>+<F5>"), and
`html_text` is the readable text of (sanitised) HTML: what a script or style element contained is not text."""

import re

import nh3
from bs4 import BeautifulSoup

_TAGS = (nh3.ALLOWED_TAGS - {"map", "area"}) | {"font", "tfoot", "u", "center"}
_REMOVED_WITH_CONTENT = {
    "script",
    "style",
    "title",
    "head",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "select",
    "button",
    "textarea",
}
_TABLE_CELL = {"align", "valign", "width", "height", "bgcolor", "colspan", "rowspan", "nowrap", "headers", "scope"}
_ATTRIBUTES = {
    "*": {"style", "title", "lang", "dir", "align"},
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "border", "hspace", "vspace"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor", "summary", "height"},
    "tr": {"valign", "bgcolor", "height"},
    "td": _TABLE_CELL,
    "th": _TABLE_CELL,
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "hr": {"width", "size", "noshade"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
# Inline style: only these properties, each with a value of words, numbers, units, colours and quoted font names;
# no function but rgb()/rgba()/hsl()/hsla() of numbers, no backslash escape, comment, url(), expression() or "@".
_STYLE_PROPERTIES = {
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-right",
    "border-spacing",
    "border-style",
    "border-top",
    "border-width",
    "color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "list-style-type",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-width",
    "min-width",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
}
_STYLE_COLOUR_FUNCTION = re.compile(r"(?:rgb|rgba|hsl|hsla)\(\s*[\d.%\s,/]+\)", re.IGNORECASE)
_STYLE_PLAIN_VALUE = re.compile(r"[\w\s#.,%'\"!+-]*")
# A tag of an HTML element (or a comment / doctype), as opposed to "<Ctrl>" or "a < b > c" in plain text.
_ELEMENT_NAMES = _TAGS | _REMOVED_WITH_CONTENT | {"html", "body", "meta", "base", "link", "form", "input", "label"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "summary", "table", "tr", "ul",
}  # fmt: skip
_MARKUP = re.compile(
    r"<(?:!--|!doctype\b|/?(?:" + "|".join(sorted(_ELEMENT_NAMES, key=len, reverse=True)) + r")(?=[\s/>]))",
    re.IGNORECASE,
)


def _style_clean(value: str) -> str | None:
    """The declarations of an inline style that are on the list and have a plain value; None when none is."""
    kept = []
    for declaration in value.split(";"):
        name, _, declared = declaration.partition(":")
        name, declared = name.strip().lower(), declared.strip()
        if name not in _STYLE_PROPERTIES or not declared:
            continue
        if _STYLE_PLAIN_VALUE.fullmatch(_STYLE_COLOUR_FUNCTION.sub("0", declared)):
            kept.append(f"{name}: {declared}")
    return "; ".join(kept) or None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return _style_clean(value)
    if attribute == "src" and value.strip().lower().startswith(("mailto:", "tel:")):
        return None
    return value


def message_html_clean(html: str) -> str:
    """The HTML with only the allowed elements, attributes, URLs and styles; "" stays ""."""
    if not html:
        return html
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_REMOVED_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_is_markup(text: str) -> bool:
    """Whether the text contains an HTML element's tag (so it is HTML); plain text with angle brackets is not."""
    return bool(text) and _MARKUP.search(text) is not None


def html_text(html: str) -> str:
    """The readable text of the HTML: blocks and <br> break lines, inline elements do not; script, style and other
    non-text content is not part of it (the HTML is sanitised first)."""
    if not html:
        return ""
    soup = BeautifulSoup(message_html_clean(html), "html.parser")
    for element in soup.find_all(True):
        if element.name == "br":
            element.replace_with("\n")
        elif element.name in _BLOCKS:
            element.insert_before("\n")
            element.insert_after("\n")
        elif element.name in ("td", "th"):
            element.insert_after(" ")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)
