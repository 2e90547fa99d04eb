"""Writes of the transports: inbound mail/WhatsApp/web chat into tickets, Graph subscriptions, and the
outbox that sends replies exactly once.

Inbound: every provider message is recorded in an InboundReceipt in the same transaction as its
TicketMessage, so re-delivered notifications, overlapping imports and Twilio retries never double.
Outbound: `send`, `send-new` and `send-forward` store the outbound TicketMessage and its OutboxMessage
in one transaction and enqueue delivery after commit; see OutboxMessage for the exactly-once rules."""

import base64
import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from accounts.models import CustomerRep
from answerpal.api.errors import ApiError, Conflict, field_error
from channels_cfg import services as channel_services
from channels_cfg.models import Channel, ChannelFolder, ChannelType, EmailProvider
from messaging import compose
from messaging.graph import GraphClient, GraphError, GraphSecretExpired, GraphThrottled, graph_token
from messaging.imap import ImapError, imap_fetch_new, imap_folders, imap_session
from messaging.mail_settings import graph_credentials, imap_settings, mail_provider, smtp_settings
from messaging.models import (
    GraphSubscription,
    InboundReceipt,
    MailboxSyncState,
    OutboxMessage,
    OutboxStatus,
    Transport,
)
from messaging.smtp import SmtpError, smtp_send
from messaging.whatsapp import (
    TwilioAccount,
    WhatsAppError,
    media_download,
    whatsapp_send,
    whatsapp_sent_since,
)
from tickets import services as ticket_services
from tickets.models import MessageStatus, SenderType, Ticket, TicketMessage, UidType

logger = logging.getLogger(__name__)

PROVIDER_MAIL = "mail"  # Graph and IMAP share one key space: the Internet-Message-Id
PROVIDER_TWILIO = "twilio"
SUBSCRIPTION_MINUTES = 4200  # Graph's limit for mail resources is 4230 minutes
SUBSCRIPTION_RENEW_WINDOW = timedelta(hours=24)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def outbox_lease() -> timedelta:
    """How long a worker owns a row it is sending (longer than any provider call may take)."""
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def outbox_queued_grace() -> timedelta:
    """How long a due row may wait for its task before the sweeper assumes the task was lost."""
    return timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS)


# --- inbound mail ---------------------------------------------------------------------------------


@dataclass
class InboundMail:
    """A provider-neutral parsed e-mail."""

    internet_message_id: str
    fields: dict
    from_address: str
    from_name: str
    attachments: list[tuple[str, bytes, str, str]] = field(default_factory=list)  # name, bytes, type, content id


def _receipt_exists(customer_id: int, provider: str, external_id: str) -> bool:
    return InboundReceipt.objects.filter(customer_id=customer_id, provider=provider, external_id=external_id).exists()


def _ticket_by_subject_token(customer_id: int, subject: str) -> Ticket | None:
    ticket_id = compose.ticket_id_from_subject(subject)
    if ticket_id is None:
        return None
    return Ticket.objects.filter(customer_id=customer_id, pk=ticket_id).first()


def _thread_known(customer_id: int, fields: dict) -> bool:
    """Whether the headers (In-Reply-To, References, conversation id) lead to a stored message; then
    tickets' threading places the mail and the subject token is not needed."""
    identifiers = [fields.get("in_reply_to", ""), *(fields.get("references") or "").split()]
    identifiers = [value.strip() for value in identifiers if value and value.strip()]
    messages = TicketMessage.objects.filter(customer_id=customer_id)
    condition = Q(message_identifier__in=identifiers) if identifiers else Q(pk__in=[])
    if fields.get("conversation_id"):
        condition |= Q(conversation_id=fields["conversation_id"])
    return messages.filter(condition).exists()


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
            if not _thread_known(channel.customer_id, mail.fields):
                ticket = _ticket_by_subject_token(channel.customer_id, mail.fields.get("subject", ""))
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
        "text_body": strip_tags(content) if is_html else content,
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
        "message_date": _parse_datetime(item.get("receivedDateTime")),
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
    text = _part_text(text_part) if text_part is not None else strip_tags(html)
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


def _graph_client(channel: Channel) -> GraphClient:
    return GraphClient(graph_credentials(channel))


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
    client = _graph_client(channel)
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
            if item.get("internetMessageId") and _receipt_exists(
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


def mail_channels(*, customer_id: int, channel_id: int | None = None):
    """The customer's active Email channels (or just `channel_id` among them)."""
    channels = Channel.objects.filter(
        customer_id=customer_id, channel_type=ChannelType.EMAIL, deleted_at__isnull=True, is_active=True
    ).select_related("customer")
    return channels.filter(pk=channel_id) if channel_id is not None else channels


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


# --- Graph subscriptions --------------------------------------------------------------------------


def graph_notification_url() -> str:
    """Where Graph posts notifications: this deployment's public address (PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/api/GraphWebhook"


def _subscription_resource(channel: Channel, folder: ChannelFolder) -> str:
    return f"users/{channel.email_address}/mailFolders('{folder.folder_id}')/messages"


def _subscribed_folders(channel: Channel) -> list[ChannelFolder]:
    live = channel.deleted_at is None and channel.is_active and channel.auto_retrieve_emails
    if not live or channel.channel_type != ChannelType.EMAIL or mail_provider(channel) != EmailProvider.MICROSOFT365:
        return []
    if not graph_credentials(channel).complete:
        return []
    return list(channel.folders.filter(auto_retrieve_emails=True))


def subscription_wanted(*, channel_id: int) -> bool:
    """Whether the channel should hold Graph subscriptions (an auto-retrieving Microsoft 365 folder)."""
    channel = Channel.objects.select_related("customer").filter(pk=channel_id).first()
    return bool(channel and _subscribed_folders(channel))


def graph_subscriptions_sync(*, channel_id: int) -> dict:
    """Makes Graph's subscriptions match the channel: one live subscription per auto-retrieving folder
    of an active Microsoft 365 channel, none otherwise (deleted folders/channels unsubscribe)."""
    channel = Channel.objects.select_related("customer").filter(pk=channel_id).first()
    if channel is None:
        return {"created": 0, "deleted": 0}
    wanted = {folder.pk: folder for folder in _subscribed_folders(channel)}
    existing = list(GraphSubscription.objects.filter(channel_id=channel_id))
    created = deleted = 0
    client = _graph_client(channel) if (wanted or existing) and graph_credentials(channel).complete else None
    for subscription in existing:
        expired = subscription.expires_at <= timezone.now()
        folder = wanted.get(subscription.folder_id)
        if folder is not None and not expired and subscription.resource == _subscription_resource(channel, folder):
            wanted.pop(subscription.folder_id)
            continue
        if client is not None and not expired:
            client.subscription_delete(subscription.subscription_id)
        subscription.delete()
        deleted += 1
    for folder in wanted.values():
        subscription = GraphSubscription(customer_id=channel.customer_id, channel=channel, folder=folder)
        expires = timezone.now() + timedelta(minutes=SUBSCRIPTION_MINUTES)
        body = client.subscription_create(
            resource=_subscription_resource(channel, folder),
            notification_url=graph_notification_url(),
            client_state=subscription.client_state,
            expires=expires,
        )
        subscription.subscription_id = body["id"]
        subscription.resource = _subscription_resource(channel, folder)
        subscription.expires_at = _parse_datetime(body.get("expirationDateTime")) or expires
        subscription.save()
        created += 1
    return {"created": created, "deleted": deleted}


def graph_subscription_renew(*, subscription: GraphSubscription) -> bool:
    """Extends one subscription; one Graph has forgotten (404) is dropped and re-created by a sync."""
    channel = Channel.objects.select_related("customer").get(pk=subscription.channel_id)
    expires = timezone.now() + timedelta(minutes=SUBSCRIPTION_MINUTES)
    try:
        body = _graph_client(channel).subscription_renew(subscription.subscription_id, expires)
    except GraphError as error:
        if error.status == 404:
            subscription.delete()
            graph_subscriptions_sync(channel_id=channel.pk)
            return True
        GraphSubscription.objects.filter(pk=subscription.pk).update(last_error=str(error)[:2000])
        return False
    GraphSubscription.objects.filter(pk=subscription.pk).update(
        expires_at=_parse_datetime(body.get("expirationDateTime")) or expires,
        renewed_at=timezone.now(),
        last_error="",
    )
    return True


def graph_subscriptions_due():
    """Subscriptions expiring within the renewal window."""
    return GraphSubscription.objects.filter(expires_at__lte=timezone.now() + SUBSCRIPTION_RENEW_WINDOW)


def _parse_datetime(value: str | None):
    return parse_datetime(value.replace("Z", "+00:00")) if value else None


def graph_notifications_accept(*, payload: dict) -> list[int]:
    """Checks each notification's clientState against its subscription and returns the folder ids to
    import (auto-retrieve on for the folder and its channel); unknown or forged ones are ignored."""
    folder_ids = []
    for notification in payload.get("value") or []:
        if not isinstance(notification, dict):
            continue
        subscription = (
            GraphSubscription.objects.select_related("folder", "channel")
            .filter(subscription_id=str(notification.get("subscriptionId", "")))
            .first()
        )
        if subscription is None or subscription.folder is None:
            continue
        if not constant_time_compare(str(notification.get("clientState", "")), subscription.client_state):
            logger.warning("Graph notification with a wrong clientState for %s", subscription.subscription_id)
            continue
        folder, channel = subscription.folder, subscription.channel
        wanted = folder.auto_retrieve_emails and channel.auto_retrieve_emails and channel.deleted_at is None
        if wanted and folder.pk not in folder_ids:
            folder_ids.append(folder.pk)
    return folder_ids


# --- connection test and live folders -----------------------------------------------------------


@dataclass
class ConnectionReport:
    provider: str
    steps: list[dict] = field(default_factory=list)
    failed_step: str | None = None
    error: str | None = None

    @property
    def success(self) -> bool:
        return self.failed_step is None

    def passed(self, step: str, detail: str = "") -> None:
        self.steps.append({"step": step, "ok": True, "detail": detail})

    def failed(self, step: str, error: str) -> None:
        self.steps.append({"step": step, "ok": False, "detail": error})
        self.failed_step, self.error = step, error


def connection_test(*, channel: Channel) -> ConnectionReport:
    """Really tries the channel's connection: Graph token + mailbox read; IMAP login + SMTP handshake;
    Twilio account fetch. Stops at the first failing step and reports it."""
    from messaging.smtp import smtp_handshake

    if channel.channel_type in (ChannelType.WHATSAPP, ChannelType.PHONE):
        return _twilio_test(channel)
    if channel.channel_type != ChannelType.EMAIL:
        report = ConnectionReport(provider="none")
        report.passed("configuration", "This channel type has no remote connection to test.")
        return report
    provider = mail_provider(channel)
    report = ConnectionReport(provider=provider or "none")
    if provider == EmailProvider.MICROSOFT365:
        client = _graph_client(channel)
        try:
            graph_token(client.credentials)
            report.passed("token", "An app token was issued.")
            inbox = client.mailbox_check(channel.email_address)
            report.passed("mailbox", f"Read folder '{inbox.get('displayName', 'Inbox')}' of {channel.email_address}.")
        except GraphError as error:
            report.failed(error.step, str(error))
        return report
    if provider == EmailProvider.IMAP:
        try:
            with imap_session(imap_settings(channel)) as connection:
                report.passed("imap-login", f"Logged in; {len(imap_folders(connection))} folders.")
        except ImapError as error:
            report.failed(f"imap-{error.step}", str(error))
            return report
        try:
            for step in smtp_handshake(smtp_settings(channel)):
                report.passed(f"smtp-{step}")
        except SmtpError as error:
            report.failed(f"smtp-{error.step}", str(error))
        return report
    report.failed("configuration", "Choose an emailProviderType (Microsoft365 or Imap) on the channel or customer.")
    return report


def _twilio_test(channel: Channel) -> ConnectionReport:
    from twilio.base.exceptions import TwilioRestException
    from twilio.rest import Client

    report = ConnectionReport(provider="twilio")
    account = TwilioAccount.of(channel.customer)
    if not account.complete:
        report.failed("configuration", "Set twilioAccountSID and twilioAuthToken on the customer.")
        return report
    try:
        fetched = Client(account.account_sid, account.auth_token).api.v2010.accounts(account.account_sid).fetch()
        report.passed("twilio-account", f"Account '{fetched.friendly_name}' is {fetched.status}.")
    except TwilioRestException as error:
        report.failed("twilio-account", f"Twilio {error.status}: {error.msg}")
    return report


def mailbox_folders_live(*, channel: Channel) -> list[dict]:
    """The folders of the channel's mailbox, read now from Graph or IMAP, with whether each is linked."""
    provider = mail_provider(channel)
    linked = {row.folder_id: row.pk for row in channel.folders.all()}
    try:
        if provider == EmailProvider.MICROSOFT365:
            folders = [
                {"folderID": item.id, "folderName": item.path, "totalItemCount": item.total_item_count}
                for item in _graph_client(channel).mail_folders(channel.email_address)
            ]
        elif provider == EmailProvider.IMAP:
            with imap_session(imap_settings(channel)) as connection:
                folders = [
                    {"folderID": name, "folderName": name, "totalItemCount": None} for name in imap_folders(connection)
                ]
        else:
            raise ApiError(400, "MailboxNotConfigured", "The channel has no mail provider (Microsoft365 or Imap).")
    except GraphSecretExpired as error:
        raise Conflict(
            "GraphClientSecretExpired", f"The Microsoft Graph client secret has expired. ({error})"
        ) from error
    except (GraphError, ImapError) as error:
        raise ApiError(502, "MailboxUnavailable", f"The mailbox could not be read ({error.step}): {error}") from error
    for folder in folders:
        folder["channelFolderID"] = linked.get(folder["folderID"])
        folder["isLinked"] = folder["folderID"] in linked
    return folders


# --- WhatsApp inbound -----------------------------------------------------------------------------


def whatsapp_channel_for(to_address: str) -> Channel | None:
    """The live WhatsApp channel owning the number Twilio delivered to (`whatsapp:+…`)."""
    from messaging.whatsapp import whatsapp_number

    return (
        Channel.objects.select_related("customer")
        .filter(
            channel_type=ChannelType.WHATSAPP,
            phone_number=whatsapp_number(to_address),
            deleted_at__isnull=True,
            is_active=True,
        )
        .first()
    )


def whatsapp_inbound(*, channel: Channel, params: dict) -> TicketMessage | None:
    """Stores an inbound WhatsApp message (end user by WhatsApp UID, ticket continued or opened);
    None for a MessageSid seen before. Media is fetched afterwards by `whatsapp_media_fetch`."""
    from messaging.whatsapp import whatsapp_number

    sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
    from_number = whatsapp_number(params.get("From", ""))
    if not sid or not from_number:
        raise field_error("MessageSid", "A Twilio message needs MessageSid and From.")
    try:
        with transaction.atomic():
            receipt = InboundReceipt.objects.create(
                customer_id=channel.customer_id, channel=channel, provider=PROVIDER_TWILIO, external_id=sid
            )
            open_ticket = (
                Ticket.objects.filter(
                    customer_id=channel.customer_id, channel=channel, uid=from_number, is_closed=False
                )
                .order_by("-last_message_at")
                .first()
            )
            message = ticket_services.message_create(
                customer_id=channel.customer_id,
                ticket=open_ticket,
                channel_id=channel.pk,
                channel_type=ChannelType.WHATSAPP,
                incoming=True,
                uid=from_number,
                uid_type=UidType.WHATSAPP,
                fields={
                    "message": params.get("Body", ""),
                    "text_body": params.get("Body", ""),
                    "from_number": from_number,
                    "to_number": channel.phone_number,
                    "from_name": params.get("ProfileName", "")[:200],
                    "subject": f"WhatsApp {from_number}" if open_ticket is None else "",
                    "message_identifier": sid,
                },
            )
            receipt.message = message
            receipt.save(update_fields=["message"])
    except IntegrityError:
        return None
    return message


def whatsapp_media_fetch(*, message_id: int, media: list[tuple[str, str]]) -> int:
    """Downloads the Twilio media of an inbound message and stores each file as an attachment."""
    message = TicketMessage.objects.select_related("customer").filter(pk=message_id).first()
    if message is None:
        return 0
    account = TwilioAccount.of(message.customer)
    stored = 0
    for index, (url, declared_type) in enumerate(media):
        content, content_type = media_download(account, url, settings.ANSWERPAL_MAX_UPLOAD_BYTES)
        extension = (content_type or declared_type or "application/octet-stream").split("/")[-1].split(";")[0]
        ticket_services.attachment_store(
            message=message,
            content=content,
            file_name=f"whatsapp-media-{index + 1}.{extension}",
            content_type=content_type or declared_type,
            is_end_user_provided=True,
        )
        stored += 1
    return stored


# --- web chat ------------------------------------------------------------------------------------


def webchat_post(
    *, channel: Channel, ticket: Ticket | None, text: str, page_url: str = "", name: str = ""
) -> TicketMessage:
    """An end user's chat line: continues the ticket of its token or opens a new chat ticket."""
    with transaction.atomic():
        if ticket is None:
            end_user = ticket_services.end_user_create(
                customer_id=channel.customer_id,
                profile={"firstname": name[:200]} if name else {},
                uids=[{"uid_type": UidType.WEBCHAT, "uid": f"webchat-{uuid.uuid4()}", "is_primary": True}],
            )
            ticket = ticket_services.ticket_create(
                customer_id=channel.customer_id,
                channel_type=ChannelType.CHAT,
                channel_id=channel.pk,
                subject=text[:80],
                end_user=end_user,
                uid=end_user.uids.first().uid,
            )
        return ticket_services.message_create(
            customer_id=channel.customer_id,
            ticket=ticket,
            channel_id=channel.pk,
            channel_type=ChannelType.CHAT,
            incoming=True,
            end_user=ticket.end_user,
            fields={"message": text, "text_body": text, "page_url": page_url[:2000], "from_name": name[:200]},
        )


# --- outbound: send routes -----------------------------------------------------------------------


def _transport_for(channel: Channel) -> str | None:
    """The transport of a channel; None for web chat (the widget reads the message directly)."""
    if channel.channel_type == ChannelType.WHATSAPP:
        return Transport.TWILIO
    if channel.channel_type == ChannelType.EMAIL:
        provider = mail_provider(channel)
        if provider == EmailProvider.MICROSOFT365:
            return Transport.GRAPH
        if provider == EmailProvider.IMAP:
            return Transport.SMTP
        raise ApiError(400, "MailboxNotConfigured", "The channel has no mail provider (Microsoft365 or Imap).")
    if channel.channel_type == ChannelType.CHAT:
        return None
    raise ApiError(400, "ChannelCannotSend", f"Messages cannot be sent on a {channel.channel_type} channel.")


def _queue(message: TicketMessage, channel: Channel, *, automated: bool = False) -> TicketMessage:
    """Queues an outbound message for delivery (web chat: visible at once, nothing to deliver)."""
    transport = _transport_for(channel)
    if transport is None:
        return ticket_services.message_mark_sent(message=message)
    OutboxMessage.objects.create(
        customer_id=message.customer_id,
        message=message,
        channel=channel,
        transport=transport,
        idempotency_key=f"message-{message.pk}",
        internet_message_id=compose.internet_message_id_for(message) if transport != Transport.TWILIO else "",
        automated=automated,
        next_attempt_at=timezone.now(),
    )
    TicketMessage.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED)
    message.status = MessageStatus.QUEUED

    def enqueue():
        from messaging.tasks import outbox_deliver

        outbox_id = OutboxMessage.objects.filter(message_id=message.pk).values_list("pk", flat=True).first()
        if outbox_id is not None:
            outbox_deliver.delay(outbox_id)

    transaction.on_commit(enqueue)
    return message


def _live_channel(message: TicketMessage) -> Channel:
    channel = Channel.objects.select_related("customer").filter(pk=message.channel_id, deleted_at__isnull=True).first()
    if channel is None:
        raise ApiError(400, "ChannelUnavailable", "The message's channel no longer exists; it cannot be sent.")
    return channel


def _customer_channel_of_type(customer_id: int, channel_type: str) -> Channel | None:
    return (
        Channel.objects.select_related("customer")
        .filter(customer_id=customer_id, channel_type=channel_type, deleted_at__isnull=True)
        .first()
    )


def _rep_draft_create(source: TicketMessage, channel: Channel, *, customer_rep_id: int | None, fields: dict):
    """A representative's outbound draft on `source`'s ticket, answering `source`, sent through `channel`."""
    return ticket_services.message_create(
        customer_id=source.customer_id,
        ticket=source.ticket,
        channel_id=channel.pk,
        channel_type=channel.channel_type,
        incoming=False,
        sender_type=SenderType.CUSTOMER_REP,
        customer_rep_id=customer_rep_id,
        create_ticket=False,
        fields={
            "lang": source.lang,
            "reply_to_message_id": source.pk,
            "email_address": channel.email_address,
            "status": MessageStatus.DRAFT,
            **fields,
        },
    )


def _address_fields(channel: Channel, source: TicketMessage) -> dict:
    if channel.channel_type == ChannelType.WHATSAPP:
        return {"to_number": source.from_number or source.uid, "from_number": channel.phone_number}
    return {"to_address": source.from_address or source.uid, "from_address": channel.email_address}


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:")) else f"Re: {subject}".strip()


def message_reply_send(
    *, message: TicketMessage, rep: CustomerRep | None, modified_answer: str | None, automated: bool = False
) -> TicketMessage:
    """POST /send (and the ReplySend action, `automated`): sends the answer to `message` (modifiedAnswer,
    else the stored modified or AI response); an edited answer is recorded as aI_ModifiedResponse.
    Returns the outbound message."""
    answer = modified_answer if modified_answer is not None else ""
    answer = answer.strip() or message.ai_modified_response.strip() or message.ai_generated_response.strip()
    if not answer:
        raise field_error("modifiedAnswer", "There is no answer to send: write one or generate an AI reply first.")
    channel = _live_channel(message)
    with transaction.atomic():
        if modified_answer and modified_answer.strip() != message.ai_generated_response.strip():
            ticket_services.message_update(message=message, changes={"ai_modified_response": modified_answer})
        is_html = "<" in answer and ">" in answer
        outbound = _rep_draft_create(
            message,
            channel,
            customer_rep_id=rep.pk if rep else message.ticket.customer_rep_id,
            fields={
                "message": strip_tags(answer) if is_html else answer,
                "html_body": answer if is_html else "",
                "text_body": strip_tags(answer) if is_html else answer,
                "subject": _reply_subject(message.subject or message.ticket.subject),
                "in_reply_to": message.message_identifier,
                "references": " ".join(v for v in (message.references, message.message_identifier) if v),
                "conversation_id": message.conversation_id,
                **_address_fields(channel, message),
            },
        )
        return _queue(outbound, channel, automated=automated)


def message_draft_send(*, message: TicketMessage) -> TicketMessage:
    """POST /send-new: queues a newly composed outbound message (a draft created with create-new)."""
    if message.incoming:
        raise ApiError(400, "NotAnOutboundMessage", "Only an outbound (composed) message can be sent with send-new.")
    if message.status not in (MessageStatus.DRAFT, MessageStatus.FAILED):
        raise Conflict("MessageAlreadySent", f"The message is already {message.status}.")
    channel = _live_channel(message)
    if channel.channel_type == ChannelType.EMAIL and not message.to_address:
        raise field_error("toAddress", "The message has no recipient.")
    if channel.channel_type == ChannelType.WHATSAPP and not message.to_number:
        raise field_error("toNumber", "The message has no recipient number.")
    with transaction.atomic():
        message = TicketMessage.objects.select_for_update().get(pk=message.pk)
        if message.status == MessageStatus.FAILED:
            OutboxMessage.objects.filter(message=message).delete()
        changes = {"status": MessageStatus.DRAFT}
        if channel.channel_type == ChannelType.EMAIL and not message.email_address:
            changes["email_address"] = channel.email_address
            changes["from_address"] = message.from_address or channel.email_address
        ticket_services.message_update(message=message, changes=changes)
        message.channel = channel
        return _queue(message, channel)


def message_forward_send(
    *,
    message: TicketMessage,
    rep: CustomerRep | None,
    to_address: str = "",
    to_number: str = "",
    cc: str = "",
    comment: str = "",
    automated: bool = False,
) -> TicketMessage:
    """POST /send-forward (and the Forward action): forwards `message` with its attachments to an
    e-mail address (mail channel) or a WhatsApp number."""
    channel = _live_channel(message)
    if to_number:
        channel = _customer_channel_of_type(message.customer_id, ChannelType.WHATSAPP)
        if channel is None:
            raise ApiError(400, "NoWhatsAppChannel", "Forwarding to a phone number needs a WhatsApp channel.")
    elif not to_address:
        raise field_error("toAddress", "Give toAddress or toNumber.")
    elif channel.channel_type != ChannelType.EMAIL:
        channel = _customer_channel_of_type(message.customer_id, ChannelType.EMAIL)
        if channel is None:
            raise ApiError(400, "NoEmailChannel", "Forwarding by e-mail needs an Email channel.")
    original = message.text_body or message.message or strip_tags(message.html_body)
    quoted = (
        f"{comment}\n\n---------- Forwarded message ----------\nFrom: {message.from_name} "
        f"<{message.from_address or message.from_number}>\nSubject: {message.subject}\n\n{original}"
    ).strip()
    with transaction.atomic():
        forward = _rep_draft_create(
            message,
            channel,
            customer_rep_id=rep.pk if rep else None,
            fields={
                "message": quoted,
                "text_body": quoted,
                "subject": f"Fw: {message.subject or message.ticket.subject}".strip(),
                **(
                    {"to_number": to_number, "from_number": channel.phone_number}
                    if to_number
                    else {"to_address": to_address, "cc_address": cc, "from_address": channel.email_address}
                ),
            },
        )
        for attachment in message.attachments.all():  # e-mail attachments, or WhatsApp media by file link
            with attachment.file.open("rb") as handle:
                ticket_services.attachment_store(
                    message=forward,
                    content=handle.read(),
                    file_name=attachment.file_name,
                    content_type=attachment.content_type,
                    is_customer_rep_provided=True,
                )
        return _queue(forward, channel, automated=automated)


# --- outbound: delivery --------------------------------------------------------------------------


def worker_identity() -> str:
    """A lease owner name unique to this process and call."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class PermanentFailure(Exception):
    """A send that retrying cannot fix (bad address, no credentials, refused by the provider)."""


def outbox_claim(*, outbox_id: int, owner: str) -> OutboxMessage | None:
    """Takes the lease on a due row (queued and due, or sending with an expired lease); None if another
    worker holds it or it is finished. The conditional UPDATE makes the claim atomic."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=outbox_id)
        .filter(
            Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
        )
        .update(status=OutboxStatus.SENDING, lease_owner=owner, lease_until=now + outbox_lease())
    )
    if not claimed:
        return None
    outbox = OutboxMessage.objects.select_related("message", "channel__customer").get(pk=outbox_id)
    outbox.attempts += 1
    outbox.first_attempt_at = outbox.first_attempt_at or now
    OutboxMessage.objects.filter(pk=outbox_id).update(
        attempts=outbox.attempts, first_attempt_at=outbox.first_attempt_at
    )
    return outbox


def _still_leased(outbox: OutboxMessage, owner: str) -> bool:
    return OutboxMessage.objects.filter(
        pk=outbox.pk, status=OutboxStatus.SENDING, lease_owner=owner, lease_until__gt=timezone.now()
    ).exists()


def outbox_deliver(*, outbox_id: int, owner: str | None = None) -> str:
    """Delivers one outbox row under a lease: checks with the provider whether an earlier attempt
    already went out, sends otherwise, records the provider id, and marks the message Sent; failures
    are retried with capped exponential backoff or end Failed. Returns the row's resulting status."""
    owner = owner or worker_identity()
    outbox = outbox_claim(outbox_id=outbox_id, owner=owner)
    if outbox is None:
        return "skipped"
    if outbox.attempts > outbox.max_attempts:  # workers kept dying on this row
        return _outbox_failed(outbox, outbox.last_error or "Too many interrupted attempts.", permanent=True)
    try:
        provider_id = _deliver(outbox, owner)
    except PermanentFailure as error:
        return _outbox_failed(outbox, str(error), permanent=True)
    except GraphThrottled as error:
        return _outbox_failed(outbox, str(error), permanent=False, retry_after=error.retry_after)
    except (GraphError, SmtpError, WhatsAppError) as error:
        permanent = getattr(error, "permanent", False) or isinstance(error, GraphSecretExpired)
        permanent = permanent or (isinstance(error, GraphError) and error.status in (400, 403, 404))
        return _outbox_failed(outbox, f"{getattr(error, 'step', 'send')}: {error}", permanent=permanent)
    except Exception as error:  # an unexpected failure is retried like an outage, and logged in full
        logger.exception("outbox %s: unexpected delivery error", outbox.pk)
        return _outbox_failed(outbox, f"{type(error).__name__}: {error}", permanent=False)
    return _outbox_sent(outbox, provider_id)


def _deliver(outbox: OutboxMessage, owner: str) -> str:
    message = TicketMessage.objects.select_related("customer_rep").get(pk=outbox.message_id)
    channel = outbox.channel
    if channel is None:
        raise PermanentFailure("The channel was deleted.")
    if outbox.transport == Transport.TWILIO:
        return _deliver_whatsapp(outbox, message, channel)
    mail = compose.outbound_email_build(
        message=message,
        body_text=message.html_body or message.message or message.text_body,
        from_address=channel.email_address,
        automated=outbox.automated,
    )
    if outbox.transport == Transport.GRAPH:
        client = _graph_client(channel)
        if outbox.attempts > 1 and client.sent_message_exists(channel.email_address, mail.internet_message_id):
            return mail.internet_message_id  # an earlier attempt went out; do not send twice
        if not _still_leased(outbox, owner):
            raise GraphError("The lease expired before sending.", step="lease")
        client.send_mime(channel.email_address, mail.as_bytes())
        return mail.internet_message_id
    if not _still_leased(outbox, owner):
        raise SmtpError("The lease expired before sending.", step="lease")
    smtp_send(smtp_settings(channel), mail.email)
    return mail.internet_message_id


def _deliver_whatsapp(outbox: OutboxMessage, message: TicketMessage, channel: Channel) -> str:
    account = TwilioAccount.of(channel.customer)
    if outbox.provider_message_id:
        return outbox.provider_message_id  # the SID was recorded: it went out
    body = message.message or message.text_body or strip_tags(message.html_body)
    if outbox.attempts > 1:
        sid = whatsapp_sent_since(
            account,
            from_number=channel.phone_number,
            to_number=message.to_number,
            body=body,
            since=outbox.first_attempt_at - timedelta(minutes=1),
        )
        if sid:
            return sid
    media_urls = [
        settings.PUBLIC_BASE_URL.rstrip("/") + reverse("file-download", kwargs={"access_token": token})
        for token in message.attachments.values_list("access_token", flat=True)
    ]
    sid = whatsapp_send(
        account,
        from_number=channel.phone_number,
        to_number=message.to_number,
        body=body,
        media_urls=media_urls,
        status_callback=settings.PUBLIC_BASE_URL.rstrip("/") + reverse("twilio-whatsapp-status"),
    )
    OutboxMessage.objects.filter(pk=outbox.pk).update(provider_message_id=sid)  # recorded before anything else
    return sid


def _outbox_sent(outbox: OutboxMessage, provider_id: str) -> str:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.SENT,
            provider_message_id=provider_id,
            sent_at=timezone.now(),
            lease_owner="",
            lease_until=None,
            last_error="",
        )
        message = TicketMessage.objects.get(pk=outbox.message_id)
        ticket_services.message_mark_sent(message=message, message_identifier=outbox.internet_message_id or provider_id)
        if outbox.internet_message_id:
            InboundReceipt.objects.get_or_create(
                customer_id=outbox.customer_id,
                provider=PROVIDER_MAIL,
                external_id=outbox.internet_message_id,
                defaults={"channel_id": outbox.channel_id, "message": message},
            )
    return OutboxStatus.SENT


def outbox_backoff(attempts: int) -> int:
    """Seconds before the next attempt: 30 s doubled per attempt, at most one hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_CAP_SECONDS)


def _outbox_failed(outbox: OutboxMessage, error: str, *, permanent: bool, retry_after: int = 0) -> str:
    final = permanent or outbox.attempts >= outbox.max_attempts
    delay = max(retry_after, outbox_backoff(outbox.attempts))
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=error[:4000],
            lease_owner="",
            lease_until=None,
        )
        if final:
            TicketMessage.objects.filter(pk=outbox.message_id).update(status=MessageStatus.FAILED)
    if not final:

        def schedule():
            from messaging.tasks import outbox_deliver as task

            task.apply_async((outbox.pk,), countdown=delay)

        transaction.on_commit(schedule)
    logger.warning(
        "outbox %s attempt %s failed (%s): %s", outbox.pk, outbox.attempts, "final" if final else "retry", error
    )
    return OutboxStatus.FAILED if final else OutboxStatus.QUEUED


def whatsapp_status_record(*, outbox: OutboxMessage, status: str, error_code: str = "") -> bool:
    """Twilio's later delivery report: `failed`/`undelivered` turns a sent WhatsApp message Failed
    (visible on the message and in the admin, with Twilio's error code); True when it did."""
    if status not in ("failed", "undelivered"):
        return False
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.FAILED, last_error=f"Twilio reported {status} (error {error_code or 'unknown'})."
        )
        TicketMessage.objects.filter(pk=outbox.message_id).update(status=MessageStatus.FAILED)
    return True


def outbox_retry(*, outbox: OutboxMessage) -> bool:
    """Re-queues a failed row now with a fresh attempt budget (admin action); False if not failed."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=outbox.pk, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.QUEUED, next_attempt_at=timezone.now(), max_attempts=outbox.attempts + 8
        )
        if not updated:
            return False
        TicketMessage.objects.filter(pk=outbox.message_id).update(status=MessageStatus.QUEUED)

        def enqueue():
            from messaging.tasks import outbox_deliver as task

            task.delay(outbox.pk)

        transaction.on_commit(enqueue)
    return True


def outbox_stuck_ids() -> list[int]:
    """Rows a lost broker message or a dead worker left behind: an expired lease, or queued and due
    for longer than the grace period."""
    now = timezone.now()
    return list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.SENDING, lease_until__lt=now)
            | Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now - outbox_queued_grace())
        ).values_list("pk", flat=True)[:1000]
    )
