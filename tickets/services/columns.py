"""Single-column writes for the AI pipeline and the outbox: one UPDATE each, no transaction of their
own (they run inside the caller's)."""

from tickets.models import (
    AIStepStatus,
    MessageStatus,
    Ticket,
    TicketMessage,
    TicketMessageTopic,
)
from tickets.services.messages import MESSAGE_FIELDS
from tickets.services.topics import message_topic_add


def message_columns_update(*, message: TicketMessage, changes: dict) -> None:
    """Writes only these columns with one UPDATE (concurrent edits of other columns are kept) and mirrors them on
    `message`; the delivery status is not among them (message_mark_queued / _failed / _sent own it)."""
    unknown = set(changes) - (MESSAGE_FIELDS - {"status"})
    if unknown:
        raise ValueError(f"message_columns_update cannot set {sorted(unknown)}")
    TicketMessage.objects.filter(pk=message.pk).update(**changes)
    for name, value in changes.items():
        setattr(message, name, value)


_AI_STEP_FIELDS = ("ai_spam_status", "ai_topics_status", "ai_reply_status")


def message_ai_steps_pend(*, message_id: int) -> None:
    """Marks the message's spam, topics and reply steps Pending (the pipeline is about to run them)."""
    TicketMessage.objects.filter(pk=message_id).update(**dict.fromkeys(_AI_STEP_FIELDS, AIStepStatus.PENDING))


def message_ai_steps_fail(*, message_id: int) -> None:
    """Marks every unfinished AI step (NotStarted, Pending, Processing) of the message Failed; finished ones stay."""
    unfinished = (AIStepStatus.NOT_STARTED, AIStepStatus.PENDING, AIStepStatus.PROCESSING)
    for field in _AI_STEP_FIELDS:
        TicketMessage.objects.filter(pk=message_id, **{f"{field}__in": unfinished}).update(
            **{field: AIStepStatus.FAILED}
        )


def message_topics_detected_replace(*, message: TicketMessage, topic_ids: list[int]) -> None:
    """Replaces the message's uncorrected topics with `topic_ids`; topics a representative corrected stay.
    Idempotent (safe to repeat after a crash half-way), so it needs no transaction of its own."""
    TicketMessageTopic.objects.filter(message_id=message.pk, corrected=False).exclude(topic_id__in=topic_ids).delete()
    for topic_id in topic_ids:
        message_topic_add(message=message, topic_id=topic_id, rep_id=None)


def message_mark_queued(*, message_id: int) -> None:
    """Sets the message's delivery status Queued (an outbox row will deliver it)."""
    TicketMessage.objects.filter(pk=message_id).update(status=MessageStatus.QUEUED)


def message_mark_failed(*, message_id: int) -> None:
    """Sets the message's delivery status Failed (its outbox row gave up, or the provider reported a failure)."""
    TicketMessage.objects.filter(pk=message_id).update(status=MessageStatus.FAILED)


def ticket_summary_store(*, ticket: Ticket, summary: str) -> None:
    """Stores the AI summary on the ticket with one UPDATE (status, counters and search are untouched)."""
    Ticket.objects.filter(pk=ticket.pk).update(summary=summary)
    ticket.summary = summary
