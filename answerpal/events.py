"""Domain events: lower apps publish ("ticket closed"), higher apps subscribe, without imports upward.

Handlers run after the publishing transaction commits, so they only see committed rows; they
should be quick (typically: enqueue a Celery task with ids)."""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


class Event:
    END_USER_ADDED = "OnEndUserAdd"
    END_USER_UPDATED = "OnEndUserUpdate"
    END_USER_DELETED = "OnEndUserDelete"
    MESSAGE_RECEIVED = "MessageReceived"
    MESSAGE_SENT = "MessageSent"  # an outbound message reached the end user (or, for web chat, became visible)
    AI_REPLY_DRAFTED = "AIReplyDrafted"  # the inbound pipeline stored an AI draft answering the message
    AI_DRAFT_STORED = "AIDraftStored"  # an AI draft was stored on a message (any channel, pipeline or on request)
    TICKET_CREATED = "TicketCreated"
    TICKET_CLOSED = "OnClose"
    TICKET_ESCALATED = "OnEscalate"
    CALL_ENDED = "CallEnded"  # Twilio reported a final status (completed, busy, no-answer, failed, canceled)
    CHANNEL_SAVED = "ChannelSaved"
    CHANNEL_DELETED = "ChannelDeleted"
    STORAGE_THRESHOLD_REACHED = "StorageThresholdReached"


def subscribe(event: str, handler: Callable[..., None]) -> None:
    """Register `handler(**payload)` for `event`; call from an AppConfig.ready()."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, **payload) -> None:
    """Deliver `payload` (ids and plain values only) to the event's handlers after commit."""

    def deliver():
        for handler in list(_handlers.get(event, ())):
            handler(**payload)

    transaction.on_commit(deliver)
