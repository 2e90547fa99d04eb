import pytest
from django.core.management import CommandError, call_command

from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import Ticket, TicketCounter, TicketMessage

pytestmark = pytest.mark.django_db


def test_recount_repairs_drifted_counters(customer, other_customer, capsys):
    TicketFactory(customer=customer)
    TicketFactory(customer=other_customer)
    Ticket.objects.filter(customer=customer).update(status="Closed")  # raw update: counters drift
    call_command("tickets_recount", "--all-customers")
    out = capsys.readouterr().out
    assert f"customer {customer.pk}: 1 tickets, corrected 2 counter(s)" in out
    assert "2 customer(s); 1 had drifted" in out
    assert TicketCounter.objects.get(customer=customer, status="Closed").count == 1
    assert not TicketCounter.objects.filter(customer=customer, status="Open").exists()


def test_recount_one_customer_and_unknown_customer(customer):
    TicketFactory(customer=customer)
    call_command("tickets_recount", "--customer", str(customer.pk))
    with pytest.raises(CommandError):
        call_command("tickets_recount", "--customer", "999999")


def test_messages_html_sanitise_dry_run_then_commit(customer, other_customer, capsys):
    hostile = TicketMessageFactory(customer=customer, html_body='<p onclick="x()">Hi</p><script>alert(1)</script>')
    clean = TicketMessageFactory(customer=customer, html_body="<p>Fine</p>")
    foreign = TicketMessageFactory(customer=other_customer, html_body="<script>alert(2)</script>")
    call_command("messages_html_sanitise", "--customer", str(customer.pk))
    assert "2 HTML bodies, would sanitise 1" in capsys.readouterr().out
    assert TicketMessage.objects.get(pk=hostile.pk).html_body.startswith("<p onclick")  # a dry run changes nothing
    call_command("messages_html_sanitise", "--customer", str(customer.pk), "--commit")
    assert "2 HTML bodies, sanitised 1" in capsys.readouterr().out
    assert TicketMessage.objects.get(pk=hostile.pk).html_body == "<p>Hi</p>"
    assert TicketMessage.objects.get(pk=clean.pk).html_body == "<p>Fine</p>"
    assert TicketMessage.objects.get(pk=foreign.pk).html_body == "<script>alert(2)</script>"  # another customer
    with pytest.raises(CommandError):
        call_command("messages_html_sanitise", "--customer", "999999")
