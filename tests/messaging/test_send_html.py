"""Replies (POST /api/TicketMessages/{id}/send): an HTML answer is stored and mailed sanitised; plain text with
angle brackets stays text in the stored message and in the mail; in web chat, markup that sanitises to nothing
is kept as written instead of leaving its script's body."""

import base64
import email
from email import policy

import pytest

from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory
from tests.messaging.conftest import GRAPH, MAILBOX
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db
SEND_URL = f"{GRAPH}/users/{MAILBOX}/sendMail"


@pytest.fixture
def inbound(graph_channel):
    ticket = TicketFactory(customer=graph_channel.customer, channel=graph_channel, uid="client@example.com")
    return TicketMessageFactory(
        customer=graph_channel.customer,
        ticket=ticket,
        channel=graph_channel,
        from_address="client@example.com",
        subject="Login",
        ai_generated_response="Try again.",
    )


def _send(client, message, answer, capture):
    with capture(execute=True):
        response = client.post(f"/api/TicketMessages/{message.pk}/send", {"modifiedAnswer": answer}, format="json")
    assert response.status_code == 202, response.content
    return TicketMessage.objects.get(pk=response.json()["messageID"])


def _mailed(route):
    mime = email.message_from_bytes(base64.b64decode(route.calls[-1].request.content), policy=policy.default)
    return mime.get_body(preferencelist=("html",)).get_content(), mime.get_body(preferencelist=("plain",)).get_content()


def test_html_reply_is_stored_and_mailed_sanitised(rep_client, graph_mock, inbound, django_capture_on_commit_callbacks):
    send = graph_mock.post(SEND_URL).respond(202)
    answer = (
        '<p>Please <b>reset</b> via <a href="https://acme.test/reset">this link</a>'
        '<a href="javascript:alert(1)" onclick="alert(2)">.</a></p>'
        '<img src="x" onerror="alert(3)"><script>alert(4)</script>'
    )
    outbound = _send(rep_client, inbound, answer, django_capture_on_commit_callbacks)
    for stored in (outbound.html_body, _mailed(send)[0]):
        assert "<b>reset</b>" in stored and 'href="https://acme.test/reset"' in stored
        assert "javascript:" not in stored and "onclick" not in stored and "onerror" not in stored
        assert "alert(" not in stored and "<script" not in stored
    assert outbound.message == outbound.text_body == "Please reset via this link."
    assert "alert" not in _mailed(send)[1]


def test_plain_text_with_angle_brackets_stays_text(rep_client, graph_mock, inbound, django_capture_on_commit_callbacks):
    send = graph_mock.post(SEND_URL).respond(202)
    outbound = _send(rep_client, inbound, "Press <Ctrl>+<F5>, then log in.", django_capture_on_commit_callbacks)
    assert outbound.message == outbound.text_body == "Press <Ctrl>+<F5>, then log in."
    assert outbound.html_body == ""
    html, text = _mailed(send)
    assert "Press &lt;Ctrl&gt;+&lt;F5&gt;, then log in." in html
    assert text.startswith("Press <Ctrl>+<F5>, then log in.")


def test_chat_reply_keeps_what_the_rep_typed(rep_client, customer, django_capture_on_commit_callbacks):
    chat = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, email_address="", hostnames="acme.test")
    ticket = TicketFactory(customer=customer, channel=chat, channel_type=ChannelType.CHAT)
    inbound = TicketMessageFactory(customer=customer, ticket=ticket, channel=chat, ai_generated_response="Hi")
    # A chat line is text: stored as typed, markup included, and escaped where it is shown (the widget's textContent).
    for typed in ("use <Ctrl>+<F5>", "<script>x</script>", "<p>Fixed <b>now</b></p><script>x</script>"):
        outbound = _send(rep_client, inbound, typed, django_capture_on_commit_callbacks)
        assert outbound.message == outbound.text_body == typed and outbound.html_body == ""
