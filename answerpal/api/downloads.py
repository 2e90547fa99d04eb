"""Stored files as HTTP downloads: the stored type, an RFC 6266 Content-Disposition (inline for images, PDF
and plain text), single-range requests (206 / 416) and nosniff; for every token-keyed file route."""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "application/pdf", "text/plain"}
)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) of a single `bytes=` range; None when absent or not a single range (serve all);
    False when unsatisfiable (416)."""
    match = _RANGE.match((header or "").strip())
    if not match or not any(match.groups()):
        return None
    start, end = match.groups()
    if not start:
        length = int(end)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size or last < first:
        return False
    return first, last


def _chunks(handle, first: int, last: int):
    handle.seek(first)
    remaining = last - first + 1
    try:
        while remaining > 0:
            block = handle.read(min(_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


def stored_file_response(request, *, file, content_type: str, file_name: str, size: int | None = None):
    """A stored file (a storage-API FieldFile) as a download: its type (fallback application/octet-stream),
    inline for INLINE_TYPES else an attachment under `file_name` (fallback download.bin), single byte ranges
    (206 / 416), nosniff. Every token-keyed download route answers with it."""
    content_type = content_type or "application/octet-stream"
    file_name = file_name or "download.bin"
    size = size or file.size
    requested = byte_range(request.headers.get("Range", ""), size)
    if requested is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif requested is None:
        response = FileResponse(file.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = requested
        response = StreamingHttpResponse(_chunks(file.open("rb"), first, last), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(content_type not in INLINE_TYPES, file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if content_type == "image/svg+xml":
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
