"""Operator admin for automation and documents: changelists render with a bounded query count, secrets
are not shown, the re-run action calls the engine."""

import pytest

from automation import registry
from automation.models import ActionType
from automation.registry import ActionResult, ActionStatus
from tests.admin_helpers import operator_login
from tests.automation.factories import (
    ActionFactory,
    ConnectorCallFactory,
    ScheduledTicketDeletionFactory,
    TicketMessageActionFactory,
    TopicActionFactory,
    TopicChannelFactory,
    TopicDocumentFactory,
)
from tests.documents.factories import DocumentCustomFieldRequirementFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/automation/topic/",
    "/admin/automation/topicchannel/",
    "/admin/automation/action/",
    "/admin/automation/topicaction/",
    "/admin/automation/topicdocument/",
    "/admin/automation/ticketmessageaction/",
    "/admin/automation/connectorcall/",
    "/admin/automation/scheduledticketdeletion/",
    "/admin/documents/document/",
    "/admin/documents/documentcustomfieldrequirement/",
]


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_changelists_render_without_per_row_queries(operator_client, customer, django_assert_max_num_queries):
    for _ in range(8):
        TopicChannelFactory(customer=customer)
        TopicActionFactory(customer=customer)
        TopicDocumentFactory(customer=customer)
        TicketMessageActionFactory(customer=customer)
        ConnectorCallFactory(customer=customer)
        ScheduledTicketDeletionFactory(customer=customer)
        DocumentCustomFieldRequirementFactory(customer=customer)
    for url in CHANGELISTS:
        with django_assert_max_num_queries(14):
            response = operator_client.get(url)
        assert response.status_code == 200, url
        assert operator_client.get(url, {"q": "x"}).status_code == 200, url


def test_action_change_page_hides_secrets(operator_client, customer):
    action = ActionFactory(customer=customer, override_api_password="pw-in-clear-123")
    response = operator_client.get(f"/admin/automation/action/{action.pk}/change/")
    assert response.status_code == 200
    assert b"pw-in-clear-123" not in response.content


def test_rerun_action_runs_pending_chains(operator_client, customer, monkeypatch):
    monkeypatch.setitem(registry._handlers, ActionType.REPLY, lambda *, context: ActionResult(message="ok"))
    run = TicketMessageActionFactory(customer=customer, action__action_type=ActionType.REPLY)
    operator_client.post(
        "/admin/automation/ticketmessageaction/", {"action": "rerun_chains", "_selected_action": [run.pk]}
    )
    run.refresh_from_db()
    assert run.status == ActionStatus.SUCCEEDED and run.result == "ok"
