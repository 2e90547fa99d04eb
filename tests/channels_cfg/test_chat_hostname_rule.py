"""The chat hostname rule (channels_cfg.hostnames, through tickets.selectors.chat_channel_for_page) is the
same for every web-chat route: each case runs against createchatticket and both WebChat message routes."""

import uuid

import pytest
from django.core.cache import cache

from channels_cfg.hostnames import host_allowed, hostname_entries, page_host
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ALLOWED = "shop.example, *.acme.example; localhost:8000 https://pasted.example/path/"
CASES = [
    ("https://shop.example", True),
    ("https://shop.example:8443", True),  # a bare hostname allows any port
    ("https://www.acme.example", True),
    ("https://deep.www.acme.example", True),
    ("https://acme.example", False),  # the wildcard needs a subdomain
    ("http://localhost:8000", True),
    ("http://localhost:5173", False),  # hostname:port allows that port only
    ("https://pasted.example", True),  # a pasted URL counts as its host
    ("https://evil.example", False),
    ("https://shop.example.evil.example", False),
    ("null", False),
]


def _create_chat_ticket(client, channel, origin):
    return client.post(
        "/api/Tickets/createchatticket", {"token": str(channel.token)}, format="json", HTTP_ORIGIN=origin
    )


def _webchat_post(client, channel, origin):
    return client.post(
        f"/api/WebChat/{channel.token}/messages", {"message": "Hello"}, format="json", HTTP_ORIGIN=origin
    )


def _webchat_get(client, channel, origin):
    ticket = Ticket.objects.create(customer=channel.customer, channel=channel, channel_type="Chat", subject="s")
    return client.get(f"/api/WebChat/{channel.token}/messages", {"ticketToken": str(ticket.token)}, HTTP_ORIGIN=origin)


CALLERS = [_create_chat_ticket, _webchat_post, _webchat_get]


@pytest.fixture
def chat_channel(customer):
    cache.clear()
    return ChannelFactory(customer=customer, channel_type="Chat", hostnames=ALLOWED)


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.__name__)
@pytest.mark.parametrize(("origin", "allowed"), CASES)
def test_every_chat_route_applies_the_one_rule(anon_client, chat_channel, caller, origin, allowed):
    response = caller(anon_client, chat_channel, origin)
    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert_problem(response, 403, "HostnameNotAllowed")


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.__name__)
def test_every_chat_route_checks_the_plan(anon_client, chat_channel, customer, caller):
    subscription = customer.subscription
    subscription.feature_overrides = {"hasChat": False}
    subscription.save()
    assert_problem(caller(anon_client, chat_channel, "https://shop.example"), 403, "FeatureNotInPlan")


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.__name__)
def test_every_chat_route_refuses_an_unknown_or_inactive_channel(anon_client, chat_channel, caller):
    chat_channel.is_active = False
    chat_channel.save()
    assert_problem(caller(anon_client, chat_channel, "https://shop.example"), 404, "ChannelNotFound")
    chat_channel.token = uuid.uuid4()
    assert_problem(caller(anon_client, chat_channel, "https://shop.example"), 404, "ChannelNotFound")


def test_refused_pages_create_nothing(anon_client, chat_channel):
    _create_chat_ticket(anon_client, chat_channel, "https://evil.example")
    _webchat_post(anon_client, chat_channel, "https://evil.example")
    assert not Ticket.objects.exists()


def test_the_rule_itself():
    assert hostname_entries(ALLOWED) == ["shop.example", "*.acme.example", "localhost:8000", "pasted.example"]
    assert page_host(origin=None, referer="https://shop.example/contact?x=1") == "shop.example"
    assert page_host(origin="null", referer=None, fallback=" Shop.Example ") == "shop.example"
    assert host_allowed("Shop.Example:8080", "SHOP.example") is True
    assert host_allowed("", ALLOWED) is False
