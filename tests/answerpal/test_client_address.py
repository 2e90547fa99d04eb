"""The client address from trusted proxies only: a forged X-Forwarded-For changes nothing unless the proxy that
sent the request is trusted; behind trusted proxies the right-most untrusted address counts, for throttles and
log lines alike."""

import logging

import pytest
from rest_framework.throttling import SimpleRateThrottle

from answerpal.api.client_address import ClientAddressLogFilter, resolve
from tests.conftest import assert_problem

LOGIN = "/api/Auth/login"


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ([], "198.51.100.9", "203.0.113.1", "198.51.100.9"),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "198.51.100.9", "203.0.113.1", "198.51.100.9"),  # the peer is not a trusted proxy
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1", "203.0.113.1"),  # one trusted hop
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # the client's own prefix is forged
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.7", "203.0.113.1"),  # two trusted hops
        (["10.0.0.0/8"], "10.0.0.2", "10.1.1.1, 10.0.0.7", "10.1.1.1"),  # every hop trusted: the left-most
        (["10.0.0.0/8"], "10.0.0.2", "not-an-ip, 203.0.113.1", "203.0.113.1"),
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1, garbage", "10.0.0.2"),  # a trusted proxy wrote no address
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1:5123", "203.0.113.1"),
        (["10.0.0.0/8"], "10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        (["10.0.0.0/8"], "::ffff:10.0.0.2", "::ffff:203.0.113.1", "203.0.113.1"),  # IPv4-mapped forms
        (["10.0.0.2"], "10.0.0.2", "203.0.113.1", "203.0.113.1"),  # a bare address is a /32
        (["2001:db8:1::/48"], "2001:db8:1::5", "203.0.113.1", "203.0.113.1"),
        (["10.0.0.0/8"], "10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_resolve(settings, trusted, peer, forwarded, client):
    settings.TRUSTED_PROXIES = trusted
    assert resolve(peer=peer, forwarded_for=forwarded) == client


def _throttled_logins(client, count: int, **headers) -> list[int]:
    body = {"username": "nobody", "password": "x", "hostname": "acme.answerpal.test"}
    statuses = []
    for index in range(count):
        extra = {key: value.format(index=index) for key, value in headers.items()}
        statuses.append(client.post(LOGIN, body, format="json", **extra).status_code)
    return statuses


@pytest.fixture
def public_rate(monkeypatch, settings):
    """A public budget of 3 requests a minute, and no account lockout in the way."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "public": "3/min"})
    settings.LOGIN_LOCKOUT_FAILURES = 1000
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 1000


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_buy_a_new_budget(anon_client, public_rate, settings):
    settings.TRUSTED_PROXIES = []
    statuses = _throttled_logins(anon_client, 5, HTTP_X_FORWARDED_FOR="203.0.113.{index}")
    assert statuses == [401, 401, 401, 429, 429]
    limited = anon_client.post(LOGIN, {"username": "a", "password": "b", "hostname": "c"}, format="json")
    assert_problem(limited, 429, "RateLimited")
    assert int(limited["Retry-After"]) > 0


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_budget(anon_client, public_rate, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    statuses = _throttled_logins(
        anon_client, 5, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.{index}"
    )
    assert statuses == [401] * 5
    # The same client behind the proxy, whatever it forges on the left, shares one budget.
    same = _throttled_logins(anon_client, 5, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.{index}.6, 198.51.100.1")
    assert same == [401, 401, 401, 429, 429]


@pytest.mark.django_db
def test_log_records_carry_the_trusted_client_address(anon_client, settings, caplog):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    handler_filter = ClientAddressLogFilter()
    seen = []

    class Recorder(logging.Handler):
        def emit(self, record):
            seen.append(record.client_address)

    recorder = Recorder()
    recorder.addFilter(handler_filter)
    logger = logging.getLogger("django.request")
    logger.addHandler(recorder)
    try:
        anon_client.post(
            LOGIN,
            {"username": "x", "password": "y", "hostname": "z"},
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50",
        )
        anon_client.post(
            LOGIN,
            {"username": "x", "password": "y", "hostname": "z"},
            format="json",
            REMOTE_ADDR="198.51.100.3",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    finally:
        logger.removeHandler(recorder)
    assert seen == ["203.0.113.50", "198.51.100.3"]  # the 401 warnings of django.request
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "outside a request", None, None)
    handler_filter.filter(outside)
    assert outside.client_address == "-"


def test_the_logging_configuration_prints_the_client_address():
    from answerpal.settings import base

    assert "%(client_address)s" in base.LOGGING["formatters"]["plain"]["format"]
    assert base.LOGGING["handlers"]["console"]["filters"] == ["client_address"]
    assert base.REST_FRAMEWORK["NUM_PROXIES"] == 0


def _route_throttles():
    from django.urls import get_resolver

    from answerpal.api.throttling import PublicRateThrottle

    found = {PublicRateThrottle}
    pending = list(get_resolver().url_patterns)
    while pending:
        pattern = pending.pop()
        if hasattr(pattern, "url_patterns"):
            pending.extend(pattern.url_patterns)
            continue
        view_class = getattr(pattern.callback, "cls", None)
        found.update(getattr(view_class, "throttle_classes", None) or [])
    return found


def test_every_per_address_throttle_of_every_route_keys_on_the_trusted_client_address(settings):
    from django.test import RequestFactory

    from answerpal.api.throttling import CustomerRateThrottle
    from tickets.api.views.public import ChatTicketChannelThrottle

    keyed_otherwise = {CustomerRateThrottle, ChatTicketChannelThrottle}  # per customer / per chat channel
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    throttles = _route_throttles() - keyed_otherwise
    assert len(throttles) >= 5
    for throttle in throttles:
        assert throttle().get_ident(request) == "203.0.113.9", throttle
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for throttle in throttles | keyed_otherwise:
        assert throttle().get_ident(request) == "198.51.100.4", throttle
