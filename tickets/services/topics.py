"""Message topics: add, remove and correct (learning status), the ticket's topics following."""

from django.db import transaction
from django.utils import timezone

from tickets.models import (
    TicketMessage,
    TicketMessageTopic,
)


@transaction.atomic
def message_topic_add(*, message: TicketMessage, topic_id: int, rep_id: int | None) -> TicketMessageTopic:
    """Adds a topic to a message (a representative's addition counts as a correction); idempotent."""
    row, created = TicketMessageTopic.objects.get_or_create(
        message=message, topic_id=topic_id, defaults={"customer_id": message.customer_id}
    )
    if rep_id is not None and created:
        row.corrected, row.correction_date, row.corrected_by_id = True, timezone.now(), rep_id
        row.save(update_fields=["corrected", "correction_date", "corrected_by"])
    return row


@transaction.atomic
def message_topic_remove(*, message_topic: TicketMessageTopic) -> None:
    """Removes one topic from its message."""
    message_topic.delete()


@transaction.atomic
def message_topics_correct(*, message: TicketMessage, topic_ids: list[int], rep_id: int | None) -> None:
    """Replaces the message's topics with `topic_ids`; every kept or added row is marked corrected by the rep."""
    wanted = set(topic_ids)
    TicketMessageTopic.objects.filter(message=message).exclude(topic_id__in=wanted).delete()
    present = set(TicketMessageTopic.objects.filter(message=message).values_list("topic_id", flat=True))
    TicketMessageTopic.objects.bulk_create(
        TicketMessageTopic(customer_id=message.customer_id, message=message, topic_id=topic_id)
        for topic_id in sorted(wanted - present)
    )
    TicketMessageTopic.objects.filter(message=message).update(
        corrected=True, correction_date=timezone.now(), corrected_by_id=rep_id
    )
