"""IMAP import with imaplib: UIDVALIDITY + last seen UID per folder, RFC 822 parsing by `email`."""

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from answerpal.outbound_guard import Destination, OutboundError, destination_connect, destination_resolve
from messaging.mail_settings import ServerSettings

IMAP_TIMEOUT = 30
BATCH = 50


class ImapError(Exception):
    def __init__(self, message: str, *, step: str, code: str = ""):
        super().__init__(message)
        self.step = step
        self.code = code  # OutboundAddressRefused / UnresolvableHost when the guard refused the server


class GuardedIMAP4(imaplib.IMAP4):
    """imaplib's client whose socket goes to the checked addresses of `destination` (resolved once, before
    any connect); `host` stays the name STARTTLS verifies the certificate on."""

    def __init__(self, host, port, *, destination: Destination, **kwargs):
        self._destination = destination
        super().__init__(host, port, **kwargs)

    def _create_socket(self, timeout):
        return destination_connect(self._destination, timeout=timeout)


class GuardedIMAP4_SSL(imaplib.IMAP4_SSL):
    """The implicit-TLS client over the checked addresses; the certificate is verified on `host`."""

    def __init__(self, host, port, *, destination: Destination, **kwargs):
        self._destination = destination
        super().__init__(host, port, **kwargs)

    def _create_socket(self, timeout):
        sock = destination_connect(self._destination, timeout=timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def imap_destination(server: ServerSettings) -> Destination:
    """The IMAP server resolved and checked by the outbound-address guard (raises ImapError when refused)."""
    try:
        return destination_resolve(server.host, server.port)
    except OutboundError as error:
        raise ImapError(str(error), step="connect", code=error.code) from error


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    message: EmailMessage


@contextmanager
def imap_session(server: ServerSettings, *, destination: Destination | None = None) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection (implicit TLS when use_ssl, else STARTTLS); always logged out. The
    server goes through the outbound-address guard (`destination` when already resolved and checked)."""
    destination = destination or imap_destination(server)
    try:
        if server.use_ssl:
            connection = GuardedIMAP4_SSL(
                server.host,
                server.port,
                destination=destination,
                ssl_context=ssl.create_default_context(),
                timeout=IMAP_TIMEOUT,
            )
        else:
            connection = GuardedIMAP4(server.host, server.port, destination=destination, timeout=IMAP_TIMEOUT)
            connection.starttls(ssl_context=ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as error:
        raise ImapError(f"Cannot connect to {server.host}:{server.port}: {error}", step="connect") from error
    try:
        try:
            connection.login(server.username, server.password)
        except imaplib.IMAP4.error as error:
            raise ImapError(f"Login refused for {server.username}: {_text(error)}", step="login") from error
        yield connection
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            connection.logout()


def imap_folders(connection: imaplib.IMAP4) -> list[str]:
    """Folder names of the mailbox (LIST), decoded from the IMAP wire form."""
    status, rows = connection.list()
    if status != "OK":
        raise ImapError("LIST failed", step="folders")
    names = []
    for row in rows or []:
        match = re.match(rb'\((?P<flags>[^)]*)\) (?P<sep>"[^"]*"|NIL) (?P<name>.+)', row or b"")
        if match and b"\\Noselect" not in match.group("flags"):
            names.append(match.group("name").decode().strip('"'))
    return names


def imap_fetch_new(
    connection: imaplib.IMAP4, folder: str, *, uidvalidity: int | None, last_uid: int, since: datetime
) -> tuple[int, list[FetchedMail]]:
    """Messages with a UID above `last_uid`; on the first run or after a UIDVALIDITY change, those
    received since `since`. Returns the folder's UIDVALIDITY and the messages."""
    status, _ = connection.select(_quote(folder), readonly=True)
    if status != "OK":
        raise ImapError(f"Folder {folder!r} cannot be opened.", step="select")
    current_validity = int(_untagged(connection, "UIDVALIDITY") or 0)
    if uidvalidity == current_validity:
        start, criteria = last_uid + 1, f"UID {last_uid + 1}:*"
    else:
        start, criteria = 1, f"UID 1:* SINCE {since:%d-%b-%Y}"
    status, data = connection.uid("SEARCH", None, criteria)
    if status != "OK":
        raise ImapError("UID SEARCH failed", step="search")
    uids = sorted(int(value) for value in (data[0] or b"").split() if int(value) >= start)
    fetched = []
    parser = BytesParser(policy=policy.default)
    for offset in range(0, len(uids), BATCH):
        chunk = uids[offset : offset + BATCH]
        status, rows = connection.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
        if status != "OK":
            raise ImapError("FETCH failed", step="fetch")
        for row in rows:
            if isinstance(row, tuple):
                uid_match = re.search(rb"UID (\d+)", row[0])
                if uid_match:
                    fetched.append(FetchedMail(int(uid_match.group(1)), parser.parsebytes(row[1])))
    return current_validity, fetched


def _untagged(connection: imaplib.IMAP4, name: str) -> str | None:
    values = connection.untagged_responses.get(name)
    if values:
        value = values[-1]
        return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(error: Exception) -> str:
    value = error.args[0] if error.args else error
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
