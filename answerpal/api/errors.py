"""Every API error is answered as application/problem+json with a stable `code` and a `traceId`."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://answerpal.eu/problems/"


class ApiError(exceptions.APIException):
    """An error with its own stable code, e.g. ApiError(409, "UserLimitExceeded", "...")."""

    def __init__(self, status_code: int, code: str, detail: str, *, errors: dict | None = None):
        self.status_code = status_code
        self.code = code
        self.errors = errors
        super().__init__(detail=detail, code=code)


class Conflict(ApiError):
    def __init__(self, code: str, detail: str):
        super().__init__(status.HTTP_409_CONFLICT, code, detail)


class ServiceUnavailable(ApiError):
    def __init__(self, code: str, detail: str):
        super().__init__(status.HTTP_503_SERVICE_UNAVAILABLE, code, detail)


def field_error(field: str, message: str, code: str = "ValidationFailed") -> ApiError:
    """A 400 that names the offending field, for rules checked outside a serializer."""
    return ApiError(status.HTTP_400_BAD_REQUEST, code, message, errors={field: [message]})


_DEFAULT_CODES = {
    exceptions.ValidationError: "ValidationFailed",
    exceptions.ParseError: "MalformedRequest",
    exceptions.NotAuthenticated: "NotAuthenticated",
    exceptions.AuthenticationFailed: "InvalidToken",
    exceptions.PermissionDenied: "Forbidden",
    exceptions.NotFound: "NotFound",
    exceptions.MethodNotAllowed: "MethodNotAllowed",
    exceptions.NotAcceptable: "NotAcceptable",
    exceptions.UnsupportedMediaType: "UnsupportedMediaType",
    exceptions.Throttled: "RateLimited",
}


def problem_body(request, status_code: int, code: str, detail: str, errors: dict | None = None) -> dict:
    title = _status_title(status_code)
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
        "traceId": getattr(request, "trace_id", None) or uuid.uuid4().hex,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    if status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        # The documented 429 body carries `error` and `message`; keep them for existing clients.
        body["error"] = title
        body["message"] = detail
    return body


def _status_title(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _flatten_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value):
    if isinstance(value, dict):
        return {key: _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_messages(item) if isinstance(item, dict | list) else str(item) for item in value]
    return [str(value)]


def _summary(errors: dict) -> str:
    parts = []
    for field, messages in errors.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, dict | list):
            first = "invalid"
        parts.append(f"{field}: {first}" if field != "non_field_errors" else str(first))
    return "; ".join(parts) or "The request is invalid."


def problem_exception_handler(exc, context):
    """DRF exception handler: maps every exception a view raises to a problem+json response."""
    request = context.get("request")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = ApiError(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge", "The request body is too large.")
    elif isinstance(exc, SuspiciousOperation):
        exc = _suspicious_error(exc)
    elif isinstance(exc, OverflowError | DataError):
        # The last line of defence for input the serializers let through: a number or text that does
        # not fit its column (SQLite raises OverflowError, PostgreSQL DataError). Fields should check it.
        logger.warning(
            "Input does not fit the database column (%s %s): %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc,
        )
        exc = ApiError(status.HTTP_400_BAD_REQUEST, "ValueOutOfRange", "A value in the request does not fit its field.")
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'

    errors = None
    if isinstance(exc, ApiError):
        code, detail, errors = exc.code, str(exc.detail), exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        code, detail = _validation_code(exc.detail), _summary(errors)
    else:
        code = next((c for cls, c in _DEFAULT_CODES.items() if isinstance(exc, cls)), "Error")
        detail = str(exc.detail)
    body = problem_body(request, exc.status_code, code, detail, errors)
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _validation_code(detail) -> str:
    """A serializer may raise ValidationError(message, code="SomeCode") to name its rule."""
    items = (
        detail if isinstance(detail, list) else detail.get("non_field_errors", []) if isinstance(detail, dict) else []
    )
    for item in items:
        code = getattr(item, "code", None)
        if code and code[0].isupper():
            return code
    return "ValidationFailed"


def problem_response(request, status_code: int, code: str, detail: str) -> JsonResponse:
    """A problem+json answer for code paths outside DRF (middleware, Django error handlers)."""
    return JsonResponse(
        problem_body(request, status_code, code, detail), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


def _suspicious_error(exc: SuspiciousOperation) -> ApiError:
    """Django's request-shape refusals (too many form fields or files, a bad Host, ...) as a 400."""
    if isinstance(exc, TooManyFieldsSent):
        return ApiError(
            status.HTTP_400_BAD_REQUEST,
            "TooManyFields",
            f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.",
        )
    if isinstance(exc, TooManyFilesSent):
        return ApiError(
            status.HTTP_400_BAD_REQUEST,
            "TooManyFiles",
            f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files.",
        )
    return ApiError(status.HTTP_400_BAD_REQUEST, "BadRequest", "The request is malformed.")


@csrf_exempt
def not_found_view(request, exception=None):
    """Also the last /api/ route: csrf_exempt, so an unknown address answers 404 for every method
    (CSRF protects the admin's session forms; the API authenticates with bearer tokens only)."""
    return problem_response(request, 404, "NotFound", "No resource matches this address.")


def bad_request_view(request, exception=None):
    """handler400: Django's refusals outside DRF (SuspiciousOperation) as problem+json."""
    if isinstance(exception, SuspiciousOperation):
        error = _suspicious_error(exception)
        return problem_response(request, error.status_code, error.code, str(error.detail))
    return problem_response(request, 400, "BadRequest", "The request is malformed.")


def csrf_failure_view(request, reason=""):
    """CSRF_FAILURE_VIEW: problem+json under /api/ (no API route uses cookies), Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return problem_response(request, 403, "CsrfFailed", "The request was refused (CSRF check failed).")
    from django.views.csrf import csrf_failure

    return csrf_failure(request, reason=reason)


def server_error_view(request):
    return problem_response(request, 500, "InternalError", "Something went wrong on our side; quote the traceId.")
