"""Business hours: open or closed at a moment (time zone, several intervals a day, holidays, midnight, DST), the next
opening, the words the server writes, and the away line in the offline AI's holding reply for a chat channel."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ai.providers.base import ReplyRequest
from ai.providers.local import extractive_reply
from ai.selectors import reply_away_line
from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tests.webwidget.factories import ChatWidgetFactory
from webwidget import hours

BRUSSELS = ZoneInfo("Europe/Brussels")
WEEK = [
    {"day": "Monday", "open": "09:00", "close": "12:00"},
    {"day": "Monday", "open": "13:00", "close": "17:00"},
    {"day": "Friday", "open": "09:00", "close": "24:00"},
]


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def _status(now, holidays=()):
    return hours.hours_status(intervals=WEEK, holidays=list(holidays), time_zone="Europe/Brussels", now=now)


@pytest.mark.parametrize(
    ("now", "is_open", "next_open"),
    [
        (_at(2026, 12, 7, 9, 0), True, None),  # Monday, the first minute
        (_at(2026, 12, 7, 11, 59), True, None),
        (_at(2026, 12, 7, 12, 0), False, _at(2026, 12, 7, 13, 0)),  # the lunch break
        (_at(2026, 12, 7, 17, 0), False, _at(2026, 12, 11, 9, 0)),  # Monday evening → Friday
        (_at(2026, 12, 11, 23, 59), True, None),  # Friday until midnight
        (_at(2026, 12, 12, 0, 0), False, _at(2026, 12, 14, 9, 0)),  # Saturday → Monday
        (_at(2026, 12, 7, 8, 0), False, _at(2026, 12, 7, 9, 0)),
    ],
)
def test_open_and_next_opening(now, is_open, next_open):
    status = _status(now)
    assert (status.configured, status.open, status.next_open) == (True, is_open, next_open)


def test_the_time_zone_decides_not_the_servers_clock():
    # 08:30 UTC on a Monday in winter is 09:30 in Brussels (open) and 03:30 in New York (closed).
    now = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    assert _status(now).open
    new_york = hours.hours_status(intervals=WEEK, holidays=[], time_zone="America/New_York", now=now)
    assert not new_york.open and new_york.next_open == datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def test_summer_time_keeps_the_local_hours():
    summer = datetime(2026, 7, 6, 7, 30, tzinfo=UTC)  # Monday 09:30 in Brussels (UTC+2)
    assert _status(summer).open


def test_holidays_close_whole_days():
    status = _status(_at(2026, 12, 7, 10, 0), holidays=["2026-12-07", "2026-12-11"])
    assert not status.open and status.next_open == _at(2026, 12, 14, 9, 0)


def test_no_intervals_means_always_open():
    status = hours.hours_status(intervals=[], holidays=["2026-12-07"], time_zone="UTC", now=_at(2026, 12, 7, 3, 0))
    assert (status.configured, status.open, status.next_open) == (False, True, None)


def test_words_for_the_next_opening():
    now = _at(2026, 12, 7, 12, 0)
    assert hours.next_open_words(_at(2026, 12, 7, 13, 0), lang="en", now=now) == "13:00"
    assert hours.next_open_words(_at(2026, 12, 11, 9, 0), lang="nl-BE", now=now) == "vrijdag 09:00"
    assert hours.next_open_words(_at(2026, 12, 11, 9, 0), lang="fr", now=now) == "vendredi 09:00"
    assert hours.next_open_words(_at(2026, 12, 11, 9, 0), lang="pt", now=now) == "Friday 09:00"
    assert hours.next_open_words(_at(2026, 12, 28, 9, 0), lang="en", now=now) == "2026-12-28 09:00"


@pytest.mark.parametrize(
    "weekly",
    [
        [{"day": "Monday", "open": "09:00"}],
        [{"day": "Monday", "open": "09:00", "close": "17:00", "extra": 1}],
        [{"day": "monday", "open": "09:00", "close": "17:00"}],
        [{"day": "Monday", "open": "09:60", "close": "17:00"}],
        [{"day": "Monday", "open": "24:00", "close": "24:00"}],
        [{"day": "Monday", "open": "12:00", "close": "12:00"}],
        [{"day": "Monday", "open": "09:00", "close": "12:00"}, {"day": "Monday", "open": "11:00", "close": "13:00"}],
        [{"day": "Monday", "open": "09:00", "close": "10:00"}] * 29,
        "Monday",
    ],
)
def test_bad_intervals_are_refused(weekly):
    with pytest.raises(hours.HoursError):
        hours.intervals_validate(weekly)


def test_time_zones_and_holidays_are_checked():
    assert hours.time_zone_validate("Europe/Brussels") == "Europe/Brussels"
    for bad in ("Europe/Atlantis", "", None, "../etc/passwd"):
        with pytest.raises(hours.HoursError):
            hours.time_zone_validate(bad)
    assert hours.holidays_validate(["2026-12-25", "2026-01-01", "2026-12-25"]) == ["2026-01-01", "2026-12-25"]
    for bad in (["2026-13-01"], ["25/12/2026"], "2026-12-25", [20261225]):
        with pytest.raises(hours.HoursError):
            hours.holidays_validate(bad)


# --- the AI's holding line out of hours ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_offline_holding_line_says_when_a_person_answers(customer):
    channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT, email_address="")
    ticket = TicketFactory(customer=customer, channel=channel, channel_type=ChannelType.CHAT)
    message = TicketMessageFactory(customer=customer, ticket=ticket, channel=channel, message="Help?", lang="nl")
    assert reply_away_line(message=message) == ""  # no hours: nothing added
    ChatWidgetFactory(
        customer=customer,
        channel=channel,
        time_zone="Europe/Brussels",
        business_hours=[{"day": "Monday", "open": "09:00", "close": "09:01"}],
        holidays=[],
    )
    line = reply_away_line(message=message)
    assert line.startswith("We are away right now. A person will answer from ") and "(Europe/Brussels)" in line
    assert any(name in line for name in ("maandag", "09:00"))  # Dutch weekday names for a Dutch message
    request = ReplyRequest(message_text="Waar is mijn pakje?", lang="nl", channel_type="Chat", away_line=line)
    text = extractive_reply(request).text
    assert text.startswith("Die informatie heb ik niet bij de hand") and text.endswith(line)
    email = extractive_reply(
        ReplyRequest(message_text="Where?", lang="en", channel_type="Email", away_line="Back Monday.")
    )
    assert "as soon as possible. Back Monday." in email.text


def test_the_openai_prompt_carries_the_away_line_only_out_of_hours():
    from ai.providers.prompts import reply_messages

    base = {"message_text": "Where is my parcel?", "lang": "en", "channel_type": "Chat"}
    assert "Business hours" not in reply_messages(ReplyRequest(**base))[0]["content"]
    line = "We are away right now. A person will answer from Monday 09:00 (Europe/Brussels)."
    system = reply_messages(ReplyRequest(**base, away_line=line))[0]["content"]
    assert "## Business hours" in system and system.endswith(line)
