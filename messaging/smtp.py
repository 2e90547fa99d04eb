"""SMTP: sending through Django's SMTP backend with the channel's server, and a stepwise handshake
check (connect, EHLO, STARTTLS, login) that says which step failed."""

import contextlib
import smtplib
import ssl

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from messaging.mail_settings import ServerSettings

SMTP_TIMEOUT = 30


class SmtpError(Exception):
    def __init__(self, message: str, *, step: str, permanent: bool = False):
        super().__init__(message)
        self.step = step
        self.permanent = permanent


def smtp_send(server: ServerSettings, email: EmailMessage) -> None:
    """Sends one message over a per-channel connection (implicit TLS when use_ssl, else STARTTLS)."""
    backend = EmailBackend(
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
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpError(f"SMTP failed: {error}", step="send") from error


def smtp_handshake(server: ServerSettings) -> list[str]:
    """Connects, greets, secures and logs in without sending; returns the steps that passed."""
    passed = []
    try:
        if server.use_ssl:
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT)
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
