"""SMTP: sending through Django's SMTP backend with the channel's server, and a stepwise handshake
check (connect, EHLO, STARTTLS, login) that says which step failed."""

import contextlib
import functools
import smtplib
import ssl

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from answerpal.outbound_guard import Destination, OutboundError, destination_connect, destination_resolve
from messaging.mail_settings import ServerSettings

SMTP_TIMEOUT = 30


class SmtpError(Exception):
    def __init__(self, message: str, *, step: str, permanent: bool = False, code: str = ""):
        super().__init__(message)
        self.step = step
        self.permanent = permanent
        self.code = code  # OutboundAddressRefused / UnresolvableHost when the guard refused the server


class GuardedSMTP(smtplib.SMTP):
    """smtplib's client whose socket goes through the outbound-address guard: to the checked addresses of
    `destination` (resolved once, before any connect), else resolved and checked when connecting. STARTTLS
    verifies the certificate on the host name the client was given."""

    def __init__(self, *args, destination: Destination | None = None, **kwargs):
        self._destination = destination
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        destination = self._destination
        if destination is None or (destination.host, destination.port) != (host, port):
            destination = destination_resolve(host, port)
        return destination_connect(destination, timeout=timeout, source_address=self.source_address)


class GuardedSMTP_SSL(smtplib.SMTP_SSL, GuardedSMTP):
    """Implicit TLS over the guarded socket (SMTP_SSL wraps what GuardedSMTP._get_socket opened, with the
    host name as server name)."""

    def __init__(self, *args, destination: Destination | None = None, **kwargs):
        self._destination = destination
        smtplib.SMTP_SSL.__init__(self, *args, **kwargs)


class GuardedEmailBackend(EmailBackend):
    """Django's SMTP backend over the guarded smtplib classes, connecting to an already checked destination."""

    def __init__(self, *args, destination: Destination | None = None, **kwargs):
        self.destination = destination
        super().__init__(*args, **kwargs)

    @property
    def connection_class(self):
        return functools.partial(GuardedSMTP_SSL if self.use_ssl else GuardedSMTP, destination=self.destination)


def smtp_destination(server: ServerSettings) -> Destination:
    """The SMTP server resolved and checked by the outbound-address guard (raises SmtpError when refused)."""
    try:
        return destination_resolve(server.host, server.port)
    except OutboundError as error:
        raise SmtpError(str(error), step="connect", permanent=True, code=error.code) from error


def smtp_send(server: ServerSettings, email: EmailMessage) -> None:
    """Sends one message over a per-channel connection (implicit TLS when use_ssl, else STARTTLS), through
    the outbound-address guard; a refused server is a permanent failure."""
    backend = GuardedEmailBackend(
        destination=smtp_destination(server),
        host=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        use_ssl=server.use_ssl,
        use_tls=not server.use_ssl,
        timeout=SMTP_TIMEOUT,
        fail_silently=False,
    )
    email.connection = backend
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise SmtpError(f"Every recipient was refused: {error.recipients}", step="send", permanent=True) from error
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpError(f"Login refused: {error.smtp_error!r}", step="login", permanent=True) from error
    except OutboundError as error:
        raise SmtpError(str(error), step="connect", permanent=True, code=error.code) from error
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpError(f"SMTP failed: {error}", step="send") from error


def smtp_handshake(server: ServerSettings, *, destination: Destination | None = None) -> list[str]:
    """Connects, greets, secures and logs in without sending; returns the steps that passed. The server goes
    through the outbound-address guard (`destination` when already resolved and checked)."""
    passed = []
    destination = destination or smtp_destination(server)
    try:
        if server.use_ssl:
            client = GuardedSMTP_SSL(
                server.host,
                server.port,
                timeout=SMTP_TIMEOUT,
                context=ssl.create_default_context(),
                destination=destination,
            )
        else:
            client = GuardedSMTP(server.host, server.port, timeout=SMTP_TIMEOUT, destination=destination)
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpError(f"Cannot connect to {server.host}:{server.port}: {error}", step="connect") from error
    passed.append("connect")
    try:
        step = "ehlo"
        code, reply = client.ehlo()
        if code != 250:
            raise SmtpError(f"EHLO answered {code} {reply!r}", step=step)
        passed.append(step)
        if not server.use_ssl:
            step = "starttls"
            if not client.has_extn("starttls"):
                raise SmtpError("The server does not offer STARTTLS; refusing to log in in clear text.", step=step)
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
            passed.append(step)
        step = "login"
        client.login(server.username, server.password)
        passed.append(step)
    except SmtpError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpError(f"Login refused: {error.smtp_code} {error.smtp_error!r}", step="login") from error
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpError(f"{step} failed: {error}", step=step) from error
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return passed
