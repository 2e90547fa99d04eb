"""The action engine: priority order, idempotence, recorded failures, rules, Wait, escalation follow-ups,
built-in types, event subscriptions, message detail and the bulk ticket actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automation import registry, services
from automation.models import ActionType, HookName, ScheduledTicketDeletion, TicketMessageAction
from automation.registry import ActionResult, ActionStatus
from tests.accounts.factories import CustomerRepFactory
from tests.automation.factories import ActionFactory, HookActionFactory, TopicActionFactory, TopicFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory, TicketMessageTopicFactory
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessageTopic, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(monkeypatch):
    """Registers recording handlers for Reply and Forward; returns the list of (action name, trigger) calls."""
    calls = []

    def handler(*, context):
        calls.append((context.action.name, context.trigger))
        return ActionResult(message=f"ran {context.action.name}")

    monkeypatch.setitem(registry._handlers, ActionType.REPLY, handler)
    monkeypatch.setitem(registry._handlers, ActionType.FORWARD, handler)
    return calls


def _hook(customer, name, priority, action_type=ActionType.REPLY, hook=HookName.PRE_SPAM, **action):
    return HookActionFactory(
        customer=customer,
        special_topic=hook,
        priority=priority,
        action__name=name,
        action__action_type=action_type,
        **{f"action__{key}": value for key, value in action.items()},
    )


def _runs(message):
    return {
        run.action.name: run for run in TicketMessageAction.objects.filter(message=message).select_related("action")
    }


def test_hook_runs_actions_in_priority_order_once(customer, recorder, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "low", 1)
    _hook(customer, "high", 90, action_type=ActionType.FORWARD)
    _hook(customer, "middle", 50)
    _hook(customer, "other hook", 99, hook=HookName.POST_SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    assert [run.action.name for run in runs] == ["high", "middle", "low"]
    assert recorder == [("high", "PreSpam"), ("middle", "PreSpam"), ("low", "PreSpam")]
    recorded = _runs(message)
    assert {run.status for run in recorded.values()} == {ActionStatus.SUCCEEDED}
    assert recorded["high"].result == "ran high" and recorded["high"].finished_at
    # the same event delivered again repeats nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    assert len(recorder) == 3
    assert TicketMessageAction.objects.filter(message=message).count() == 3


def test_hook_respects_channel_and_activity(customer, recorder, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "email", 5)
    HookActionFactory(customer=customer, special_topic="PreSpam", special_channel="Chat", action__action_type="Reply")
    HookActionFactory(
        customer=customer,
        special_topic="PreSpam",
        special_channel="Email",
        action__name="typed",
        action__action_type="Reply",
    )
    HookActionFactory(customer=customer, special_topic="PreSpam", action__action_type="Reply", action__is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    assert sorted(run.action.name for run in runs) == ["email", "typed"]


def test_missing_handler_fails_with_recorded_reason(customer, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.delitem(registry._handlers, ActionType.TOPIC_DETECTION, raising=False)
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "detect", 5, action_type=ActionType.TOPIC_DETECTION)
    with django_capture_on_commit_callbacks(execute=True):
        services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    run = _runs(message)["detect"]
    assert run.status == ActionStatus.FAILED
    assert run.result.startswith("ActionTypeUnavailable")


def test_handler_exception_is_recorded_and_chain_continues(customer, recorder, monkeypatch):
    def broken(*, context):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry._handlers, ActionType.REPLY_SEND, broken)
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "broken", 10, action_type=ActionType.REPLY_SEND)
    _hook(customer, "after", 1)
    services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    runs = _runs(message)
    assert runs["broken"].status == ActionStatus.FAILED and "RuntimeError: boom" in runs["broken"].result
    assert runs["after"].status == ActionStatus.SUCCEEDED


def test_conditional_rules_skip(customer, recorder):
    message = TicketMessageFactory(customer=customer, subject="Invoice 42", custom_fields_data={"vip": "yes"})
    _hook(
        customer, "invoices", 3, conditional_rules='{"field": "message.subject", "op": "contains", "value": "invoice"}'
    )
    _hook(
        customer,
        "refunds",
        2,
        conditional_rules='[{"field": "message.subject", "op": "startsWith", "value": "refund"}]',
    )
    _hook(customer, "vip", 1, conditional_rules='{"field": "customFields.vip", "op": "equals", "value": "YES"}')
    services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    runs = _runs(message)
    assert runs["invoices"].status == ActionStatus.SUCCEEDED
    assert runs["refunds"].status == ActionStatus.SKIPPED
    assert runs["vip"].status == ActionStatus.SUCCEEDED
    assert [name for name, _ in recorder] == ["invoices", "vip"]


def test_wait_pauses_the_chain_and_resumes(customer, recorder, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "first", 30)
    _hook(customer, "wait", 20, action_type=ActionType.WAIT, wait_seconds=60)
    _hook(customer, "last", 10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    runs = _runs(message)
    assert runs["wait"].status == ActionStatus.WAITING and runs["wait"].resume_at > timezone.now()
    assert runs["last"].status == ActionStatus.PENDING
    assert len(callbacks) >= 1
    # a re-delivered chain before the wait is over runs nothing more
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    assert [name for name, _ in recorder] == ["first"]
    TicketMessageAction.objects.filter(pk=runs["wait"].pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    runs = _runs(message)
    assert runs["wait"].status == ActionStatus.SUCCEEDED and runs["last"].status == ActionStatus.SUCCEEDED
    assert [name for name, _ in recorder] == ["first", "last"]


@pytest.mark.parametrize("assigned, follow_up", [(True, "PostEscalate"), (False, "OnEscalateFailed")])
def test_escalation_follow_up_hooks(customer, recorder, assigned, follow_up, django_capture_on_commit_callbacks):
    ticket = TicketFactory(customer=customer, customer_rep=CustomerRepFactory(customer=customer) if assigned else None)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    _hook(customer, "escalate", 5, hook=HookName.ON_ESCALATE)
    _hook(customer, "post", 5, hook=HookName.POST_ESCALATE)
    _hook(customer, "failed", 5, hook=HookName.ON_ESCALATE_FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_escalate(message=message)
    expected = {"escalate": "OnEscalate", "post" if assigned else "failed": follow_up}
    assert dict(recorder) == expected


def test_ticket_close_event_runs_on_close_hook(customer, recorder, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "thank you", 5, hook=HookName.ON_CLOSE)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_close(ticket=message.ticket)
    assert recorder == [("thank you", "OnClose")]
    assert _runs(message)["thank you"].status == ActionStatus.SUCCEEDED


def test_end_user_update_event_runs_on_latest_message(customer, recorder, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "sync crm", 5, hook=HookName.ON_END_USER_UPDATE)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.end_user_update(end_user=message.ticket.end_user, profile={"company": "Initech"})
    assert recorder == [("sync crm", "OnEndUserUpdate")]


def test_topic_actions_run_for_message_topics(customer, recorder):
    message = TicketMessageFactory(customer=customer)
    topic = TopicFactory(customer=customer)
    TicketMessageTopicFactory(customer=customer, message=message, topic=topic)
    TopicActionFactory(customer=customer, topic=topic, priority=1, action__name="topic", action__action_type="Reply")
    TopicActionFactory(
        customer=customer, topic=None, special_topic="All", priority=9, action__name="all", action__action_type="Reply"
    )
    TopicActionFactory(customer=customer, priority=50, action__name="unrelated", action__action_type="Reply")
    services.topic_actions_run(message_id=message.pk)
    services.action_chain_run(message_id=message.pk, trigger="Topics")
    assert [name for name, _ in recorder] == ["all", "topic"]


def test_builtin_close_mark_spam_not_spam(customer):
    message = TicketMessageFactory(customer=customer)
    close = ActionFactory(customer=customer, action_type=ActionType.CLOSE)
    assert services.action_execute(message=message, action=close).message == "Ticket closed."
    assert Ticket.objects.get(pk=message.ticket_id).status == TicketStatus.CLOSED
    assert services.action_execute(message=message, action=close).message == "The ticket was already closed."
    spam = ActionFactory(customer=customer, action_type=ActionType.MARK_SPAM)
    services.action_execute(message=message, action=spam)
    ticket = Ticket.objects.get(pk=message.ticket_id)
    assert ticket.is_spam and ticket.status == TicketStatus.CLOSED
    not_spam = ActionFactory(customer=customer, action_type=ActionType.NOT_SPAM)
    result = services.action_execute(message=message, action=not_spam)
    assert result.finished and result.status == ActionStatus.SUCCEEDED
    assert not Ticket.objects.get(pk=message.ticket_id).is_spam


def test_builtin_delete_and_delete_after_cleanup(customer, settings):
    settings.AUTOMATION_CLEANUP_DAYS = 7
    message = TicketMessageFactory(customer=customer)
    later = ActionFactory(customer=customer, action_type=ActionType.DELETE_AFTER_CLEANUP)
    services.action_execute(message=message, action=later)
    scheduled = ScheduledTicketDeletion.objects.get(ticket=message.ticket)
    assert timedelta(days=6) < scheduled.delete_after - timezone.now() <= timedelta(days=7)
    assert services.scheduled_deletions_run() == 0
    assert services.scheduled_deletions_run(now=timezone.now() + timedelta(days=8)) == 1
    assert not Ticket.objects.filter(pk=message.ticket_id).exists()

    other = TicketMessageFactory(customer=customer)
    delete = ActionFactory(customer=customer, action_type=ActionType.DELETE)
    HookActionFactory(customer=customer, special_topic="PreSpam", action=delete, priority=9)
    _hook(customer, "never", 1)
    services.hook_run(customer_id=customer.pk, message_id=other.pk, hook_name="PreSpam")
    services.action_chain_run(message_id=other.pk, trigger="PreSpam")
    assert not Ticket.objects.filter(pk=other.ticket_id).exists()


def test_stalled_chains_are_found(customer):
    message = TicketMessageFactory(customer=customer)
    run = TicketMessageAction.objects.create(
        customer=customer, message=message, action=ActionFactory(customer=customer), trigger="PreSpam"
    )
    assert services.stalled_chains() == []
    TicketMessageAction.objects.filter(pk=run.pk).update(date_assigned=timezone.now() - timedelta(hours=1))
    assert services.stalled_chains() == [(message.pk, "PreSpam")]


def test_message_detail_shows_action_runs(rep_client, customer, recorder):
    message = TicketMessageFactory(customer=customer)
    _hook(customer, "reply", 7)
    services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")
    services.action_chain_run(message_id=message.pk, trigger="PreSpam")
    response = rep_client.get(f"/api/TicketMessages/{message.pk}")
    assert response.status_code == 200, response.json()
    [run] = response.json()["actions"]
    assert run["actionName"] == "reply" and run["status"] == "Succeeded" and run["priority"] == 7
    assert run["messageID"] == message.pk and run["dateAssigned"]


def test_bulk_ticket_actions(supervisor_client, supervisor_rep, customer, recorder):
    message = TicketMessageFactory(customer=customer)
    topic = TopicFactory(customer=customer)
    TicketMessageTopicFactory(customer=customer, message=message, topic=topic)
    TopicActionFactory(customer=customer, topic=topic, action__name="bulk", action__action_type="Reply")
    response = supervisor_client.put(
        "/api/Tickets/bulk",
        {"ticketIDs": [message.ticket_id], "action": "executeActions", "customerRepID": supervisor_rep.pk},
        format="json",
    )
    assert response.status_code in (200, 204), response.content
    assert _runs(message)["bulk"].status in (ActionStatus.PENDING, ActionStatus.SUCCEEDED)
    response = supervisor_client.put(
        "/api/Tickets/bulk",
        {"ticketIDs": [message.ticket_id], "action": "learnTopics", "customerRepID": supervisor_rep.pk},
        format="json",
    )
    assert response.status_code in (200, 204), response.content
    row = TicketMessageTopic.objects.get(message=message)
    assert row.corrected and row.corrected_by_id == supervisor_rep.pk


def test_sweeper_task_resumes_a_lost_chain(customer, recorder):
    from automation.tasks import sweep_action_chains

    message = TicketMessageFactory(customer=customer)
    _hook(customer, "lost", 5)
    services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="PreSpam")  # its task never ran
    assert sweep_action_chains() == 0  # not stale yet
    TicketMessageAction.objects.update(date_assigned=timezone.now() - timedelta(hours=1))
    assert sweep_action_chains() == 1
    assert recorder == [("lost", "PreSpam")]
    assert _runs(message)["lost"].status == ActionStatus.SUCCEEDED
