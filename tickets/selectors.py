"""Reads of the conversation store: querysets with their joins, counts, history and storage bytes."""

import uuid
from functools import cache

from django.db import connection
from django.db.models import BooleanField, F, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse

from answerpal.api.errors import ApiError
from billing.permissions import feature_require
from channels_cfg.models import Channel, ChannelType
from channels_cfg.selectors import channel_by_token
from tickets import registry
from tickets.models import (
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
)

HISTORY_LIMIT = 20


def end_users_queryset():
    """End users with their UIDs (one extra query for a whole page)."""
    return EndUser.objects.prefetch_related(Prefetch("uids", queryset=EndUserUID.objects.order_by("-is_primary", "id")))


def end_users_by_uid(*, customer_id: int, uid: str):
    """End users holding `uid` (exact, case-insensitive) or whose customerRef equals it."""
    value = uid.strip()
    holders = EndUserUID.objects.filter(customer_id=customer_id, uid__iexact=value).values("end_user_id")
    return end_users_queryset().filter(customer_id=customer_id).filter(Q(pk__in=holders) | Q(customer_ref=value))


TICKET_COLUMNS = (
    "id",
    "customer_rep_id",
    "status",
    "subject",
    "escalated",
    "is_spam",
    "is_closed",
    "created_at",
    "last_message_at",
    "close_date",
    "channel_type",
    "uid",
    "channel_id",
    "end_user_id",
    "preview",
    "ai_feedback_comments",
    "summary",
    "last_end_user_message_id",
    "twilio_call_sid",
    "token",
    "legal_hold",
)
END_USER_COLUMNS = tuple(
    field.name for field in EndUser._meta.concrete_fields if field.name not in ("customer", "created_at", "updated_at")
)
_UID_COLUMNS = ("id", "uid", "uid_type", "is_primary")


def ticket_rows(queryset):
    """Ticket reads as dict rows (values()): the DTO columns with the channel's and representative's
    names joined in, without building models (whose encrypted fields would be decrypted per row)."""
    rep_name = Coalesce(NullIf(F("customer_rep__name"), Value("")), F("customer_rep__username"))
    return queryset.annotate(channel_name=F("channel__name"), customer_rep_name=rep_name).values(
        *TICKET_COLUMNS, "channel_name", "customer_rep_name"
    )


@cache
def _all_ticket_rows():
    return ticket_rows(Ticket.objects.all())


def all_ticket_rows():
    """ticket_rows over all tickets (filter before use), built once per process and cloned: building the joins
    and values() costs more than cloning them."""
    return _all_ticket_rows().all()


def ticket_row_extras(rows: list[dict]) -> dict:
    """For a page of ticket rows: the end users with their UIDs, primary first (one query, UIDs left-joined), and
    the tickets' topic names, distinct and alphabetical (one query). Both are fixed SQL over the models' tables,
    run on a cursor: a page's extras cost a third of what compiling and reading them through the ORM does. Then the
    fields other apps register for tickets (tickets.registry.register_ticket_fields; a loader's query only when the
    page concerns it)."""
    end_user_ids = sorted({row["end_user_id"] for row in rows if row["end_user_id"]})
    ticket_ids = [row["id"] for row in rows]
    end_users: dict[int, dict] = {}
    topics: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        if end_user_ids:
            cursor.execute(_end_users_sql(len(end_user_ids)), end_user_ids)
            width = len(END_USER_COLUMNS)
            for values in cursor.fetchall():
                end_user = end_users.get(values[0])
                if end_user is None:
                    end_user = end_users[values[0]] = {**_typed(END_USER_COLUMNS, values[:width]), "uids": []}
                if values[width] is not None:
                    end_user["uids"].append(_typed(_UID_COLUMNS, values[width:]))
        if ticket_ids:
            cursor.execute(_topic_names_sql(len(ticket_ids)), ticket_ids)
            for ticket_id, name in cursor.fetchall():
                topics.setdefault(ticket_id, []).append(name)
    return {"end_users": end_users, "topics": topics, "fields": registry.ticket_extra_values(rows)}


_BOOLEAN_COLUMNS = frozenset(
    name
    for model, names in ((EndUser, END_USER_COLUMNS), (EndUserUID, _UID_COLUMNS))
    for name in names
    if isinstance(model._meta.get_field(name), BooleanField)
)


def _typed(names: tuple[str, ...], values) -> dict:
    """A cursor row as values() would give it (SQLite answers booleans as 0/1)."""
    return {
        name: bool(value) if name in _BOOLEAN_COLUMNS and value is not None else value
        for name, value in zip(names, values, strict=True)
    }


def _table_column(model, name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"


# The two statements below are built from model metadata and %s placeholders only, never from request data.
@cache
def _end_users_sql(count: int) -> str:
    columns = [_table_column(EndUser, name) for name in END_USER_COLUMNS]
    columns += [_table_column(EndUserUID, name) for name in _UID_COLUMNS]
    end_user_id, uid_id = _table_column(EndUser, "id"), _table_column(EndUserUID, "id")
    tables = [connection.ops.quote_name(model._meta.db_table) for model in (EndUser, EndUserUID)]
    return (
        f"SELECT {', '.join(columns)} FROM {tables[0]} LEFT OUTER JOIN {tables[1]}"  # noqa: S608
        f" ON {_table_column(EndUserUID, 'end_user')} = {end_user_id}"
        f" WHERE {end_user_id} IN ({', '.join(['%s'] * count)})"
        f" ORDER BY {end_user_id}, {_table_column(EndUserUID, 'is_primary')} DESC, {uid_id}"
    )


@cache
def _topic_names_sql(count: int) -> str:
    topic_model = TicketMessageTopic._meta.get_field("topic").related_model
    tables = [
        connection.ops.quote_name(model._meta.db_table) for model in (TicketMessageTopic, TicketMessage, topic_model)
    ]
    ticket_id, name = _table_column(TicketMessage, "ticket"), _table_column(topic_model, "name")
    message_join = f"{_table_column(TicketMessageTopic, 'message')} = {_table_column(TicketMessage, 'id')}"
    topic_join = f"{_table_column(TicketMessageTopic, 'topic')} = {_table_column(topic_model, 'id')}"
    return (
        f"SELECT DISTINCT {ticket_id}, {name} FROM {tables[0]}"  # noqa: S608
        f" INNER JOIN {tables[1]} ON {message_join} INNER JOIN {tables[2]} ON {topic_join}"
        f" WHERE {ticket_id} IN ({', '.join(['%s'] * count)}) ORDER BY {name}"
    )


def tickets_of_end_user(*, end_user: EndUser):
    """The person's tickets: linked to the end user, or carrying one of its UIDs or its customerRef."""
    uids = list(end_user.uids.values_list("uid", flat=True))
    if end_user.customer_ref:
        uids.append(end_user.customer_ref)
    return Q(end_user_id=end_user.pk) | Q(uid__in=uids)


def ticket_search_version(*, customer_id: int) -> int:
    """The customer's TicketSearchVersion (0 before the first ticket). One query."""
    return TicketSearchVersion.objects.filter(customer_id=customer_id).values_list("version", flat=True).first() or 0


def ticket_count_from_counters(*, customer_id: int, statuses=None, is_spam=None, is_closed=None) -> int:
    """Exact ticket count from TicketCounter for filters on status/isSpam/isClosed only. One query."""
    rows = TicketCounter.objects.filter(customer_id=customer_id)
    if statuses:
        rows = rows.filter(status__in=statuses)
    if is_spam is not None:
        rows = rows.filter(is_spam=is_spam)
    if is_closed is True:
        rows = rows.filter(status=TicketStatus.CLOSED)
    elif is_closed is False:
        rows = rows.exclude(status=TicketStatus.CLOSED)
    return sum(rows.values_list("count", flat=True))


def ticket_history_summary(*, ticket: Ticket) -> str:
    """Plain text of the end user's earlier tickets (same UID or end user), newest first."""
    same_person = Q(uid=ticket.uid) if ticket.uid else Q(pk__in=[])
    if ticket.end_user_id:
        same_person |= Q(end_user_id=ticket.end_user_id)
    earlier = (
        Ticket.objects.filter(customer_id=ticket.customer_id)
        .filter(same_person)
        .exclude(pk=ticket.pk)
        .filter(created_at__lte=ticket.created_at)
        .order_by("-created_at", "-id")
        .only("id", "created_at", "status", "channel_type", "subject", "summary", "preview")[:HISTORY_LIMIT]
    )
    lines = []
    for row in earlier:
        text = row.summary or row.preview
        line = (
            f"- #{row.pk} {row.created_at:%Y-%m-%d} [{row.channel_type}, {row.status}] {row.subject or '(no subject)'}"
        )
        lines.append(f"{line}: {text}" if text else line)
    if not lines:
        return f"No earlier conversations with {ticket.uid or 'this end user'}."
    return f"Earlier conversations with {ticket.uid or 'this end user'} ({len(lines)}):\n" + "\n".join(lines)


def messages_list_queryset():
    """Messages with their topics (topic names joined): one extra query per page."""
    return TicketMessage.objects.prefetch_related(
        Prefetch("topics", queryset=TicketMessageTopic.objects.select_related("topic").order_by("id"))
    )


def message_detail_queryset():
    """Message detail: rep, channel, topics (with topic and correcting rep) and registered extra fields."""
    prefetches = [
        Prefetch("topics", queryset=TicketMessageTopic.objects.select_related("topic", "corrected_by").order_by("id"))
    ]
    for field in registry.message_detail_fields():
        prefetches.extend(field.prefetch)
    return TicketMessage.objects.select_related("customer_rep", "channel").prefetch_related(*prefetches)


def latest_ai_answer(*, ticket: Ticket) -> TicketMessage | None:
    """The newest outbound message of a ticket (the answer an end user likes or dislikes)."""
    return ticket.messages.filter(incoming=False).order_by("-created_at", "-id").first()


def latest_end_user_message(*, ticket: Ticket) -> TicketMessage | None:
    if ticket.last_end_user_message_id:
        return TicketMessage.objects.filter(pk=ticket.last_end_user_message_id).first()
    return ticket.messages.order_by("-created_at", "-id").first()


def topic_ids_of_customer(*, customer_id: int, topic_ids) -> set[int]:
    """Which of `topic_ids` are the customer's topics (automation.Topic, reached through the FK). One query."""
    topic_model = TicketMessageTopic._meta.get_field("topic").related_model
    return set(topic_model.objects.filter(customer_id=customer_id, pk__in=topic_ids).values_list("pk", flat=True))


def attachment_download_path(attachment: TicketMessageAttachment) -> str:
    """The public download path of an attachment (`/api/File/{accessToken}`), for links in mails and chats."""
    return reverse("file-download", kwargs={"access_token": attachment.access_token})


def tracking_pixel_path(message: TicketMessage) -> str:
    """The open-tracking pixel of an outbound message, for the mail body (unguessable: per-message token)."""
    return reverse("ticket-message-pixel", kwargs={"message_id": message.pk, "tracking_token": message.tracking_token})


def attachment_bytes(customer_id: int) -> int:
    """Bytes of a customer's stored attachments (billing's storage source for `attachments`)."""
    total = TicketMessageAttachment.objects.filter(customer_id=customer_id).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def chat_channel_for_page(*, token, host: str) -> Channel:
    """The active chat channel of a public `token` for a page on `host`, checked the same way for every
    web-chat route: 404 ChannelNotFound, 403 FeatureNotInPlan without chat in the plan, 403
    HostnameNotAllowed unless `host` is one of the channel's hostnames (channels_cfg.hostnames)."""
    channel = channel_by_token(token=token)
    if channel is None or channel.channel_type != ChannelType.CHAT:
        raise ApiError(404, "ChannelNotFound", "No active chat channel has this token.")
    feature_require(customer_id=channel.customer_id, feature="hasChat")
    if not host or not channel.hostname_allowed(host):
        raise ApiError(403, "HostnameNotAllowed", f"The chat channel is not enabled on '{host or '?'}'.")
    return channel


def chat_ticket_by_token(*, channel: Channel, token) -> Ticket:
    """The chat conversation of a visitor's ticket token on `channel` (404 TicketNotFound otherwise)."""
    try:
        token = uuid.UUID(str(token))
    except ValueError as error:
        raise ApiError(404, "TicketNotFound", "No chat conversation has this ticket token.") from error
    ticket = Ticket.objects.filter(token=token, channel=channel, customer_id=channel.customer_id).first()
    if ticket is None:
        raise ApiError(404, "TicketNotFound", "No chat conversation has this ticket token on this channel.")
    return ticket


def chat_lines_after(*, ticket: Ticket, after: int, limit: int = 200) -> list[TicketMessage]:
    """The lines a visitor sees after message `after`, in server order (id), oldest first: theirs and the
    outbound lines that were sent on the conversation's own channel — the AI's answers and the representatives'
    (never a draft, a queued or a failed send, whoever wrote it, nor a forward by e-mail: the stream's snapshot
    and the poll fallback show only what reached the visitor)."""
    return list(
        TicketMessage.objects.filter(ticket=ticket, channel_id=ticket.channel_id, pk__gt=after)
        .exclude(
            sender_type=SenderType.CUSTOMER_REP,
            status__in=[MessageStatus.DRAFT, MessageStatus.QUEUED, MessageStatus.FAILED],
        )
        .exclude(Q(incoming=False) & ~Q(status=MessageStatus.SENT))
        .select_related("customer_rep")
        .order_by("id")[:limit]
    )


def ticket_row(*, ticket_id: int) -> dict:
    """One ticket as a list row (the ticket DTO's values), as the list renders it."""
    return ticket_rows(Ticket.objects.filter(pk=ticket_id)).get()


def end_user_ticket_rows(*, end_user: EndUser):
    """The list rows of an end user's tickets (its UIDs and customerRef) in its customer."""
    tickets = Ticket.objects.filter(customer_id=end_user.customer_id)
    return ticket_rows(tickets.filter(tickets_of_end_user(end_user=end_user)))


def ticket_of_customer(*, customer_id: int, ticket_id: int) -> Ticket | None:
    """The customer's ticket with this id, or None (another customer's is None too)."""
    return Ticket.objects.filter(customer_id=customer_id, pk=ticket_id).first()


def ticket_by_public_token(*, token) -> Ticket | None:
    """The ticket behind an end user's public ticket token, with its rep and customer."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return Ticket.objects.select_related("customer_rep", "customer").filter(token=token).first()


def message_attachments(*, message: TicketMessage):
    """A message's attachments (metadata; bytes are read through their download token)."""
    return TicketMessageAttachment.objects.filter(customer_id=message.customer_id, message=message)


def message_topics(*, message: TicketMessage):
    """A message's topics with the topic and the rep who corrected them."""
    return TicketMessageTopic.objects.filter(message=message).select_related("topic", "corrected_by")


def ticket_recording(*, ticket: Ticket) -> TicketMessageAttachment | None:
    """The call recording of a phone ticket: the newest audio attachment of its messages (WebM audio sniffs as
    video/webm), or None."""
    return (
        TicketMessageAttachment.objects.filter(customer_id=ticket.customer_id, message__ticket_id=ticket.pk)
        .filter(Q(content_type__startswith="audio/") | Q(content_type="video/webm"))
        .order_by("-created_at", "-id")
        .first()
    )


MESSAGE_CONTEXT_TICKETS = 10


def message_end_user_context(*, message: TicketMessage) -> tuple[list[EndUser], list[dict]]:
    """The end user of the message's ticket (with UIDs) and that end user's other tickets as list rows,
    newest first, at most MESSAGE_CONTEXT_TICKETS; empty lists for a ticket without an end user."""
    end_user_id = message.ticket.end_user_id
    if end_user_id is None:
        return [], []
    end_user = end_users_queryset().filter(pk=end_user_id).first()
    if end_user is None:
        return [], []
    rows = end_user_ticket_rows(end_user=end_user).exclude(pk=message.ticket_id).order_by("-last_message_at", "-id")
    return [end_user], list(rows[:MESSAGE_CONTEXT_TICKETS])


def ticket_agent_available(*, ticket: Ticket) -> tuple[bool, str]:
    """Whether a representative can take the conversation over (the assigned one, else the customer's default,
    active and not deleted), and their name."""
    rep = ticket.customer_rep or ticket.customer.default_customer_rep
    available = rep is not None and rep.is_active and rep.deleted_at is None
    return available, str(rep) if available else ""
