"""The widget's routes under /api/WebChat/{channelToken}/ (config, conversations, stream, feedback, escalate): the
hostname check and CORS of every web-chat route, validation, other tenants' tokens, throttles and query counts."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels_cfg.models import ChannelType
from tests.accounts.factories import CustomerRepFactory
from tests.channels_cfg.factories import ChannelFactory, ChannelTranslationFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from tests.webwidget.sse import sse_events
from tickets.models import SenderType, Ticket, TicketMessage, TicketStatus
from webwidget.models import PrechatForm

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.acme.test"


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test", email_address="")


@pytest.fixture
def other_chat_channel(other_customer):
    return ChannelFactory(
        customer=other_customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test", email_address=""
    )


def _url(channel, route: str) -> str:
    return f"/api/WebChat/{channel.token}/{route}"


def _answered_ticket(channel):
    ticket = TicketFactory(customer=channel.customer, channel=channel, channel_type=ChannelType.CHAT)
    question = TicketMessageFactory(customer=channel.customer, ticket=ticket, channel=channel, message="Hours?")
    answer = TicketMessageFactory(
        customer=channel.customer,
        ticket=ticket,
        channel=channel,
        incoming=False,
        sender_type=SenderType.SYSTEM,
        status="Sent",
        message="From 9 to 5.",
        reply_to_message=question,
    )
    ticket.last_end_user_message = question
    ticket.save()
    return ticket, question, answer


# --- GET widget -----------------------------------------------------------------------------------------------


def test_config_has_the_channels_settings_and_texts_in_the_visitors_language(anon_client, chat_channel):
    ChatWidgetFactory(
        customer=chat_channel.customer, channel=chat_channel, accent_color="#aa0000", prechat_form=PrechatForm.REQUIRED
    )
    ChannelTranslationFactory(
        customer=chat_channel.customer,
        channel=chat_channel,
        lang="nl",
        translations={"send": "Verstuur", "title": "Chat met ons", "notAKey": "ignored"},
    )
    ChannelTranslationFactory(
        customer=chat_channel.customer, channel=chat_channel, lang="en", is_default=True, translations={"send": "Go"}
    )
    response = anon_client.get(_url(chat_channel, "widget"), {"lang": "nl-BE"}, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200, response.content
    data = response.json()
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert (data["lang"], data["title"], data["texts"]["send"]) == ("nl", "Chat met ons", "Verstuur")
    assert data["texts"]["escalate"] == "Talk to a person" and "notAKey" not in data["texts"]
    assert (data["accentColor"], data["prechatForm"], data["aiAnswers"]) == ("#aa0000", "Required", True)
    assert data["streamPath"] == f"/api/WebChat/{chat_channel.token}/stream"
    fallback = anon_client.get(_url(chat_channel, "widget"), {"lang": "fr"}, HTTP_ORIGIN=ORIGIN).json()
    assert (fallback["lang"], fallback["texts"]["send"], fallback["prechatForm"]) == ("en", "Go", "Required")


def test_config_without_widget_row_or_translations_uses_the_defaults(
    anon_client, chat_channel, django_assert_num_queries
):
    with django_assert_num_queries(5):  # channel, plan, widget row, translation, default-translation channel
        data = anon_client.get(_url(chat_channel, "widget"), {"lang": "de"}, HTTP_REFERER=f"{ORIGIN}/shop").json()
    assert (data["lang"], data["title"], data["prechatForm"], data["aiAnswers"]) == ("en", "Chat with us", "Off", True)


def test_config_refusals_are_readable_by_the_refused_page(anon_client, chat_channel, customer):
    refused = anon_client.get(_url(chat_channel, "widget"), HTTP_ORIGIN="https://evil.test")
    assert_problem(refused, 403, "HostnameNotAllowed")
    assert refused["Access-Control-Allow-Origin"] == "https://evil.test"  # so the widget can say why
    assert_problem(anon_client.get(_url(chat_channel, "widget")), 403, "HostnameNotAllowed")
    unknown = anon_client.get(f"/api/WebChat/{uuid.uuid4()}/widget", HTTP_ORIGIN=ORIGIN)
    assert_problem(unknown, 404, "ChannelNotFound")
    mail = ChannelFactory(customer=customer, hostnames="www.acme.test")
    assert_problem(anon_client.get(_url(mail, "widget"), HTTP_ORIGIN=ORIGIN), 404, "ChannelNotFound")
    customer.subscription.feature_overrides = {"hasChat": False}
    customer.subscription.save()
    assert_problem(anon_client.get(_url(chat_channel, "widget"), HTTP_ORIGIN=ORIGIN), 403, "FeatureNotInPlan")


def test_preflight_answers_the_allowed_origin_only(anon_client, chat_channel):
    response = anon_client.options(_url(chat_channel, "conversations"), HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    refused = anon_client.options(_url(chat_channel, "conversations"), HTTP_ORIGIN="https://evil.test")
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


# --- POST conversations ---------------------------------------------------------------------------------------


def test_conversation_from_the_prechat_form_finds_the_end_user_by_email(anon_client, chat_channel):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, prechat_form=PrechatForm.REQUIRED)
    body = {"name": "Eva", "email": "eva@example.com"}
    response = anon_client.post(_url(chat_channel, "conversations"), body, format="json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(token=response.json()["ticketToken"])
    assert response.json()["ticketID"] == ticket.pk
    assert (ticket.customer_id, ticket.channel_id, ticket.channel_type) == (
        chat_channel.customer_id,
        chat_channel.pk,
        "Chat",
    )
    assert ticket.uid == "eva@example.com" and ticket.end_user.firstname == "Eva"
    again = anon_client.post(_url(chat_channel, "conversations"), body, format="json", HTTP_ORIGIN=ORIGIN).json()
    assert Ticket.objects.get(token=again["ticketToken"]).end_user_id == ticket.end_user_id  # the same person


def test_conversation_validation(anon_client, chat_channel):
    widget = ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, prechat_form=PrechatForm.REQUIRED)
    response = anon_client.post(_url(chat_channel, "conversations"), {}, format="json", HTTP_ORIGIN=ORIGIN)
    problem = assert_problem(response, 400)
    assert set(problem["errors"]) == {"name", "email"}
    bad = {"name": "Eva", "email": "not-an-address"}
    assert_problem(anon_client.post(_url(chat_channel, "conversations"), bad, format="json", HTTP_ORIGIN=ORIGIN), 400)
    widget.prechat_form = PrechatForm.OFF
    widget.save()
    response = anon_client.post(_url(chat_channel, "conversations"), {}, format="json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201 and Ticket.objects.get(token=response.json()["ticketToken"]).end_user is None
    refused = anon_client.post(_url(chat_channel, "conversations"), {}, format="json", HTTP_ORIGIN="https://evil.test")
    assert_problem(refused, 403, "HostnameNotAllowed")
    assert Ticket.objects.count() == 1


# --- POST feedback / escalate ---------------------------------------------------------------------------------


def test_feedback_rates_the_latest_answer_and_says_who_can_take_over(anon_client, chat_channel, customer):
    ticket, _, answer = _answered_ticket(chat_channel)
    customer.default_customer_rep = CustomerRepFactory(customer=customer, name="Ann Agent")
    customer.save()
    body = {"ticketToken": str(ticket.token), "like": False}
    response = anon_client.post(_url(chat_channel, "feedback"), body, format="json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200, response.content
    assert response.json() == {"messageID": answer.pk, "agentAvailable": True, "customerRepName": "Ann Agent"}
    answer.refresh_from_db()
    assert answer.is_liked is False
    assert_problem(
        anon_client.post(
            _url(chat_channel, "feedback"), {"ticketToken": str(ticket.token)}, format="json", HTTP_ORIGIN=ORIGIN
        ),
        400,
    )


def test_escalate_passes_the_chat_to_a_person(anon_client, chat_channel):
    ticket, question, _ = _answered_ticket(chat_channel)
    body = {"ticketToken": str(ticket.token), "aI_FeedbackComment": "I want a person"}
    response = anon_client.post(_url(chat_channel, "escalate"), body, format="json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response.json() == {  # no business hours: nothing about when a person answers
        "message": "Your request was passed on to a representative.",
        "awayLine": "",
        "nextOpen": None,
    }
    ticket.refresh_from_db()
    question.refresh_from_db()
    assert ticket.escalated and ticket.status == TicketStatus.ESCALATED and ticket.ai_feedback_comments[0]
    assert question.is_escalated and question.ai_feedback_comment == "I want a person"
    assert_problem(anon_client.post(_url(chat_channel, "escalate"), {}, format="json", HTTP_ORIGIN=ORIGIN), 400)


@pytest.mark.parametrize("route", ["feedback", "escalate"])
def test_token_routes_refuse_other_sites_and_other_channels_tickets(
    anon_client, chat_channel, other_chat_channel, route
):
    foreign, _, _ = _answered_ticket(other_chat_channel)
    mine, _, _ = _answered_ticket(chat_channel)
    body = {"ticketToken": str(foreign.token), "like": True}
    response = anon_client.post(_url(chat_channel, route), body, format="json", HTTP_ORIGIN=ORIGIN)
    assert_problem(response, 404, "TicketNotFound")
    body["ticketToken"] = str(mine.token)
    refused = anon_client.post(_url(chat_channel, route), body, format="json", HTTP_ORIGIN="https://evil.test")
    assert_problem(refused, 403, "HostnameNotAllowed")
    foreign.refresh_from_db()
    assert not foreign.escalated


def test_widget_routes_are_throttled_per_address_and_channel(anon_client, chat_channel, settings):
    settings.WEBCHAT_RATE = "2/min"
    post = lambda: anon_client.post(  # noqa: E731
        _url(chat_channel, "conversations"), {}, format="json", HTTP_ORIGIN=ORIGIN
    )
    assert [post().status_code for _ in range(2)] == [201, 201]
    assert_problem(post(), 429, "RateLimited")


# --- the snippet on the channel and the demo page -------------------------------------------------------------


def test_channels_show_the_snippet_of_chat_channels(admin_client, chat_channel, customer, settings):
    settings.PUBLIC_BASE_URL = "https://chat.example.com/"
    data = admin_client.get(f"/api/Channels/{chat_channel.pk}").json()
    assert data["widgetSnippet"] == (
        f'<script src="https://chat.example.com/widget/v1.js" data-channel-token="{chat_channel.token}" async></script>'
    )
    mail = ChannelFactory(customer=customer)
    assert admin_client.get(f"/api/Channels/{mail.pk}").json()["widgetSnippet"] == ""


def test_the_demo_page_carries_the_snippet_only_when_enabled(client, customer, settings):
    channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="testserver", email_address="")
    settings.WEBWIDGET_DEMO = False
    assert client.get("/demo/chat").status_code == 404
    settings.WEBWIDGET_DEMO = True
    page = client.get("/demo/chat").content.decode()
    assert f'data-channel-token="{channel.token}"' in page and 'src="http://testserver/widget/v1.js"' in page
    channel.hostnames = "shop.example"
    channel.save()
    assert "No active chat channel allows the host" in client.get("/demo/chat").content.decode()


def test_the_widget_script_is_served_at_its_versioned_path(client):
    response = client.get("/widget/v1.js")
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"attachShadow" in body and b"data-channel-token" in body


# --- POST files -----------------------------------------------------------------------------------------------


def test_a_visitor_sends_a_file_into_the_conversation(anon_client, chat_channel, django_capture_on_commit_callbacks):
    ticket, _, _ = _answered_ticket(chat_channel)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    body = {"ticketToken": str(ticket.token), "file": SimpleUploadedFile("broken.png", png), "message": "See this"}
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_client.post(_url(chat_channel, "files"), body, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201, response.content
    line = TicketMessage.objects.get(pk=response.json()["messageID"])
    attachment = line.attachments.get()
    assert (line.ticket_id, line.sender_type, line.message, line.has_attachment) == (
        ticket.pk,
        "EndUser",
        "See this",
        True,
    )
    assert (attachment.file_name, attachment.content_type, attachment.is_end_user_provided) == (
        "broken.png",
        "image/png",
        True,
    )
    assert anon_client.get(f"/api/File/{attachment.access_token}").status_code == 200
    stream = anon_client.get(
        _url(chat_channel, "stream"), {"ticketToken": str(ticket.token), "after": line.pk - 1}, HTTP_ORIGIN=ORIGIN
    )
    first = next(data for name, data in sse_events(b"".join(stream.streaming_content)) if name == "message")
    assert first["attachments"] == [
        {
            "fileName": "broken.png",
            "contentType": "image/png",
            "size": len(png),
            "url": f"/api/File/{attachment.access_token}",
        }
    ]


def test_file_rules_and_refusals(anon_client, chat_channel, other_chat_channel, settings):
    settings.ANSWERPAL_MAX_UPLOAD_BYTES = 10
    ticket, _, _ = _answered_ticket(chat_channel)
    foreign, _, _ = _answered_ticket(other_chat_channel)
    big = {"ticketToken": str(ticket.token), "file": SimpleUploadedFile("big.txt", b"x" * 11)}
    lines = TicketMessage.objects.filter(ticket=ticket).count()
    assert_problem(anon_client.post(_url(chat_channel, "files"), big, HTTP_ORIGIN=ORIGIN), 413, "FileTooLarge")
    assert TicketMessage.objects.filter(ticket=ticket).count() == lines  # nothing half written
    assert_problem(
        anon_client.post(_url(chat_channel, "files"), {"ticketToken": str(ticket.token)}, HTTP_ORIGIN=ORIGIN), 400
    )
    other = {"ticketToken": str(foreign.token), "file": SimpleUploadedFile("a.txt", b"a")}
    assert_problem(anon_client.post(_url(chat_channel, "files"), other, HTTP_ORIGIN=ORIGIN), 404, "TicketNotFound")
    mine = {"ticketToken": str(ticket.token), "file": SimpleUploadedFile("a.txt", b"a")}
    refused = anon_client.post(_url(chat_channel, "files"), mine, HTTP_ORIGIN="https://evil.test")
    assert_problem(refused, 403, "HostnameNotAllowed")
