"""On the real Celery worker: a ticket event runs its linked actions in priority order, visible on the message."""

import time

import pytest

from automation.models import ActionType, HookName, ScheduledTicketDeletion, TicketMessageAction
from automation.registry import ActionStatus


@pytest.mark.worker
def test_close_event_runs_linked_actions_in_priority_order(live_worker):
    from tests.accounts.factories import CustomerRepFactory
    from tests.automation.factories import HookActionFactory
    from tests.conftest import client_with_token, rep_token
    from tests.customers.factories import CustomerFactory
    from tests.tickets.factories import TicketFactory, TicketMessageFactory
    from tickets import services as ticket_services
    from tickets.models import Ticket

    customer = CustomerFactory()
    ticket = TicketFactory(customer=customer, is_spam=True)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    HookActionFactory(
        customer=customer,
        special_topic=HookName.ON_CLOSE,
        priority=10,
        action__name="second",
        action__action_type=ActionType.DELETE_AFTER_CLEANUP,
    )
    HookActionFactory(
        customer=customer,
        special_topic=HookName.ON_CLOSE,
        priority=90,
        action__name="first",
        action__action_type=ActionType.NOT_SPAM,
    )

    ticket_services.ticket_close(ticket=ticket)  # commits, publishes OnClose → tasks on the worker

    deadline = time.monotonic() + 30
    runs = []
    while time.monotonic() < deadline:
        runs = list(TicketMessageAction.objects.filter(message=message).select_related("action"))
        if len(runs) == 2 and all(run.status in ActionStatus.FINAL for run in runs):
            break
        time.sleep(0.2)
    by_name = {run.action.name: run for run in runs}
    assert set(by_name) == {"first", "second"}, runs
    assert {run.status for run in runs} == {ActionStatus.SUCCEEDED}, [(r.action.name, r.result) for r in runs]
    assert by_name["first"].finished_at <= by_name["second"].started_at  # priority 90 ran before priority 10
    assert not Ticket.objects.get(pk=ticket.pk).is_spam
    assert ScheduledTicketDeletion.objects.filter(ticket=ticket).exists()

    admin = CustomerRepFactory(customer=customer, role="Administrator")
    response = client_with_token(rep_token(admin)).get(f"/api/TicketMessages/{message.pk}")
    assert response.status_code == 200, response.content
    actions = response.json()["actions"]
    assert [(item["actionName"], item["status"]) for item in actions] == [
        ("first", "Succeeded"),
        ("second", "Succeeded"),
    ]
