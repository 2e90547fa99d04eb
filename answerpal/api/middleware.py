"""Request plumbing for the API: trace ids, size limits, case-insensitive paths and query names."""

import uuid

from django.conf import settings
from django.http import QueryDict

from answerpal.api.errors import problem_response
from answerpal.api.routing import canonical_path, route_exists


class CaseInsensitiveQueryDict(QueryDict):
    """Query parameters answer to any casing of their name (`PageNumber` finds `pageNumber`)."""

    def _key(self, key):
        if super().__contains__(key):
            return key
        lowered = key.lower() if isinstance(key, str) else key
        for candidate in self.keys():
            if candidate.lower() == lowered:
                return candidate
        return key

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __contains__(self, key):
        return super().__contains__(self._key(key))

    def get(self, key, default=None):
        return super().get(self._key(key), default)

    def getlist(self, key, default=None):
        return super().getlist(self._key(key), default)


class ApiRequestMiddleware:
    """Gives each request a trace id, refuses oversized bodies with 413 and NUL characters in the
    query with 400, and matches API paths case-insensitively as the original ASP.NET service did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.trace_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        if request.path_info.startswith("/api/"):
            too_large = self._too_large(request)
            if too_large:
                return too_large
            self._canonicalise(request)
            request.GET = CaseInsensitiveQueryDict(request.META.get("QUERY_STRING", ""))
            if any("\x00" in text for key, values in request.GET.lists() for text in (key, *values)):
                # No parameter holds a NUL; PostgreSQL refuses it in any text (a 500 otherwise).
                return problem_response(request, 400, "InvalidQuery", "Query parameters may not contain NUL (%00).")
        response = self.get_response(request)
        response["X-Request-ID"] = request.trace_id
        return response

    @staticmethod
    def _too_large(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        is_multipart = request.content_type == "multipart/form-data"
        limit = settings.ANSWERPAL_MAX_REQUEST_BYTES if is_multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return problem_response(
                request, 413, "PayloadTooLarge", f"The request body is {length} bytes; the limit is {limit} bytes."
            )
        return None

    @staticmethod
    def _canonicalise(request):
        path = request.path_info
        for candidate in (path, path.rstrip("/")):
            if route_exists(candidate):
                request.path_info = candidate
                return
        request.path_info = canonical_path(path.rstrip("/"))
