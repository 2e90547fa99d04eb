"""Routers and path matching: documented PascalCase paths, matched in any casing."""

import re
from functools import cache

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from rest_framework.routers import SimpleRouter

_LITERAL = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


class ApiRouter(SimpleRouter):
    """Documented paths have no trailing slash (`/api/Tickets/{id}/assign`); the middleware
    forgives a trailing slash and any casing."""

    def __init__(self):
        super().__init__(trailing_slash="")


def _literal_segments(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _literal_segments(pattern, text)
        elif isinstance(pattern, URLPattern):
            for segment in re.split(r"/", text.replace("^", "").replace("$", "").replace("\\Z", "")):
                if _LITERAL.match(segment):
                    yield segment


@cache
def _segment_table() -> dict[str, str]:
    return {segment.lower(): segment for segment in _literal_segments(get_resolver())}


def canonical_path(path: str) -> str:
    """Rewrite each literal segment to its registered casing; return the input if nothing matches."""
    table = _segment_table()
    candidate = "/".join(table.get(segment.lower(), segment) for segment in path.split("/"))
    try:
        resolve(candidate)
    except Resolver404:
        return path
    return candidate
