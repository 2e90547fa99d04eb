"""Inbound mail: parse Graph and IMAP messages and import them into tickets exactly once (an
InboundReceipt per Internet-Message-Id in the same transaction as its TicketMessage)."""

import base64
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from answerpal.api.errors import ApiError, Conflict
from answerpal.celery import enqueue_after_commit
from answerpal.mail_html import html_text
from channels_cfg import services as channel_services
from channels_cfg.models import Channel, ChannelFolder, ChannelType, EmailProvider
from messaging import selectors
from messaging.graph import (
    GraphError,
    GraphSecretExpired,
    graph_client_for,
    graph_datetime,
    graph_token,
)
from messaging.imap import ImapError, imap_fetch_new, imap_session
from messaging.mail_settings import graph_credentials, imap_settings, mail_provider
from messaging.models import (
    InboundReceipt,
    MailboxSyncState,
)
from tickets import services as ticket_services
from tickets.models import TicketMessage, UidType

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)

PROVIDER_MAIL = "mail"  # Graph and IMAP share one key space: the Internet-Message-Id


@dataclass
class InboundMail:
    """A provider-neutral parsed e-mail."""

    internet_message_id: str
    fields: dict
    from_address: str
    from_name: str
    attachments: list[tuple[str, bytes, str, str]] = field(default_factory=list)  # name, bytes, type, content id


def mail_import(*, channel: Channel, mail: InboundMail) -> TicketMessage | None:
    """Stores one inbound e-mail in its thread (In-Reply-To/References/conversation, else the `[#id]`
    subject token, else a new ticket) with its attachments; None when it was imported before or was
    sent from the channel's own address."""
    if not mail.from_address or mail.from_address == channel.email_address.lower():
        return None  # no sender, or our own mail (answering it would start a mail loop)
    try:
        with transaction.atomic():
            receipt = InboundReceipt.objects.create(
                customer_id=channel.customer_id,
                channel=channel,
                provider=PROVIDER_MAIL,
                external_id=mail.internet_message_id,
            )
            ticket = None
            if not selectors.mail_thread_known(channel.customer_id, mail.fields):
                ticket = selectors.ticket_by_subject_token(channel.customer_id, mail.fields.get("subject", ""))
            message = ticket_services.message_create(
                customer_id=channel.customer_id,
                ticket=ticket,
                channel_id=channel.pk,
                channel_type=ChannelType.EMAIL,
                incoming=True,
                uid=mail.from_address,
                uid_type=UidType.EMAIL,
                fields={**mail.fields, "from_address": mail.from_address, "from_name": mail.from_name},
            )
            for name, content, content_type, content_id in mail.attachments:
                try:
                    ticket_services.attachment_store(
                        message=message,
                        content=content,
                        file_name=name,
                        content_type=content_type,
                        is_end_user_provided=True,
                        content_id=content_id,
                    )
                except ApiError as error:  # too large: the mail is kept without this file
                    logger.warning("attachment %r of %s skipped: %s", name, mail.internet_message_id, error.detail)
            receipt.message = message
            receipt.save(update_fields=["message"])
    except IntegrityError:
        return None  # imported concurrently by another worker
    return message


def _import_one(channel: Channel, mail: InboundMail) -> bool:
    """Imports one mail; one the store refuses (e.g. an unusable sender address) is skipped and logged,
    so it cannot block the rest of the folder."""
    try:
        return mail_import(channel=channel, mail=mail) is not None
    except ApiError as error:
        logger.warning("mail %s of channel %s skipped: %s", mail.internet_message_id, channel.pk, error.detail)
        return False


def _header(headers: list[dict], name: str) -> str:
    lowered = name.lower()
    return next((item.get("value", "") for item in headers if item.get("name", "").lower() == lowered), "")


def _recipients(items) -> str:
    return ", ".join(item["emailAddress"]["address"] for item in items or [] if item.get("emailAddress"))


def graph_mail_parse(item: dict, mailbox: str) -> InboundMail:
    """Maps a Graph message resource (with internetMessageHeaders) to an InboundMail."""
    headers = item.get("internetMessageHeaders") or []
    sender = (item.get("from") or {}).get("emailAddress") or {}
    body = item.get("body") or {}
    is_html = body.get("contentType", "").lower() == "html"
    content = body.get("content", "")
    fields = {
        "subject": (item.get("subject") or "")[:500],
        "html_body": content if is_html else "",
        "text_body": html_text(content) if is_html else content,
        "body_preview": (item.get("bodyPreview") or "")[:500],
        "to_address": _recipients(item.get("toRecipients")),
        "cc_address": _recipients(item.get("ccRecipients")),
        "bcc_address": _recipients(item.get("bccRecipients")),
        "message_identifier": item.get("internetMessageId", ""),
        "conversation_id": item.get("conversationId", ""),
        "in_reply_to": _header(headers, "In-Reply-To"),
        "references": _header(headers, "References"),
        "headers": "\n".join(f"{h.get('name')}: {h.get('value')}" for h in headers),
        "email_address": mailbox,
        "message_date": graph_datetime(item.get("receivedDateTime")),
    }
    return InboundMail(
        internet_message_id=item.get("internetMessageId") or f"graph:{item['id']}",
        fields=fields,
        from_address=(sender.get("address") or "").lower(),
        from_name=(sender.get("name") or "")[:200],
    )


def _part_text(part) -> str:
    """A text part's content; an unknown or wrong charset is decoded leniently instead of failing."""
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError, ValueError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def rfc822_mail_parse(message: EmailMessage, mailbox: str) -> InboundMail:
    """Maps a parsed RFC 822 message (IMAP) to an InboundMail, attachments included."""
    from_name, from_address = parseaddr(str(message.get("From", "")))
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    html = _part_text(html_part)
    text = _part_text(text_part) if text_part is not None else html_text(html)
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    internet_message_id = str(message.get("Message-ID", "")).strip()
    fields = {
        "subject": str(message.get("Subject", ""))[:500],
        "html_body": html,
        "text_body": text,
        "body_preview": " ".join(text.split())[:500],
        "to_address": ", ".join(address for _, address in getaddresses(message.get_all("To", []))),
        "cc_address": ", ".join(address for _, address in getaddresses(message.get_all("Cc", []))),
        "message_identifier": internet_message_id,
        "in_reply_to": str(message.get("In-Reply-To", "")).strip(),
        "references": " ".join(str(message.get("References", "")).split()),
        "headers": "\n".join(f"{name}: {value}" for name, value in message.items()),
        "email_address": mailbox,
        "message_date": date,
    }
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append(
            (part.get_filename() or "attachment", payload, part.get_content_type(), str(part.get("Content-ID", "")))
        )
    return InboundMail(
        internet_message_id=internet_message_id or f"sha256:{hashlib.sha256(message.as_bytes()).hexdigest()}",
        fields=fields,
        from_address=from_address.lower(),
        from_name=from_name[:200],
        attachments=attachments,
    )


def first_import_since():
    """A newly linked folder imports this far back (MAIL_IMPORT_INITIAL_DAYS, default 7), not its history."""
    return timezone.now() - timedelta(days=settings.MAIL_IMPORT_INITIAL_DAYS)


def _sync_state(folder: ChannelFolder) -> MailboxSyncState:
    state, _ = MailboxSyncState.objects.get_or_create(
        folder=folder, defaults={"customer_id": folder.customer_id, "channel_id": folder.channel_id}
    )
    return state


def graph_folder_import(*, folder: ChannelFolder) -> int:
    """Imports what the folder's delta query reports since the stored delta link; returns the count.
    The delta link is stored only after every message of the round was imported."""
    channel = folder.channel
    client = graph_client_for(channel)
    state = _sync_state(folder)
    mailbox = channel.email_address
    imported = 0
    try:
        changed, delta_link = client.messages_delta(
            mailbox, folder.folder_id, state.delta_link, received_since=first_import_since()
        )
        for item in changed:
            if item.get("isDraft"):
                continue
            if item.get("internetMessageId") and selectors.inbound_receipt_exists(
                channel.customer_id, PROVIDER_MAIL, item["internetMessageId"]
            ):
                continue
            full = client.message_get(mailbox, item["id"])
            mail = graph_mail_parse(full, mailbox)
            if full.get("hasAttachments"):
                mail.attachments = [
                    (
                        attachment.get("name") or "attachment",
                        base64.b64decode(attachment.get("contentBytes") or ""),
                        attachment.get("contentType") or "",
                        attachment.get("contentId") or "",
                    )
                    for attachment in client.message_attachments(mailbox, item["id"])
                ]
            if _import_one(channel, mail):
                imported += 1
    except GraphError as error:
        if error.status == 410 and state.delta_link:  # the delta token expired: start a fresh round
            MailboxSyncState.objects.filter(pk=state.pk).update(delta_link="")
            return graph_folder_import(folder=folder)
        _sync_failed(state, error)
        raise
    MailboxSyncState.objects.filter(pk=state.pk).update(
        delta_link=delta_link or state.delta_link, last_synced_at=timezone.now(), last_imported=imported, last_error=""
    )
    return imported


def imap_folder_import(*, folder: ChannelFolder) -> int:
    """Imports the folder's messages above the stored UID (all of them after a UIDVALIDITY change)."""
    channel = folder.channel
    state = _sync_state(folder)
    imported = 0
    try:
        with imap_session(imap_settings(channel)) as connection:
            validity, fetched = imap_fetch_new(
                connection,
                folder.folder_id,
                uidvalidity=state.imap_uidvalidity,
                last_uid=state.imap_last_uid,
                since=first_import_since(),
            )
            last_uid = state.imap_last_uid if validity == state.imap_uidvalidity else 0
            for item in fetched:
                if _import_one(channel, rfc822_mail_parse(item.message, channel.email_address)):
                    imported += 1
                last_uid = max(last_uid, item.uid)
                MailboxSyncState.objects.filter(pk=state.pk).update(imap_uidvalidity=validity, imap_last_uid=last_uid)
    except ImapError as error:
        _sync_failed(state, error)
        raise
    MailboxSyncState.objects.filter(pk=state.pk).update(
        imap_uidvalidity=validity,
        imap_last_uid=last_uid,
        last_synced_at=timezone.now(),
        last_imported=imported,
        last_error="",
    )
    return imported


def _sync_failed(state: MailboxSyncState, error: Exception) -> None:
    MailboxSyncState.objects.filter(pk=state.pk).update(
        last_error=f"{getattr(error, 'step', 'import')}: {error}"[:2000], last_synced_at=timezone.now()
    )


def channel_default_folder(*, channel: Channel) -> list[ChannelFolder]:
    """The folders an import reads: the linked ones, or (none linked yet) the Inbox, linked now."""
    folders = list(channel.folders.select_related("channel__customer"))
    if folders:
        return folders
    inbox = "inbox" if mail_provider(channel) == EmailProvider.MICROSOFT365 else "INBOX"
    folder = channel_services.channel_folder_create(
        channel=channel, folder_id=inbox, folder_name="Inbox", auto_retrieve_emails=channel.auto_retrieve_emails
    )
    return [folder]


def folder_import(*, folder: ChannelFolder) -> int:
    """Imports one folder with the channel's provider; 0 for channels without mail."""
    provider = mail_provider(folder.channel)
    if provider == EmailProvider.MICROSOFT365:
        return graph_folder_import(folder=folder)
    if provider == EmailProvider.IMAP:
        return imap_folder_import(folder=folder)
    return 0


def import_preflight(*, channels) -> None:
    """409 GraphClientSecretExpired before queuing when a Graph channel's secret has expired (recorded
    expiry date, or Entra ID's AADSTS7000222 on a token request)."""
    for channel in channels:
        if mail_provider(channel) != EmailProvider.MICROSOFT365:
            continue
        credentials = graph_credentials(channel)
        if not credentials.complete:
            continue
        try:
            graph_token(credentials)
        except GraphSecretExpired as error:
            raise Conflict(
                "GraphClientSecretExpired",
                f"The Microsoft Graph client secret of channel '{channel.name}' has expired: renew it in Entra ID "
                f"and save the new secret. ({error})",
            ) from error
        except GraphError:
            continue  # other problems are reported by the import itself (sync state, admin)


def mail_imports_queue(*, channels) -> list[int]:
    """Checks the channels' credentials (import_preflight) and queues one import per channel after
    commit; answers the queued channel ids."""
    from messaging.tasks import channel_import

    channels = list(channels)
    import_preflight(channels=channels)
    for channel in channels:
        enqueue_after_commit(channel_import, channel.pk)
    return [channel.pk for channel in channels]
