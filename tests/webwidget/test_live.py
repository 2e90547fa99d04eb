"""Live delivery: the kernel pub/sub (in process and on Redis), the conversation stream under WSGI and ASGI, the
events the chat flows publish (visitor line, AI deltas and answer, representative reply, escalation), the AI
answer's delivery rules, and the providers handing their reply deltas to the stream."""

import asyncio
import os
import threading

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test import AsyncClient

from ai.providers.base import ReplyRequest
from ai.providers.local import LocalProvider
from ai.providers.openai_compatible import OpenAIProvider
from ai.providers.streaming import reply_stream
from answerpal import live
from channels_cfg.models import ChannelType
from tests.ai import respx_httpx2  # noqa: F401 - registers respx's "httpx2" mocker
from tests.ai.openai_fakes import BASE_URL, CHAT_URL, stream_body
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from tests.webwidget.sse import sse_events
from tickets.models import AIStepStatus, SenderType, TicketMessage, TicketStatus
from webwidget import services
from webwidget.stream import stream_async

ORIGIN = "https://www.acme.test"


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test", email_address="")


@pytest.fixture
def quick_streams(settings):
    settings.WEBCHAT_STREAM_SECONDS = 1.5
    settings.WEBCHAT_STREAM_HEARTBEAT_SECONDS = 0.3


# --- answerpal.live -------------------------------------------------------------------------------------------


def test_in_process_publish_reaches_every_subscriber_of_the_key_only(settings):
    settings.LIVE_REDIS_URL = ""
    with live.subscribe("ticket.1") as first, live.subscribe("ticket.1") as second, live.subscribe("x") as other:
        live.publish("ticket.1", {"type": "ping", "n": 1})
        assert first.get(timeout=1) == second.get(timeout=1) == {"type": "ping", "n": 1}
        assert other.get(timeout=0.05) is None
    live.publish("ticket.1", {"n": 2})  # nobody listens any more: dropped, no error


def test_in_process_async_subscriber_receives_from_another_thread(settings):
    settings.LIVE_REDIS_URL = ""

    async def scenario():
        async with live.async_subscribe("ticket.7") as events:
            threading.Thread(target=live.publish, args=("ticket.7", {"type": "hello"})).start()
            return await events.get(timeout=2), await events.get(timeout=0.05)

    assert asyncio.run(scenario()) == ({"type": "hello"}, None)


def test_redis_pubsub_carries_events_between_connections(settings):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI") and connection.vendor != "sqlite":
            pytest.fail("REDIS_URL is not set in CI's PostgreSQL + Redis leg.")
        pytest.skip("REDIS_URL is not set (the embedded default keeps live events in process)")
    settings.LIVE_REDIS_URL = redis_url
    settings.LIVE_KEY_PREFIX = f"answerpal-test-{os.getpid()}:"
    with live.subscribe("ticket.9") as events:
        live.publish("ticket.9", {"type": "message", "n": 1})
        assert events.get(timeout=3) == {"type": "message", "n": 1}

    async def scenario():
        async with live.async_subscribe("ticket.9") as events:
            live.publish("ticket.9", {"type": "async"})
            return await events.get(timeout=3)

    assert asyncio.run(scenario()) == {"type": "async"}


def test_a_broker_fault_loses_the_event_but_not_the_request(settings):
    settings.LIVE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    live.publish("ticket.1", {"type": "lost"})


# --- the stream -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wsgi_stream_sends_the_lines_after_the_cursor_then_livesse_events(anon_client, chat_channel, quick_streams):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    old = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel, message="Old")
    new = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel, message="New")
    response = anon_client.get(
        f"/api/WebChat/{chat_channel.token}/stream",
        {"ticketToken": str(ticket.token), "after": old.pk},
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    assert response["Access-Control-Allow-Origin"] == ORIGIN and response["Cache-Control"].startswith("no-cache")
    chunks = iter(response.streaming_content)
    opening = b""
    while b"event: ready" not in opening:
        opening += next(chunks)
    assert opening.startswith(b"retry: ")
    assert [(name, data.get("messageID")) for name, data in sse_events(opening)] == [
        ("message", new.pk),
        ("ready", None),
    ]
    assert f"id: {new.pk}".encode() in opening  # the browser's Last-Event-ID on reconnect
    live.publish(live.ticket_key(ticket.pk), {"type": "ai.delta", "replyTo": new.pk, "delta": "Hel"})
    rest = b"".join(chunks)  # ends after WEBCHAT_STREAM_SECONDS, with keep-alive comments meanwhile
    assert sse_events(rest) == [("ai.delta", {"replyTo": new.pk, "delta": "Hel"})]
    assert b": ping" in rest


@pytest.mark.django_db
def test_stream_cursor_from_last_event_id_and_refusals(anon_client, chat_channel, other_customer, quick_streams):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    line = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel)
    url = f"/api/WebChat/{chat_channel.token}/stream"
    response = anon_client.get(
        url, {"ticketToken": str(ticket.token)}, HTTP_ORIGIN=ORIGIN, HTTP_LAST_EVENT_ID=str(line.pk)
    )
    assert [name for name, _ in sse_events(b"".join(response.streaming_content))] == ["ready"]
    assert_problem(anon_client.get(url, HTTP_ORIGIN=ORIGIN), 400)
    assert_problem(anon_client.get(url, {"ticketToken": str(ticket.token), "after": "x"}, HTTP_ORIGIN=ORIGIN), 400)
    foreign_channel = ChannelFactory(customer=other_customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test")
    foreign = TicketFactory(customer=other_customer, channel=foreign_channel, channel_type=ChannelType.CHAT)
    assert_problem(anon_client.get(url, {"ticketToken": str(foreign.token)}, HTTP_ORIGIN=ORIGIN), 404, "TicketNotFound")
    refused = anon_client.get(url, {"ticketToken": str(ticket.token)}, HTTP_ORIGIN="https://evil.test")
    assert_problem(refused, 403, "HostnameNotAllowed")
    # EventSource asks for text/event-stream only; refusals still answer problem+json
    refused = anon_client.get(url, {"ticketToken": str(ticket.token)}, HTTP_ACCEPT="text/event-stream")
    assert refused["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_streams_are_throttled_per_address_and_channel(anon_client, chat_channel, settings, quick_streams):
    settings.WEBCHAT_STREAM_RATE = "1/min"
    settings.WEBCHAT_STREAM_SECONDS = 0
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    url = f"/api/WebChat/{chat_channel.token}/stream"
    assert anon_client.get(url, {"ticketToken": str(ticket.token)}, HTTP_ORIGIN=ORIGIN).status_code == 200
    assert_problem(anon_client.get(url, {"ticketToken": str(ticket.token)}, HTTP_ORIGIN=ORIGIN), 429, "RateLimited")


@pytest.mark.django_db(transaction=True)
def test_asgi_stream_is_an_async_stream_with_the_samesse_events(chat_channel, quick_streams):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    line = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel, message="Hi")

    async def scenario():
        response = await AsyncClient().get(
            f"/api/WebChat/{chat_channel.token}/stream", {"ticketToken": str(ticket.token)}, headers={"Origin": ORIGIN}
        )
        assert response.is_async and response["Content-Type"] == "text/event-stream"
        body = b""
        async for chunk in response.streaming_content:
            body += chunk
            if b"event: ready" in chunk:
                threading.Thread(
                    target=live.publish, args=(live.ticket_key(ticket.pk), {"type": "ticket", "escalated": True})
                ).start()
        await sync_to_async(connections.close_all)()  # the request's thread gives its connection back
        return body

    events = sse_events(asyncio.run(scenario()))
    assert [(name, data.get("messageID")) for name, data in events] == [
        ("message", line.pk),
        ("ready", None),
        ("ticket", None),
    ]


def test_stream_async_ends_when_its_time_is_up(settings):
    settings.LIVE_REDIS_URL = ""

    async def scenario():
        return [chunk async for chunk in stream_async(key="k", snapshot=list, seconds=0.2, heartbeat=0.05)]

    chunks = asyncio.run(scenario())
    assert chunks[0].startswith(b"retry: ") and b"event: ready" in chunks[1] and chunks[-1] == b": ping\n\n"


# --- what the chat flows publish ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_visitors_question_streams_the_ai_answer_and_a_reply_and_escalation_follow(
    anon_client, rep_client, chat_channel, settings
):
    settings.LIVE_REDIS_URL = ""
    started = anon_client.post(
        f"/api/WebChat/{chat_channel.token}/conversations", {}, format="json", HTTP_ORIGIN=ORIGIN
    ).json()
    ticket_id = started["ticketID"]
    with live.subscribe(live.ticket_key(ticket_id)) as events:
        posted = anon_client.post(
            f"/api/WebChat/{chat_channel.token}/messages",
            {"ticketToken": started["ticketToken"], "message": "Do you ship to Belgium?"},
            format="json",
            HTTP_ORIGIN=ORIGIN,
        ).json()
        seen = []
        while (event := events.get(timeout=0.5)) is not None:
            seen.append(event)
        deltas = [event["delta"] for event in seen if event["type"] == "ai.delta"]
        lines = [event["line"] for event in seen if event["type"] == "message"]
        answer = TicketMessage.objects.get(ticket_id=ticket_id, sender_type=SenderType.SYSTEM)
        assert {line["messageID"]: line["kind"] for line in lines} == {posted["messageID"]: "visitor", answer.pk: "ai"}
        assert "".join(deltas).strip() == answer.message.strip() and len(deltas) > 3
        assert all(event["replyTo"] == posted["messageID"] for event in seen if event["type"] == "ai.delta")
        assert answer.reply_to_message_id == posted["messageID"] and answer.status == "Sent"

        sent = rep_client.post(
            f"/api/TicketMessages/{posted['messageID']}/send", {"modifiedAnswer": "Yes, in two days."}, format="json"
        )
        assert sent.status_code == 202
        reply = events.get(timeout=2)
        assert reply["type"] == "message" and reply["line"]["kind"] == "rep"
        assert reply["line"]["message"] == "Yes, in two days." and reply["line"]["customerRepName"]

        anon_client.post(
            f"/api/WebChat/{chat_channel.token}/escalate",
            {"ticketToken": started["ticketToken"]},
            format="json",
            HTTP_ORIGIN=ORIGIN,
        )
        assert events.get(timeout=2) == {"type": "ticket", "escalated": True, "status": TicketStatus.ESCALATED}

        anon_client.post(
            f"/api/WebChat/{chat_channel.token}/messages",
            {"ticketToken": started["ticketToken"], "message": "Hello?"},
            format="json",
            HTTP_ORIGIN=ORIGIN,
        )
        later = []
        while (event := events.get(timeout=0.5)) is not None:
            later.append(event["type"])
        assert "ai.status" in later  # escalated: the AI's draft is kept for the person, not sent
        assert TicketMessage.objects.filter(ticket_id=ticket_id, sender_type=SenderType.SYSTEM).count() == 1


@pytest.mark.django_db
def test_ai_answer_send_rules(chat_channel):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    question = TicketMessageFactory(
        customer=chat_channel.customer,
        ticket=ticket,
        channel=chat_channel,
        ai_generated_response="We ship to Belgium.",
        ai_reply_status=AIStepStatus.COMPLETED,
    )
    ticket.last_end_user_message = question
    ticket.save()
    send = lambda: services.ai_answer_send(message_id=question.pk, customer_id=question.customer_id)  # noqa: E731

    widget = ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, ai_answers=False)
    assert send() is None
    widget.ai_answers = True
    widget.save()
    answer = send()
    assert (answer.sender_type, answer.message, answer.incoming, answer.status) == (
        SenderType.SYSTEM,
        "We ship to Belgium.",
        False,
        "Sent",
    )
    assert answer.customer_rep_id is None and answer.reply_to_message_id == question.pk
    assert send() is None  # idempotent: answered once
    newer = TicketMessageFactory(
        customer=chat_channel.customer, ticket=ticket, channel=chat_channel, ai_generated_response="x"
    )
    ticket.last_end_user_message = newer
    ticket.escalated = True
    ticket.save()
    assert services.ai_answer_send(message_id=newer.pk, customer_id=newer.customer_id) is None  # a person took over
    assert services.ai_answer_send(message_id=newer.pk, customer_id=newer.customer_id + 1000) is None  # other tenant
    email = TicketMessageFactory(customer=chat_channel.customer, ai_generated_response="x")
    assert services.ai_answer_send(message_id=email.pk, customer_id=email.customer_id) is None  # not a chat line


# --- providers hand their deltas to the stream ----------------------------------------------------------------


def test_openai_reply_deltas_reach_the_sink_as_they_arrive():
    import respx

    provider = OpenAIProvider(api_key="sk-test", base_url=BASE_URL)
    body = stream_body(["We ", "ship ", "to Belgium."])
    pieces = []
    with respx.mock(using="httpx2", base_url=BASE_URL) as router, reply_stream(pieces.append):
        router.post(CHAT_URL).mock(
            return_value=httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"})
        )
        result = provider.draft_reply(model="gpt-test", request=ReplyRequest(message_text="Belgium?", signature="Ann"))
    assert pieces == ["We ", "ship ", "to Belgium.", "\n\nAnn"]
    assert result.value == "We ship to Belgium.\n\nAnn" == "".join(pieces)


def test_local_reply_is_offered_word_by_word_and_nothing_without_a_listener():
    request = ReplyRequest(message_text="Do you ship to Belgium?", end_user_name="Eva")
    pieces = []
    with reply_stream(pieces.append):
        result = LocalProvider().draft_reply(model="local", request=request)
    assert len(pieces) > 3 and "".join(pieces) == result.value
    assert LocalProvider().draft_reply(model="local", request=request).value == result.value
