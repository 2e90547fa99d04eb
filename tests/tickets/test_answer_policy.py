"""The one answer policy (tickets.answer_policy): each rule refuses with its stable code, on each channel type the
AI answers on (chat, e-mail, WhatsApp), and the chat channel's "AI answers" switch registered by webwidget."""

import pytest

from billing.models import CustomerSubscription
from channels_cfg.models import ChannelType
from tests.accounts.factories import CustomerRepFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.tickets.factories import EndUserFactory, TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from tickets import services
from tickets.answer_policy import (
    AnswerRefusal,
    ai_answer_verdict,
    ai_answer_verdict_by_id,
    ai_answers_switch_register,
)
from tickets.models import MessageStatus, SenderType

pytestmark = pytest.mark.django_db

CHANNEL_TYPES = [ChannelType.CHAT, ChannelType.EMAIL, ChannelType.WHATSAPP]


def _question(customer, channel_type=ChannelType.CHAT, **fields):
    channel = ChannelFactory(
        customer=customer,
        channel_type=channel_type,
        email_address="" if channel_type != ChannelType.EMAIL else "support@acme.test",
        phone_number="+32470000001" if channel_type == ChannelType.WHATSAPP else "",
    )
    ticket = TicketFactory(customer=customer, channel=channel)
    return TicketMessageFactory(customer=customer, ticket=ticket, channel=channel, end_user=ticket.end_user, **fields)


def _verdict(message):
    message.refresh_from_db()
    message.ticket.refresh_from_db()
    return ai_answer_verdict(message=message)


@pytest.mark.parametrize("channel_type", CHANNEL_TYPES)
def test_an_end_users_fresh_question_may_be_answered(customer, channel_type):
    verdict = _verdict(_question(customer, channel_type))
    assert verdict.allowed and bool(verdict) and verdict.reason == ""


@pytest.mark.parametrize("channel_type", CHANNEL_TYPES)
def test_escalated_ticket_or_message_is_refused(customer, channel_type):
    question = _question(customer, channel_type)
    services.message_escalate(message=question, comment="A person please")
    assert _verdict(question).reason == AnswerRefusal.ESCALATED
    other = _question(customer, channel_type)
    services.ticket_escalate(ticket=other.ticket)
    assert _verdict(other).reason == AnswerRefusal.ESCALATED


@pytest.mark.parametrize("channel_type", CHANNEL_TYPES)
def test_a_ticket_taken_by_a_representative_is_refused(customer, channel_type):
    question = _question(customer, channel_type)
    services.ticket_assign(ticket=question.ticket, customer_rep_id=CustomerRepFactory(customer=customer).pk)
    assert _verdict(question).reason == AnswerRefusal.ASSIGNED


@pytest.mark.parametrize("channel_type", CHANNEL_TYPES)
def test_a_representatives_reply_in_the_ticket_is_refused_but_not_his_draft_or_an_ai_send(customer, channel_type):
    question = _question(customer, channel_type)
    rep = CustomerRepFactory(customer=customer)

    def outbound(sender_type, status):
        return TicketMessageFactory(
            customer=customer,
            ticket=question.ticket,
            channel=question.channel,
            incoming=False,
            sender_type=sender_type,
            customer_rep=rep if sender_type == SenderType.CUSTOMER_REP else None,
            status=status,
        )

    outbound(SenderType.CUSTOMER_REP, MessageStatus.DRAFT)  # still writing: the AI may answer meanwhile
    outbound(SenderType.SYSTEM, MessageStatus.SENT)  # the AI's own earlier answer
    assert _verdict(question).allowed
    outbound(SenderType.CUSTOMER_REP, MessageStatus.QUEUED)
    assert _verdict(question).reason == AnswerRefusal.REPRESENTATIVE_REPLIED


@pytest.mark.parametrize("channel_type", CHANNEL_TYPES)
def test_spam_ticket_or_message_is_refused(customer, channel_type):
    assert _verdict(_question(customer, channel_type, is_spam_ai=True)).reason == AnswerRefusal.SPAM
    question = _question(customer, channel_type)
    services.ticket_update(ticket=question.ticket, changes={"is_spam": True})
    assert _verdict(question).reason == AnswerRefusal.SPAM


@pytest.mark.parametrize(
    ("channel_type", "feature"),
    [(ChannelType.CHAT, "hasChat"), (ChannelType.EMAIL, "hasEmail"), (ChannelType.WHATSAPP, "hasPhone")],
)
def test_a_channel_type_outside_the_plan_is_refused(customer, channel_type, feature):
    question = _question(customer, channel_type)
    CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={feature: False})
    verdict = _verdict(question)
    assert verdict.reason == AnswerRefusal.NOT_IN_PLAN and feature in verdict.detail


def test_a_customer_without_a_subscription_is_refused(customer):
    question = _question(customer)
    CustomerSubscription.objects.filter(customer=customer).delete()
    assert _verdict(question).reason == AnswerRefusal.NOT_IN_PLAN


def test_the_chat_switch_ai_answers_off_is_refused_and_other_types_have_none(customer):
    question = _question(customer, ChannelType.CHAT)
    widget = ChatWidgetFactory(customer=customer, channel=question.channel, ai_answers=False)
    assert _verdict(question).reason == AnswerRefusal.AI_ANSWERS_OFF
    widget.ai_answers = True
    widget.save()
    assert _verdict(question).allowed


def test_a_registered_switch_governs_its_channel_type(customer):
    question = _question(customer, ChannelType.WHATSAPP)
    seen = []

    def whatsapp_switch(*, channel):
        seen.append(channel.pk)
        return False

    ai_answers_switch_register(channel_type=ChannelType.WHATSAPP, switch=whatsapp_switch)
    try:
        assert _verdict(question).reason == AnswerRefusal.AI_ANSWERS_OFF and seen == [question.channel_id]
    finally:
        from tickets import answer_policy

        answer_policy._switches.pop(ChannelType.WHATSAPP)
    assert _verdict(question).allowed


@pytest.mark.parametrize("change", [{"is_active": False}, {"deleted_at": "2026-01-01T00:00:00Z"}])
def test_an_inactive_or_deleted_channel_is_refused(customer, change):
    question = _question(customer)
    type(question.channel).objects.filter(pk=question.channel_id).update(**change)
    question.channel.refresh_from_db()
    assert _verdict(question).reason == AnswerRefusal.CHANNEL_UNAVAILABLE


def test_only_an_end_users_inbound_message_gets_an_ai_answer(customer):
    question = _question(customer)
    rep_line = TicketMessageFactory(
        customer=customer, ticket=question.ticket, incoming=False, sender_type=SenderType.CUSTOMER_REP
    )
    note = TicketMessageFactory(customer=customer, ticket=question.ticket, sender_type=SenderType.CUSTOMER_REP)
    assert _verdict(rep_line).reason == AnswerRefusal.NOT_END_USER_MESSAGE
    assert _verdict(note).reason == AnswerRefusal.NOT_END_USER_MESSAGE


def test_a_line_of_another_end_user_on_the_ticket_is_refused(customer):
    question = _question(customer)
    stranger = TicketMessageFactory(
        customer=customer, ticket=question.ticket, end_user=EndUserFactory(customer=customer)
    )
    assert _verdict(stranger).reason == AnswerRefusal.OTHER_CONVERSATION
    other_ticket = TicketFactory(customer=customer, channel=question.channel)
    assert ai_answer_verdict(message=question, ticket=other_ticket).reason == AnswerRefusal.OTHER_CONVERSATION


def test_rules_are_checked_in_order_the_first_refusal_is_named(customer):
    question = _question(customer, is_spam_ai=True)
    ChatWidgetFactory(customer=customer, channel=question.channel, ai_answers=False)
    services.ticket_escalate(ticket=question.ticket)
    assert _verdict(question).reason == AnswerRefusal.AI_ANSWERS_OFF


def test_by_id_refuses_another_customers_or_a_gone_message(customer, other_customer):
    question = _question(customer)
    assert ai_answer_verdict_by_id(message_id=question.pk, customer_id=customer.pk).allowed
    foreign = ai_answer_verdict_by_id(message_id=question.pk, customer_id=other_customer.pk)
    assert foreign.reason == AnswerRefusal.MESSAGE_NOT_FOUND
    assert ai_answer_verdict_by_id(message_id=question.pk + 999, customer_id=customer.pk).reason == (
        AnswerRefusal.MESSAGE_NOT_FOUND
    )


def test_the_verdict_costs_a_fixed_number_of_queries(customer, django_assert_max_num_queries):
    question = _question(customer)
    with django_assert_max_num_queries(5):
        assert ai_answer_verdict_by_id(message_id=question.pk, customer_id=customer.pk).allowed
