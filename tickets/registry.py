"""Extension points that let higher apps (automation, ai) plug into ticket reads and bulk actions
without tickets importing them. Register from an AppConfig.ready().

Message detail fields: `register_message_detail_field("actions", prefetch=[...], render=fn)` adds
a key to the TicketMessageDetailDTO. `prefetch` entries (lookups or `Prefetch` objects) are applied
to the detail queryset, so a field costs a fixed number of queries; `render(message)` returns the
JSON value from the prefetched data.

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


BulkActionHandler = Callable[..., None]

_detail_fields: dict[str, MessageDetailField] = {}
_bulk_actions: dict[str, BulkActionHandler] = {}


def register_message_detail_field(name: str, prefetch: Sequence, render: Callable[[Any], Any]) -> None:
    """Add (or replace) the detail DTO key `name`, rendered by `render(message)` after `prefetch`."""
    _detail_fields[name] = MessageDetailField(name=name, prefetch=tuple(prefetch), render=render)


def message_detail_fields() -> tuple[MessageDetailField, ...]:
    return tuple(_detail_fields.values())


def register_bulk_action(name: str, handler: BulkActionHandler) -> None:
    """Add (or replace) the bulk ticket action `name` (matched case-insensitively)."""
    _bulk_actions[name.lower()] = handler


def bulk_action_handler(name: str) -> BulkActionHandler | None:
    return _bulk_actions.get(name.lower())


def registered_bulk_actions() -> tuple[str, ...]:
    return tuple(_bulk_actions)
