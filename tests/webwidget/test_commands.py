import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.models import Document
from webwidget.management.commands.webwidget_demo import DEMO_FAQ, DEMO_FAQ_NAME
from webwidget.models import ChatWidget

pytestmark = pytest.mark.django_db


def test_webwidget_demo_gives_the_demo_tenant_a_widget_and_an_faq_once(capsys):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("webwidget_demo")
    call_command("seed_demo")
    call_command("webwidget_demo")
    Document.objects.filter(name=DEMO_FAQ_NAME).update(content="stale")
    call_command("webwidget_demo")
    widget = ChatWidget.objects.select_related("channel").get()
    assert widget.channel.name == "Website chat" and widget.title == "Demo Company"
    assert list(Document.objects.filter(name=DEMO_FAQ_NAME).values_list("content", flat=True)) == [DEMO_FAQ]
    assert "up to date" in capsys.readouterr().out
