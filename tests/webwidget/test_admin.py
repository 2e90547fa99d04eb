"""The operator admin of the chat widgets: every setting is on the change page, and business hours are checked as
the API checks them."""

import pytest

from tests.admin_helpers import operator_login
from tests.webwidget.factories import ChatWidgetFactory
from webwidget.models import ChatWidget

pytestmark = pytest.mark.django_db


def _form(widget, **changes) -> dict:
    data = {
        "customer": widget.customer_id,
        "channel": widget.channel_id,
        "title": "",
        "accent_color": "#2563eb",
        "position": "Right",
        "prechat_form": "Off",
        "ai_answers": "on",
        "consent_text": "",
        "consent_url": "",
        "time_zone": "UTC",
        "business_hours": "[]",
        "holidays": "[]",
        "away_message": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_change_page_sets_and_checks_the_hours(customer):
    client = operator_login()
    widget = ChatWidgetFactory(customer=customer)
    url = f"/admin/webwidget/chatwidget/{widget.pk}/change/"
    page = client.get(url).content.decode()
    for name in ("position", "consent_text", "consent_url", "sound", "time_zone", "business_hours", "away_message"):
        assert f'name="{name}"' in page, name
    bad = client.post(url, _form(widget, time_zone="Mars/Base", business_hours='[{"day": "Monday"}]'))
    assert bad.status_code == 200  # the form again, with the messages
    assert "Unknown time zone" in bad.content.decode() and "use HH:MM" in bad.content.decode()
    good = client.post(
        url,
        _form(
            widget,
            position="Left",
            sound="on",
            time_zone="Europe/Brussels",
            business_hours='[{"day": "Friday", "open": "09:00", "close": "17:00"}]',
            holidays='["2026-12-25"]',
        ),
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    widget = ChatWidget.objects.get(pk=widget.pk)
    assert (widget.position, widget.sound, widget.time_zone) == ("Left", True, "Europe/Brussels")
    assert widget.business_hours == [{"day": "Friday", "open": "09:00", "close": "17:00"}]
