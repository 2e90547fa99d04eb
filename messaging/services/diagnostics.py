"""Connection tests of a channel's transport and the live folder list of its mailbox."""

import logging
from dataclasses import dataclass, field

from answerpal.api.errors import ApiError, Conflict
from answerpal.outbound_guard import REFUSED_CODE, refused_problem
from channels_cfg.models import Channel, ChannelType, EmailProvider
from messaging.graph import GraphError, GraphSecretExpired, graph_client_for, graph_token
from messaging.imap import ImapError, imap_destination, imap_folders, imap_session
from messaging.mail_settings import imap_settings, mail_provider, smtp_settings
from messaging.smtp import SmtpError, smtp_destination, smtp_handshake
from messaging.whatsapp import TwilioAccount

logger = logging.getLogger(__name__)


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
    Twilio account fetch. Stops at the first failing step and reports it. A server the outbound-address
    guard refuses (IMAP and SMTP are both resolved and checked before anything connects) answers the one
    400 OutboundAddressRefused problem, whatever internal form it was given in."""
    if channel.channel_type in (ChannelType.WHATSAPP, ChannelType.PHONE):
        return _twilio_test(channel)
    if channel.channel_type != ChannelType.EMAIL:
        report = ConnectionReport(provider="none")
        report.passed("configuration", "This channel type has no remote connection to test.")
        return report
    provider = mail_provider(channel)
    report = ConnectionReport(provider=provider or "none")
    if provider == EmailProvider.MICROSOFT365:
        client = graph_client_for(channel)
        try:
            graph_token(client.credentials)
            report.passed("token", "An app token was issued.")
            inbox = client.mailbox_check(channel.email_address)
            report.passed("mailbox", f"Read folder '{inbox.get('displayName', 'Inbox')}' of {channel.email_address}.")
        except GraphError as error:
            if error.code == REFUSED_CODE:
                raise refused_problem(field="graphAuthorityURL") from error
            report.failed(error.step, str(error))
        return report
    if provider == EmailProvider.IMAP:
        imap, smtp = imap_settings(channel), smtp_settings(channel)
        imap_target = smtp_target = None
        try:
            imap_target = imap_destination(imap)
        except ImapError as error:
            if error.code == REFUSED_CODE:
                raise refused_problem(field="imapServer") from error
            report.failed("imap-connect", str(error))
        try:
            smtp_target = smtp_destination(smtp)
        except SmtpError as error:
            if error.code == REFUSED_CODE:
                raise refused_problem(field="smtpServer") from error
            if imap_target is not None:
                report.failed("smtp-connect", str(error))
        if not report.success:
            return report
        try:
            with imap_session(imap, destination=imap_target) as connection:
                report.passed("imap-login", f"Logged in; {len(imap_folders(connection))} folders.")
        except ImapError as error:
            report.failed(f"imap-{error.step}", str(error))
            return report
        try:
            for step in smtp_handshake(smtp, destination=smtp_target):
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
                for item in graph_client_for(channel).mail_folders(channel.email_address)
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
        if getattr(error, "code", "") == REFUSED_CODE:
            raise refused_problem() from error
        raise ApiError(502, "MailboxUnavailable", f"The mailbox could not be read ({error.step}): {error}") from error
    for folder in folders:
        folder["channelFolderID"] = linked.get(folder["folderID"])
        folder["isLinked"] = folder["folderID"] in linked
    return folders
