"""The one outbound-address guard for every connection the server opens on a tenant's behalf (ApiCall
actions and hooks, data-retrieval documents, IMAP, SMTP, Microsoft Graph token endpoints, connection tests,
Twilio recording and media downloads).

The rule: a destination host is resolved ONCE; when any of its addresses is not a public unicast address
the connection is refused before a packet leaves (so refused destinations all look alike: no timing or port
oracle); otherwise the socket is opened to the checked address itself, never by name again (DNS rebinding),
while TLS still verifies the certificate against the host name. Every redirect hop opens a new connection
through the same guard.

"Not public" means private, loopback, link-local, shared (CGNAT), multicast, unspecified, broadcast, reserved,
documentation and benchmarking ranges, in IPv4 and IPv6, including IPv4 addresses embedded in IPv6
(IPv4-mapped and -compatible, SIIT, NAT64 local-use, 6to4; Teredo refused outright), and IPv4 literals
written the ways inet_aton reads them (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`).

Operator settings (never tenant settings):
- OUTBOUND_ALLOWED_NETWORKS: CIDR networks, addresses and host names that pass although internal, e.g. an
  on-premises mail server: `10.20.0.0/16, 192.168.1.25, mail.corp.example`.
- OUTBOUND_ALLOW_PRIVATE_NETWORKS: switches the guard off (development and tests against local servers only).

Adapters: `GuardedTransport` for httpx and `guarded_requests_session()` for requests (msal, Twilio downloads);
IMAP and SMTP open their sockets with `destination_connect`.
"""

import functools
import ipaddress
import re
import socket
import sys
from dataclasses import dataclass

import httpcore
import httpx
import requests
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from answerpal.api.errors import ApiError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED_CODE = "OutboundAddressRefused"
REFUSED_DETAIL = "Only public internet addresses can be reached; this server address is internal or reserved."

_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network", includes the unspecified address
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (CGNAT)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata endpoints
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes the broadcast address
    )
)
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible form
        "::ffff:0:0:0/96",  # SIIT IPv4-translated
        "64:ff9b:1::/48",  # NAT64 local use
        "100::/64",  # discard
        "2001::/32",  # Teredo
        "2001:2::/48",  # benchmarking
        "2001:10::/28",  # ORCHID
        "2001:20::/28",  # ORCHIDv2
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")
_LOCAL_NAMES = re.compile(r"(^|\.)localhost\.?$", re.IGNORECASE)


class OutboundError(Exception):
    """A destination the guard will not connect to; `code` is stable."""

    code = "OutboundError"


class OutboundAddressRefused(OutboundError):
    """The host is, or resolves to, an internal or reserved address (the detail never says which)."""

    code = REFUSED_CODE

    def __init__(self, host: str = ""):
        super().__init__(REFUSED_DETAIL)
        self.host = host


class OutboundHostUnresolvable(OutboundError):
    code = "UnresolvableHost"

    def __init__(self, host: str):
        super().__init__(f"The host {host!r} could not be resolved.")
        self.host = host


def ipv4_literal(text: str) -> ipaddress.IPv4Address | None:
    """The address an IPv4 literal in any inet_aton form denotes (`127.1`, `0x7f.0.0.1`, `017700000001`,
    `2130706433`), else None."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (4 - len(leading)):
        return None
    number = last
    for index, value in enumerate(leading):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def ip_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP literal denotes (IPv6 with or without brackets or zone), else None."""
    text = (host or "").strip()
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text.strip("[]").split("%", 1)[0])
        except ValueError:
            return None
    return ipv4_literal(text.rstrip(".")) if text else None


def _as_address(address) -> IPAddress:
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    return ipaddress.ip_address(str(address).split("%", 1)[0])


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped, NAT64, 6to4 and both ends of Teredo."""
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def address_is_public(address) -> bool:
    """True only for globally routable unicast addresses; an IPv6 address carrying an IPv4 address is
    judged by that IPv4 address too."""
    ip = _as_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.is_global and not any(ip in network for network in _BLOCKED_V4)
    if ip.ipv4_mapped is not None:
        return address_is_public(ip.ipv4_mapped)
    if any(ip in network for network in _BLOCKED_V6):
        return False
    if not all(address_is_public(inner) for inner in embedded_ipv4(ip)):
        return False
    if ip in _NAT64:
        return True
    return ip in _GLOBAL_UNICAST_V6 and ip.is_global


@functools.lru_cache(maxsize=8)
def _parse_allow_list(text: str) -> tuple[tuple, frozenset]:
    networks, names = [], set()
    for entry in re.split(r"[\s,;]+", text or ""):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return tuple(networks), frozenset(names)


def allow_list() -> tuple[tuple, frozenset]:
    """(networks, host names) of OUTBOUND_ALLOWED_NETWORKS."""
    value = settings.OUTBOUND_ALLOWED_NETWORKS
    if isinstance(value, list | tuple):
        value = ",".join(value)
    return _parse_allow_list(value or "")


def _host_allow_listed(host: str) -> bool:
    return (host or "").lower().rstrip(".") in allow_list()[1]


def address_allowed(address, *, host: str = "") -> bool:
    """Whether the guard lets a connection to `address` (reached as `host`) through."""
    if settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS or (host and _host_allow_listed(host)):
        return True
    ip = _as_address(address)
    networks = allow_list()[0]
    judged = [ip] + ([ip.ipv4_mapped] if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else [])
    if any(
        candidate in network for candidate in judged for network in networks if candidate.version == network.version
    ):
        return True
    return address_is_public(ip)


def host_check(host: str) -> None:
    """The check at save time, without DNS: refuses an IP literal (any form) that is internal and the
    names that always mean this machine (localhost); other names are checked when connecting."""
    text = (host or "").strip()
    if not text or _host_allow_listed(text) or settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
        return
    literal = ip_literal(text)
    if literal is not None:
        if not address_allowed(literal, host=text):
            raise OutboundAddressRefused(text)
    elif _LOCAL_NAMES.search(text):
        raise OutboundAddressRefused(text)


def refused_problem(*, field: str = "") -> ApiError:
    """The one 400 answer for a refused destination, the same for every internal form."""
    return ApiError(400, REFUSED_CODE, REFUSED_DETAIL, errors={field: [REFUSED_DETAIL]} if field else None)


def host_validate(*, field: str, host: str) -> None:
    """Save-time check of a server host a tenant enters (raises the 400 problem naming `field`)."""
    try:
        host_check(host)
    except OutboundAddressRefused as error:
        raise refused_problem(field=field) from error


@dataclass(frozen=True)
class Destination:
    """A host and port whose addresses were resolved once and checked; connect only to these."""

    host: str
    port: int
    addresses: tuple[str, ...]


def resolve_addresses(host: str, port: int) -> list[str]:
    """The DNS answer for `host` (the one lookup of a connection; tests replace this function)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundHostUnresolvable(host) from error
    return list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))


def destination_resolve(host: str, port: int) -> Destination:
    """Resolves `host` once and checks every address; raises OutboundAddressRefused when any is internal
    (or the host is a local name) and OutboundHostUnresolvable when it has none."""
    text = (host or "").strip().strip("[]")
    if not text:
        raise OutboundHostUnresolvable(host)
    host_check(text)
    literal = ip_literal(text)
    addresses = [str(literal)] if literal is not None else resolve_addresses(text, port)
    if not addresses:
        raise OutboundHostUnresolvable(host)
    if not all(address_allowed(address, host=text) for address in addresses):
        raise OutboundAddressRefused(host)
    return Destination(host=text, port=int(port), addresses=tuple(addresses))


def destination_connect(destination: Destination, *, timeout: float | None, source_address=None) -> socket.socket:
    """A TCP socket to the first checked address that answers (never a new DNS lookup)."""
    last_error: OSError | None = None
    for address in destination.addresses:
        try:
            return socket.create_connection((address, destination.port), timeout, source_address)
        except OSError as error:
            last_error = error
    raise last_error or OSError(f"No address of {destination.host} answered.")


def connection_open(host: str, port: int, *, timeout: float | None, source_address=None) -> socket.socket:
    """Resolve, check and connect in one step."""
    return destination_connect(destination_resolve(host, port), timeout=timeout, source_address=source_address)


# httpx ------------------------------------------------------------------------------------------------------


class GuardedNetworkBackend:
    """Wraps an httpcore network backend (or its httpcore2 fork's, duck-typed): resolves and checks the host
    of every new connection, then connects to the checked address only (httpcore still hands the origin's
    host name to TLS)."""

    def __init__(
        self,
        inner,
        connect_errors: tuple = (httpcore.ConnectError, httpcore.ConnectTimeout),
        refusal_as_connect_error: bool = False,
    ):
        self._inner = inner
        self._connect_errors = connect_errors
        self._refusal_as_connect_error = refusal_as_connect_error

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            destination = destination_resolve(host, port)
        except OutboundError as error:
            if self._refusal_as_connect_error:  # for clients that only understand their transport's errors
                raise self._connect_errors[0](str(error)) from error
            raise
        last_error: Exception | None = None
        for address in destination.addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except self._connect_errors as error:
                last_error = error
        raise last_error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise OutboundAddressRefused(path)

    def sleep(self, seconds):
        self._inner.sleep(seconds)


def transport_guard(transport, *, refusal_as_connect_error: bool = False):
    """Puts the guarded backend into the connection pool of an httpx (or httpx2) HTTPTransport and returns
    the transport. Use it with `trust_env=False` so an environment proxy cannot route around the guard.
    With `refusal_as_connect_error` a refused destination raises the transport's ConnectError (caused by
    the OutboundError), for third-party clients (openai) that only map their transport's errors."""
    pool = transport._pool  # httpx exposes no public hook for the backend; the SSRF tests fail if this breaks
    core = sys.modules[type(pool).__module__.split(".", 1)[0]]
    pool._network_backend = GuardedNetworkBackend(
        pool._network_backend, (core.ConnectError, core.ConnectTimeout), refusal_as_connect_error
    )
    return transport


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the guarded network backend in its connection pool."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        transport_guard(self)


# requests ---------------------------------------------------------------------------------------------------


def _urllib3_connect(connection: HTTPConnection) -> socket.socket:
    timeout = connection.timeout if isinstance(connection.timeout, int | float) else socket.getdefaulttimeout()
    try:
        sock = connection_open(
            connection._dns_host, connection.port, timeout=timeout, source_address=connection.source_address
        )
    except TimeoutError as error:
        raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.") from error
    except OSError as error:
        raise NewConnectionError(connection, f"Failed to establish a new connection: {error}") from error
    for option in connection.socket_options or ():
        sock.setsockopt(*option)
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _urllib3_connect(self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _urllib3_connect(self)


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedHTTPAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connections go through the guard; proxies are refused."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise OutboundAddressRefused(proxy)


def guarded_requests_session(*, timeout: float | None = None) -> requests.Session:
    """A requests session whose every connection (redirects included) goes through the guard; environment
    proxies and netrc are ignored. `timeout` becomes the default of every request."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedHTTPAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if timeout is not None:
        session.request = functools.partial(session.request, timeout=timeout)
    return session
