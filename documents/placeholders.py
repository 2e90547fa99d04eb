"""Placeholders in document content and connector templates: `{{path.to.value}}`.

Syntax
------
* `{{ name }}` or `{{ group.name }}` (spaces inside the braces are ignored); a path is letters, digits,
  `_` and `-`, separated by dots. Keys match exactly first, then case-insensitively.
* Groups filled when a message or ticket is given: `message.*` (subject, text, from, to, lang, date,
  id, …), `ticket.*` (id, subject, status, channel, uid, summary, …), `endUser.*` (firstname,
  lastname, name, company, email, phone, city, lang, …), `customFields.<fieldName>` (the message's
  custom field values), `channel.*` (id, name, type), plus customer-level values such as `TopicList`
  (the active topic names, one per line) and `customer.name`.
* Values: text as is, numbers as digits, true/false, lists and objects as JSON, null as empty text.
* A placeholder whose path is unknown is left untouched, so authors see what did not resolve.

Lower-floor modules cannot read tickets or topics, so higher apps register *context providers*
(`register_placeholder_context`) that return the nested dictionary for a customer/message/ticket.
"""

import json
import re
from collections.abc import Callable

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")

ContextProvider = Callable[..., dict]
_providers: list[ContextProvider] = []


class PlaceholderSourceNotFound(LookupError):
    """The message or ticket named for placeholder replacement does not exist for this customer."""

    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field = field
        self.detail = detail


def register_placeholder_context(provider: ContextProvider) -> None:
    """Adds `provider(*, customer_id, message_id, ticket_id) -> dict`; call from an AppConfig.ready()."""
    if provider not in _providers:
        _providers.append(provider)


def placeholder_context(*, customer_id: int, message_id: int | None = None, ticket_id: int | None = None) -> dict:
    """The merged context of every provider (raises PlaceholderSourceNotFound for a foreign/missing id)."""
    context: dict = {}
    for provider in _providers:
        context.update(provider(customer_id=customer_id, message_id=message_id, ticket_id=ticket_id))
    return context


MISSING = object()


def lookup_path(context, path: str):
    value = context
    for key in path.split("."):
        if not isinstance(value, dict):
            return MISSING
        if key in value:
            value = value[key]
            continue
        lowered = key.lower()
        match = next((k for k in value if isinstance(k, str) and k.lower() == lowered), MISSING)
        if match is MISSING:
            return MISSING
        value = value[match]
    return value


def format_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def json_string_escape(text: str) -> str:
    """Escapes text for use inside a JSON string literal of a body template."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def render_placeholders(text: str, context: dict, *, escape: Callable[[str], str] | None = None) -> str:
    """Replaces every known `{{path}}` in `text`; `escape` post-processes each inserted value."""
    if not text or "{{" not in text:
        return text

    def replace(match: re.Match) -> str:
        value = lookup_path(context, match.group(1))
        if value is MISSING:
            return match.group(0)
        formatted = format_value(value)
        return escape(formatted) if escape else formatted

    return PLACEHOLDER.sub(replace, text)
