"""Live AI answers for web chat: while the pipeline of a web-chat visitor's line runs, the reply is published on
the ticket's live key piece by piece as the provider generates it (`ai.delta`), but only while the answer policy
(tickets.answer_policy) lets the AI answer this visitor: with the channel's AI answers off, after "Talk to a
person", once a representative took or answered the ticket, for spam or outside the plan, no delta is published
at all, so a draft meant for the representatives never reaches the visitor's stream (representatives read the
stored draft; they have no live key). The policy is asked at the first delta and again every
`POLICY_RECHECK_SECONDS` while the reply streams; when it turns to no mid-stream, the deltas stop and one
`ai.status` {status: "Withheld"} tells the widget to drop what it showed.

Afterwards AIReplyDrafted is published when this run stored a draft (the web-chat widget app delivers it under
the same policy, else says `ai.status` Held), else an `ai.status` event tells the widget that no answer is coming
(spam, superseded by a newer line, provider unavailable).

Only chat channels stream: other channels' pipelines run untouched (one small query to find out)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from ai.providers.streaming import reply_stream
from answerpal import live
from answerpal.events import Event, publish
from channels_cfg.models import ChannelType
from tickets.answer_policy import ai_answer_verdict_by_id
from tickets.models import AIStepStatus, TicketMessage

POLICY_RECHECK_SECONDS = 0.25
WITHHELD = "Withheld"


def _state(message_id: int) -> dict | None:
    return (
        TicketMessage.objects.filter(pk=message_id)
        .values("ticket_id", "customer_id", "channel__channel_type", "ai_reply_status")
        .first()
    )


class PolicyGatedSink:
    """The reply-delta sink of one chat line: publishes each delta on `key` while the answer policy allows the
    AI to answer the line (asked at most every POLICY_RECHECK_SECONDS); once refused it stays shut, and if it had
    let deltas through it publishes one `ai.status` Withheld."""

    def __init__(self, *, key: str, message_id: int, customer_id: int):
        self.key, self.message_id, self.customer_id = key, message_id, customer_id
        self.checked_at: float | None = None
        self.shut = False
        self.published = 0

    def _allowed(self) -> bool:
        now = time.monotonic()
        if self.checked_at is not None and now - self.checked_at < POLICY_RECHECK_SECONDS:
            return True
        self.checked_at = now
        return bool(ai_answer_verdict_by_id(message_id=self.message_id, customer_id=self.customer_id))

    def __call__(self, delta: str) -> None:
        if self.shut:
            return
        if not self._allowed():
            self.shut = True
            if self.published:
                live.publish(self.key, {"type": "ai.status", "replyTo": self.message_id, "status": WITHHELD})
            return
        live.publish(self.key, {"type": "ai.delta", "replyTo": self.message_id, "delta": delta})
        self.published += 1


@contextmanager
def pipeline_live(*, message_id: int) -> Iterator[None]:
    """Around one pipeline run of `message_id`: streams its reply deltas to the ticket's live key (chat only, under
    the answer policy) and announces the outcome when the run finished without raising."""
    before = _state(message_id)
    if before is None or before["channel__channel_type"] != ChannelType.CHAT:
        yield
        return
    key = live.ticket_key(before["ticket_id"])
    with reply_stream(PolicyGatedSink(key=key, message_id=message_id, customer_id=before["customer_id"])):
        yield
    after = _state(message_id)
    if after is None or after["ai_reply_status"] == before["ai_reply_status"] == AIStepStatus.COMPLETED:
        return
    if after["ai_reply_status"] == AIStepStatus.COMPLETED:
        publish(Event.AI_REPLY_DRAFTED, message_id=message_id, customer_id=after["customer_id"])
    elif after["ai_reply_status"] in (AIStepStatus.SKIPPED, AIStepStatus.FAILED):
        live.publish(key, {"type": "ai.status", "replyTo": message_id, "status": after["ai_reply_status"]})
