"""Live AI answers for web chat: while the pipeline of a web-chat visitor's line runs, the reply is published on
the ticket's live key piece by piece as the provider generates it (`ai.delta`); afterwards AIReplyDrafted is
published when this run stored a draft (the web-chat widget app delivers it), else an `ai.status` event tells the
widget that no answer is coming (spam, superseded by a newer line, provider unavailable).

Only chat channels stream: other channels' pipelines run untouched (one small query to find out)."""

from collections.abc import Iterator
from contextlib import contextmanager

from ai.providers.streaming import reply_stream
from answerpal import live
from answerpal.events import Event, publish
from channels_cfg.models import ChannelType
from tickets.models import AIStepStatus, TicketMessage


def _state(message_id: int) -> dict | None:
    return (
        TicketMessage.objects.filter(pk=message_id)
        .values("ticket_id", "customer_id", "channel__channel_type", "ai_reply_status")
        .first()
    )


@contextmanager
def pipeline_live(*, message_id: int) -> Iterator[None]:
    """Around one pipeline run of `message_id`: streams its reply deltas to the ticket's live key (chat only) and
    announces the outcome when the run finished without raising."""
    before = _state(message_id)
    if before is None or before["channel__channel_type"] != ChannelType.CHAT:
        yield
        return
    key = live.ticket_key(before["ticket_id"])

    def sink(delta: str) -> None:
        live.publish(key, {"type": "ai.delta", "replyTo": message_id, "delta": delta})

    with reply_stream(sink):
        yield
    after = _state(message_id)
    if after is None or after["ai_reply_status"] == before["ai_reply_status"] == AIStepStatus.COMPLETED:
        return
    if after["ai_reply_status"] == AIStepStatus.COMPLETED:
        publish(Event.AI_REPLY_DRAFTED, message_id=message_id, customer_id=after["customer_id"])
    elif after["ai_reply_status"] in (AIStepStatus.SKIPPED, AIStepStatus.FAILED):
        live.publish(key, {"type": "ai.status", "replyTo": message_id, "status": after["ai_reply_status"]})
