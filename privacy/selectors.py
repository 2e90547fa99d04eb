"""Reads behind export, erasure and retention: everything held about one end user, across the apps.

This app stands on the top floor (above voice, places and webwidget) because an access or erasure request has to
reach every app's tables; each app keeps its own services, which are used here wherever one exists."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from automation.models import ConnectorCall, TicketMessageAction
from billing.models import CostEntry
from customers.models import CustomFieldDefinition
from messaging.models import InboundReceipt, OutboxMessage
from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto
from privacy.models import ErasureJob, RetentionRun
from tickets.models import (
    EndUser,
    EndUserUID,
    Ticket,
    TicketMessage,
    TicketMessageAttachment,
    TicketMessageTopic,
)
from tickets.selectors import tickets_of_end_user
from voice.models import AudioChunk, PhoneCall

# Identifiers shorter than this are not looked for in free text (a two-letter name would match everywhere).
MIN_TERM_LENGTH = 4
REPORT_TEXT_FIELDS = ("client_names", "tenants", "landlords", "description", "address", "case_number")
ROOM_TEXT_FIELDS = ("transcript", "report_text", "notes", "transform_prompt")
PHOTO_TEXT_FIELDS = ("caption", "file_name")


@dataclass
class Person:
    """One end user and the keys of what is held about them; `terms` are the identifiers looked for in free text
    (full name, UIDs, phone numbers without channel prefix, customer reference)."""

    end_user: EndUser
    uids: list[str]
    terms: list[str] = field(default_factory=list)

    @property
    def customer_id(self) -> int:
        return self.end_user.customer_id

    def tickets(self):
        return Ticket.objects.filter(customer_id=self.customer_id).filter(tickets_of_end_user(end_user=self.end_user))

    def messages(self):
        """Messages of the person's tickets, and any message elsewhere that names them as its end user."""
        return TicketMessage.objects.filter(customer_id=self.customer_id).filter(
            Q(ticket__in=self.tickets()) | Q(end_user_id=self.end_user.pk)
        )

    def phone_numbers(self) -> list[str]:
        return sorted({uid.split(":", 1)[-1] for uid in self.uids if any(ch.isdigit() for ch in uid)})

    def phone_calls(self):
        messages = self.messages()
        numbers = self.phone_numbers()
        match = Q(ticket__in=self.tickets()) | Q(message__in=messages)
        if numbers:
            match |= Q(from_number__in=numbers) | Q(to_number__in=numbers)
        return PhoneCall.objects.filter(customer_id=self.customer_id).filter(match)

    def place_reports(self):
        """Reports that name the person in their own text, a room's text or a photo's caption or file name."""
        if not self.terms:
            return PlaceDescriptionReport.objects.none()
        report_match, room_match, photo_match = Q(), Q(), Q()
        for term in self.terms:
            for name in REPORT_TEXT_FIELDS:
                report_match |= Q(**{f"{name}__icontains": term})
            for name in ROOM_TEXT_FIELDS:
                room_match |= Q(**{f"{name}__icontains": term})
            for name in PHOTO_TEXT_FIELDS:
                photo_match |= Q(**{f"{name}__icontains": term})
        rooms = PlaceDescriptionRoom.objects.filter(customer_id=self.customer_id).filter(room_match)
        photos = PlaceDescriptionRoomPhoto.objects.filter(customer_id=self.customer_id).filter(photo_match)
        return PlaceDescriptionReport.objects.filter(customer_id=self.customer_id).filter(
            report_match | Q(pk__in=rooms.values("report_id")) | Q(pk__in=photos.values("room__report_id"))
        )

    def photos_naming(self, report: PlaceDescriptionReport):
        match = Q()
        for term in self.terms:
            for name in PHOTO_TEXT_FIELDS:
                match |= Q(**{f"{name}__icontains": term})
        return PlaceDescriptionRoomPhoto.objects.filter(room__report=report).filter(match)


def person_get(*, customer_id: int, end_user_id: int) -> Person | None:
    """The customer's end user with its identifiers, or None (another customer's is None too)."""
    end_user = EndUser.objects.filter(customer_id=customer_id, pk=end_user_id).first()
    return person_of(end_user) if end_user else None


def person_by_uid(*, customer_id: int, uid: str) -> Person | None:
    row = EndUserUID.objects.filter(customer_id=customer_id, uid__iexact=uid.strip()).select_related("end_user")
    found = row.first()
    return person_of(found.end_user) if found else None


def person_of(end_user: EndUser) -> Person:
    uids = list(EndUserUID.objects.filter(end_user=end_user).values_list("uid", flat=True))
    terms = {end_user.name, f"{end_user.lastname} {end_user.firstname}".strip(), end_user.customer_ref}
    terms.update(uids)
    terms.update(uid.split(":", 1)[-1] for uid in uids)
    return Person(end_user=end_user, uids=uids, terms=sorted(t for t in terms if len(t.strip()) >= MIN_TERM_LENGTH))


def person_counts(*, person: Person) -> dict[str, int]:
    """What an erasure would remove or anonymise, per kind (the dry run)."""
    messages = person.messages()
    message_ids = messages.values("pk")
    reports = list(person.place_reports())
    return {
        "endUsers": 1,
        "uids": len(person.uids),
        "tickets": person.tickets().count(),
        "messages": messages.count(),
        "attachments": TicketMessageAttachment.objects.filter(message__in=message_ids).count(),
        "outboxMessages": OutboxMessage.objects.filter(message__in=message_ids).count(),
        "messageTopics": TicketMessageTopic.objects.filter(message__in=message_ids).count(),
        "actionRuns": TicketMessageAction.objects.filter(message__in=message_ids).count(),
        "phoneCalls": person.phone_calls().count(),
        "audioChunks": AudioChunk.objects.filter(call__in=person.phone_calls()).count(),
        "placeReports": len(reports),
        "placePhotos": sum(person.photos_naming(report).count() for report in reports),
        "costEntries": CostEntry.objects.filter(customer_id=person.customer_id, message_id__in=message_ids).count(),
        "connectorCalls": ConnectorCall.objects.filter(
            customer_id=person.customer_id, message_id__in=message_ids
        ).count(),
        "inboundReceipts": InboundReceipt.objects.filter(message__in=message_ids).count(),
    }


def custom_field_definitions(*, customer_id: int):
    return CustomFieldDefinition.objects.filter(customer_id=customer_id)


def erasure_jobs_queryset():
    return ErasureJob.objects.all()


def retention_runs_queryset():
    return RetentionRun.objects.all()


def end_users_without_tickets(*, customer_id: int):
    """The customer's end users that no ticket belongs to (neither linked nor by one of their UIDs)."""
    linked = Ticket.objects.filter(end_user_id=OuterRef("pk"))
    uid_tickets = Ticket.objects.filter(customer_id=OuterRef("customer_id"), uid=OuterRef("uid"))
    by_uid = EndUserUID.objects.filter(end_user_id=OuterRef("pk")).filter(Exists(uid_tickets))
    return EndUser.objects.filter(customer_id=customer_id).exclude(Exists(linked)).exclude(Exists(by_uid))
