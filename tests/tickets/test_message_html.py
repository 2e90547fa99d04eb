"""A representative's htmlBody is stored and served sanitised on create and update (POST/PUT /api/TicketMessages);
bold, links, tables and cid: images survive; the ticket preview is the HTML's text, never its script."""

import pytest

from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db

REP_HTML = (
    '<p onmouseover="alert(1)">Hello <b>Ann</b>, see <a href="javascript:alert(2)">this</a> and '
    '<a href="https://shop.test/help">our help</a>.</p><script>alert(3)</script>'
    '<table><tr><td style="color: red; background: url(javascript:alert(4))">A-1</td></tr></table>'
    '<img src="cid:sig@acme" alt="logo"><svg><script>alert(5)</script></svg><iframe src="https://evil.test"></iframe>'
)


def _assert_safe(html: str) -> None:
    for fragment in ("onmouseover", "javascript:", "<script", "alert", "<svg", "<iframe", "url("):
        assert fragment not in html.lower(), (fragment, html)
    for fragment in ("<b>Ann</b>", 'href="https://shop.test/help"', 'src="cid:sig@acme"', 'style="color: red"'):
        assert fragment in html, (fragment, html)


def test_create_stores_and_serves_sanitised_html(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    body = {"ticketID": ticket.pk, "incoming": False, "senderType": "CustomerRep", "htmlBody": REP_HTML}
    response = admin_client.post("/api/TicketMessages", {**body, "status": "Sent"}, format="json")
    assert response.status_code == 201, response.content
    _assert_safe(response.json()["htmlBody"])
    message = TicketMessage.objects.get(pk=response.json()["messageID"])
    _assert_safe(message.html_body)
    _assert_safe(admin_client.get(f"/api/TicketMessages/{message.pk}").json()["htmlBody"])


def test_update_stores_sanitised_html(admin_client, customer):
    message = TicketMessageFactory(customer=customer, html_body="<p>old</p>")
    response = admin_client.put(f"/api/ticketMessages/{message.pk}", {"htmlBody": REP_HTML}, format="json")
    assert response.status_code == 200, response.content
    message.refresh_from_db()
    _assert_safe(message.html_body)
    _assert_safe(response.json()["htmlBody"])


def test_preview_of_an_html_only_message_is_its_text(admin_client, customer):
    ticket = TicketFactory(customer=customer)
    body = {"ticketID": ticket.pk, "htmlBody": "<style>p{}</style><p>Parcel <b>late</b></p><script>x()</script>"}
    assert admin_client.post("/api/TicketMessages", body, format="json").status_code == 201
    ticket.refresh_from_db()
    assert ticket.preview == "Parcel late"


def test_other_tenant_and_anonymous_cannot_write_html(anon_client, other_admin_client, customer):
    message = TicketMessageFactory(customer=customer, html_body="<p>mine</p>")
    assert_problem(other_admin_client.put(f"/api/ticketMessages/{message.pk}", {"htmlBody": "<b>x</b>"}), 404)
    assert_problem(anon_client.put(f"/api/ticketMessages/{message.pk}", {"htmlBody": "<b>x</b>"}), 401)
    message.refresh_from_db()
    assert message.html_body == "<p>mine</p>"
