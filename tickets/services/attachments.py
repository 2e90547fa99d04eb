"""Attachments: stored through Django's storage API with the type sniffed from the bytes, counted in
billing's storage rows, removed from storage after commit when deleted."""

import mimetypes

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from answerpal.api.errors import ApiError
from billing.models import StorageCategory
from billing.services import storage_usage_change, stored_files_release
from tickets.models import (
    TicketMessage,
    TicketMessageAttachment,
)


def _billing_storage_change(customer_id: int, delta_bytes: int) -> None:
    if delta_bytes:
        storage_usage_change(customer_id=customer_id, delta_bytes=delta_bytes, category=StorageCategory.ATTACHMENTS)


def _attachments_release(customer_id: int, attachments: list[TicketMessageAttachment]) -> None:
    """Deletes stored files after commit and reports the freed bytes to billing."""
    if not attachments:
        return
    stored_files_release(
        customer_id=customer_id,
        category=StorageCategory.ATTACHMENTS,
        files=[attachment.file for attachment in attachments],
        freed_bytes=sum(attachment.size for attachment in attachments),
    )


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
