"""Writes of the conversation store. Every function runs in one transaction and keeps the ticket
counters (`TicketCounter`), `last_message_at`/`preview` and the status lifecycle consistent.

Other apps create and change tickets and messages only through these functions."""

import mimetypes
import re
from collections import Counter
from collections.abc import Iterable

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile, File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.html import strip_tags

from answerpal.api.errors import ApiError, field_error
from answerpal.events import Event, publish
from billing.models import StorageCategory
from billing.services import storage_usage_change
from channels_cfg.models import ChannelType
from tickets import registry
from tickets.models import (
    AIStepStatus,
    EndUser,
    EndUserUID,
    MessageStatus,
    SenderType,
    Ticket,
    TicketCounter,
    TicketMessage,
    TicketMessageAttachment,
    TicketMessageTopic,
    TicketSearchVersion,
    TicketStatus,
    UidType,
)
from tickets.selectors import latest_ai_answer, latest_end_user_message

PREVIEW_LENGTH = 200
END_USER_PROFILE_FIELDS = (
    "firstname",
    "lastname",
    "gender",
    "other_contact_details",
    "customer_ref",
    "customer_type",
    "country",
    "lang",
    "company",
    "street",
    "house_number",
    "postal_code",
    "city",
    "ai_documentation",
)


# --- UIDs and end users -------------------------------------------------------------------------


def uid_normalize(*, uid_type: str, uid: str) -> str:
    """The stored form of a UID: trimmed; e-mail lower-cased and validated; phone numbers as +digits."""
    value = (uid or "").strip()
    if not value:
        raise field_error("uid", "A UID must not be empty.")
    if uid_type == UidType.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except DjangoValidationError as error:
            raise field_error("uid", f"'{value}' is not a valid e-mail address.") from error
    elif uid_type in (UidType.PHONE, UidType.WHATSAPP):
        value = phone_normalize(value)
        if len(value) < 4:
            raise field_error("uid", f"'{uid}' is not a valid phone number.")
    return value


def phone_normalize(raw: str) -> str:
    """'+32 (2) 555-01.00', '0032 2 5550100' and 'whatsapp:+3225550100' all become '+3225550100'."""
    value = raw.strip()
    if value.lower().startswith("whatsapp:"):
        value = value[len("whatsapp:") :]
    plus = value.startswith("+") or value.startswith("00")
    digits = re.sub(r"\D", "", value)
    if value.startswith("00"):
        digits = digits[2:]
    return f"+{digits}" if plus else digits


def _uid_type_guess(uid: str) -> str:
    if "@" in uid:
        return UidType.EMAIL
    if re.fullmatch(r"(whatsapp:)?\+?[\d\s().\-/]{4,}", uid.strip(), flags=re.IGNORECASE):
        return UidType.WHATSAPP if uid.lower().startswith("whatsapp:") else UidType.PHONE
    return UidType.EXTERNAL_REFERENCE


def _uid_conflict() -> ApiError:
    return ApiError(409, "DuplicateUid", "This UID already belongs to another end user of this customer.")


def _uids_replace(*, end_user: EndUser, uids: Iterable[dict]) -> None:
    """Applies UID rows: `id` None = new, `mark_as_deleted` removes; exactly one primary remains if any."""
    existing = {row.pk: row for row in end_user.uids.all()}
    for item in uids:
        uid_id = item.get("id")
        row = existing.get(uid_id) if uid_id else None
        if uid_id and row is None:
            raise field_error("uiDs", f"UID {uid_id} does not belong to this end user.")
        if item.get("mark_as_deleted"):
            if row is not None:
                existing.pop(row.pk)
                row.delete()
            continue
        uid_type = item.get("uid_type") or _uid_type_guess(item["uid"])
        value = uid_normalize(uid_type=uid_type, uid=item["uid"])
        if row is None:
            row = EndUserUID(customer_id=end_user.customer_id, end_user=end_user)
        row.uid, row.uid_type, row.is_primary = value, uid_type, bool(item.get("is_primary"))
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as error:
            raise _uid_conflict() from error
        existing[row.pk] = row
    _primary_fix(end_user)


def _primary_fix(end_user: EndUser) -> None:
    """At most one primary UID: keep the newest primary, or make the first UID primary when none is."""
    rows = list(EndUserUID.objects.filter(end_user=end_user).order_by("-is_primary", "-id"))
    primaries = [row.pk for row in rows if row.is_primary]
    if len(primaries) > 1:
        EndUserUID.objects.filter(pk__in=primaries[1:]).update(is_primary=False)
    elif rows and not primaries:
        EndUserUID.objects.filter(pk=min(row.pk for row in rows)).update(is_primary=True)


@transaction.atomic
def end_user_create(*, customer_id: int, profile: dict, uids: Iterable[dict] = ()) -> EndUser:
    """Creates an end user with its UIDs (customerType '' → Lead); publishes OnEndUserAdd."""
    values = {key: value for key, value in profile.items() if key in END_USER_PROFILE_FIELDS}
    if not values.get("customer_type"):
        values["customer_type"] = EndUser._meta.get_field("customer_type").default
    end_user = EndUser.objects.create(customer_id=customer_id, **values)
    _uids_replace(end_user=end_user, uids=uids)
    publish(Event.END_USER_ADDED, customer_id=customer_id, end_user_id=end_user.pk)
    return end_user


@transaction.atomic
def end_user_update(*, end_user: EndUser, profile: dict, uids: Iterable[dict] | None = None) -> EndUser:
    """Updates profile fields (customerType '' keeps the old value) and UIDs; publishes OnEndUserUpdate."""
    for key, value in profile.items():
        if key not in END_USER_PROFILE_FIELDS or (key == "customer_type" and not value):
            continue
        setattr(end_user, key, value)
    end_user.save()
    if uids is not None:
        _uids_replace(end_user=end_user, uids=uids)
    publish(Event.END_USER_UPDATED, customer_id=end_user.customer_id, end_user_id=end_user.pk)
    return end_user


@transaction.atomic
def end_user_delete(*, end_user: EndUser) -> None:
    """Deletes the end user and its UIDs (tickets keep their history); publishes OnEndUserDelete."""
    customer_id, end_user_id = end_user.customer_id, end_user.pk
    end_user.delete()
    publish(Event.END_USER_DELETED, customer_id=customer_id, end_user_id=end_user_id)


@transaction.atomic
def end_user_uid_assign(*, end_user: EndUser, uid: str, uid_type: str | None, is_primary: bool) -> EndUserUID:
    """Attaches one more UID to an end user (409 DuplicateUid when another end user holds it)."""
    uid_type = uid_type or _uid_type_guess(uid)
    value = uid_normalize(uid_type=uid_type, uid=uid)
    held = EndUserUID.objects.filter(customer_id=end_user.customer_id, uid=value).first()
    if held is not None and held.end_user_id != end_user.pk:
        raise _uid_conflict()
    row = held or EndUserUID(customer_id=end_user.customer_id, end_user=end_user, uid=value)
    row.uid_type, row.is_primary = uid_type, is_primary
    row.save()
    if is_primary:
        EndUserUID.objects.filter(end_user=end_user, is_primary=True).exclude(pk=row.pk).update(is_primary=False)
    _primary_fix(end_user)
    publish(Event.END_USER_UPDATED, customer_id=end_user.customer_id, end_user_id=end_user.pk)
    return row


def end_user_find_or_create(*, customer_id: int, uid: str, uid_type: str | None = None, name: str = "") -> EndUser:
    """The end user holding `uid` in this customer, or a new Lead with that UID (race-safe)."""
    return _end_user_find_or_create(customer_id=customer_id, uid=uid, uid_type=uid_type, name=name)[0]


def _end_user_find_or_create(*, customer_id: int, uid: str, uid_type: str | None, name: str) -> tuple[EndUser, bool]:
    uid_type = uid_type or _uid_type_guess(uid)
    value = uid_normalize(uid_type=uid_type, uid=uid)
    found = EndUserUID.objects.select_related("end_user").filter(customer_id=customer_id, uid=value).first()
    if found is not None:
        return found.end_user, False
    firstname, _, lastname = (name or "").strip().partition(" ")
    try:
        with transaction.atomic():
            end_user = EndUser.objects.create(customer_id=customer_id, firstname=firstname, lastname=lastname)
            EndUserUID.objects.create(
                customer_id=customer_id, end_user=end_user, uid=value, uid_type=uid_type, is_primary=True
            )
    except IntegrityError:
        return EndUserUID.objects.select_related("end_user").get(customer_id=customer_id, uid=value).end_user, False
    publish(Event.END_USER_ADDED, customer_id=customer_id, end_user_id=end_user.pk)
    return end_user, True


# --- ticket counters ----------------------------------------------------------------------------


def _increment(model, key: dict, field: str, delta: int) -> None:
    """Adds `delta` to `field` of the row at `key`, creating the row (at 0) on first use; concurrent writers wait
    on the row lock, so no increment is lost."""
    if model.objects.filter(**key).update(**{field: F(field) + delta}):
        return
    model.objects.bulk_create([model(**key, **{field: 0})], ignore_conflicts=True)
    model.objects.filter(**key).update(**{field: F(field) + delta})


def _counter_add(customer_id: int, status: str, is_spam: bool, delta: int) -> None:
    if delta:
        _increment(TicketCounter, {"customer_id": customer_id, "status": status, "is_spam": is_spam}, "count", delta)


def _search_version_bump(customer_id: int) -> None:
    """Call in the transaction of any write that changes which tickets a search matches (see TicketSearchVersion)."""
    _increment(TicketSearchVersion, {"customer_id": customer_id}, "version", 1)


def _counters_apply(customer_id: int, changes: Counter) -> None:
    for (status, is_spam), delta in sorted(changes.items()):
        _counter_add(customer_id, status, is_spam, delta)


def _counter_groups(queryset) -> Counter:
    rows = queryset.order_by().values("status", "is_spam").annotate(n=Count("id"))
    return Counter({(row["status"], row["is_spam"]): row["n"] for row in rows})


@transaction.atomic
def ticket_counters_rebuild(*, customer_id: int) -> int:
    """Recounts one customer's tickets into TicketCounter (repair/seed); returns the total."""
    groups = _counter_groups(Ticket.objects.filter(customer_id=customer_id))
    TicketCounter.objects.filter(customer_id=customer_id).delete()
    TicketCounter.objects.bulk_create(
        TicketCounter(customer_id=customer_id, status=status, is_spam=is_spam, count=count)
        for (status, is_spam), count in groups.items()
    )
    _search_version_bump(customer_id)  # rows written around the services (imports, raw SQL) drop cached totals too
    return sum(groups.values())


# --- tickets ------------------------------------------------------------------------------------


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
    """Creates a ticket in its status (Closed sets closeDate) and counts it."""
    now = timezone.now()
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
    _counter_add(customer_id, ticket.status, ticket.is_spam, 1)
    _search_version_bump(customer_id)
    return ticket


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
    with transaction.atomic():
        end_user = end_user_find_or_create(customer_id=channel.customer_id, uid=uid, name=name) if uid else None
        return ticket_create(
            customer_id=channel.customer_id,
            channel_type=ChannelType.CHAT,
            channel_id=channel.pk,
            subject=subject,
            end_user=end_user,
            uid=end_user.uids.values_list("uid", flat=True).first() if end_user else "",
        )


def ticket_update(*, ticket: Ticket, changes: dict) -> Ticket:
    """Applies editable fields; `status` wins over `is_closed`; keeps counters; publishes OnClose/OnEscalate."""
    unknown = set(changes) - set(TICKET_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"ticket_update cannot set {sorted(unknown)}")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = _ticket_state(ticket)
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


# --- messages -----------------------------------------------------------------------------------

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
    text = message.message or message.text_body or strip_tags(message.html_body or "")
    return " ".join(text.split())[:PREVIEW_LENGTH]


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
    """Stores a message (inbound or outbound); finds/creates the end user by UID and the ticket (given,
    e-mail thread, or new); reopens a closed ticket when an end user writes; moves lastMessageDate and
    preview; publishes MessageReceived for inbound end-user messages unless `announce` is False (a call
    whose text is its transcript publishes it once the transcript is stored)."""
    fields = dict(fields or {})
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
        known_end_user = not created
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
    """Updates stored fields (not the ticket, customer or tokens); a draft leaving Draft counts as the
    ticket's newest message."""
    unknown = set(changes) - MESSAGE_FIELDS
    if unknown:
        raise ValueError(f"message_update cannot set {sorted(unknown)}")
    was_draft = message.status == MessageStatus.DRAFT
    for key, value in changes.items():
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


# --- message topics -----------------------------------------------------------------------------


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


# --- attachments --------------------------------------------------------------------------------


def _billing_storage_change(customer_id: int, delta_bytes: int) -> None:
    if delta_bytes:
        storage_usage_change(customer_id=customer_id, delta_bytes=delta_bytes, category=StorageCategory.ATTACHMENTS)


def _attachments_release(customer_id: int, attachments: list[TicketMessageAttachment]) -> None:
    """Deletes stored files after commit and reports the freed bytes to billing."""
    if not attachments:
        return
    names = [attachment.file.name for attachment in attachments if attachment.file]
    storage = TicketMessageAttachment._meta.get_field("file").storage

    def remove_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    _billing_storage_change(customer_id, -sum(attachment.size for attachment in attachments))


def attachment_content_type(*, head: bytes, file_name: str, declared: str = "") -> str:
    """The type sniffed from the bytes; the declared/guessed type only when the bytes say nothing."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return declared or mimetypes.guess_type(file_name)[0] or "application/octet-stream"


@transaction.atomic
def attachment_store(
    *,
    message: TicketMessage,
    content: File | bytes,
    file_name: str,
    content_type: str = "",
    is_end_user_provided: bool = False,
    is_customer_rep_provided: bool = False,
    content_id: str = "",
) -> TicketMessageAttachment:
    """Stores a file on a message through the storage API (413 over the upload limit), sniffs its
    type, sets hasAttachment and reports the bytes to billing's storage usage."""
    if isinstance(content, bytes):
        content = ContentFile(content)
    size = content.size
    limit = settings.ANSWERPAL_MAX_UPLOAD_BYTES
    if size > limit:
        raise ApiError(413, "FileTooLarge", f"A file may be at most {limit // (1024 * 1024)} MB.")
    content.seek(0)
    head = content.read(8192)
    content.seek(0)
    attachment = TicketMessageAttachment(
        customer_id=message.customer_id,
        message=message,
        file_name=(file_name or "download.bin")[:255],
        content_type=attachment_content_type(head=head, file_name=file_name, declared=content_type)[:200],
        size=size,
        content_id=content_id,
        is_end_user_provided=is_end_user_provided,
        is_customer_rep_provided=is_customer_rep_provided,
    )
    attachment.file.save(attachment.access_token.hex, content, save=False)
    try:
        attachment.save()
        if not message.has_attachment:
            TicketMessage.objects.filter(pk=message.pk).update(has_attachment=True)
            message.has_attachment = True
        _billing_storage_change(message.customer_id, size)
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: TicketMessageAttachment) -> None:
    """Deletes one attachment (file after commit, billed bytes released, hasAttachment recomputed)."""
    message_id = attachment.message_id
    _attachments_release(attachment.customer_id, [attachment])
    attachment.delete()
    if not TicketMessageAttachment.objects.filter(message_id=message_id).exists():
        TicketMessage.objects.filter(pk=message_id).update(has_attachment=False)


# --- single-column writes for the pipeline and the outbox (one UPDATE each, no transaction of their own) ---------


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
