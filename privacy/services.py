"""Access requests (export), erasure requests and retention, across every app's data.

`enduser_export` and `enduser_erase` are the entry points the API, the commands and the audit trail call.
Erasure runs as a job (`erasure_job_run`, the `privacy.erasure_run` task): each step deletes or anonymises what is
still there in its own transaction, together with the job's progress and counts, so a re-run resumes and never
counts twice. The tenant's aggregates stay whole: cost rows are kept and only unlinked from the erased messages,
ticket counters are recounted, storage usage is given back by the same services that release files."""

import logging
import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ai.providers import topics as topic_matching
from answerpal.api.errors import ApiError, Conflict
from answerpal.celery import enqueue_after_commit
from audit.models import AuditAction
from audit.services import audit_record
from automation.models import ConnectorCall
from billing.models import CostEntry, StorageCategory
from billing.services import stored_files_release
from channels_cfg.models import Channel
from customers.models import Customer
from messaging.models import InboundReceipt
from places import services as place_services
from places.models import PlaceDescriptionRoom
from privacy import export as archive
from privacy.models import ErasureJob, ErasureState, RetentionRun
from privacy.selectors import (
    PHOTO_TEXT_FIELDS,
    REPORT_TEXT_FIELDS,
    ROOM_TEXT_FIELDS,
    Person,
    end_users_without_tickets,
    person_counts,
    person_get,
)
from tickets import services as ticket_services
from tickets.models import EndUser, Ticket, TicketMessage, TicketMessageAttachment, TicketStatus
from voice.models import AudioChunk, PhoneCall

logger = logging.getLogger(__name__)

ERASED = "[erased]"
ERASURE_STEPS = ("places", "calls", "costs", "logs", "tickets", "messages", "end_user", "counters")
LEGAL_HOLD_CODE = "LegalHold"


# --- export --------------------------------------------------------------------------------------


def enduser_export(*, customer_id: int, end_user_id: int, language: str = "") -> tuple[str, Iterator[bytes]]:
    """The access-request archive of one end user as (file name, byte stream); 404 EndUserNotFound when the
    customer has no such end user. Reads only; the stream is produced while it is consumed."""
    person = _person_require(customer_id=customer_id, end_user_id=end_user_id)
    company = Customer.objects.filter(pk=customer_id).values_list("name", flat=True).first() or ""
    chunks = archive.export_stream(person=person, language=language, company=company)
    audit_record(
        customer_id=customer_id,
        action=AuditAction.END_USER_EXPORTED,
        object_type="EndUser",
        object_id=end_user_id,
        detail={"language": language},
    )
    return archive.export_file_name(person), (chunk for chunk in chunks if chunk)


# --- erasure -------------------------------------------------------------------------------------


def uid_hash(*, customer_id: int, uid: str) -> str:
    """Salted HMAC-SHA256 of a UID (keyed by SECRET_KEY and the customer): proves whom a receipt is about to someone
    who already knows the UID, and tells nobody else anything."""
    return salted_hmac(
        "answerpal.privacy.erasure", f"{customer_id}:{uid.strip().lower()}", algorithm="sha256"
    ).hexdigest()


def _person_require(*, customer_id: int, end_user_id: int) -> Person:
    person = person_get(customer_id=customer_id, end_user_id=end_user_id)
    if person is None:
        raise ApiError(404, "EndUserNotFound", "The end user does not exist.")
    return person


def _legal_hold_check(person: Person) -> None:
    held = list(person.tickets().filter(legal_hold=True).values_list("pk", flat=True)[:20])
    if held:
        raise Conflict(
            LEGAL_HOLD_CODE,
            f"Tickets {', '.join(map(str, held))} are under legal hold; clear the hold before erasing this end user.",
        )


def enduser_erase_preview(*, customer_id: int, end_user_id: int) -> dict[str, int]:
    """The dry run: what an erasure would remove or anonymise, per kind; 409 LegalHold like the erasure itself."""
    person = _person_require(customer_id=customer_id, end_user_id=end_user_id)
    _legal_hold_check(person)
    return person_counts(person=person)


@transaction.atomic
def enduser_erase(
    *, customer_id: int, end_user_id: int, actor_rep_id: int | None = None, actor: str = "", enqueue: bool = True
) -> ErasureJob:
    """Queues the erasure of one end user and returns its job (state Queued; Done at once where tasks run eagerly;
    `enqueue=False` leaves the run to the caller, e.g. the command running it in-process).

    404 EndUserNotFound, 409 LegalHold while a ticket of the person is held. A job already queued or running for
    the same person is returned instead of a second one; a failed one is queued again and resumes where it stopped."""
    # Two requests for the same person at once: the second waits on the end user's row and then finds the first job.
    EndUser.objects.select_for_update().filter(customer_id=customer_id, pk=end_user_id).first()
    person = _person_require(customer_id=customer_id, end_user_id=end_user_id)
    _legal_hold_check(person)
    unfinished = ErasureState.QUEUED, ErasureState.RUNNING, ErasureState.FAILED
    job = ErasureJob.objects.filter(customer_id=customer_id, end_user_id=end_user_id, state__in=unfinished).first()
    if job is not None and job.state != ErasureState.FAILED:
        return job
    if job is not None:
        ErasureJob.objects.filter(pk=job.pk).update(state=ErasureState.QUEUED, error_code="")
        job.state, job.error_code = ErasureState.QUEUED, ""
    else:
        job = ErasureJob.objects.create(
            customer_id=customer_id,
            end_user_id=end_user_id,
            actor_rep_id=actor_rep_id,
            actor=actor or (f"rep:{actor_rep_id}" if actor_rep_id else ""),
            uid_hashes=sorted(uid_hash(customer_id=customer_id, uid=uid) for uid in person.uids),
        )
    # The trail says who asked for the erasure of which end user id (no personal data); the job is the receipt.
    audit_record(
        customer_id=customer_id,
        actor_id=actor_rep_id,
        action=AuditAction.END_USER_ERASED,
        object_type="EndUser",
        object_id=end_user_id,
        detail={"erasureJobID": job.pk},
    )
    if enqueue:
        from privacy.tasks import erasure_run

        enqueue_after_commit(erasure_run, job.pk)
    return job


def _step_save(job: ErasureJob, step: str, counts: Counter) -> None:
    """Adds the step's counts to the job (inside the step's transaction) and moves the progress on."""
    merged = Counter(job.counts)
    merged.update({kind: n for kind, n in counts.items() if n})
    job.counts = dict(sorted(merged.items()))
    job.step = step
    job.progress = round(100 * (ERASURE_STEPS.index(step) + 1) / len(ERASURE_STEPS))
    ErasureJob.objects.filter(pk=job.pk).update(counts=job.counts, step=job.step, progress=job.progress)


def _redact(text: str, terms: list[str]) -> tuple[str, int]:
    count = 0
    for term in terms:
        text, n = re.subn(re.escape(term), ERASED, text, flags=re.IGNORECASE)
        count += n
    return text, count


def _erase_places(person: Person) -> Counter:
    """Photos that name the person are deleted; their name is redacted from the reports' and rooms' text."""
    counts = Counter()
    for report in person.place_reports():
        for photo in person.photos_naming(report):
            place_services.photo_delete(photo=photo)
            counts["placePhotos"] += 1
        changed = False
        for name in REPORT_TEXT_FIELDS:
            value, n = _redact(getattr(report, name), person.terms)
            if n:
                setattr(report, name, value[: report._meta.get_field(name).max_length or None])
                changed = True
        if changed:
            report.save(update_fields=[*REPORT_TEXT_FIELDS, "updated_at"])
        for room in PlaceDescriptionRoom.objects.filter(report=report):
            room_changed = False
            for name in ROOM_TEXT_FIELDS:
                value, n = _redact(getattr(room, name), person.terms)
                if n:
                    setattr(room, name, value)
                    room_changed = True
            for photo in room.photos.all():  # captions that name the person only in passing
                for name in PHOTO_TEXT_FIELDS:
                    value, n = _redact(getattr(photo, name), person.terms)
                    if n:
                        setattr(photo, name, value[:255])
                        photo.save(update_fields=[name])
            if room_changed:
                room.save(update_fields=[*ROOM_TEXT_FIELDS, "updated_at"])
        counts["placeReports"] += 1
    return counts


def _calls_delete(customer_id: int, calls) -> Counter:
    """Deletes call rows (numbers, transcripts) and their uploaded chunks (files released); the recordings are
    message attachments and go with the messages."""
    counts = Counter()
    call_ids = list(calls.values_list("pk", flat=True))
    if not call_ids:
        return counts
    chunks = list(AudioChunk.objects.filter(call_id__in=call_ids))
    if chunks:
        stored_files_release(
            customer_id=customer_id,
            category=StorageCategory.RECORDINGS,
            files=[chunk.file for chunk in chunks],
            freed_bytes=sum(chunk.size for chunk in chunks),
        )
    counts["audioChunks"] = len(chunks)
    counts["phoneCalls"] = PhoneCall.objects.filter(pk__in=call_ids).delete()[1].get("voice.PhoneCall", 0)
    return counts


def _message_traces_remove(customer_id: int, message_ids) -> Counter:
    """What other apps keep by message id without a foreign key: cost rows are unlinked (amounts kept), connector
    logs and inbound receipts (provider message ids) deleted."""
    return Counter(
        costEntries=CostEntry.objects.filter(customer_id=customer_id, message_id__in=message_ids).update(
            message_id=None
        ),
        connectorCalls=ConnectorCall.objects.filter(customer_id=customer_id, message_id__in=message_ids).delete()[0],
        inboundReceipts=InboundReceipt.objects.filter(customer_id=customer_id, message__in=message_ids).delete()[0],
    )


def _admin_log_remove(model, object_ids) -> int:
    """The admin's change history names the object (its __str__) and what was changed."""
    content_type = ContentType.objects.get_for_model(model)
    return LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in object_ids]).delete()[0]


def tickets_purge(*, customer_id: int, ticket_ids: list[int]) -> Counter:
    """Deletes tickets with everything about them in every app: calls, message traces, admin history, then the
    tickets (messages, attachments and their files, outbox, AI pipeline rows, topics, action runs; counters and
    storage kept right by tickets.services). Legal holds are the caller's check."""
    counts = Counter()
    if not ticket_ids:
        return counts
    message_ids = list(TicketMessage.objects.filter(ticket_id__in=ticket_ids).values_list("pk", flat=True))
    counts.update(
        _calls_delete(customer_id, PhoneCall.objects.filter(customer_id=customer_id, ticket_id__in=ticket_ids))
    )
    counts.update(_message_traces_remove(customer_id, message_ids))
    counts["adminLogEntries"] += _admin_log_remove(Ticket, ticket_ids)
    counts["attachments"] += TicketMessageAttachment.objects.filter(message_id__in=message_ids).count()
    counts["messages"] += len(message_ids)
    for ticket in Ticket.objects.filter(customer_id=customer_id, pk__in=ticket_ids):
        ticket_services.ticket_delete(ticket=ticket)
        counts["tickets"] += 1
    return counts


def _erase_step(job: ErasureJob, person: Person, step: str) -> Counter:
    customer_id = person.customer_id
    if step == "places":
        return _erase_places(person)
    if step == "calls":
        return _calls_delete(customer_id, person.phone_calls())
    if step == "costs":
        return Counter(
            costEntries=CostEntry.objects.filter(
                customer_id=customer_id, message_id__in=person.messages().values("pk")
            ).update(message_id=None)
        )
    if step == "logs":
        counts = _message_traces_remove(customer_id, list(person.messages().values_list("pk", flat=True)))
        counts.pop("costEntries", None)
        counts["adminLogEntries"] = _admin_log_remove(EndUser, [person.end_user.pk])
        return counts
    if step == "tickets":
        counts = Counter()
        ticket_ids = list(person.tickets().values_list("pk", flat=True))
        for start in range(0, len(ticket_ids), settings.PRIVACY_ERASURE_BATCH):
            counts.update(
                tickets_purge(
                    customer_id=customer_id, ticket_ids=ticket_ids[start : start + settings.PRIVACY_ERASURE_BATCH]
                )
            )
        return counts
    if step == "messages":  # the person's messages in other people's tickets
        counts = Counter()
        for message in TicketMessage.objects.filter(customer_id=customer_id, end_user_id=person.end_user.pk):
            counts["attachments"] += message.attachments.count()
            ticket_services.message_delete(message=message)
            counts["messages"] += 1
        return counts
    if step == "end_user":
        uids = len(person.uids)
        ticket_services.end_user_delete(end_user=person.end_user)
        transaction.on_commit(process_caches_clear)  # learned examples and vectors of the erased messages
        return Counter(endUsers=1, uids=uids)
    if step == "counters":
        ticket_services.ticket_counters_rebuild(customer_id=customer_id)
        return Counter()
    raise ValueError(step)


def process_caches_clear() -> None:
    """Clears this process's per-process AI caches (message vectors, topic profiles with learned examples) and, with a
    broker, asks every worker to do the same (`privacy_caches_clear` broadcast); a broker that cannot be reached
    leaves the workers' bounded LRU caches to age out."""
    topic_matching.caches_clear()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from answerpal.celery import app

    try:
        app.control.broadcast("privacy_caches_clear")
    except Exception:  # the erasure itself is committed; the caches are bounded and age out
        logger.warning("could not broadcast privacy_caches_clear to the workers", exc_info=True)


def erasure_job_run(*, job_id: int) -> ErasureJob | None:
    """Runs (or resumes) an erasure job to Done; Refused when a legal hold appeared since it was queued. Each step
    is one transaction with the job's progress; a finished job is left as it is."""
    job = ErasureJob.objects.filter(pk=job_id).first()
    if job is None or job.state in (ErasureState.DONE, ErasureState.REFUSED):
        return job
    ErasureJob.objects.filter(pk=job.pk).update(state=ErasureState.RUNNING, started_at=job.started_at or timezone.now())
    start = ERASURE_STEPS.index(job.step) + 1 if job.step in ERASURE_STEPS else 0
    for step in ERASURE_STEPS[start:]:
        with transaction.atomic():
            # The job row is locked for the step, and re-read: a second run of the same job (a task delivered
            # twice) waits here, then skips what the first one did and adds to its counts, not to a stale copy.
            locked = ErasureJob.objects.select_for_update().get(pk=job.pk)
            if locked.step in ERASURE_STEPS and ERASURE_STEPS.index(locked.step) >= ERASURE_STEPS.index(step):
                continue
            job.counts, job.step = locked.counts, locked.step
            end_user = EndUser.objects.filter(customer_id=job.customer_id, pk=job.end_user_id).first()
            if end_user is not None:
                person = person_get(customer_id=job.customer_id, end_user_id=job.end_user_id)
                if step == ERASURE_STEPS[0] and person.tickets().filter(legal_hold=True).exists():
                    ErasureJob.objects.filter(pk=job.pk).update(
                        state=ErasureState.REFUSED, error_code=LEGAL_HOLD_CODE, finished_at=timezone.now()
                    )
                    job.refresh_from_db()
                    return job
                counts = _erase_step(job, person, step)
            elif step == "counters":
                ticket_services.ticket_counters_rebuild(customer_id=job.customer_id)
                counts = Counter()
            else:
                counts = Counter()  # resumed after the end user was gone: nothing of them is left for this step
            _step_save(job, step, counts)
    ErasureJob.objects.filter(pk=job.pk).update(state=ErasureState.DONE, progress=100, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def erasure_job_fail(*, job_id: int, error_code: str) -> None:
    """Marks a job Failed after its task's last retry (running it again resumes it)."""
    ErasureJob.objects.filter(pk=job_id).exclude(state=ErasureState.DONE).update(
        state=ErasureState.FAILED, error_code=error_code[:64]
    )


# --- retention -----------------------------------------------------------------------------------


RETENTION_KINDS = {
    "closedTickets": "retention_closed_tickets_days",
    "recordings": "retention_recordings_days",
    "endUsers": "retention_end_users_days",
}


def retention_settings(customer: Customer) -> dict:
    """The days in force per kind, and the channels whose own closed-ticket setting replaces the customer's."""
    values = {kind: getattr(customer, column) for kind, column in RETENTION_KINDS.items()}
    values["closedTicketsByChannel"] = _channel_days(customer.pk)
    return values


def _channel_days(customer_id: int) -> dict[str, int]:
    rows = Channel.objects.filter(customer_id=customer_id, retention_closed_tickets_days__isnull=False)
    return {str(pk): days for pk, days in rows.order_by("pk").values_list("pk", "retention_closed_tickets_days")}


def _closed_tickets_due(customer: Customer, now):
    by_channel = _channel_days(customer.pk)
    match = Q()
    for channel_id, days in by_channel.items():
        match |= Q(channel_id=int(channel_id), close_date__lt=now - timedelta(days=days))
    if customer.retention_closed_tickets_days is not None:
        cutoff = now - timedelta(days=customer.retention_closed_tickets_days)
        others = Q(channel_id__isnull=True) | ~Q(channel_id__in=[int(pk) for pk in by_channel])
        match |= others & Q(close_date__lt=cutoff)
    if not match:
        return None
    return (
        Ticket.objects.filter(customer_id=customer.pk, status=TicketStatus.CLOSED, legal_hold=False)
        .filter(match)
        .order_by("close_date", "id")
    )


def _due(customer: Customer, kind: str, now):
    if kind == "closedTickets":
        return _closed_tickets_due(customer, now)
    days = getattr(customer, RETENTION_KINDS[kind])
    if days is None:
        return None
    cutoff = now - timedelta(days=days)
    if kind == "recordings":
        return (
            PhoneCall.objects.filter(customer_id=customer.pk, recording__isnull=False, created_at__lt=cutoff)
            .exclude(ticket__legal_hold=True)
            .order_by("created_at", "id")
        )
    return end_users_without_tickets(customer_id=customer.pk).filter(updated_at__lt=cutoff).order_by("updated_at", "id")


def _retention_batch(customer: Customer, kind: str, rows: list) -> int:
    with transaction.atomic():
        if kind == "closedTickets":
            return tickets_purge(customer_id=customer.pk, ticket_ids=[row.pk for row in rows])["tickets"]
        if kind == "recordings":
            removed = 0
            for call in rows:
                attachment = TicketMessageAttachment.objects.filter(pk=call.recording_id).first()
                if attachment is not None:
                    ticket_services.attachment_delete(attachment=attachment)
                    removed += 1
            return removed
    removed = 0
    for end_user in rows:  # each erasure is a job of its own (its receipt names the retention run as actor)
        job = ErasureJob.objects.create(customer_id=customer.pk, end_user_id=end_user.pk, actor="retention")
        job.uid_hashes = sorted(
            uid_hash(customer_id=customer.pk, uid=uid) for uid in end_user.uids.values_list("uid", flat=True)
        )
        ErasureJob.objects.filter(pk=job.pk).update(uid_hashes=job.uid_hashes)
        if erasure_job_run(job_id=job.pk).state == ErasureState.DONE:
            removed += 1
    return removed


def retention_run(
    *, customer_id: int, commit: bool, batch_size: int | None = None, max_batches: int | None = None, progress=None
) -> RetentionRun:
    """Applies the customer's retention settings (closed tickets, recordings, end users without tickets) in
    batches of `batch_size`, at most `max_batches` per kind (the rest waits for the next run), and writes the
    run's report row. Without `commit` it only counts what is due. Null settings keep everything."""
    customer = Customer.objects.get(pk=customer_id)
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    max_batches = max_batches or settings.RETENTION_MAX_BATCHES
    now = timezone.now()
    run = RetentionRun.objects.create(customer=customer, dry_run=not commit, settings=retention_settings(customer))
    counts, complete = {}, True
    for kind in RETENTION_KINDS:
        due = _due(customer, kind, now)
        if due is None:
            continue
        if not commit:
            counts[kind] = due.count()
            continue
        counts[kind] = 0
        for _ in range(max_batches):
            rows = list(due[:batch_size])
            if not rows:
                break
            counts[kind] += _retention_batch(customer, kind, rows)
            if progress:
                progress(kind, counts[kind])
        else:
            complete = complete and not due.exists()
    RetentionRun.objects.filter(pk=run.pk).update(counts=counts, complete=complete, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def retention_customers() -> list[int]:
    """Customers with at least one retention setting, their own or a channel's (the others keep everything)."""
    with_channel_setting = Channel.objects.filter(retention_closed_tickets_days__isnull=False).values("customer_id")
    rows = Customer.objects.filter(is_active=True).filter(
        Q(retention_closed_tickets_days__isnull=False)
        | Q(retention_recordings_days__isnull=False)
        | Q(retention_end_users_days__isnull=False)
        | Q(pk__in=with_channel_setting)
    )
    return list(rows.order_by("pk").values_list("pk", flat=True))


def retention_enqueue_all() -> int:
    """Queues one retention task per customer that has retention settings (the daily beat entry)."""
    from privacy.tasks import retention_run_customer

    customer_ids = retention_customers()
    for customer_id in customer_ids:
        enqueue_after_commit(retention_run_customer, customer_id)
    return len(customer_ids)
