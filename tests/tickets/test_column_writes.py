"""The single-UPDATE services ai and messaging write ticket rows through (message columns, AI steps, detected
topics, delivery status, summary): one query each, other columns untouched."""

import pytest

from tests.automation.factories import TopicFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory, TicketMessageTopicFactory
from tickets import services
from tickets.models import AIStepStatus, MessageStatus, Ticket, TicketMessage, TicketMessageTopic

pytestmark = pytest.mark.django_db


def test_message_columns_update_writes_only_its_columns_and_mirrors_them(customer, django_assert_num_queries):
    message = TicketMessageFactory(customer=customer, lang="")
    TicketMessage.objects.filter(pk=message.pk).update(subject="edited meanwhile")
    with django_assert_num_queries(1):
        services.message_columns_update(message=message, changes={"lang": "nl", "is_spam_ai": False})
    assert (message.lang, message.is_spam_ai) == ("nl", False)
    stored = TicketMessage.objects.get(pk=message.pk)
    assert (stored.lang, stored.is_spam_ai, stored.subject) == ("nl", False, "edited meanwhile")


def test_message_columns_update_refuses_the_delivery_status_and_unknown_columns(customer):
    message = TicketMessageFactory(customer=customer)
    for changes in ({"status": MessageStatus.SENT}, {"ticket_id": 1}, {"no_such_column": 1}):
        with pytest.raises(ValueError, match="cannot set"):
            services.message_columns_update(message=message, changes=changes)
    assert TicketMessage.objects.get(pk=message.pk).status == message.status


def test_ai_steps_pend_then_fail_keeps_finished_steps(customer):
    message = TicketMessageFactory(customer=customer)
    services.message_ai_steps_pend(message_id=message.pk)
    stored = TicketMessage.objects.get(pk=message.pk)
    assert {stored.ai_spam_status, stored.ai_topics_status, stored.ai_reply_status} == {AIStepStatus.PENDING}
    TicketMessage.objects.filter(pk=message.pk).update(ai_spam_status=AIStepStatus.COMPLETED)
    services.message_ai_steps_fail(message_id=message.pk)
    stored = TicketMessage.objects.get(pk=message.pk)
    assert stored.ai_spam_status == AIStepStatus.COMPLETED
    assert (stored.ai_topics_status, stored.ai_reply_status) == (AIStepStatus.FAILED, AIStepStatus.FAILED)


def test_detected_topics_replace_uncorrected_ones_and_keep_corrections(customer):
    message = TicketMessageFactory(customer=customer)
    corrected = TicketMessageTopicFactory(customer=customer, message=message, corrected=True)
    stale = TicketMessageTopicFactory(customer=customer, message=message)
    kept, new = TopicFactory(customer=customer), TopicFactory(customer=customer)
    TicketMessageTopicFactory(customer=customer, message=message, topic=kept)
    for _ in range(2):  # idempotent
        services.message_topics_detected_replace(message=message, topic_ids=[kept.pk, new.pk])
    topics = set(TicketMessageTopic.objects.filter(message=message).values_list("topic_id", flat=True))
    assert topics == {corrected.topic_id, kept.pk, new.pk} and stale.topic_id not in topics


def test_delivery_status_marks(customer):
    message = TicketMessageFactory(customer=customer, incoming=False, status=MessageStatus.DRAFT)
    services.message_mark_queued(message_id=message.pk)
    assert TicketMessage.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    services.message_mark_failed(message_id=message.pk)
    assert TicketMessage.objects.get(pk=message.pk).status == MessageStatus.FAILED


def test_ticket_summary_store_changes_only_the_summary(customer, django_assert_num_queries):
    ticket = TicketFactory(customer=customer)
    status, subject = ticket.status, ticket.subject
    with django_assert_num_queries(1):
        services.ticket_summary_store(ticket=ticket, summary="Asked about an order; answered.")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert ticket.summary == stored.summary == "Asked about an order; answered."
    assert (stored.status, stored.subject) == (status, subject)
