"""Messages: create in their thread (continuing or opening a ticket), change, mark sent/opened, delete,
escalate and feedback; the ticket's preview, last message time and status follow."""

from django.db import transaction
from django.utils import timezone

from answerpal.api.errors import field_error
from answerpal.events import Event, publish
from answerpal.mail_html import html_text, message_html_clean
from tickets.models import (
    EndUser,
    MessageStatus,
    SenderType,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from tickets.selectors import latest_ai_answer, latest_end_user_message
from tickets.services.attachments import _attachments_release
from tickets.services.end_users import _end_user_find_or_create, _uid_type_guess, uid_normalize
from tickets.services.tickets import _status_fields, _ticket_after_change, _ticket_state, ticket_create, ticket_update

PREVIEW_LENGTH = 200


MESSAGE_FIELDS = frozenset(
    f.name
    for f in TicketMessage._meta.concrete_fields
    if f.name not in ("id", "customer", "ticket", "created_at", "tracking_token")
) | {"channel_id", "end_user_id", "customer_rep_id", "reply_to_message_id"}


# Set by message_create's own arguments, not through `fields`.
_MESSAGE_CREATE_ARGUMENTS = frozenset(
    {
        "channel",
        "channel_id",
        "end_user",
        "end_user_id",
        "customer_rep",
        "customer_rep_id",
        "sender_type",
        "incoming",
        "is_known_end_user",
    }
)


def _message_preview(message: TicketMessage) -> str:
    text = message.message or message.text_body or html_text(message.html_body or "")
    return " ".join(text.split())[:PREVIEW_LENGTH]


def _html_cleaned(fields: dict) -> dict:
    """The fields with their HTML body sanitised: every stored html_body has been through message_html_clean
    (inbound mail, Graph import, API create/update, replies)."""
    if fields.get("html_body"):
        fields["html_body"] = message_html_clean(fields["html_body"])
    return fields


def _thread_ticket(customer_id: int, fields: dict) -> Ticket | None:
    """E-mail threading: the ticket of the message this one replies to (In-Reply-To, References, conversation)."""
    identifiers = [fields.get("in_reply_to", ""), *(fields.get("references") or "").split()]
    identifiers = [value.strip() for value in identifiers if value and value.strip()]
    lookups = TicketMessage.objects.filter(customer_id=customer_id).select_related("ticket")
    if identifiers:
        found = lookups.filter(message_identifier__in=identifiers).order_by("-id").first()
        if found:
            return found.ticket
    if fields.get("conversation_id"):
        found = lookups.filter(conversation_id=fields["conversation_id"]).order_by("-id").first()
        if found:
            return found.ticket
    return None


@transaction.atomic
def message_create(
    *,
    customer_id: int,
    ticket: Ticket | None = None,
    channel_id: int | None = None,
    channel_type: str = "",
    incoming: bool = True,
    sender_type: str | None = None,
    uid: str = "",
    uid_type: str | None = None,
    end_user: EndUser | None = None,
    customer_rep_id: int | None = None,
    fields: dict | None = None,
    create_ticket: bool = True,
    announce: bool = True,
) -> TicketMessage:
    """Stores a message (inbound or outbound), its HTML body sanitised; finds/creates the end user by UID and the
    ticket (given, e-mail thread, or new); reopens a closed ticket when an end user writes; moves lastMessageDate and
    preview; publishes MessageReceived for inbound end-user messages unless `announce` is False (a call
    whose text is its transcript publishes it once the transcript is stored)."""
    fields = _html_cleaned(dict(fields or {}))
    unknown = set(fields) - (MESSAGE_FIELDS - _MESSAGE_CREATE_ARGUMENTS)
    if unknown:
        raise ValueError(f"message_create takes {sorted(unknown)} as arguments or not at all")
    sender_type = sender_type or (SenderType.END_USER if incoming else SenderType.CUSTOMER_REP)
    from_end_user = incoming and sender_type == SenderType.END_USER
    known_end_user = end_user is not None
    if end_user is None and uid and from_end_user:
        end_user, created = _end_user_find_or_create(
            customer_id=customer_id, uid=uid, uid_type=uid_type, name=fields.get("from_name", "")
        )
        # a ticket that has just made this end user for its UID (a first call) does not make it a known one
        known_end_user = not created and not getattr(ticket, "end_user_is_new", False)
    if ticket is None:
        ticket = _thread_ticket(customer_id, fields)
    if ticket is None:
        if not create_ticket:
            raise field_error("ticketID", "The ticket does not exist.")
        ticket = ticket_create(
            customer_id=customer_id,
            channel_type=channel_type,
            channel_id=channel_id,
            subject=fields.get("subject", ""),
            end_user=end_user,
            uid=uid_normalize(uid_type=uid_type or _uid_type_guess(uid), uid=uid) if uid else "",
            customer_rep_id=None if from_end_user else customer_rep_id,
        )
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, customer_id=customer_id)
    if "status" not in fields:
        fields["status"] = MessageStatus.RECEIVED if incoming else MessageStatus.DRAFT
    message = TicketMessage.objects.create(
        customer_id=customer_id,
        ticket=ticket,
        channel_id=channel_id or ticket.channel_id,
        end_user=end_user or (ticket.end_user if from_end_user else None),
        customer_rep_id=customer_rep_id if not from_end_user else None,
        sender_type=sender_type,
        incoming=incoming,
        uid=fields.pop("uid", "") or uid,
        message_date=fields.pop("message_date", None) or timezone.now(),
        is_known_end_user=known_end_user,
        **fields,
    )
    _ticket_touch(ticket, message, from_end_user)
    if from_end_user and announce:
        publish(Event.MESSAGE_RECEIVED, message_id=message.pk, customer_id=customer_id)
    return message


def _ticket_touch(ticket: Ticket, message: TicketMessage, from_end_user: bool) -> None:
    """A non-draft message moves the ticket's lastMessageDate/preview; an end user reopens/answers it."""
    if message.status == MessageStatus.DRAFT:
        return
    before = _ticket_state(ticket)
    ticket.last_message_at = message.created_at
    ticket.preview = _message_preview(message) or ticket.preview
    if not ticket.end_user_id and message.end_user_id:
        ticket.end_user_id = message.end_user_id
    if not ticket.uid and message.uid and from_end_user:
        ticket.uid = message.uid
    if from_end_user:
        ticket.last_end_user_message = message
        if ticket.status in (TicketStatus.CLOSED, TicketStatus.PENDING):
            _status_fields(ticket, TicketStatus.OPEN, message.created_at)
    elif not message.incoming and message.status == MessageStatus.SENT and ticket.status == TicketStatus.OPEN:
        _status_fields(ticket, TicketStatus.PENDING, message.created_at)
    ticket.save()
    _ticket_after_change(ticket, before)


@transaction.atomic
def message_update(*, message: TicketMessage, changes: dict) -> TicketMessage:
    """Updates stored fields (not the ticket, customer or tokens; an HTML body sanitised); a draft leaving Draft
    counts as the ticket's newest message."""
    unknown = set(changes) - MESSAGE_FIELDS
    if unknown:
        raise ValueError(f"message_update cannot set {sorted(unknown)}")
    was_draft = message.status == MessageStatus.DRAFT
    for key, value in _html_cleaned(dict(changes)).items():
        setattr(message, key, value)
    message.save()
    if was_draft and message.status != MessageStatus.DRAFT:
        ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
        _ticket_touch(ticket, message, from_end_user=False)
    return message


@transaction.atomic
def message_mark_sent(*, message: TicketMessage, message_identifier: str = "") -> TicketMessage:
    """Records a successful outbound delivery: status Sent, ticket lastMessageDate moved, Open → Pending;
    publishes MessageSent."""
    message.status, message.message_date = MessageStatus.SENT, timezone.now()
    message.message_identifier = message_identifier or message.message_identifier
    message.save(update_fields=["status", "message_date", "message_identifier"])
    ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
    _ticket_touch(ticket, message, from_end_user=False)
    publish(Event.MESSAGE_SENT, message_id=message.pk, customer_id=message.customer_id)
    return message


@transaction.atomic
def message_delete(*, message: TicketMessage) -> None:
    """Deletes the message with its attachments (files and billed storage released)."""
    _attachments_release(message.customer_id, list(message.attachments.only("pk", "file", "size")))
    message.delete()


def message_mark_opened(*, message_id: int, tracking_token) -> bool:
    """Records an e-mail open (isOpened, lastOpenDate) when the tracking token matches; True if it did."""
    return bool(
        TicketMessage.objects.filter(pk=message_id, tracking_token=tracking_token).update(
            is_opened=True, last_open_date=timezone.now()
        )
    )


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, comment: str = "") -> Ticket:
    """Marks the ticket escalated (status Escalated unless closed), puts the comment first in its
    aiFeedbackComments; publishes OnEscalate."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if comment:
        ticket.ai_feedback_comments = [comment, *ticket.ai_feedback_comments]
        ticket.save(update_fields=["ai_feedback_comments"])
    changes = {"escalated": True}
    if ticket.status != TicketStatus.CLOSED:
        changes["status"] = TicketStatus.ESCALATED
    return ticket_update(ticket=ticket, changes=changes)


@transaction.atomic
def message_escalate(*, message: TicketMessage, comment: str = "") -> TicketMessage:
    """Marks the message escalated with the comment, then escalates its ticket (see ticket_escalate)."""
    message.is_escalated = True
    if comment:
        message.ai_feedback_comment = comment
    message.save(update_fields=["is_escalated", "ai_feedback_comment"])
    ticket_escalate(ticket=message.ticket, comment=comment)
    return message


@transaction.atomic
def message_feedback(*, message: TicketMessage, like: bool) -> TicketMessage:
    """Stores the end user's like/dislike of an AI answer on the message."""
    message.is_liked = like
    message.save(update_fields=["is_liked"])
    return message


def ticket_end_user_escalate(*, ticket: Ticket, comment: str = "") -> None:
    """The end user asks for a person (web chat): their latest line is escalated with the comment, else the
    ticket itself (see message_escalate / ticket_escalate)."""
    message = latest_end_user_message(ticket=ticket)
    if message is not None:
        message_escalate(message=message, comment=comment)
    else:
        ticket_escalate(ticket=ticket, comment=comment)


def ticket_answer_rate(*, ticket: Ticket, like: bool) -> TicketMessage | None:
    """The end user likes or dislikes the ticket's latest answer (selectors.latest_ai_answer); None without one."""
    answer = latest_ai_answer(ticket=ticket)
    if answer is not None:
        message_feedback(message=answer, like=like)
    return answer


def messages_html_sanitise(*, customer_id: int, commit: bool, batch_size: int = 500) -> tuple[int, int]:
    """Runs the customer's stored HTML bodies (those written before sanitising on the way in) through
    message_html_clean, in batches by id, each batch in its own transaction; changes nothing unless `commit`.
    Answers (bodies checked, bodies that changed or would change)."""
    checked = changed = 0
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(
                TicketMessage.objects.select_for_update()
                .filter(customer_id=customer_id, pk__gt=last_id)
                .exclude(html_body="")
                .order_by("pk")
                .only("id", "html_body")[:batch_size]
            )
            if not rows:
                return checked, changed
            dirty = []
            for row in rows:
                cleaned = message_html_clean(row.html_body)
                if cleaned != row.html_body:
                    row.html_body = cleaned
                    dirty.append(row)
            if commit and dirty:
                TicketMessage.objects.bulk_update(dirty, ["html_body"])
        checked, changed, last_id = checked + len(rows), changed + len(dirty), rows[-1].pk
