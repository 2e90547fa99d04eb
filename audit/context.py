"""The request an audit entry is written in: set by AuditRequestMiddleware, so a service deep below a view
(the lockout, a channel update) records the caller's address, request id and actor without being handed the
request. Outside a request (tasks, commands) there is none and entries are the system's."""

import contextvars

from django.utils.functional import empty

_current_request = contextvars.ContextVar("answerpal_audit_request", default=None)


def current_request():
    """The Django request this thread or task serves now, or None."""
    return _current_request.get()


class AuditRequestMiddleware:
    """Makes the request visible to audit_record for its whole lifetime (after ApiRequestMiddleware, which gives
    it its trace id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def resolved_user(django_request):
    """The request's user when authentication already ran (DRF sets it; the admin's lazy user once evaluated),
    else None: the audit never makes the session or user query itself."""
    user = django_request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return wrapped if getattr(wrapped, "is_authenticated", False) else None
