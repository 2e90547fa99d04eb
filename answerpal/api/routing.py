"""Routers and path matching: documented PascalCase paths, matched in any casing."""

import itertools
import re
from functools import cache

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from rest_framework.routers import SimpleRouter

API_NOT_FOUND = "api-not-found"  # the name of the last /api/ route, the problem+json 404 catch-all
_LITERAL = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_MAX_CANDIDATES = 16


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


def route_exists(path: str) -> bool:
    """Whether `path` resolves to a real route (not to the /api/ catch-all)."""
    try:
        return resolve(path).url_name != API_NOT_FOUND
    except Resolver404:
        return False


@cache
def _segment_table() -> dict[str, tuple[str, ...]]:
    """lowercase segment -> every registered spelling (`tickets` is both `Tickets` and `.../tickets`)."""
    table: dict[str, set[str]] = {}
    for segment in _literal_segments(get_resolver()):
        table.setdefault(segment.lower(), set()).add(segment)
    return {key: tuple(sorted(spellings)) for key, spellings in table.items()}


def canonical_path(path: str) -> str:
    """Rewrite literal segments to a registered casing that resolves; the input if none does."""
    table = _segment_table()
    choices = [table.get(segment.lower(), (segment,)) for segment in path.split("/")]
    for candidate in itertools.islice(itertools.product(*choices), _MAX_CANDIDATES):
        text = "/".join(candidate)
        if route_exists(text):
            return text
    return path
