"""The OpenAPI schema: the bearer JWT scheme, and the problem+json errors each operation can answer."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from answerpal.api.errors import PROBLEM_CONTENT_TYPE


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ProblemSerializer(serializers.Serializer):
    """The problem+json body of every error (answerpal.api.errors.problem_body)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable error code, e.g. ValidationFailed, NotFound, JsonTooDeep.")
    traceId = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, help_text="Field name → messages (validation errors).")
    error = serializers.CharField(required=False, help_text="429 only: the documented rate-limit body.")
    message = serializers.CharField(required=False, help_text="429 only: the documented rate-limit body.")


_ERROR_DESCRIPTIONS = {
    "400": "Validation failed, or the request is malformed (problem+json with field `errors`).",
    "401": "No token, or an invalid or expired one.",
    "403": "Not allowed: the role or token kind, or the calling page or signature (public routes).",
    "404": "No such resource for this customer (another tenant's is answered the same).",
    "409": "The change conflicts with the current state or a limit.",
    "413": "The request body is too large.",
    "415": "The request body's content type is not accepted.",
    "429": "Rate limited; retry after `Retry-After` seconds.",
    "502": "The external provider (AI model, Twilio, the mailbox) failed or refused.",
    "503": "The external provider this needs is not configured for the customer.",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ApiAutoSchema(AutoSchema):
    """Declares the problem+json error answers that apply to each operation, next to its own:
    400, 401, 403, 404 and 429 everywhere, 409 on writes, 413/415 with a request body, 502/503 on
    views that set `calls_provider = True` (they call an AI model, Twilio or a mailbox on the
    request's behalf). A view's own declaration of a status (with a body) wins. Also: read-only
    fields are nullable where their source can be None, and only list actions are paged."""

    def _get_serializer_field_meta(self, field, direction):
        """A read-only field is nullable when its source can be None: a nullable model column, a
        path through a nullable relation (`channel.name` without a channel), or `default=None`."""
        meta = super()._get_serializer_field_meta(field, direction)
        if field.read_only and "nullable" not in meta and (field.default is None or _source_is_nullable(field)):
            meta["nullable"] = True
        return meta

    def _get_paginator(self):
        """Only `list` (and actions a view names in `paged_actions`) page their results; other
        actions answering many rows return a bare array."""
        action = getattr(self.view, "action", None)
        if action is not None and action != "list" and action not in getattr(self.view, "paged_actions", ()):
            return None
        return super()._get_paginator()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            declared = responses.get(code)
            if declared is not None and declared.get("content"):
                continue
            problem = self._get_response_for_code(ProblemSerializer, code, media_types=[PROBLEM_CONTENT_TYPE])
            problem["description"] = (declared or {}).get("description") or _ERROR_DESCRIPTIONS[code]
            responses[code] = problem
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        # Public routes answer 401 too (a wrong password, an invalid token), 403 (a page host the chat
        # channel does not allow, an unsigned Twilio callback) and 404 (an unknown channel token or
        # number), so 400, 401, 403, 404 and 429 apply to every operation.
        codes = ["400", "401", "403", "404", "429"]
        # Writes may conflict; a read that can (an export refused in the object's state) names its action in the
        # view's `conflict_actions`.
        if self.method != "GET" or getattr(self.view, "action", None) in getattr(self.view, "conflict_actions", ()):
            codes.append("409")
        if self.method in _BODY_METHODS:
            codes += ["413", "415"]
        if getattr(self.view, "calls_provider", False):
            codes += ["502", "503"]
        return codes


def _source_is_nullable(field) -> bool:
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None) or getattr(parent, "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or not attrs or field.source == "*":
        return False
    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)  # the `x_id` of a foreign key finds it too
        except (FieldDoesNotExist, AttributeError):
            return False
        if getattr(model_field, "null", False):
            return True
        if not model_field.is_relation:
            return False
        model = model_field.related_model
    return False
