"""Extension points that let higher apps (automation, ai) plug into ticket reads and bulk actions
without tickets importing them. Register from an AppConfig.ready().

Message detail fields: `register_message_detail_field("actions", prefetch=[...], render=fn)` adds
a key to the TicketMessageDetailDTO. `prefetch` entries (lookups or `Prefetch` objects) are applied
to the detail queryset, so a field costs a fixed number of queries; `render(message)` returns the
JSON value from the prefetched data.

Extra read-only fields of messages and tickets (list and detail DTOs alike):
`register_message_fields(names=("transcriptStatus", ...), load=fn)` with `load(messages=[TicketMessage])`
answering `{message_id: {name: value}}`, and `register_ticket_fields(names=..., load=fn)` with
`load(rows=[ticket row dict])` answering `{ticket_id: {name: value}}`. A loader is called once per rendered page
(at most one query; none when nothing on the page concerns it); every registered name is in every DTO, None
where the loader gave no value. The names must not clash with the spec's DTO fields.

Bulk actions: `register_bulk_action("learnTopics", handler)`; `PUT /api/Tickets/bulk` with that
action calls `handler(customer_id=..., ticket_ids=[...], rep_id=...)` inside the request's
transaction. The actions in `DEFERRED_BULK_ACTIONS` answer 400 `BulkActionUnavailable` until an
app registers them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

DEFERRED_BULK_ACTIONS = ("learnTopics", "executeActions")


@dataclass(frozen=True)
class MessageDetailField:
    name: str
    prefetch: tuple
    render: Callable[[Any], Any]


@dataclass(frozen=True)
class ExtraFields:
    names: tuple[str, ...]
    load: Callable[..., dict[int, dict]]


BulkActionHandler = Callable[..., None]

_detail_fields: dict[str, MessageDetailField] = {}
_bulk_actions: dict[str, BulkActionHandler] = {}
_message_fields: dict[tuple[str, ...], ExtraFields] = {}
_ticket_fields: dict[tuple[str, ...], ExtraFields] = {}


def register_message_detail_field(name: str, prefetch: Sequence, render: Callable[[Any], Any]) -> None:
    """Add (or replace) the detail DTO key `name`, rendered by `render(message)` after `prefetch`."""
    _detail_fields[name] = MessageDetailField(name=name, prefetch=tuple(prefetch), render=render)


def message_detail_fields() -> tuple[MessageDetailField, ...]:
    return tuple(_detail_fields.values())


def register_message_fields(*, names: Sequence[str], load: Callable[..., dict[int, dict]]) -> None:
    """Add (or replace) extra message DTO keys `names`, valued by `load(messages=[...])` per page."""
    _message_fields[tuple(names)] = ExtraFields(names=tuple(names), load=load)


def register_ticket_fields(*, names: Sequence[str], load: Callable[..., dict[int, dict]]) -> None:
    """Add (or replace) extra ticket DTO keys `names`, valued by `load(rows=[...])` per page."""
    _ticket_fields[tuple(names)] = ExtraFields(names=tuple(names), load=load)


def message_extra_names() -> tuple[str, ...]:
    return tuple(name for fields in _message_fields.values() for name in fields.names)


def ticket_extra_names() -> tuple[str, ...]:
    return tuple(name for fields in _ticket_fields.values() for name in fields.names)


def _extra_values(registered: dict, keys: list[int], **page) -> dict[int, dict]:
    values = {key: {} for key in keys}
    for fields in registered.values():
        loaded = fields.load(**page) if keys else {}
        for key in keys:
            found = loaded.get(key) or {}
            values[key].update({name: found.get(name) for name in fields.names})
    return values


def message_extra_values(messages: Sequence) -> dict[int, dict]:
    """{message_id: {name: value}} of every registered message field for a page of messages."""
    return _extra_values(_message_fields, [message.pk for message in messages], messages=list(messages))


def ticket_extra_values(rows: Sequence[dict]) -> dict[int, dict]:
    """{ticket_id: {name: value}} of every registered ticket field for a page of ticket rows."""
    return _extra_values(_ticket_fields, [row["id"] for row in rows], rows=list(rows))


def register_bulk_action(name: str, handler: BulkActionHandler) -> None:
    """Add (or replace) the bulk ticket action `name` (matched case-insensitively)."""
    _bulk_actions[name.lower()] = handler


def bulk_action_handler(name: str) -> BulkActionHandler | None:
    return _bulk_actions.get(name.lower())


def registered_bulk_actions() -> tuple[str, ...]:
    return tuple(_bulk_actions)
