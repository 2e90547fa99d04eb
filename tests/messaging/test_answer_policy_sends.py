"""Automatic e-mail and WhatsApp answers (the ReplySend action, alone or after ai's draft, and
message_reply_send(automated=True)) obey the answer policy; a representative's own send does not ask it."""

import pytest

from automation.registry import ActionContext, action_handler
from billing.models import CustomerSubscription
from channels_cfg.models import ChannelType
from messaging import services
from messaging.actions import reply_send_action
from messaging.models import OutboxMessage
from tests.accounts.factories import CustomerRepFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets import services as ticket_services
from tickets.models import MessageStatus, SenderType, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def wa_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+32470000001")


@pytest.fixture(params=["email", "whatsapp"])
def channel(request, graph_channel, customer):
    if request.param == "email":
        return graph_channel
    return ChannelFactory(customer=graph_channel.customer, channel_type=ChannelType.WHATSAPP, phone_number="+3247001")


def _question(channel, **fields):
    ticket = TicketFactory(customer=channel.customer, channel=channel)
    return TicketMessageFactory(
        customer=channel.customer,
        ticket=ticket,
        channel=channel,
        end_user=ticket.end_user,
        from_number="+32470999999" if channel.channel_type == ChannelType.WHATSAPP else "",
        **{"ai_generated_response": "Thanks, your parcel leaves today.", **fields},
    )


def _context(message):
    from types import SimpleNamespace

    return ActionContext(customer_id=message.customer_id, message_id=message.pk, action=SimpleNamespace(), trigger="t")


def _refuse(question, refusal):
    customer = question.customer
    if refusal == "escalated":
        ticket_services.message_escalate(message=question)
    elif refusal == "assigned":
        ticket_services.ticket_assign(ticket=question.ticket, customer_rep_id=CustomerRepFactory(customer=customer).pk)
    elif refusal == "rep_replied":
        TicketMessageFactory(
            customer=customer,
            ticket=question.ticket,
            channel=question.channel,
            incoming=False,
            sender_type=SenderType.CUSTOMER_REP,
            customer_rep=CustomerRepFactory(customer=customer),
            status=MessageStatus.SENT,
        )
    elif refusal == "spam":
        ticket_services.ticket_update(ticket=question.ticket, changes={"is_spam": True})
    elif refusal == "not_in_plan":
        feature = "hasEmail" if question.channel.channel_type == ChannelType.EMAIL else "hasPhone"
        CustomerSubscription.objects.filter(customer=customer).update(feature_overrides={feature: False})
    question.refresh_from_db()


REFUSALS = {
    "escalated": "Escalated",
    "assigned": "AssignedToRepresentative",
    "rep_replied": "RepresentativeReplied",
    "spam": "Spam",
    "not_in_plan": "FeatureNotInPlan",
}


def test_reply_send_sends_the_allowed_answer_as_the_platforms_system_message(channel):
    question = _question(channel)
    result = reply_send_action(context=_context(question))
    assert result.status == "Succeeded", result.message
    outbox = OutboxMessage.objects.get()
    assert outbox.automated and outbox.message.sender_type == SenderType.SYSTEM
    assert outbox.message.message == "Thanks, your parcel leaves today."
    question.refresh_from_db()
    # the AI's own send does not count as a representative's reply: the next question may be answered too
    follow_up = TicketMessageFactory(
        customer=question.customer,
        ticket=question.ticket,
        channel=channel,
        end_user=question.end_user,
        from_number=question.from_number,
        ai_generated_response="It arrives tomorrow.",
    )
    assert reply_send_action(context=_context(follow_up)).status == "Succeeded"


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_reply_send_is_skipped_with_the_rule_when_the_policy_refuses(channel, refusal):
    question = _question(channel)
    _refuse(question, refusal)
    result = reply_send_action(context=_context(question))
    assert result.status == "Skipped" and REFUSALS[refusal] in result.message
    assert not OutboxMessage.objects.exists()
    assert not question.ticket.messages.filter(incoming=False, sender_type=SenderType.SYSTEM).exists()


def test_ais_reply_send_drafts_for_the_reps_but_does_not_send_when_refused(wa_channel):
    question = _question(wa_channel, ai_generated_response="")
    ticket_services.message_escalate(message=question)
    question.refresh_from_db()
    result = action_handler("ReplySend")(context=_context(question))
    assert result.status == "Skipped" and "Escalated" in result.message
    question.refresh_from_db()
    assert question.ai_generated_response  # the draft waits for the representative
    assert not OutboxMessage.objects.exists()


def test_automated_message_reply_send_answers_409_when_refused(wa_channel):
    question = _question(wa_channel)
    ticket_services.ticket_update(ticket=question.ticket, changes={"is_spam": True})
    question.refresh_from_db()
    with pytest.raises(Exception) as caught:
        services.message_reply_send(message=question, rep=None, modified_answer=None, automated=True)
    assert (caught.value.status_code, caught.value.code) == (409, services.ANSWER_WITHHELD)
    assert "Spam" in str(caught.value.detail)


def test_a_representatives_own_send_is_not_governed_by_the_policy(wa_channel, rep, rep_client):
    question = _question(wa_channel)
    ticket_services.message_escalate(message=question)
    response = rep_client.post(f"/api/TicketMessages/{question.pk}/send", {"modifiedAnswer": "I am on it."})
    assert response.status_code == 202, response.content
    sent = OutboxMessage.objects.get().message
    assert (sent.sender_type, sent.customer_rep_id, OutboxMessage.objects.get().automated) == (
        SenderType.CUSTOMER_REP,
        rep.pk,
        False,
    )


def test_send_route_still_refuses_another_tenants_message(wa_channel, other_admin_client):
    question = _question(wa_channel)
    assert_problem(other_admin_client.post(f"/api/TicketMessages/{question.pk}/send", {}), 404)


def test_a_queued_ai_answer_is_not_delivered_once_the_policy_refuses(wa_channel, django_capture_on_commit_callbacks):
    import responses as responses_lib

    question = _question(wa_channel)
    assert reply_send_action(context=_context(question)).status == "Succeeded"
    outbox = OutboxMessage.objects.get()
    ticket_services.message_escalate(message=question)  # the end user asks for a person before it went out
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as twilio:
        assert services.outbox_deliver(outbox_id=outbox.pk) == "failed"
        assert not twilio.calls
    outbox.refresh_from_db()
    assert outbox.status == "failed" and "Escalated" in outbox.last_error
    assert outbox.message.status == MessageStatus.FAILED


def test_an_automated_forward_is_the_platforms_and_does_not_silence_the_ai(graph_channel):
    question = _question(graph_channel)
    forward = services.message_forward_send(message=question, rep=None, to_address="books@acme.test", automated=True)
    assert forward.sender_type == SenderType.SYSTEM
    assert reply_send_action(context=_context(question)).status == "Succeeded"


def test_a_representatives_own_forward_means_a_person_handles_it(graph_channel, rep):
    question = _question(graph_channel)
    forward = services.message_forward_send(message=question, rep=rep, to_address="books@acme.test")
    assert forward.sender_type == SenderType.CUSTOMER_REP
    result = reply_send_action(context=_context(question))
    assert result.status == "Skipped" and "RepresentativeReplied" in result.message


def test_a_queued_ai_answer_whose_question_is_gone_is_not_delivered(wa_channel, other_customer):
    import responses as responses_lib

    question = _question(wa_channel)
    assert reply_send_action(context=_context(question)).status == "Succeeded"
    outbox = OutboxMessage.objects.get()
    # The question is not found for this tenant (here: the answer points at another tenant's message).
    foreign = TicketMessageFactory(customer=other_customer)
    TicketMessage.objects.filter(pk=outbox.message_id).update(reply_to_message_id=foreign.pk)
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as twilio:
        assert services.outbox_deliver(outbox_id=outbox.pk) == "failed"
        assert not twilio.calls
    outbox.refresh_from_db()
    assert outbox.status == "failed" and "MessageNotFound" in outbox.last_error
