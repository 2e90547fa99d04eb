"""The one rule for where a chat channel may be used: the calling page's host against the channel's
allowed hostnames. Entries are exact hostnames (any port), `hostname:port` (that port only) or
`*.example.com` (any subdomain); a pasted URL counts as its host; commas, semicolons or white space
separate them."""

import re
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"[\s,;]+")


def hostname_entries(text: str) -> list[str]:
    """The allowed hostnames as stored entries: lower case, a URL reduced to its host[:port], no
    trailing slash or dot."""
    entries = []
    for raw in _SEPARATORS.split((text or "").lower()):
        entry = raw.strip().rstrip("/")
        if "://" in entry:
            entry = urlsplit(entry).netloc
        entry = entry.rstrip(".")
        if entry:
            entries.append(entry)
    return entries


def page_host(*, origin: str | None, referer: str | None, fallback: str = "") -> str:
    """host[:port] of the calling page: its Origin, else its Referer, else `fallback` (a hostname the
    request body names, for server-side callers that send neither header)."""
    for value in (origin, referer):
        if value and value != "null":
            return urlsplit(value).netloc.lower()
    return (fallback or "").strip().lower()


def host_allowed(host: str, allowed: str) -> bool:
    """Whether a page on `host` (hostname or hostname:port) may use a channel allowing `allowed`."""
    parts = urlsplit(f"//{(host or '').strip().lower()}")
    hostname = parts.hostname or ""
    if not hostname:
        return False
    with_port = f"{hostname}:{parts.port}" if parts.port else hostname
    for entry in hostname_entries(allowed):
        if entry in (hostname, with_port):
            return True
        if entry.startswith("*.") and hostname.endswith(entry[1:]):
            return True
    return False
