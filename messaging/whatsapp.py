"""WhatsApp through Twilio: the Messages API for sending, RequestValidator for inbound webhooks."""

import secrets
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from answerpal.api.errors import ApiError
from answerpal.outbound_guard import guarded_requests_session
from customers.models import Customer

WHATSAPP_PREFIX = "whatsapp:"
MEDIA_TIMEOUT = 30
MEDIA_MAX_REDIRECTS = 5


class WhatsAppError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str

    @classmethod
    def of(cls, customer: Customer) -> "TwilioAccount":
        """The customer's own Twilio account, else the platform's."""
        if customer.twilio_account_sid and customer.twilio_auth_token:
            return cls(customer.twilio_account_sid, customer.twilio_auth_token)
        return cls(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    @property
    def complete(self) -> bool:
        return bool(self.account_sid and self.auth_token)


def whatsapp_address(number: str) -> str:
    return number if number.startswith(WHATSAPP_PREFIX) else f"{WHATSAPP_PREFIX}{number}"


def whatsapp_number(address: str) -> str:
    return address.removeprefix(WHATSAPP_PREFIX)


def _client(account: TwilioAccount) -> Client:
    if not account.complete:
        raise WhatsAppError("No Twilio account is configured for this customer.", permanent=True)
    return Client(account.account_sid, account.auth_token)


# Twilio error codes that retrying cannot fix (invalid number, not a WhatsApp user, outside the 24h window…).
PERMANENT_TWILIO_CODES = {21211, 21408, 21610, 21612, 21614, 63003, 63016, 63024}


def whatsapp_send(
    account: TwilioAccount, *, from_number: str, to_number: str, body: str, media_urls=(), status_callback: str = ""
) -> str:
    """Sends one WhatsApp message; returns Twilio's Message SID. Twilio reports the later delivery
    outcome (delivered, failed, undelivered) to `status_callback`."""
    try:
        sent = _client(account).messages.create(
            from_=whatsapp_address(from_number),
            to=whatsapp_address(to_number),
            body=body,
            media_url=list(media_urls) or None,
            status_callback=status_callback or None,
        )
    except TwilioRestException as error:
        permanent = error.code in PERMANENT_TWILIO_CODES or error.status in (400, 401, 403, 404)
        raise WhatsAppError(f"Twilio {error.status} ({error.code}): {error.msg}", permanent=permanent) from error
    return sent.sid


def whatsapp_sent_since(account: TwilioAccount, *, from_number: str, to_number: str, body: str, since) -> str | None:
    """The SID of a message with this body already sent since `since` (a crashed attempt that went out)."""
    try:
        recent = _client(account).messages.list(
            from_=whatsapp_address(from_number), to=whatsapp_address(to_number), date_sent_after=since, limit=20
        )
    except TwilioRestException as error:
        raise WhatsAppError(f"Twilio {error.status} ({error.code}): {error.msg}") from error
    for item in recent:
        if (item.body or "").strip() == body.strip():
            return item.sid
    return None


def signature_valid(account: TwilioAccount, *, urls: list[str], params: dict, signature: str) -> bool:
    """Twilio signs the URL it called; behind a proxy that URL is one of the candidates given."""
    if not account.auth_token or not signature:
        return False
    validator = RequestValidator(account.auth_token)
    return any(validator.validate(url, params, signature) for url in urls)


# A token no account has: checking against it costs what a real check costs and always fails.
_NO_ACCOUNT = TwilioAccount("", secrets.token_hex(16))


def signature_refusal(*, urls: list[str] | None = None, params: dict | None = None, signature: str = "") -> ApiError:
    """The one answer to a Twilio callback we cannot attribute or verify: 403 InvalidSignature. Given the request,
    it first spends the time of a real check, so an unknown number, call or message answers exactly like a known
    one with a bad signature (callbacks do not tell which numbers are channels)."""
    if urls is not None:
        signature_valid(_NO_ACCOUNT, urls=urls, params=params or {}, signature=signature or "-")
    return ApiError(403, "InvalidSignature", "The X-Twilio-Signature does not match this request.")


def twilio_api_host(host: str) -> bool:
    """twilio.com or one of its subdomains: the only hosts the account's credentials are sent to."""
    host = (host or "").lower().rstrip(".")
    return host == "twilio.com" or host.endswith(".twilio.com")


def twilio_media_host(host: str) -> bool:
    """A host a Twilio download may be served from (TWILIO_MEDIA_HOSTS; `*.` matches subdomains)."""
    host = (host or "").lower().rstrip(".")
    for entry in settings.TWILIO_MEDIA_HOSTS.replace(";", ",").split(","):
        entry = entry.strip().lower()
        if entry and (host == entry or (entry.startswith("*.") and host.endswith(entry[1:]))):
            return True
    return False


class MediaHostRefused(WhatsAppError):
    """A download URL or redirect that leaves Twilio's hosts (never retried)."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


def media_download(account: TwilioAccount, url: str, limit: int) -> tuple[bytes, str]:
    """Downloads one Twilio media file or recording: the first request goes over https to twilio.com with the
    account's basic auth; redirects are followed by hand only to TWILIO_MEDIA_HOSTS over https and without
    the credentials off twilio.com; every hop goes through the outbound-address guard."""
    with guarded_requests_session() as session:
        for hop in range(MEDIA_MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            first = hop == 0
            if parts.scheme != "https" or not (
                twilio_api_host(parts.hostname) if first else twilio_media_host(parts.hostname)
            ):
                raise MediaHostRefused("Twilio media and recordings are only downloaded over https from Twilio.")
            auth = (account.account_sid, account.auth_token) if twilio_api_host(parts.hostname) else None
            with session.get(url, auth=auth, timeout=MEDIA_TIMEOUT, stream=True, allow_redirects=False) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    continue
                response.raise_for_status()
                content = b""
                for chunk in response.iter_content(64 * 1024):
                    content += chunk
                    if len(content) > limit:
                        raise WhatsAppError("The media file is larger than the upload limit.", permanent=True)
                return content, response.headers.get("Content-Type", "")
    raise MediaHostRefused(f"More than {MEDIA_MAX_REDIRECTS} redirects.")
