import pytest
from django.core.management import CommandError, call_command

from tests.tickets.factories import TicketFactory
from tickets.models import Ticket, TicketCounter

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
