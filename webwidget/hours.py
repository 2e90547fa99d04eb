"""Business hours of a chat channel: weekly opening intervals in an IANA time zone, minus holidays. Whether people
answer now, and when they answer next (a moment in the channel's time zone), for the widget's away line, the
escalation note and the AI's holding line.

An interval is {"day": "Monday", "open": "09:00", "close": "17:00"} in local time ("24:00" closes at midnight;
several intervals a day are fine, an interval never spans midnight: write two). No intervals: always open."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_INTERVALS = 28
MAX_HOLIDAYS = 366
_SEARCH_DAYS = 400  # a year of holidays in a row still finds the next opening

# Weekday names for the server-written lines (escalation note, AI holding line) in the languages the offline AI
# writes; other languages get the English names (the widget formats `nextOpen` itself with the browser's Intl).
WEEKDAY_NAMES = {
    "en": DAYS,
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


class HoursError(ValueError):
    """Business hours that cannot be used: the message names the field part ("businessHours[2].close: …")."""


def _clock(value, where: str) -> int:
    """ "HH:MM" → minutes after midnight (24:00 = 1440)."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        raise HoursError(f"{where}: use HH:MM (24-hour clock).")
    hours, minutes = int(value[:2]), int(value[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(f"{where}: {value} is not a time of day.")
    return hours * 60 + minutes


def time_zone_validate(value) -> str:
    if not isinstance(value, str) or not value or value not in _zones():
        raise HoursError(f"Unknown time zone {value!r} (use an IANA name such as Europe/Brussels).")
    return value


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return _ZONES


_ZONES: set[str] | None = None


def intervals_validate(value) -> list[dict]:
    """The weekly intervals, checked and normalised (sorted by day and opening)."""
    if not isinstance(value, list):
        raise HoursError("Give a list of {day, open, close}.")
    if len(value) > MAX_INTERVALS:
        raise HoursError(f"At most {MAX_INTERVALS} intervals.")
    cleaned = []
    for index, interval in enumerate(value):
        where = f"[{index}]"
        if not isinstance(interval, dict) or set(interval) - {"day", "open", "close"}:
            raise HoursError(f"{where}: give exactly day, open and close.")
        if interval.get("day") not in DAYS:
            raise HoursError(f"{where}.day: one of {', '.join(DAYS)}.")
        opening, closing = (
            _clock(interval.get("open"), f"{where}.open"),
            _clock(interval.get("close"), f"{where}.close"),
        )
        if opening >= closing or opening >= 24 * 60:
            raise HoursError(f"{where}: open must be before close on the same day.")
        cleaned.append({"day": interval["day"], "open": interval["open"], "close": interval["close"]})
    cleaned.sort(key=lambda item: (DAYS.index(item["day"]), item["open"]))
    for before, after in pairwise(cleaned):
        if before["day"] == after["day"] and _clock(after["open"], "") < _clock(before["close"], ""):
            raise HoursError(f"{after['day']}: intervals overlap.")
    return cleaned


def holidays_validate(value) -> list[str]:
    if not isinstance(value, list):
        raise HoursError("Give a list of dates (YYYY-MM-DD).")
    if len(value) > MAX_HOLIDAYS:
        raise HoursError(f"At most {MAX_HOLIDAYS} holidays.")
    days = set()
    for index, item in enumerate(value):
        try:
            days.add(date.fromisoformat(item).isoformat() if isinstance(item, str) and len(item) == 10 else None)
        except ValueError:
            days.add(None)
        if None in days:
            raise HoursError(f"[{index}]: {item!r} is not a date (YYYY-MM-DD).")
    return sorted(days)


@dataclass(frozen=True)
class HoursStatus:
    """`configured`: the channel has hours at all; `open`: people answer now; `next_open`: when they answer next
    (aware, in the channel's zone; None while open or without hours)."""

    configured: bool
    open: bool
    next_open: datetime | None = None
    time_zone: str = "UTC"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def hours_status(*, intervals: list[dict], holidays: list[str], time_zone: str, now: datetime | None = None):
    """Whether the hours are open at `now` (default: now) and, when closed, the next opening moment."""
    if not intervals:
        return HoursStatus(configured=False, open=True, time_zone=time_zone)
    zone = _zone(time_zone)
    local = (now or timezone.now()).astimezone(zone)
    closed_days = set(holidays or ())
    by_day: dict[int, list[tuple[int, int]]] = {}
    for interval in intervals:
        span = (_clock(interval["open"], ""), _clock(interval["close"], ""))
        by_day.setdefault(DAYS.index(interval["day"]), []).append(span)
    minute = local.hour * 60 + local.minute
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.isoformat() in closed_days:
            continue
        for opening, closing in sorted(by_day.get(day.weekday(), ())):
            if offset == 0 and opening <= minute < closing:
                return HoursStatus(configured=True, open=True, time_zone=time_zone)
            if offset > 0 or opening > minute:
                start = datetime.combine(day, time(opening // 60, opening % 60), tzinfo=zone)
                return HoursStatus(configured=True, open=False, next_open=start, time_zone=time_zone)
    return HoursStatus(configured=True, open=False, time_zone=time_zone)


def next_open_words(moment: datetime, *, lang: str, now: datetime | None = None) -> str:
    """ "Monday 09:00" (in the language's weekday names), or just "09:00" when that is later today."""
    names = WEEKDAY_NAMES.get((lang or "en")[:2].lower(), DAYS)
    today = (now or timezone.now()).astimezone(moment.tzinfo).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return clock
    if moment.date() - today > timedelta(days=6):
        return f"{moment.date().isoformat()} {clock}"
    return f"{names[moment.weekday()]} {clock}"
