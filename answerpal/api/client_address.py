"""The client's address: the socket peer, or what trusted proxies say it was; the one source every throttle,
audit row and log line uses.

`X-Forwarded-For` is believed only as far as the proxies that wrote it are trusted (settings.TRUSTED_PROXIES,
networks in CIDR form; empty by default, so the socket's REMOTE_ADDR counts and a forged header changes nothing).
When the peer is a trusted proxy, the header is read from the right: each trusted hop is skipped and the first
untrusted address is the client (anything left of it was written by the client and may be forged)."""

import contextvars
import ipaddress
import logging
from functools import lru_cache

from django.conf import settings

UNKNOWN = "-"
_REQUEST_ATTRIBUTE = "_answerpal_client_address"
_current = contextvars.ContextVar("answerpal_client_address", default=UNKNOWN)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def trusted_networks() -> tuple[Network, ...]:
    """settings.TRUSTED_PROXIES as networks (a bare address is a /32 or /128)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str) -> Address | None:
    """'203.0.113.7', '203.0.113.7:5100', '[2001:db8::1]:443', '::ffff:203.0.113.7' → an address; else None."""
    text = (value or "").strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def resolve(*, peer: str, forwarded_for: str | None) -> str:
    """The client address from the socket peer and the X-Forwarded-For header (pure: for tests and callers)."""
    peer_address = parse_address(peer)
    if peer_address is None:
        return peer or UNKNOWN
    networks = trusted_networks()
    if not networks or not forwarded_for or not _trusted(peer_address, networks):
        return str(peer_address)
    client = peer_address
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            break  # a trusted proxy writes addresses only: what it did not write is not believed
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_address(request) -> str:
    """The client's address of this request (Django or DRF request), computed once per request."""
    django_request = getattr(request, "_request", request)
    cached = getattr(django_request, _REQUEST_ATTRIBUTE, None)
    if cached is not None:
        return cached
    meta = django_request.META
    address = resolve(peer=meta.get("REMOTE_ADDR", ""), forwarded_for=meta.get("HTTP_X_FORWARDED_FOR"))
    setattr(django_request, _REQUEST_ATTRIBUTE, address)
    return address


def current_client_address() -> str:
    """The address of the request this thread or task serves now ('-' outside a request)."""
    return _current.get()


class ClientAddressMiddleware:
    """Resolves the client address once, early, and makes it visible to log records of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class ClientAddressLogFilter(logging.Filter):
    """Puts `client_address` on every log record (the current request's, or the record's own request's as
    django.request logs it; '-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "client_address"):
            request = getattr(record, "request", None)  # django.request / django.server log after the middleware
            record.client_address = client_address(request) if hasattr(request, "META") else _current.get()
        return True
