import uuid

import pytest
from django.core.cache import cache

from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(customer=customer, channel_type="Chat", hostnames="shop.example, *.acme.example")


def test_create_chat_ticket_checks_token_and_origin(anon_client, chat_channel, customer):
    body = {"token": str(chat_channel.token), "uid": "visitor@example.com", "name": "Vi Sitor"}
    response = anon_client.post(
        "/api/tickets/createchatticket", body, format="json", HTTP_ORIGIN="https://shop.example"
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["ticketID"])
    assert response.json()["token"] == str(ticket.token)
    assert ticket.customer_id == customer.pk and ticket.channel_id == chat_channel.pk and ticket.channel_type == "Chat"
    assert ticket.uid == "visitor@example.com" and ticket.end_user.firstname == "Vi"
    response = anon_client.post(
        "/api/Tickets/createchatticket", body, format="json", HTTP_REFERER="https://www.acme.example/contact"
    )
    assert response.status_code == 201
    response = anon_client.post("/api/Tickets/createchatticket", {**body, "hostname": "shop.example"}, format="json")
    assert response.status_code == 201
    response = anon_client.post(
        "/api/Tickets/createchatticket", body, format="json", HTTP_ORIGIN="https://evil.example"
    )
    assert_problem(response, 403, "HostnameNotAllowed")
    response = anon_client.post("/api/Tickets/createchatticket", body, format="json")
    assert_problem(response, 403, "HostnameNotAllowed")
    response = anon_client.post(
        "/api/Tickets/createchatticket",
        {**body, "token": str(uuid.uuid4())},
        format="json",
        HTTP_ORIGIN="https://shop.example",
    )
    assert_problem(response, 404, "ChannelNotFound")
    assert_problem(anon_client.post("/api/Tickets/createchatticket", {"token": "nope"}, format="json"), 400)


def test_email_channel_token_is_not_a_chat_channel(anon_client, customer):
    mail = ChannelFactory(customer=customer, hostnames="shop.example")
    response = anon_client.post(
        "/api/Tickets/createchatticket", {"token": str(mail.token)}, format="json", HTTP_ORIGIN="https://shop.example"
    )
    assert_problem(response, 404, "ChannelNotFound")


def test_limits_come_from_settings(anon_client, chat_channel, settings):
    settings.CHAT_TICKET_RATE = "2/min"
    post = lambda: anon_client.post(  # noqa: E731
        "/api/Tickets/createchatticket",
        {"token": str(chat_channel.token)},
        format="json",
        HTTP_ORIGIN="https://shop.example",
    )
    assert [post().status_code for _ in range(3)] == [201, 201, 429]
    cache.clear()
    settings.CHAT_TICKET_RATE = "100/min"
    settings.CHAT_TICKET_CHANNEL_RATE = "2/hour"
    assert [post().status_code for _ in range(2)] == [201, 201]
    assert_problem(post(), 429, "RateLimited")


def test_abuse_limit_per_address(anon_client, chat_channel):
    body = {"token": str(chat_channel.token)}
    statuses = [
        anon_client.post(
            "/api/Tickets/createchatticket", body, format="json", HTTP_ORIGIN="https://shop.example"
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [201] * 10
    response = anon_client.post(
        "/api/Tickets/createchatticket", body, format="json", HTTP_ORIGIN="https://shop.example"
    )
    assert_problem(response, 429, "RateLimited")
    assert response["Retry-After"]
    assert Ticket.objects.count() == 10
