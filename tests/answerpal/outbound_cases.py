"""The internal address forms every outbound connection must refuse (the actions' SSRF list, extended), and
a fake resolver so no test depends on real DNS. Used by the kernel guard's tests and by every caller's."""

import socket

import pytest

from answerpal import outbound_guard

PUBLIC_ADDRESS = "93.184.216.34"

# Hosts written as IP literals: every form inet_aton and IPv6 accept for an internal address, and localhost.
INTERNAL_LITERALS = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "198.18.0.1",
    "2130706433",  # decimal 127.0.0.1
    "0177.0.0.1",  # octal
    "0x7f.0.0.1",  # hex
    "0x7f000001",
    "127.1",  # short form
    "0251.0376.0251.0376",  # octal 169.254.169.254
    "::1",
    "[::1]",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",
    "localhost",
    "mail.localhost",
]

# DNS names whose answer is internal (at least one address).
INTERNAL_NAMES = {
    "rebind.attacker.example": ["127.0.0.1"],
    "metadata.attacker.example": ["169.254.169.254"],
    "v6.attacker.example": ["::1"],
    "mapped.attacker.example": ["::ffff:10.0.0.1"],
    "mixed.attacker.example": [PUBLIC_ADDRESS, "10.0.0.5"],
}

INTERNAL_DESTINATIONS = INTERNAL_LITERALS + list(INTERNAL_NAMES)


def url_host(host: str) -> str:
    """The host as written in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def fake_dns(monkeypatch, answers: dict[str, list[str]] | None = None) -> list[str]:
    """Replaces the guard's resolver: INTERNAL_NAMES plus `answers`; any other name is unresolvable.
    Returns the list of names looked up."""
    table = {**INTERNAL_NAMES, **(answers or {})}
    lookups: list[str] = []

    def resolve(host, port):
        lookups.append(host)
        if host not in table:
            raise outbound_guard.OutboundHostUnresolvable(host)
        return list(table[host])

    monkeypatch.setattr(outbound_guard, "resolve_addresses", resolve)
    return lookups


def forbid_connections(monkeypatch) -> list:
    """Makes any TCP connect attempt fail the test (a refused destination must never be connected to)."""
    attempts: list = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        pytest.fail(f"a connection to {address} was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts
