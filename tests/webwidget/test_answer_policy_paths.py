"""Every web-chat path obeys the answer policy (tickets.answer_policy): the stored answer (ai_answer_send), the
live deltas and the final events of the pipeline (ai.live), the poll fallback, and hooks' Reply / ReplySend actions
running inside the pipeline. What the policy refuses never reaches the visitor's live key: no `ai.delta`, no AI line,
one `ai.status` saying no answer comes."""

import pytest

from ai import live as ai_live
from answerpal import live
from automation.models import ActionType, HookName
from channels_cfg.models import ChannelType
from tests.accounts.factories import CustomerRepFactory
from tests.automation.factories import ActionFactory, HookActionFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from tests.webwidget.sse import sse_events
from tickets import services as ticket_services
from tickets.models import AIStepStatus, MessageStatus, SenderType, Ticket, TicketMessage
from webwidget import services

ORIGIN = "https://www.acme.test"


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test", email_address="")


@pytest.fixture(autouse=True)
def _in_process_live(settings):
    settings.LIVE_REDIS_URL = ""


class Visitor:
    """A visitor of the chat channel: opens a conversation, says lines, and collects what its live key carried."""

    def __init__(self, client, channel):
        self.client, self.channel = client, channel
        started = client.post(f"/api/WebChat/{channel.token}/conversations", {}, format="json", HTTP_ORIGIN=ORIGIN)
        self.token, self.ticket_id = started.json()["ticketToken"], started.json()["ticketID"]

    def say(self, text: str) -> tuple[int, list[dict]]:
        """Posts a line; answers its id and every live event published meanwhile (the pipeline runs eagerly)."""
        with live.subscribe(live.ticket_key(self.ticket_id)) as events:
            posted = self.client.post(
                f"/api/WebChat/{self.channel.token}/messages",
                {"ticketToken": self.token, "message": text},
                format="json",
                HTTP_ORIGIN=ORIGIN,
            )
            assert posted.status_code == 201, posted.content
            seen = []
            while (event := events.get(timeout=0.3)) is not None:
                seen.append(event)
        return posted.json()["messageID"], seen

    def poll(self) -> list[dict]:
        response = self.client.get(
            f"/api/WebChat/{self.channel.token}/messages", {"ticketToken": self.token}, HTTP_ORIGIN=ORIGIN
        )
        assert response.status_code == 200
        return response.json()["items"]


def _kinds(events: list[dict]) -> list[str]:
    return [event["type"] for event in events]


def _ai_lines(events: list[dict]) -> list[dict]:
    return [event["line"] for event in events if event["type"] == "message" and event["line"]["kind"] != "visitor"]


def _assert_withheld(line_id: int, events: list[dict]) -> None:
    assert "ai.delta" not in _kinds(events)
    assert not _ai_lines(events)
    assert {"type": "ai.status", "replyTo": line_id, "status": "Held"} in events
    draft = TicketMessage.objects.get(pk=line_id)
    assert draft.ai_reply_status == AIStepStatus.COMPLETED and draft.ai_generated_response  # kept for the reps
    assert not TicketMessage.objects.filter(reply_to_message_id=line_id, incoming=False).exists()


pytestmark = pytest.mark.django_db(transaction=True)


def test_allowed_the_answer_streams_then_arrives_as_one_ai_line(anon_client, chat_channel):
    line_id, events = Visitor(anon_client, chat_channel).say("Do you ship to Belgium?")
    deltas = [event["delta"] for event in events if event["type"] == "ai.delta"]
    (answer,) = _ai_lines(events)
    assert answer["kind"] == "ai" and answer["replyTo"] == line_id
    assert "".join(deltas).strip() == answer["message"].strip()


def test_ai_answers_off_no_delta_no_line_and_the_poll_shows_none(anon_client, chat_channel):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, ai_answers=False)
    visitor = Visitor(anon_client, chat_channel)
    line_id, events = visitor.say("Do you ship to Belgium?")
    _assert_withheld(line_id, events)
    assert [item["senderType"] for item in visitor.poll()] == [SenderType.END_USER]


def test_after_talk_to_a_person_no_delta_and_no_answer(anon_client, chat_channel):
    visitor = Visitor(anon_client, chat_channel)
    visitor.say("Do you ship to Belgium?")
    escalated = anon_client.post(
        f"/api/WebChat/{chat_channel.token}/escalate", {"ticketToken": visitor.token}, format="json", HTTP_ORIGIN=ORIGIN
    )
    assert escalated.status_code == 200
    line_id, events = visitor.say("Hello, is anybody there?")
    _assert_withheld(line_id, events)
    assert [item["senderType"] for item in visitor.poll()] == ["EndUser", "System", "EndUser"]


def test_after_a_representative_replied_no_delta_and_no_answer(anon_client, rep_client, chat_channel):
    visitor = Visitor(anon_client, chat_channel)
    first, _ = visitor.say("Do you ship to Belgium?")
    sent = rep_client.post(f"/api/TicketMessages/{first}/send", {"modifiedAnswer": "Yes, I can help."}, format="json")
    assert sent.status_code == 202
    line_id, events = visitor.say("Great, and to France?")
    _assert_withheld(line_id, events)


def test_once_a_representative_took_the_ticket_no_delta_and_no_answer(anon_client, chat_channel):
    visitor = Visitor(anon_client, chat_channel)
    ticket = Ticket.objects.get(pk=visitor.ticket_id)
    ticket_services.ticket_assign(ticket=ticket, customer_rep_id=CustomerRepFactory(customer=chat_channel.customer).pk)
    line_id, events = visitor.say("Do you ship to Belgium?")
    _assert_withheld(line_id, events)


def test_a_spam_conversation_gets_no_delta_and_no_answer(anon_client, chat_channel):
    visitor = Visitor(anon_client, chat_channel)
    ticket_services.ticket_update(ticket=Ticket.objects.get(pk=visitor.ticket_id), changes={"is_spam": True})
    line_id, events = visitor.say("Do you ship to Belgium?")
    _assert_withheld(line_id, events)


@pytest.mark.parametrize("action_type", [ActionType.REPLY, ActionType.REPLY_SEND])
def test_a_hooks_reply_action_streams_nothing_and_sends_nothing_with_ai_answers_off(
    anon_client, chat_channel, action_type
):
    customer = chat_channel.customer
    ChatWidgetFactory(customer=customer, channel=chat_channel, ai_answers=False)
    HookActionFactory(
        customer=customer,
        special_topic=HookName.POST_SPAM,
        action=ActionFactory(customer=customer, action_type=action_type),
    )
    line_id, events = Visitor(anon_client, chat_channel).say("Do you ship to Belgium?")
    _assert_withheld(line_id, events)
    run = TicketMessage.objects.get(pk=line_id).action_runs.get()
    assert run.status == ("Skipped" if action_type == ActionType.REPLY_SEND else "Succeeded")
    if action_type == ActionType.REPLY_SEND:
        assert "AIAnswersOff" in run.result


def test_a_hooks_reply_send_answers_once_when_allowed(anon_client, chat_channel):
    customer = chat_channel.customer
    HookActionFactory(
        customer=customer,
        special_topic=HookName.POST_SPAM,
        action=ActionFactory(customer=customer, action_type=ActionType.REPLY_SEND),
    )
    line_id, events = Visitor(anon_client, chat_channel).say("Do you ship to Belgium?")
    (answer,) = _ai_lines(events)
    assert answer["kind"] == "ai" and answer["replyTo"] == line_id  # the AI's send is a System line, not a rep's
    assert TicketMessage.objects.filter(reply_to_message_id=line_id, incoming=False).count() == 1


def test_the_policy_turning_mid_stream_stops_the_deltas_and_withdraws_the_bubble(chat_channel, monkeypatch):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel)
    question = TicketMessageFactory(
        customer=chat_channel.customer, ticket=ticket, channel=chat_channel, end_user=ticket.end_user
    )
    monkeypatch.setattr(ai_live, "POLICY_RECHECK_SECONDS", 0)
    sink = ai_live.PolicyGatedSink(
        key=live.ticket_key(ticket.pk), message_id=question.pk, customer_id=question.customer_id
    )
    with live.subscribe(live.ticket_key(ticket.pk)) as events:
        sink("We ")
        sink("ship ")
        ticket_services.ticket_escalate(ticket=ticket)
        sink("to ")
        sink("Belgium.")
        seen = []
        while (event := events.get(timeout=0.1)) is not None:
            seen.append(event)
    assert {"type": "ticket", "escalated": True, "status": "Escalated"} in seen  # the widget drops streams on it too
    assert [event for event in seen if event["type"].startswith("ai.")] == [
        {"type": "ai.delta", "replyTo": question.pk, "delta": "We "},
        {"type": "ai.delta", "replyTo": question.pk, "delta": "ship "},
        {"type": "ai.status", "replyTo": question.pk, "status": "Withheld"},
    ]


def test_a_sink_refused_from_the_start_publishes_nothing(chat_channel):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, ai_answers=False)
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel)
    question = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel)
    sink = ai_live.PolicyGatedSink(
        key=live.ticket_key(ticket.pk), message_id=question.pk, customer_id=question.customer_id
    )
    with live.subscribe(live.ticket_key(ticket.pk)) as events:
        sink("We ship.")
        assert events.get(timeout=0.1) is None


def test_the_policy_is_asked_at_most_every_recheck_interval(chat_channel, monkeypatch, django_assert_max_num_queries):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel)
    question = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel)
    monkeypatch.setattr(ai_live, "POLICY_RECHECK_SECONDS", 60)
    sink = ai_live.PolicyGatedSink(key="k", message_id=question.pk, customer_id=question.customer_id)
    sink("first")
    with django_assert_max_num_queries(0):
        for word in ("a", "b", "c"):
            sink(word)
    assert sink.published == 4


def test_the_poll_and_the_stream_snapshot_show_only_sent_outbound_lines(anon_client, chat_channel, settings):
    settings.WEBCHAT_STREAM_SECONDS = 0
    visitor = Visitor(anon_client, chat_channel)
    visitor.say("Do you ship to Belgium?")
    ticket = Ticket.objects.get(pk=visitor.ticket_id)
    for sender_type in (SenderType.SYSTEM, SenderType.CUSTOMER_REP):
        for status in (MessageStatus.DRAFT, MessageStatus.QUEUED, MessageStatus.FAILED):
            TicketMessageFactory(
                customer=chat_channel.customer,
                ticket=ticket,
                channel=chat_channel,
                incoming=False,
                sender_type=sender_type,
                status=status,
                message="not for the visitor",
            )
    assert "not for the visitor" not in [item["message"] for item in visitor.poll()]
    assert [item["senderType"] for item in visitor.poll()] == ["EndUser", "System"]
    stream = anon_client.get(
        f"/api/WebChat/{chat_channel.token}/stream", {"ticketToken": visitor.token}, HTTP_ORIGIN=ORIGIN
    )
    snapshot = [data for name, data in sse_events(b"".join(stream.streaming_content)) if name == "message"]
    assert [line["kind"] for line in snapshot] == ["visitor", "ai"]


@pytest.mark.parametrize(
    "refusal",
    ["ai_answers_off", "escalated", "assigned", "rep_replied", "spam", "not_in_plan"],
)
def test_ai_answer_send_obeys_every_rule(chat_channel, refusal):
    from billing.models import CustomerSubscription

    customer = chat_channel.customer
    ticket = TicketFactory(customer=customer, channel=chat_channel)
    question = TicketMessageFactory(
        customer=customer,
        ticket=ticket,
        channel=chat_channel,
        end_user=ticket.end_user,
        ai_generated_response="We ship to Belgium.",
        ai_reply_status=AIStepStatus.COMPLETED,
    )
    Ticket.objects.filter(pk=ticket.pk).update(last_end_user_message=question)
    if refusal == "ai_answers_off":
        ChatWidgetFactory(customer=customer, channel=chat_channel, ai_answers=False)
    elif refusal == "escalated":
        ticket_services.ticket_escalate(ticket=ticket)
    elif refusal == "assigned":
        ticket_services.ticket_assign(ticket=ticket, customer_rep_id=CustomerRepFactory(customer=customer).pk)
    elif refusal == "rep_replied":
        TicketMessageFactory(
            customer=customer,
            ticket=ticket,
            incoming=False,
            sender_type=SenderType.CUSTOMER_REP,
            status=MessageStatus.SENT,
            customer_rep=CustomerRepFactory(customer=customer),
        )
    elif refusal == "spam":
        ticket_services.ticket_update(ticket=ticket, changes={"is_spam": True})
    elif refusal == "not_in_plan":
        CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={"hasChat": False})
    assert services.ai_answer_send(message_id=question.pk, customer_id=customer.pk) is None
    assert not TicketMessage.objects.filter(sender_type=SenderType.SYSTEM).exists()


def test_the_visitor_sees_only_lines_of_the_chat_channel_not_a_forward_by_mail(anon_client, chat_channel):
    visitor = Visitor(anon_client, chat_channel)
    visitor.say("Do you ship to Belgium?")
    mail = ChannelFactory(customer=chat_channel.customer, channel_type=ChannelType.EMAIL)
    TicketMessageFactory(
        customer=chat_channel.customer,
        ticket=Ticket.objects.get(pk=visitor.ticket_id),
        channel=mail,
        incoming=False,
        sender_type=SenderType.SYSTEM,
        status=MessageStatus.SENT,
        message="Fw: internal note for accounting",
    )
    assert "Fw: internal note for accounting" not in [item["message"] for item in visitor.poll()]
