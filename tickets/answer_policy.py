"""The one answer policy: may an AI text answering an end user's message reach that end user on its channel now?

Every path by which AI text leaves the platform asks `ai_answer_verdict` (or `ai_answer_verdict_by_id`) right
before it lets the text out: the web-chat answer (webwidget.services.ai_answer_send), each live `ai.delta` of a
chat draft (ai.live), the automatic e-mail / WhatsApp / chat send of a ReplySend action
(messaging.services.message_reply_send with `automated`) and again when its outbox row is delivered
(messaging.services.outbox: a queued AI answer the policy now refuses ends Failed). A representative who sends an
answer himself is not asked: the policy only governs what the AI says on its own.

The rules, checked in this order; the first that fails names the refusal (`AnswerRefusal`, a stable code):

1. `NotAnEndUserMessage` — the message is an end user's inbound line (sender EndUser, incoming).
2. `NotTheEndUsersConversation` — it belongs to its end user's own conversation: it is a message of this ticket,
   and when both know their end user it is the same person (a line filed on somebody else's ticket is never
   answered there).
3. `ChannelUnavailable` — the channel (the message's, else the ticket's) exists, is active and not deleted.
4. `AIAnswersOff` — the channel's "AI answers" switch is on. The switch lives where its admins set it, on a
   higher floor (for chat: webwidget.models.ChatWidget.ai_answers, floor 9); since this policy must serve
   messaging (7), automation (6), ai (8) and webwidget (9), it lives on tickets' floor (5) and the app owning a
   switch registers it here (`ai_answers_switch_register`, from its AppConfig.ready()). A channel type without a
   registered switch (e-mail, WhatsApp) has no channel-level switch: its automatic answers go out only through a
   ReplySend action the tenant configured, which is its switch.
5. `FeatureNotInPlan` — the customer's plan includes the channel type (the channel-type guards of channels_cfg:
   Chat → hasChat, Email → hasEmail, WhatsApp → hasPhone; no subscription at all refuses too).
6. `Spam` — neither the ticket nor the message is marked spam.
7. `Escalated` — the ticket is not escalated and the message is not ("Talk to a person").
8. `AssignedToRepresentative` — no representative has taken the ticket (assigned).
9. `RepresentativeReplied` — no representative has sent anything in the ticket (an outbound CustomerRep message
   that left Draft: queued, sent or failed — a reply, or a forward he sent himself). The platform's own sends
   (AI answers, automated ReplySend and Forward actions) are System messages, so they do not count.

Whether the visitor already got an answer to this line, or wrote a newer one, is a rule of the chat delivery
(webwidget), not of this policy."""

from collections.abc import Callable
from dataclasses import dataclass

from answerpal.api.errors import ApiError
from channels_cfg.guards import channel_type_check
from tickets.models import MessageStatus, SenderType, Ticket, TicketMessage


class AnswerRefusal:
    """Why the policy refused (stable codes, in the order the rules are checked)."""

    NOT_END_USER_MESSAGE = "NotAnEndUserMessage"
    OTHER_CONVERSATION = "NotTheEndUsersConversation"
    CHANNEL_UNAVAILABLE = "ChannelUnavailable"
    AI_ANSWERS_OFF = "AIAnswersOff"
    NOT_IN_PLAN = "FeatureNotInPlan"
    SPAM = "Spam"
    ESCALATED = "Escalated"
    ASSIGNED = "AssignedToRepresentative"
    REPRESENTATIVE_REPLIED = "RepresentativeReplied"
    MESSAGE_NOT_FOUND = "MessageNotFound"


@dataclass(frozen=True)
class AnswerVerdict:
    """The policy's answer: `allowed`, else the refusal code and a sentence for logs and action results."""

    allowed: bool
    reason: str = ""
    detail: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = AnswerVerdict(allowed=True)

AIAnswersSwitch = Callable[..., bool]
_switches: dict[str, AIAnswersSwitch] = {}


def ai_answers_switch_register(*, channel_type: str, switch: AIAnswersSwitch) -> None:
    """Installs the "AI answers" switch of a channel type: `switch(channel=Channel) -> bool` (the last wins)."""
    _switches[channel_type] = switch


def _refused(reason: str, detail: str) -> AnswerVerdict:
    return AnswerVerdict(allowed=False, reason=reason, detail=detail)


def _representative_replied(ticket: Ticket) -> bool:
    return (
        TicketMessage.objects.filter(ticket_id=ticket.pk, incoming=False, sender_type=SenderType.CUSTOMER_REP)
        .exclude(status=MessageStatus.DRAFT)
        .exists()
    )


def ai_answer_verdict(*, message: TicketMessage, ticket: Ticket | None = None) -> AnswerVerdict:
    """Whether the AI's answer to `message` may reach its end user now (see the module docstring for the rules).
    `ticket` is the caller's (locked) ticket row when it holds one; else the message's ticket is read."""
    ticket = ticket if ticket is not None else message.ticket
    if not (message.incoming and message.sender_type == SenderType.END_USER):
        return _refused(AnswerRefusal.NOT_END_USER_MESSAGE, "Only an end user's message gets an AI answer.")
    if message.ticket_id != ticket.pk or (
        ticket.end_user_id and message.end_user_id and message.end_user_id != ticket.end_user_id
    ):
        return _refused(AnswerRefusal.OTHER_CONVERSATION, "The message is not in its end user's own conversation.")
    channel = message.channel if message.channel_id else ticket.channel
    if channel is None or channel.deleted_at is not None or not channel.is_active:
        return _refused(AnswerRefusal.CHANNEL_UNAVAILABLE, "The channel is gone or inactive.")
    switch = _switches.get(channel.channel_type)
    if switch is not None and not switch(channel=channel):
        return _refused(AnswerRefusal.AI_ANSWERS_OFF, "The channel's AI answers are switched off.")
    try:
        channel_type_check(customer_id=message.customer_id, channel_type=channel.channel_type)
    except ApiError as error:
        return _refused(AnswerRefusal.NOT_IN_PLAN, str(error.detail))
    if ticket.is_spam or message.is_spam_ai:
        return _refused(AnswerRefusal.SPAM, "The conversation is marked spam.")
    if ticket.escalated or message.is_escalated:
        return _refused(AnswerRefusal.ESCALATED, "The end user asked for a person.")
    if ticket.customer_rep_id:
        return _refused(AnswerRefusal.ASSIGNED, "A representative has taken the ticket.")
    if _representative_replied(ticket):
        return _refused(AnswerRefusal.REPRESENTATIVE_REPLIED, "A representative has replied in the ticket.")
    return ALLOWED


def ai_answer_verdict_by_id(*, message_id: int, customer_id: int) -> AnswerVerdict:
    """ai_answer_verdict for a message id of `customer_id` (another customer's or a gone message is refused)."""
    message = (
        TicketMessage.objects.select_related("ticket__channel", "channel")
        .filter(pk=message_id, customer_id=customer_id)
        .first()
    )
    if message is None:
        return _refused(AnswerRefusal.MESSAGE_NOT_FOUND, "The message no longer exists.")
    return ai_answer_verdict(message=message)
