import pytest
from django.core.cache import cache

from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tickets.models import MessageStatus, Ticket

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.acme.test"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(
        customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test, *.shop.acme.test", email_address=""
    )


def _url(channel):
    return f"/api/WebChat/{channel.token}/messages"


def test_conversation_with_a_representative(anon_client, rep_client, chat_channel, django_capture_on_commit_callbacks):
    first = anon_client.post(
        _url(chat_channel),
        {"message": "Hi, do you ship to Belgium?", "name": "Eva"},
        format="json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert first.status_code == 201, first.content
    assert first["Access-Control-Allow-Origin"] == ORIGIN
    token = first.json()["ticketToken"]
    ticket = Ticket.objects.get(token=token)
    assert ticket.channel_id == chat_channel.pk and ticket.channel_type == "Chat"

    second = anon_client.post(
        _url(chat_channel), {"message": "And to France?", "ticketToken": token}, format="json", HTTP_ORIGIN=ORIGIN
    )
    assert second.json()["ticketID"] == ticket.pk

    reply = rep_client.post(
        f"/api/TicketMessages/{second.json()['messageID']}/send", {"modifiedAnswer": "Yes, to both."}, format="json"
    )
    assert reply.status_code == 202 and reply.json()["status"] == MessageStatus.SENT

    poll = anon_client.get(
        _url(chat_channel), {"ticketToken": token, "after": first.json()["messageID"]}, HTTP_ORIGIN=ORIGIN
    )
    assert poll.status_code == 200
    items = poll.json()["items"]
    assert [item["message"] for item in items] == ["And to France?", "Yes, to both."]
    assert items[1]["senderType"] == "CustomerRep" and items[1]["customerRepName"]
    assert poll.json()["cursor"] == items[-1]["messageID"]
    assert (
        anon_client.get(
            _url(chat_channel), {"ticketToken": token, "after": poll.json()["cursor"]}, HTTP_ORIGIN=ORIGIN
        ).json()["items"]
        == []
    )


def test_ticket_from_createchatticket_is_continued(anon_client, chat_channel):
    created = anon_client.post(
        "/api/Tickets/createchatticket", {"token": str(chat_channel.token)}, format="json", HTTP_ORIGIN=ORIGIN
    )
    assert created.status_code == 201, created.content
    response = anon_client.post(
        _url(chat_channel),
        {"message": "Hello", "ticketToken": created.json()["token"]},
        format="json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.json()["ticketID"] == created.json()["ticketID"]


def test_wildcard_hostname_and_preflight(anon_client, chat_channel):
    response = anon_client.options(_url(chat_channel), HTTP_ORIGIN="https://eu.shop.acme.test")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://eu.shop.acme.test"


@pytest.mark.parametrize("origin", ["https://evil.test", "null", None])
def test_other_sites_are_refused(anon_client, chat_channel, origin):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    response = anon_client.post(_url(chat_channel), {"message": "Hi"}, format="json", **headers)
    assert_problem(response, 403, "HostnameNotAllowed")
    assert "Access-Control-Allow-Origin" not in response


def test_unknown_channel_and_foreign_ticket_token_are_404(anon_client, chat_channel, customer):
    other = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test")
    first = anon_client.post(_url(other), {"message": "Hi"}, format="json", HTTP_ORIGIN=ORIGIN)
    response = anon_client.post(
        _url(chat_channel),
        {"message": "Hi", "ticketToken": first.json()["ticketToken"]},
        format="json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert_problem(response, 404, "TicketNotFound")
    response = anon_client.get(_url(chat_channel), {"ticketToken": "not-a-uuid"}, HTTP_ORIGIN=ORIGIN)
    assert_problem(response, 404, "TicketNotFound")
    assert_problem(
        anon_client.get("/api/WebChat/00000000-0000-0000-0000-000000000000/messages", HTTP_ORIGIN=ORIGIN), 404
    )


def test_validation(anon_client, chat_channel):
    assert_problem(anon_client.post(_url(chat_channel), {"message": ""}, format="json", HTTP_ORIGIN=ORIGIN), 400)
    assert_problem(anon_client.get(_url(chat_channel), HTTP_ORIGIN=ORIGIN), 400)
    response = anon_client.get(
        _url(chat_channel), {"ticketToken": str(chat_channel.token), "after": "x"}, HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code in (400, 404)


def test_abuse_limits(anon_client, chat_channel, settings):
    settings.WEBCHAT_RATE = "3/min"
    big = {"message": "x" * 20000}
    assert_problem(anon_client.post(_url(chat_channel), big, format="json", HTTP_ORIGIN=ORIGIN), 413, "PayloadTooLarge")
    statuses = [
        anon_client.post(_url(chat_channel), {"message": "spam"}, format="json", HTTP_ORIGIN=ORIGIN).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


def test_polling_does_not_query_per_message(anon_client, chat_channel, django_assert_num_queries):
    first = anon_client.post(_url(chat_channel), {"message": "one"}, format="json", HTTP_ORIGIN=ORIGIN).json()
    for text in ("two", "three", "four"):
        anon_client.post(
            _url(chat_channel),
            {"message": text, "ticketToken": first["ticketToken"]},
            format="json",
            HTTP_ORIGIN=ORIGIN,
        )
    with django_assert_num_queries(4):  # channel, plan, ticket, messages
        response = anon_client.get(_url(chat_channel), {"ticketToken": first["ticketToken"]}, HTTP_ORIGIN=ORIGIN)
    assert len(response.json()["items"]) == 4


def test_plan_without_chat_refuses_the_widget(anon_client, chat_channel, customer):
    subscription = customer.subscription
    subscription.feature_overrides = {"hasChat": False}
    subscription.save()
    response = anon_client.post(_url(chat_channel), {"message": "Hi"}, format="json", HTTP_ORIGIN=ORIGIN)
    assert_problem(response, 403, "FeatureNotInPlan")
