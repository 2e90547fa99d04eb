"""End to end through inbound mail (IMAP parse and the Graph import): automated mail is screened out before a reply
draft; the spam step reads the tenant's own marks, the sender's history and the tenant's languages."""

import json
from email import policy
from email.parser import BytesParser

import pytest

from ai import selectors
from channels_cfg.models import ChannelType
from messaging import services as messaging
from tests.channels_cfg.factories import ChannelFactory
from tests.messaging.conftest import graph_message, mock_graph_messages
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets import services as ticket_services
from tickets.models import AIStepStatus, SenderType, TicketMessage

pytestmark = pytest.mark.django_db

DESK = "desk@acme.test"


@pytest.fixture
def mail_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.EMAIL, email_address=DESK)


def _mail(*, subject: str, body: str, sender: str = "jan@example.be", extra: str = "", message_id: str = "m1") -> bytes:
    return (
        f"From: Jan <{sender}>\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}@example.be>\r\n"
        f"Date: Mon, 07 Dec 2026 10:00:00 +0100\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _import(channel, raw: bytes, capture) -> TicketMessage:
    parsed = messaging.rfc822_mail_parse(BytesParser(policy=policy.default).parsebytes(raw), DESK)
    with capture(execute=True):
        message = messaging.mail_import(channel=channel, mail=parsed)
    return TicketMessage.objects.select_related("ticket").get(pk=message.pk)


def test_a_customer_mail_gets_a_draft(mail_channel, django_capture_on_commit_callbacks):
    message = _import(
        mail_channel,
        _mail(subject="Levering", body="Goeiedag, mijn bestelling 5521 is nog altijd niet geleverd. Wanneer komt ze?"),
        django_capture_on_commit_callbacks,
    )
    assert message.is_spam_ai is False and message.ai_reply_status == AIStepStatus.COMPLETED
    assert message.ai_generated_response and not message.ticket.is_spam


@pytest.mark.parametrize(
    ("extra", "sender", "subject", "body"),
    [
        ("Auto-Submitted: auto-replied\r\n", "jan@example.be", "Re: uw vraag", "Bedankt, ik lees uw mail maandag."),
        ("X-Autoreply: yes\r\n", "jan@example.be", "Automatisch antwoord", "Ik ben afwezig tot 3 januari."),
        ("Precedence: bulk\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n", "news@shop.example", "Sale", "-50%!"),
        ("", "MAILER-DAEMON@mx.example.be", "Undeliverable: Re: uw offerte", "550 5.1.1 user unknown"),
    ],
)
def test_automated_mail_never_gets_a_reply_draft(
    mail_channel, django_capture_on_commit_callbacks, extra, sender, subject, body
):
    message = _import(
        mail_channel, _mail(subject=subject, body=body, sender=sender, extra=extra), django_capture_on_commit_callbacks
    )
    assert message.ai_spam_status == AIStepStatus.COMPLETED and message.is_spam_ai is True
    assert message.ai_reply_status == AIStepStatus.SKIPPED and message.ai_topics_status == AIStepStatus.SKIPPED
    assert message.ai_generated_response == ""
    assert message.ticket.is_spam  # a new conversation started by a machine goes to the spam folder


def test_an_out_of_office_inside_a_conversation_gets_no_draft_but_keeps_the_ticket(
    customer, mail_channel, django_capture_on_commit_callbacks
):
    first = _import(
        mail_channel,
        _mail(subject="Factuur", body="Kunt u mij de factuur van mijn bestelling sturen?", message_id="q1"),
        django_capture_on_commit_callbacks,
    )
    reply = _mail(
        subject="Automatisch antwoord: Re: Factuur",
        body="Ik ben afwezig tot maandag.",
        extra="Auto-Submitted: auto-replied\r\nIn-Reply-To: <q1@example.be>\r\nReferences: <q1@example.be>\r\n",
        message_id="ooo1",
    )
    automatic = _import(mail_channel, reply, django_capture_on_commit_callbacks)
    assert automatic.ticket_id == first.ticket_id
    assert automatic.is_spam_ai is True and automatic.ai_reply_status == AIStepStatus.SKIPPED
    assert not automatic.ai_generated_response and not automatic.ticket.is_spam


def test_the_graph_import_passes_the_headers_to_the_spam_step(
    graph_mock, graph_folder, django_capture_on_commit_callbacks
):
    mock_graph_messages(
        graph_mock,
        [
            graph_message(
                31,
                subject="Out of office",
                headers=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
                body="<p>I am out of the office until Monday.</p>",
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert messaging.graph_folder_import(folder=graph_folder) == 1
    message = TicketMessage.objects.get(message_identifier="<mail-31@example.com>")
    assert "Auto-Submitted: auto-replied" in message.headers
    assert message.is_spam_ai is True and message.ai_reply_status == AIStepStatus.SKIPPED
    assert not message.ai_generated_response


def test_spam_context_reads_the_tenants_corrections_and_the_senders_history(customer, other_customer):
    # a representative moved an AI-accepted message to spam, and rescued an AI-flagged one
    marked = TicketFactory(customer=customer, uid="pitch@seo.example")
    TicketMessageFactory(customer=customer, ticket=marked, text_body="We rank you first on Google", is_spam_ai=False)
    ticket_services.ticket_update(ticket=marked, changes={"is_spam": True})
    rescued = TicketFactory(customer=customer, uid="jan@example.be")
    TicketMessageFactory(customer=customer, ticket=rescued, text_body="Offerte voor 30 stoelen?", is_spam_ai=True)
    TicketMessageFactory(
        customer=customer, ticket=rescued, sender_type=SenderType.CUSTOMER_REP, incoming=False, text_body="Zeker!"
    )
    # agreement between the AI and the ticket is no correction; another tenant's marks are not ours
    agreed = TicketFactory(customer=customer, uid="x@example.be")
    TicketMessageFactory(customer=customer, ticket=agreed, text_body="Hallo", is_spam_ai=False)
    foreign = TicketFactory(customer=other_customer, uid="pitch@seo.example")
    TicketMessageFactory(customer=other_customer, ticket=foreign, text_body="Cheap backlinks", is_spam_ai=False)
    ticket_services.ticket_update(ticket=foreign, changes={"is_spam": True})

    # an auto-reply to our own first mail stays out of the spam folder: that is no "not spam" decision
    ours = TicketFactory(customer=customer, uid="ooo@example.be")
    TicketMessageFactory(
        customer=customer, ticket=ours, sender_type=SenderType.CUSTOMER_REP, incoming=False, text_body="Uw offerte"
    )
    TicketMessageFactory(
        customer=customer,
        ticket=ours,
        text_body="Ik ben afwezig",
        headers="Auto-Submitted: auto-replied",
        is_spam_ai=True,
    )

    new = TicketMessageFactory(customer=customer, ticket=TicketFactory(customer=customer, uid="pitch@seo.example"))
    context = selectors.spam_context(message=new)
    assert {(mark.text.split("\n")[-1], mark.is_spam) for mark in context.marks} == {
        ("We rank you first on Google", True),
        ("Offerte voor 30 stoelen?", False),
    }
    assert (context.sender_spam, context.sender_genuine) == (1, 0)
    from_jan = TicketMessageFactory(customer=customer, ticket=TicketFactory(customer=customer, uid="jan@example.be"))
    assert selectors.spam_context(message=from_jan).sender_genuine == 1


def test_tenant_languages_come_from_recent_messages_and_channel_translations(customer):
    for lang, n in (("fr", 5), ("nl", 3)):
        for _ in range(n):
            TicketMessageFactory(customer=customer, lang=lang)
    TicketMessageFactory(customer=customer, lang="nl", incoming=False, sender_type=SenderType.CUSTOMER_REP)
    selectors._tenant_languages.clear()
    assert selectors.tenant_languages(customer_id=customer.pk) == ("fr", "nl")


def test_with_an_openai_spam_model_automated_mail_is_still_screened_out(
    openai_customer, openai_mock, django_capture_on_commit_callbacks
):
    """The model says "not spam" for an out-of-office; the offline signals (headers) still stop the pipeline."""
    from tests.ai.openai_fakes import CHAT_URL, json_completion

    route = openai_mock.post(CHAT_URL).respond(200, json=json_completion({"isSpam": False, "score": 0.1}))
    channel = ChannelFactory(customer=openai_customer, channel_type=ChannelType.EMAIL, email_address=DESK)
    message = _import(
        channel,
        _mail(subject="Re: offerte", body="Ik ben met verlof.", extra="Auto-Submitted: auto-replied\r\n"),
        django_capture_on_commit_callbacks,
    )
    assert route.call_count == 1  # the spam call only: no topics, no draft
    assert "Auto-Submitted: auto-replied" in json.loads(route.calls[0].request.content)["messages"][-1]["content"]
    assert message.is_spam_ai is True and message.ai_reply_status == AIStepStatus.SKIPPED
