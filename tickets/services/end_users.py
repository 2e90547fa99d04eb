"""End users and their UIDs: normalised UIDs unique per customer, one primary UID, events on add, update
and delete."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from answerpal.api.errors import ApiError, field_error
from answerpal.events import Event, publish
from tickets.models import (
    EndUser,
    EndUserUID,
    UidType,
)

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
    """The end user holding `uid` in this customer, else the one end user whose customerRef it is, else a new Lead
    with that UID (race-safe). Inbound messages and every ticket-creating path use this one rule."""
    return _end_user_find_or_create(customer_id=customer_id, uid=uid, uid_type=uid_type, name=name)[0]


def _end_user_find_or_create(*, customer_id: int, uid: str, uid_type: str | None, name: str) -> tuple[EndUser, bool]:
    uid_type = uid_type or _uid_type_guess(uid)
    value = uid_normalize(uid_type=uid_type, uid=uid)
    found = EndUserUID.objects.select_related("end_user").filter(customer_id=customer_id, uid=value).first()
    if found is not None:
        return found.end_user, False
    reference = (uid or "").strip()
    by_reference = (
        list(EndUser.objects.filter(customer_id=customer_id, customer_ref=reference)[:2]) if reference else []
    )
    if len(by_reference) == 1:  # the end user's ticket list counts its customerRef as one of its UIDs
        return by_reference[0], False
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
