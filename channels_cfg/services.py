"""Writes of channel configuration; each publishes ChannelSaved/ChannelDeleted after commit so the
transports (messaging) can create, renew or remove their mailbox subscriptions."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from answerpal.api.errors import Conflict
from answerpal.events import Event, publish
from answerpal.fields import EncryptedTextField
from audit.models import AuditAction
from audit.services import audit_record
from channels_cfg.guards import channel_type_check
from channels_cfg.models import Channel, ChannelFolder, ChannelTranslation, ChannelType

PHONE_TYPES = (ChannelType.PHONE, ChannelType.WHATSAPP)


def _phone_number_check(*, channel_type: str, phone_number: str, exclude_id: int | None) -> None:
    """Inbound Twilio traffic finds its channel by the To number, so a number serves one live channel."""
    if channel_type not in PHONE_TYPES or not phone_number:
        return
    taken = Channel.objects.filter(channel_type=channel_type, phone_number=phone_number, deleted_at__isnull=True)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict("PhoneNumberInUse", f"{phone_number} is already connected to a {channel_type} channel.")


_CHANNEL_SECRETS = frozenset(field.name for field in Channel._meta.fields if isinstance(field, EncryptedTextField))


def _secret_fields(names) -> list[str]:
    return sorted(name for name in names if name in _CHANNEL_SECRETS)


def _channel_audit(*, channel: Channel, action: str, fields=()) -> None:
    """The entry names the fields written (secret ones separately), never their values."""
    audit_record(
        customer_id=channel.customer_id,
        action=action,
        object_type="Channel",
        object_id=channel.pk,
        detail={
            "channelType": channel.channel_type,
            "fields": sorted(fields),
            "secretsChanged": _secret_fields(fields),
        },
    )


def _channel_saved(channel: Channel) -> None:
    publish(Event.CHANNEL_SAVED, channel_id=channel.pk, customer_id=channel.customer_id)


def channel_create(*, customer_id: int, data: dict) -> Channel:
    """Creates a channel (plan feature and phone-number checks); folders follow its auto-retrieve flag."""
    channel_type_check(customer_id=customer_id, channel_type=data["channel_type"])
    _phone_number_check(channel_type=data["channel_type"], phone_number=data.get("phone_number", ""), exclude_id=None)
    with transaction.atomic():
        channel = Channel.objects.create(customer_id=customer_id, **data)
        _channel_audit(channel=channel, action=AuditAction.CHANNEL_CREATED, fields=data)
        _channel_saved(channel)
    return channel


def channel_update(*, channel: Channel, data: dict) -> Channel:
    """Updates a channel; a changed autoRetrieveEmails is copied to its folders (subscriptions follow)."""
    channel_type_check(customer_id=channel.customer_id, channel_type=data.get("channel_type", channel.channel_type))
    _phone_number_check(
        channel_type=data.get("channel_type", channel.channel_type),
        phone_number=data.get("phone_number", channel.phone_number),
        exclude_id=channel.pk,
    )
    with transaction.atomic():
        auto_retrieve_changed = (
            "auto_retrieve_emails" in data and data["auto_retrieve_emails"] != channel.auto_retrieve_emails
        )
        changed = [name for name, value in data.items() if getattr(channel, name) != value]
        for name, value in data.items():
            setattr(channel, name, value)
        channel.save()
        _channel_audit(channel=channel, action=AuditAction.CHANNEL_UPDATED, fields=changed)
        if auto_retrieve_changed:
            channel.folders.update(auto_retrieve_emails=channel.auto_retrieve_emails)
        _channel_saved(channel)
    return channel


def channel_delete(*, channel: Channel) -> None:
    """Soft-deletes a channel (tickets keep it; its token stops working); subscriptions are removed."""
    with transaction.atomic():
        channel.deleted_at = timezone.now()
        channel.is_active = False
        channel.save(update_fields=["deleted_at", "is_active", "updated_at"])
        _channel_audit(channel=channel, action=AuditAction.CHANNEL_DELETED)
        publish(Event.CHANNEL_DELETED, channel_id=channel.pk, customer_id=channel.customer_id)


def channel_topic_policy_set(*, channel: Channel, mode: str, include_topics: list, exclude_topics: list) -> Channel:
    """Replaces the channel's topic policy (mode and both topic lists) atomically."""
    with transaction.atomic():
        channel.topic_policy_mode = mode
        channel.save(update_fields=["topic_policy_mode", "updated_at"])
        channel.include_topics.set(include_topics)
        channel.exclude_topics.set(exclude_topics)
    return channel


def channel_folder_create(*, channel: Channel, folder_id: str, folder_name: str, auto_retrieve_emails: bool):
    """Links a mailbox folder to a channel; 409 DuplicateChannelFolder when it is already linked."""
    try:
        with transaction.atomic():
            folder = ChannelFolder.objects.create(
                customer_id=channel.customer_id,
                channel=channel,
                folder_id=folder_id,
                folder_name=folder_name,
                auto_retrieve_emails=auto_retrieve_emails,
            )
            _channel_saved(channel)
    except IntegrityError as error:
        raise Conflict("DuplicateChannelFolder", "This folder is already linked to the channel.") from error
    return folder


def channel_folder_update(*, folder: ChannelFolder, data: dict) -> ChannelFolder:
    """Updates a folder link (name, auto-retrieve, folder id); 409 DuplicateChannelFolder on a clash."""
    try:
        with transaction.atomic():
            for name, value in data.items():
                setattr(folder, name, value)
            folder.save()
            _channel_saved(folder.channel)
    except IntegrityError as error:
        raise Conflict("DuplicateChannelFolder", "This folder is already linked to the channel.") from error
    return folder


def channel_folder_delete(*, folder: ChannelFolder) -> None:
    """Unlinks a folder; its Graph subscription is removed after commit."""
    with transaction.atomic():
        channel = folder.channel
        folder.delete()
        _channel_saved(channel)


def _single_default(translation: ChannelTranslation) -> None:
    if translation.is_default:
        ChannelTranslation.objects.filter(channel_id=translation.channel_id).exclude(pk=translation.pk).update(
            is_default=False
        )


def channel_translation_create(*, channel: Channel, data: dict) -> ChannelTranslation:
    """Adds a language to a channel; a new default replaces the previous one; 409 on a duplicate language."""
    try:
        with transaction.atomic():
            translation = ChannelTranslation.objects.create(customer_id=channel.customer_id, channel=channel, **data)
            _single_default(translation)
    except IntegrityError as error:
        raise Conflict("DuplicateChannelTranslation", "The channel already has texts for this language.") from error
    return translation


def channel_translation_update(*, translation: ChannelTranslation, data: dict) -> ChannelTranslation:
    """Updates a translation; at most one default per channel; 409 when the language is taken."""
    try:
        with transaction.atomic():
            for name, value in data.items():
                setattr(translation, name, value)
            translation.save()
            _single_default(translation)
    except IntegrityError as error:
        raise Conflict("DuplicateChannelTranslation", "The channel already has texts for this language.") from error
    return translation
