"""GET / PUT / PATCH /api/Channels/{channelId}/widget (a chat channel's widget settings, ManageSettings to write),
POST /api/Tickets/{ticketId}/typing (a representative typing, live to the visitor) and what the public widget
route and the escalation answer make of the settings."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from answerpal import live
from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory, ChannelTranslationFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from tickets.models import SenderType, TicketMessage
from webwidget.hours import DAYS
from webwidget.models import ChatWidget
from webwidget.selectors import chat_line, chat_lines

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.acme.test"

HOURS = {
    "timeZone": "Europe/Brussels",
    "weekly": [
        {"day": "Tuesday", "open": "09:00", "close": "12:30"},
        {"day": "Monday", "open": "09:00", "close": "17:00"},
        {"day": "Tuesday", "open": "13:30", "close": "17:00"},
    ],
    "holidays": ["2026-12-25", "2026-12-24"],
}


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, hostnames="www.acme.test", email_address="")


def _url(channel) -> str:
    return f"/api/Channels/{channel.pk}/widget"


def test_defaults_without_a_row_keep_todays_widget(rep_client, chat_channel):
    response = rep_client.get(_url(chat_channel))  # any representative reads
    assert response.status_code == 200, response.content
    assert response.json() == {
        "channelID": chat_channel.pk,
        "title": "",
        "accentColor": "#2563eb",
        "position": "Right",
        "prechatForm": "Off",
        "aiAnswers": True,
        "consentText": "",
        "consentURL": "",
        "sound": False,
        "businessHours": {"timeZone": "UTC", "weekly": [], "holidays": []},
        "awayMessage": "",
        "dateUpdated": None,
    }
    assert not ChatWidget.objects.exists()


def test_put_sets_every_setting_and_patch_changes_only_what_it_names(admin_client, chat_channel):
    body = {
        "title": "Acme help",
        "accentColor": "#0F172A",
        "position": "Left",
        "prechatForm": "Optional",
        "aiAnswers": False,
        "consentText": "We keep chats 30 days.",
        "consentURL": "https://www.acme.test/privacy",
        "sound": True,
        "businessHours": HOURS,
        "awayMessage": "Back {next}.",
    }
    response = admin_client.put(_url(chat_channel), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["businessHours"] == {
        "timeZone": "Europe/Brussels",
        "weekly": [  # sorted by day, then opening
            {"day": "Monday", "open": "09:00", "close": "17:00"},
            {"day": "Tuesday", "open": "09:00", "close": "12:30"},
            {"day": "Tuesday", "open": "13:30", "close": "17:00"},
        ],
        "holidays": ["2026-12-24", "2026-12-25"],
    }
    assert {key: data[key] for key in body if key != "businessHours"} == {
        key: value for key, value in body.items() if key != "businessHours"
    }
    widget = ChatWidget.objects.get(channel=chat_channel)
    assert (widget.customer_id, widget.position, widget.ai_answers, widget.time_zone) == (
        chat_channel.customer_id,
        "Left",
        False,
        "Europe/Brussels",
    )
    assert admin_client.get(_url(chat_channel)).json() == data

    patched = admin_client.patch(_url(chat_channel), {"sound": False}, format="json").json()
    assert patched["sound"] is False and patched["businessHours"] == data["businessHours"]
    assert patched["title"] == "Acme help"
    replaced = admin_client.put(_url(chat_channel), {"title": "Only a title"}, format="json").json()
    assert replaced["businessHours"]["weekly"] == [] and replaced["position"] == "Right"  # PUT: defaults again
    assert ChatWidget.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accentColor": "blue"}, "accentColor"),
        ({"accentColor": "#12345"}, "accentColor"),
        ({"position": "Top"}, "position"),
        ({"consentURL": "javascript:alert(1)"}, "consentURL"),
        ({"businessHours": {"timeZone": "Mars/Olympus"}}, "businessHours"),
        ({"businessHours": {"timeZone": ""}}, "businessHours"),
        ({"businessHours": {"weekly": [{"day": "Funday", "open": "09:00", "close": "17:00"}]}}, "businessHours"),
        ({"businessHours": {"weekly": [{"day": "Monday", "open": "9", "close": "17:00"}]}}, "businessHours"),
        ({"businessHours": {"weekly": [{"day": "Monday", "open": "17:00", "close": "09:00"}]}}, "businessHours"),
        ({"businessHours": {"weekly": [{"day": "Monday", "open": "25:00", "close": "26:00"}]}}, "businessHours"),
        (
            {
                "businessHours": {
                    "weekly": [
                        {"day": "Monday", "open": "09:00", "close": "13:00"},
                        {"day": "Monday", "open": "12:00", "close": "17:00"},
                    ]
                }
            },
            "businessHours",
        ),
        ({"businessHours": {"weekly": "always"}}, "businessHours"),
        ({"businessHours": {"holidays": ["2026-02-30"]}}, "businessHours"),
        ({"businessHours": {"holidays": "2026-12-25"}}, "businessHours"),
        ({"businessHours": "9 to 5"}, "businessHours"),
        ({"title": "x" * 101}, "title"),
    ],
)
def test_bad_settings_are_400_naming_the_field(admin_client, chat_channel, body, field):
    problem = assert_problem(admin_client.patch(_url(chat_channel), body, format="json"), 400, "ValidationFailed")
    assert any(key == field or key.startswith(field) for key in problem["errors"]), problem["errors"]
    assert_problem(admin_client.put(_url(chat_channel), body, format="json"), 400, "ValidationFailed")
    assert not ChatWidget.objects.exists()


def test_only_managers_of_settings_write_and_only_chat_channels_have_a_widget(
    anon_client, rep_client, supervisor_client, admin_client, chat_channel, customer
):
    assert_problem(anon_client.get(_url(chat_channel)), 401)
    assert_problem(anon_client.put(_url(chat_channel), {"sound": True}, format="json"), 401)
    assert_problem(rep_client.put(_url(chat_channel), {"sound": True}, format="json"), 403)
    assert_problem(supervisor_client.patch(_url(chat_channel), {"sound": True}, format="json"), 403)
    assert not ChatWidget.objects.exists()
    mail = ChannelFactory(customer=customer)
    assert_problem(admin_client.get(_url(mail)), 400, "NotAChatChannel")
    assert_problem(admin_client.put(_url(mail), {"sound": True}, format="json"), 400, "NotAChatChannel")
    assert_problem(admin_client.get("/api/Channels/999999/widget"), 404)


def test_another_tenants_channel_is_404(other_admin_client, chat_channel):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, title="Ours")
    assert_problem(other_admin_client.get(_url(chat_channel)), 404)
    assert_problem(other_admin_client.put(_url(chat_channel), {"title": "Theirs"}, format="json"), 404)
    assert_problem(other_admin_client.patch(_url(chat_channel), {"title": "Theirs"}, format="json"), 404)
    assert ChatWidget.objects.get(channel=chat_channel).title == "Ours"


def test_the_schema_documents_the_widget_settings(admin_client):
    schema = admin_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/Channels/{channelId}/widget"]
    assert set(operations) >= {"get", "put", "patch"}
    fields = schema["components"]["schemas"]["WidgetSettings"]["properties"]
    assert {"accentColor", "position", "consentText", "consentURL", "sound", "businessHours", "awayMessage"} <= set(
        fields
    )
    assert "/api/Tickets/{ticketId}/typing" in schema["paths"]


# --- what the visitor's widget gets ----------------------------------------------------------------------------


def _closed_widget(channel, **fields):
    today = datetime.now(UTC).date()
    day = DAYS[(today + timedelta(days=2)).weekday()]
    return ChatWidgetFactory(
        customer=channel.customer,
        channel=channel,
        time_zone="America/New_York",
        business_hours=[{"day": day, "open": "08:30", "close": "16:00"}],
        **fields,
    ), day


def _next_open_utc(day: str) -> str:
    """08:30 in New York on the next `day`, as the API writes it (UTC)."""
    zone = ZoneInfo("America/New_York")
    local = datetime.now(zone).date()
    while DAYS[local.weekday()] != day:
        local += timedelta(days=1)
    moment = datetime.combine(local, time(8, 30), tzinfo=zone).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_public_config_carries_look_consent_and_the_away_line(anon_client, chat_channel):
    _, day = _closed_widget(
        chat_channel, position="Left", sound=True, consent_text="Chats are kept.", consent_url="https://a.test/p"
    )
    data = anon_client.get(f"/api/WebChat/{chat_channel.token}/widget", HTTP_ORIGIN=ORIGIN).json()
    assert (data["position"], data["sound"], data["consentURL"]) == ("Left", True, "https://a.test/p")
    assert data["texts"]["consent"] == "Chats are kept."
    assert data["hours"]["configured"] is True and data["hours"]["open"] is False
    assert data["hours"]["timeZone"] == "America/New_York"
    assert data["hours"]["nextOpen"] == _next_open_utc(day)
    assert data["awayLine"] == f"We are away right now. A person will answer from {day} 08:30 (America/New_York)."
    ChannelTranslationFactory(
        customer=chat_channel.customer,
        channel=chat_channel,
        lang="nl",
        translations={"away": "We zijn er even niet; een collega antwoordt vanaf {next}."},
    )
    dutch = anon_client.get(f"/api/WebChat/{chat_channel.token}/widget", {"lang": "nl"}, HTTP_ORIGIN=ORIGIN).json()
    assert dutch["awayLine"].startswith("We zijn er even niet; een collega antwoordt vanaf ")
    assert dutch["awayLine"].split("vanaf ")[1].split()[0] in {
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    }


def test_in_hours_or_without_hours_there_is_no_away_line(anon_client, chat_channel):
    ChatWidgetFactory(
        customer=chat_channel.customer,
        channel=chat_channel,
        business_hours=[{"day": day, "open": "00:00", "close": "24:00"} for day in DAYS],
    )
    data = anon_client.get(f"/api/WebChat/{chat_channel.token}/widget", HTTP_ORIGIN=ORIGIN).json()
    assert (data["hours"]["open"], data["hours"]["nextOpen"], data["awayLine"]) == (True, None, "")


def test_escalation_out_of_hours_says_when_a_person_answers(anon_client, chat_channel):
    _, day = _closed_widget(chat_channel, away_message="Our team is back {next}.")
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel, message="Help")
    response = anon_client.post(
        f"/api/WebChat/{chat_channel.token}/escalate?lang=en",
        {"ticketToken": str(ticket.token)},
        format="json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["message"] == "Your request was passed on to a representative."
    assert data["awayLine"] == f"Our team is back {day} 08:30 (America/New_York)."
    assert data["nextOpen"] == _next_open_utc(day)


# --- POST /api/Tickets/{ticketId}/typing -----------------------------------------------------------------------


def test_a_representative_typing_reaches_the_visitors_stream(rep, rep_client, chat_channel):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    with live.subscribe(live.ticket_key(ticket.pk)) as events:
        response = rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {"isTyping": True}, format="json")
        assert response.status_code == 200, response.content
        assert response.json() == {"ticketID": ticket.pk, "isTyping": True}
        assert events.get(timeout=1) == {"type": "typing", "isTyping": True, "name": rep.name}
        rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {}, format="json")  # default: typing
        assert events.get(timeout=1)["isTyping"] is True
        rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {"isTyping": False}, format="json")
        assert events.get(timeout=1)["isTyping"] is False


def test_typing_refusals(anon_client, rep_client, other_admin_client, chat_channel, customer):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    assert_problem(anon_client.post(f"/api/Tickets/{ticket.pk}/typing", {}, format="json"), 401)
    assert_problem(other_admin_client.post(f"/api/Tickets/{ticket.pk}/typing", {}, format="json"), 404)
    mail = TicketFactory(customer=customer)
    assert_problem(rep_client.post(f"/api/Tickets/{mail.pk}/typing", {}, format="json"), 400, "NotAChatTicket")
    bad = rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {"isTyping": "maybe"}, format="json")
    assert_problem(bad, 400, "ValidationFailed")


# --- a representative's text reaches the widget as written (escaped at render, never stripped) -----------------


def test_a_chat_reply_is_stored_and_served_as_written(rep_client, chat_channel):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    question = TicketMessageFactory(customer=chat_channel.customer, ticket=ticket, channel=chat_channel, message="?")
    written = "Use <Ctrl>+<F5>; never <script>x</script> & 3 < 4 > 2."
    response = rep_client.post(f"/api/TicketMessages/{question.pk}/send", {"modifiedAnswer": written}, format="json")
    assert response.status_code == 202, response.content
    reply = TicketMessage.objects.get(ticket=ticket, sender_type=SenderType.CUSTOMER_REP)
    assert (reply.message, reply.text_body, reply.html_body) == (written, written, "")
    assert [line["message"] for line in chat_lines(ticket=ticket, after=0)] == ["?", written]


def test_a_reply_stored_stripped_before_shows_its_original(chat_channel):
    ticket = TicketFactory(customer=chat_channel.customer, channel=chat_channel, channel_type=ChannelType.CHAT)
    legacy = TicketMessageFactory(
        customer=chat_channel.customer,
        ticket=ticket,
        channel=chat_channel,
        incoming=False,
        sender_type=SenderType.CUSTOMER_REP,
        status="Sent",
        message="Use +; never x",
        html_body="Use <Ctrl>+<F5>; never <script>x</script>",
    )
    assert chat_line(legacy)["message"] == "Use <Ctrl>+<F5>; never <script>x</script>"


def test_the_service_refuses_what_the_model_refuses(chat_channel):
    from answerpal.api.errors import ApiError
    from webwidget.services import widget_settings_save

    with pytest.raises(ApiError) as refused:
        widget_settings_save(channel=chat_channel, data={"time_zone": "Nowhere/Land", "accent_color": "red"})
    assert refused.value.status_code == 400 and set(refused.value.errors) == {"time_zone", "accent_color"}
    assert not ChatWidget.objects.exists()
    saved = widget_settings_save(channel=chat_channel, data={"sound": True, "not_a_field": 1})
    assert (saved.sound, saved.customer_id) == (True, chat_channel.customer_id)
