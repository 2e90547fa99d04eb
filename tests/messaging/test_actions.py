import base64
from types import SimpleNamespace

import pytest

from automation.registry import ActionContext, action_handler
from messaging.actions import is_automated_mail, reply_send_action
from messaging.models import OutboxMessage
from tests.messaging.conftest import GRAPH, MAILBOX
from tests.tickets.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("headers", "automated"),
    [
        ("Auto-Submitted: auto-replied\nSubject: Out of office", True),
        ("Precedence: bulk", True),
        ("X-Autoreply: yes", True),
        ("Auto-Submitted: no\nSubject: hi", False),
        ("Subject: Auto-Submitted: auto-replied mentioned in a subject", False),
        ("", False),
    ],
)
def test_automated_mail_detection(headers, automated):
    assert is_automated_mail(headers) is automated


def _context(message):
    return ActionContext(customer_id=message.customer_id, message_id=message.pk, action=SimpleNamespace(), trigger="t")


def test_reply_send_sends_the_ai_answer(graph_mock, graph_channel, django_capture_on_commit_callbacks):
    send = graph_mock.post(f"{GRAPH}/users/{MAILBOX}/sendMail").respond(202)
    message = TicketMessageFactory(
        customer=graph_channel.customer,
        ticket=TicketFactory(customer=graph_channel.customer, channel=graph_channel),
        channel=graph_channel,
        ai_generated_response="Thanks, we are on it.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = reply_send_action(context=_context(message))
    assert result.status == "Succeeded" and send.call_count == 1
    mime = base64.b64decode(send.calls[0].request.content)
    assert b"Auto-Submitted: auto-replied" in mime


def test_reply_send_never_answers_an_out_of_office(graph_channel):
    message = TicketMessageFactory(
        customer=graph_channel.customer,
        ticket=TicketFactory(customer=graph_channel.customer, channel=graph_channel),
        channel=graph_channel,
        headers="Auto-Submitted: auto-replied",
        ai_generated_response="Thanks, we are on it.",
    )
    assert reply_send_action(context=_context(message)).status == "Skipped"
    assert not OutboxMessage.objects.exists()


def test_reply_send_without_answer_fails_with_reason(graph_channel):
    message = TicketMessageFactory(
        customer=graph_channel.customer,
        ticket=TicketFactory(customer=graph_channel.customer, channel=graph_channel),
        channel=graph_channel,
    )
    result = reply_send_action(context=_context(message))
    assert result.status == "Failed" and "ValidationFailed" in result.message


def test_registered_in_the_action_registry():
    assert action_handler("Forward") is not None and action_handler("ReplySend") is not None
