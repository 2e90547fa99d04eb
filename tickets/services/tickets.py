"""Tickets: create, change, close and reopen, assign, delete and bulk actions, keeping counters, the
search version and the status lifecycle consistent."""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from answerpal.api.errors import ApiError, field_error
from answerpal.events import Event, publish
from channels_cfg.models import ChannelType
from tickets import registry
from tickets.models import (
    EndUser,
    Ticket,
    TicketMessageAttachment,
    TicketStatus,
)
from tickets.services.attachments import _attachments_release
from tickets.services.counters import _counter_add, _counter_groups, _counters_apply, _search_version_bump
from tickets.services.end_users import (
    _end_user_find_or_create,
    _uid_type_guess,
    end_user_find_or_create,
    uid_normalize,
)


def _status_fields(ticket: Ticket, status: str, now) -> None:
    ticket.status = status
    ticket.is_closed = status == TicketStatus.CLOSED
    if ticket.is_closed:
        ticket.close_date = ticket.close_date or now
    else:
        ticket.close_date = None


@transaction.atomic
def ticket_create(
    *,
    customer_id: int,
    channel_type: str,
    channel_id: int | None = None,
    subject: str = "",
    end_user: EndUser | None = None,
    uid: str = "",
    customer_rep_id: int | None = None,
    status: str = TicketStatus.OPEN,
    escalated: bool = False,
    is_spam: bool = False,
    preview: str = "",
    summary: str = "",
    twilio_call_sid: str = "",
) -> Ticket:
    """Creates a ticket in its status (Closed sets closeDate) and counts it. With a `uid` and no `end_user`, the end
    user is the one holding that UID, or a new Lead with it: the rule of inbound messages, whatever path creates
    the ticket (form, create-new, chat, calls, imports), so `endUserId` and the end user's ticket list agree.
    Publishes TicketCreated."""
    now = timezone.now()
    end_user_is_new = False
    if end_user is None and uid:
        end_user, uid, end_user_is_new = _end_user_of_uid(customer_id, uid)
    ticket = Ticket(
        customer_id=customer_id,
        channel_id=channel_id,
        channel_type=channel_type,
        subject=subject[:500],
        end_user=end_user,
        uid=uid,
        customer_rep_id=customer_rep_id,
        escalated=escalated,
        is_spam=is_spam,
        preview=preview[:500],
        summary=summary,
        twilio_call_sid=twilio_call_sid,
        last_message_at=now,
    )
    _status_fields(ticket, status, now)
    ticket.save()
    ticket.end_user_is_new = end_user_is_new  # a first message on it is not from a known end user
    _counter_add(customer_id, ticket.status, ticket.is_spam, 1)
    _search_version_bump(customer_id)
    publish(Event.TICKET_CREATED, customer_id=customer_id, ticket_id=ticket.pk)
    return ticket


def _end_user_of_uid(customer_id: int, uid: str) -> tuple[EndUser, str, bool]:
    """The end user of `uid` (found or created, as for inbound messages), the UID in its stored form and whether
    the end user was created now."""
    end_user, created = _end_user_find_or_create(customer_id=customer_id, uid=uid, uid_type=None, name="")
    return end_user, uid_normalize(uid_type=_uid_type_guess(uid), uid=uid), created


TICKET_EDITABLE_FIELDS = (
    "customer_rep_id",
    "status",
    "subject",
    "escalated",
    "is_spam",
    "is_closed",
    "close_date",
    "channel_type",
    "channel_id",
    "uid",
    "preview",
    "summary",
    "twilio_call_sid",
)


@transaction.atomic
def chat_ticket_create(*, channel, subject: str, uid: str = "", name: str = "") -> Ticket:
    """Opens a web-chat ticket on `channel`; with a `uid` the visitor's end user is found or created
    (named `name`) and the ticket carries that UID."""
    end_user = end_user_find_or_create(customer_id=channel.customer_id, uid=uid, name=name) if uid else None
    return ticket_create(
        customer_id=channel.customer_id,
        channel_type=ChannelType.CHAT,
        channel_id=channel.pk,
        subject=subject,
        end_user=end_user,
        uid=end_user.uids.values_list("uid", flat=True).first() if end_user else "",
    )


@transaction.atomic
def ticket_update(*, ticket: Ticket, changes: dict) -> Ticket:
    """Applies editable fields; `status` wins over `is_closed`; keeps counters; publishes OnClose/OnEscalate. A
    ticket without an end user that is given a `uid` gets that UID's end user (the rule of ticket_create)."""
    unknown = set(changes) - set(TICKET_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"ticket_update cannot set {sorted(unknown)}")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = _ticket_state(ticket)
    if changes.get("uid") and ticket.end_user_id is None and changes["uid"] != ticket.uid:
        changes = dict(changes)
        ticket.end_user, changes["uid"], _ = _end_user_of_uid(ticket.customer_id, changes["uid"])
    for key, value in changes.items():
        if key not in ("status", "is_closed", "close_date"):
            setattr(ticket, key, value)
    status = changes.get("status")
    if status is None and "is_closed" in changes:
        if changes["is_closed"] and ticket.status != TicketStatus.CLOSED:
            status = TicketStatus.CLOSED
        elif not changes["is_closed"] and ticket.status == TicketStatus.CLOSED:
            status = TicketStatus.OPEN
    now = timezone.now()
    if status is not None:
        if status == TicketStatus.CLOSED and changes.get("close_date") and ticket.status != TicketStatus.CLOSED:
            ticket.close_date = changes["close_date"]
        _status_fields(ticket, status, now)
    ticket.save()
    _ticket_after_change(ticket, before)
    return ticket


def _ticket_state(ticket: Ticket) -> tuple:
    """What _ticket_after_change compares: the counted, published and searched fields."""
    return ticket.status, ticket.is_spam, ticket.escalated, ticket.subject, ticket.uid


def _ticket_after_change(ticket: Ticket, before: tuple) -> None:
    old_status, old_spam, old_escalated, old_subject, old_uid = before
    if (old_status, old_spam) != (ticket.status, ticket.is_spam):
        _counters_apply(ticket.customer_id, Counter({(old_status, old_spam): -1, (ticket.status, ticket.is_spam): 1}))
    if (old_subject, old_uid) != (ticket.subject, ticket.uid):
        _search_version_bump(ticket.customer_id)
    if ticket.status == TicketStatus.CLOSED and old_status != TicketStatus.CLOSED:
        publish(Event.TICKET_CLOSED, customer_id=ticket.customer_id, ticket_id=ticket.pk)
    if ticket.escalated and not old_escalated:
        publish(Event.TICKET_ESCALATED, customer_id=ticket.customer_id, ticket_id=ticket.pk)


def ticket_close(*, ticket: Ticket) -> Ticket:
    """Closes the ticket (status Closed, isClosed, closeDate now); publishes OnClose."""
    return ticket_update(ticket=ticket, changes={"status": TicketStatus.CLOSED})


def ticket_reopen(*, ticket: Ticket) -> Ticket:
    """Reopens a closed ticket (status Open, closeDate cleared); no-op on an open ticket."""
    if ticket.status != TicketStatus.CLOSED:
        return ticket
    return ticket_update(ticket=ticket, changes={"status": TicketStatus.OPEN})


def ticket_assign(*, ticket: Ticket, customer_rep_id: int | None) -> Ticket:
    """Assigns the ticket to a representative (None = unassigned)."""
    return ticket_update(ticket=ticket, changes={"customer_rep_id": customer_rep_id})


def ticket_legal_hold_set(*, ticket: Ticket, legal_hold: bool) -> Ticket:
    """Sets or clears the legal hold (kept from erasure and retention while set); one UPDATE."""
    Ticket.objects.filter(pk=ticket.pk).update(legal_hold=legal_hold)
    ticket.legal_hold = legal_hold
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: Ticket) -> None:
    """Deletes the ticket with its messages and attachments (files and billed storage released)."""
    attachments = TicketMessageAttachment.objects.filter(customer_id=ticket.customer_id, message__ticket=ticket)
    _attachments_release(ticket.customer_id, list(attachments.only("pk", "file", "size")))
    _counter_add(ticket.customer_id, ticket.status, ticket.is_spam, -1)
    _search_version_bump(ticket.customer_id)
    ticket.delete()


BULK_BUILTIN_ACTIONS = ("close", "reopen", "assign", "spam", "notspam")


@transaction.atomic
def tickets_bulk_update(*, customer_id: int, ticket_ids: list[int], action: str, customer_rep_id: int | None) -> int:
    """Applies a bulk action to the customer's listed tickets in one transaction; returns the count.

    assign: customer_rep_id None = keep (no-op), 0 = unassign, >0 = assign."""
    tickets = Ticket.objects.filter(customer_id=customer_id, pk__in=ticket_ids)
    name = action.lower()
    if name not in BULK_BUILTIN_ACTIONS:
        handler = registry.bulk_action_handler(name)
        if handler is None and name in {deferred.lower() for deferred in registry.DEFERRED_BULK_ACTIONS}:
            raise ApiError(400, "BulkActionUnavailable", f"The bulk action '{action}' is not available yet.")
        if handler is None:
            known = [*BULK_BUILTIN_ACTIONS, *registry.DEFERRED_BULK_ACTIONS, *registry.registered_bulk_actions()]
            allowed = ", ".join(dict.fromkeys(known))
            raise field_error("action", f"Unknown bulk action '{action}'; use one of: {allowed}.")
        ids = list(tickets.values_list("pk", flat=True))
        handler(customer_id=customer_id, ticket_ids=ids, rep_id=customer_rep_id)
        return len(ids)
    if name == "assign":
        if customer_rep_id is None:
            return 0
        return tickets.update(customer_rep_id=customer_rep_id or None)
    now = timezone.now()
    if name in ("close", "reopen"):
        closing = name == "close"
        affected = (
            tickets.exclude(status=TicketStatus.CLOSED) if closing else tickets.filter(status=TicketStatus.CLOSED)
        )
        closed_ids = list(affected.values_list("pk", flat=True)) if closing else []
        before = _counter_groups(affected)
        target = TicketStatus.CLOSED if closing else TicketStatus.OPEN
        count = affected.update(status=target, is_closed=closing, close_date=now if closing else None)
        changes = Counter()
        for (status, is_spam), n in before.items():
            changes[(status, is_spam)] -= n
            changes[(target, is_spam)] += n
        _counters_apply(customer_id, changes)
        for ticket_id in closed_ids:
            publish(Event.TICKET_CLOSED, customer_id=customer_id, ticket_id=ticket_id)
        return count
    spam = name == "spam"
    affected = tickets.filter(is_spam=not spam)
    before = _counter_groups(affected)
    count = affected.update(is_spam=spam)
    changes = Counter()
    for (status, is_spam), n in before.items():
        changes[(status, is_spam)] -= n
        changes[(status, spam)] += n
    _counters_apply(customer_id, changes)
    return count
