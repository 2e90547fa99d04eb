"""Automation writes: configuration (topics, links, actions, hooks) and the action engine.

Engine entry points (the only ones other apps call):
* `hook_run(*, customer_id, message_id, hook_name)` — the hook's actions for the message's channel;
* `topic_actions_run(*, message_id)` — the actions of the message's topics;
* `action_execute(*, message, action, trigger)` — one action now (runtime routes).
Runs are rows (TicketMessageAction) unique per (message, action, trigger); the chain runs in priority
order (highest first) in the `automation.run_action_chain` task on the `default` queue, and a finished
run is never repeated when an event or task is delivered again.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from answerpal.api.errors import Conflict
from answerpal.celery import enqueue_after_commit
from answerpal.fields import EncryptedTextField
from audit.models import AuditAction
from audit.services import audit_record
from automation.context import message_context, message_for_context
from automation.models import (
    Action,
    HookName,
    ScheduledTicketDeletion,
    TicketMessageAction,
    Topic,
    TopicAction,
    TopicChannel,
    TopicDocument,
)
from automation.registry import ActionContext, ActionResult, ActionStatus, action_handler
from automation.rules import RuleError, evaluate, parse_rules
from automation.selectors import hook_links, topic_links
from tickets import services as ticket_services
from tickets.models import TicketMessage, TicketMessageTopic

logger = logging.getLogger(__name__)

TOPICS_TRIGGER = "Topics"
MANUAL_TRIGGER = "Manual"
STALE_RUNNING = timedelta(minutes=10)


# --- configuration ------------------------------------------------------------------------------


@transaction.atomic
def topic_create(*, customer_id: int, data: dict) -> Topic:
    """Creates a topic of the customer."""
    return Topic.objects.create(customer_id=customer_id, **data)


@transaction.atomic
def topic_update(*, topic: Topic, data: dict) -> Topic:
    """Updates name, description, activity and phone settings."""
    for name, value in data.items():
        setattr(topic, name, value)
    topic.save()
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Deletes the topic with its channel, action and document links and message assignments."""
    topic.delete()


@transaction.atomic
def topic_channels_create(*, customer_id: int, pairs: list[tuple[Topic, object]]) -> list[TopicChannel]:
    """Links topics to channels; an existing link is returned unchanged (idempotent)."""
    links = []
    for topic, channel in pairs:
        link, _ = TopicChannel.objects.get_or_create(
            topic=topic, channel=channel, defaults={"customer_id": customer_id}
        )
        links.append(link)
    return links


@transaction.atomic
def topic_channels_delete(*, customer_id: int, ids: list[int]) -> int:
    """Deletes the customer's listed topic-channel links; returns how many were deleted."""
    deleted, _ = TopicChannel.objects.filter(customer_id=customer_id, pk__in=ids).delete()
    return deleted


_ACTION_SECRETS = frozenset(field.name for field in Action._meta.fields if isinstance(field, EncryptedTextField))


def _action_audit(*, action: Action, audit_action: str, fields=()) -> None:
    """Names the fields written (secret ones separately), never their values."""
    secrets = sorted(name for name in fields if name in _ACTION_SECRETS)
    audit_record(
        customer_id=action.customer_id,
        action=audit_action,
        object_type="Action",
        object_id=action.pk,
        detail={
            "name": action.name,
            "actionType": action.action_type,
            "fields": sorted(fields),
            "secretsChanged": secrets,
        },
    )


@transaction.atomic
def action_create(*, customer_id: int, data: dict) -> Action:
    """Creates an action of the customer (secrets encrypted by the model field); audited."""
    action = Action.objects.create(customer_id=customer_id, **data)
    _action_audit(action=action, audit_action=AuditAction.ACTION_CREATED, fields=data)
    return action


@transaction.atomic
def action_update(*, action: Action, data: dict) -> Action:
    """Updates an action; runs already recorded keep their results. Audited with the fields that changed."""
    changed = [name for name, value in data.items() if getattr(action, name) != value]
    for name, value in data.items():
        setattr(action, name, value)
    action.save()
    _action_audit(action=action, audit_action=AuditAction.ACTION_UPDATED, fields=changed)
    return action


@transaction.atomic
def action_delete(*, action: Action) -> None:
    """Deletes the action with its topic/hook links and recorded runs; audited."""
    _action_audit(action=action, audit_action=AuditAction.ACTION_DELETED)
    action.delete()


def _hook_link_audit(*, link: TopicAction, audit_action: str) -> None:
    """Links of an action to a hook (specialTopic = a HookName) are audited; topic links are not."""
    if link.special_topic not in HookName.values:
        return
    audit_record(
        customer_id=link.customer_id,
        action=audit_action,
        object_type="HookAction",
        object_id=link.pk,
        detail={
            "hookName": link.special_topic,
            "actionID": link.action_id,
            "channelID": link.channel_id,
            "priority": link.priority,
        },
    )


def _duplicate_link(*, customer_id: int, data: dict, exclude_id: int | None = None) -> bool:
    query = TopicAction.objects.filter(
        customer_id=customer_id,
        topic=data.get("topic"),
        special_topic=data.get("special_topic", ""),
        action=data["action"],
        channel=data.get("channel"),
        special_channel=data.get("special_channel", ""),
    )
    if exclude_id:
        query = query.exclude(pk=exclude_id)
    return query.exists()


@transaction.atomic
def topic_action_create(*, customer_id: int, data: dict) -> TopicAction:
    """Links an action to a topic, every topic or a hook; the same combination twice is 409 DuplicateTopicAction."""
    if _duplicate_link(customer_id=customer_id, data=data):
        code = "DuplicateHookAction" if data.get("special_topic") in HookName.values else "DuplicateTopicAction"
        raise Conflict(code, "This action is already linked with the same topic/hook and channel.")
    link = TopicAction.objects.create(customer_id=customer_id, **data)
    _hook_link_audit(link=link, audit_action=AuditAction.HOOK_CREATED)
    return link


@transaction.atomic
def topic_actions_bulk_create(*, customer_id: int, items: list[dict]) -> list[TopicAction]:
    """Creates the links that do not exist yet (existing combinations are skipped); returns the created ones."""
    created = []
    for data in items:
        if _duplicate_link(customer_id=customer_id, data=data):
            continue
        link = TopicAction.objects.create(customer_id=customer_id, **data)
        _hook_link_audit(link=link, audit_action=AuditAction.HOOK_CREATED)
        created.append(link)
    return created


@transaction.atomic
def topic_action_set_priority(*, link: TopicAction, priority: int) -> TopicAction:
    """Changes only the execution priority of a link (higher runs first)."""
    link.priority = priority
    link.save(update_fields=["priority"])
    _hook_link_audit(link=link, audit_action=AuditAction.HOOK_UPDATED)
    return link


@transaction.atomic
def topic_action_delete(*, link: TopicAction) -> None:
    """Deletes the link; recorded runs stay."""
    _hook_link_audit(link=link, audit_action=AuditAction.HOOK_DELETED)
    link.delete()


@transaction.atomic
def topic_document_create(*, customer_id: int, data: dict) -> TopicDocument:
    """Links a document to a topic, every topic or a hook, optionally per channel."""
    return TopicDocument.objects.create(customer_id=customer_id, **data)


@transaction.atomic
def topic_documents_bulk_create(*, customer_id: int, items: list[dict]) -> list[TopicDocument]:
    """Creates every listed document link in one transaction."""
    return [TopicDocument.objects.create(customer_id=customer_id, **data) for data in items]


@transaction.atomic
def topic_document_update(*, link: TopicDocument, data: dict) -> TopicDocument:
    """Re-points a document link (topic/special topic, document, channel/special channel)."""
    for name, value in data.items():
        setattr(link, name, value)
    link.save()
    return link


@transaction.atomic
def topic_document_delete(*, link: TopicDocument) -> None:
    """Deletes the document link."""
    link.delete()


# --- the engine ---------------------------------------------------------------------------------


def _message(*, customer_id: int | None, message_id: int) -> TicketMessage | None:
    query = TicketMessage.objects.select_related("channel", "ticket")
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    return query.filter(pk=message_id).first()


def _channel_of(message: TicketMessage) -> tuple[int | None, str | None]:
    channel_type = message.channel.channel_type if message.channel else message.ticket.channel_type
    return message.channel_id or message.ticket.channel_id, channel_type or None


def _runs_ensure(*, message: TicketMessage, links, trigger: str) -> list[TicketMessageAction]:
    """One run row per linked action (highest link priority wins); existing rows are kept as they are."""
    best: dict[int, TopicAction] = {}
    for link in links:
        if link.action_id not in best or link.priority > best[link.action_id].priority:
            best[link.action_id] = link
    TicketMessageAction.objects.bulk_create(
        [
            TicketMessageAction(
                customer_id=message.customer_id,
                message=message,
                action_id=link.action_id,
                trigger=trigger,
                priority=link.priority,
            )
            for link in best.values()
        ],
        ignore_conflicts=True,
    )
    return list(
        TicketMessageAction.objects.filter(message=message, trigger=trigger)
        .select_related("action")
        .order_by("-priority", "id")
    )


def _chain_enqueue(message_id: int, trigger: str, countdown: int = 0) -> None:
    """Queues the chain after commit. Eager mode (no broker) cannot delay a task, so a waiting chain is left
    for the `automation.sweep_action_chains` beat task instead of spinning in-process."""
    from automation.tasks import run_action_chain

    if countdown and run_action_chain.app.conf.task_always_eager:
        logger.info(
            "Chain %s/%s waits %s s; the sweeper resumes it (tasks run eagerly)", message_id, trigger, countdown
        )
        return
    enqueue_after_commit(run_action_chain, message_id, trigger, countdown=countdown)


def _hook_runs_record(*, customer_id: int, message_id: int, hook_name: str) -> list[TicketMessageAction] | None:
    """A run for every active action linked to the hook on the message's channel; None when the message is gone."""
    message = _message(customer_id=customer_id, message_id=message_id)
    if message is None:
        return None
    channel_id, channel_type = _channel_of(message)
    links = hook_links(customer_id=customer_id, hook_name=hook_name, channel_id=channel_id, channel_type=channel_type)
    return _runs_ensure(message=message, links=links, trigger=hook_name)


@transaction.atomic
def hook_run(*, customer_id: int, message_id: int, hook_name: str) -> list[TicketMessageAction]:
    """Records a run for every active action linked to the hook on the message's channel and queues the
    chain; calling it again for the same message and hook adds nothing and repeats nothing finished."""
    runs = _hook_runs_record(customer_id=customer_id, message_id=message_id, hook_name=hook_name)
    if runs is None:
        return []
    if runs or hook_name == HookName.ON_ESCALATE:
        _chain_enqueue(message_id, hook_name)
    return runs


def hook_run_inline(*, customer_id: int, message_id: int, hook_name: str) -> list[TicketMessageAction]:
    """Like hook_run, but runs the chain now in the caller's process, so the caller sees what it did before
    going on (the AI pipeline's PreSpam, PostSpam, PostTopicDetection); a Wait still pauses the rest on the queue."""
    with transaction.atomic():
        runs = _hook_runs_record(customer_id=customer_id, message_id=message_id, hook_name=hook_name)
    if runs:
        action_chain_run(message_id=message_id, trigger=hook_name)
    return runs or []


@transaction.atomic
def topic_actions_run(*, message_id: int) -> list[TicketMessageAction]:
    """Records a run for every active action linked to the message's topics (or to every topic) and queues
    the chain (trigger 'Topics'); idempotent like hook_run."""
    message = _message(customer_id=None, message_id=message_id)
    if message is None:
        return []
    topic_ids = list(TicketMessageTopic.objects.filter(message=message).values_list("topic_id", flat=True))
    channel_id, channel_type = _channel_of(message)
    links = topic_links(
        customer_id=message.customer_id, topic_ids=topic_ids, channel_id=channel_id, channel_type=channel_type
    )
    runs = _runs_ensure(message=message, links=links, trigger=TOPICS_TRIGGER)
    if runs:
        _chain_enqueue(message.pk, TOPICS_TRIGGER)
    return runs


def _execute(run: TicketMessageAction) -> ActionResult:
    """Evaluates the action's conditions and calls its handler; every failure becomes a recorded result."""
    action = run.action
    try:
        rules = parse_rules(action.conditional_rules)
    except RuleError as error:
        return ActionResult.failed(f"InvalidConditionalRules: {error}")
    if rules is not None:
        message = message_for_context(customer_id=run.customer_id, message_id=run.message_id)
        if not evaluate(rules, message_context(message)):
            return ActionResult(message="Conditions not met; skipped.", status=ActionStatus.SKIPPED)
    handler = action_handler(action.action_type)
    if handler is None:
        return ActionResult.failed(f"ActionTypeUnavailable: no installed app runs '{action.action_type}' actions.")
    context = ActionContext(
        customer_id=run.customer_id, message_id=run.message_id, action=action, trigger=run.trigger, run_id=run.pk
    )
    try:
        with transaction.atomic():
            return handler(context=context)
    except Exception as error:  # a handler's bug must be recorded on the run, not lost in a worker log
        logger.exception("Action %s (%s) failed on message %s", action.pk, action.action_type, run.message_id)
        return ActionResult.failed(f"{type(error).__name__}: {error}"[:2000])


def _record(run: TicketMessageAction, result: ActionResult) -> None:
    now = timezone.now()
    fields = {"status": result.status, "result": result.message[:4000]}
    if result.status == ActionStatus.WAITING:
        fields["resume_at"] = now + timedelta(seconds=result.resume_after_seconds)
    else:
        fields["finished_at"] = now
    # update() by id: a Delete action removes the message and with it this run row.
    TicketMessageAction.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _claim(run: TicketMessageAction) -> bool:
    """Marks the run Running unless another worker holds it (a Running row older than STALE_RUNNING is retaken)."""
    now = timezone.now()
    claimable = TicketMessageAction.objects.filter(pk=run.pk, status=ActionStatus.PENDING)
    if run.status == ActionStatus.RUNNING and run.started_at and run.started_at < now - STALE_RUNNING:
        claimable = TicketMessageAction.objects.filter(pk=run.pk, status=ActionStatus.RUNNING)
    return bool(claimable.update(status=ActionStatus.RUNNING, started_at=now))


def action_chain_run(*, message_id: int, trigger: str) -> None:
    """Runs the message's pending runs of `trigger` in priority order; a Waiting run pauses the chain and
    re-queues it; after the OnEscalate chain, PostEscalate (agent assigned) or OnEscalateFailed follows."""
    message = _message(customer_id=None, message_id=message_id)
    if message is None:
        return
    runs = TicketMessageAction.objects.filter(message_id=message_id, trigger=trigger).select_related("action")
    for run in runs.order_by("-priority", "id"):
        if run.status in ActionStatus.FINAL:
            continue
        if run.status == ActionStatus.WAITING:
            remaining = (run.resume_at - timezone.now()).total_seconds() if run.resume_at else 0
            if remaining > 0:
                _chain_enqueue(message_id, trigger, countdown=int(remaining) + 1)
                return
            _record(run, ActionResult(message=f"Waited {run.action.wait_seconds} seconds."))
            continue
        if not _claim(run):
            return  # another worker is running this chain
        result = _execute(run)
        _record(run, result)
        if result.status == ActionStatus.WAITING:
            _chain_enqueue(message_id, trigger, countdown=result.resume_after_seconds)
            return
        if result.stop_chain:
            return
    if trigger == HookName.ON_ESCALATE:
        message.ticket.refresh_from_db(fields=["customer_rep"])
        follow_up = HookName.POST_ESCALATE if message.ticket.customer_rep_id else HookName.ON_ESCALATE_FAILED
        hook_run(customer_id=message.customer_id, message_id=message_id, hook_name=follow_up)


@transaction.atomic
def action_execute(*, message: TicketMessage, action: Action, trigger: str = MANUAL_TRIGGER) -> ActionResult:
    """Runs one action on the message now (runtime routes); the run row of this trigger is reset and reused."""
    run, _ = TicketMessageAction.objects.update_or_create(
        message=message,
        action=action,
        trigger=trigger,
        defaults={
            "customer_id": message.customer_id,
            "status": ActionStatus.RUNNING,
            "started_at": timezone.now(),
            "finished_at": None,
            "resume_at": None,
            "result": "",
        },
    )
    run.action = action
    result = _execute(run)
    _record(run, result)
    return result


def hook_run_for_ticket(*, customer_id: int, ticket_id: int, hook_name: str) -> list[TicketMessageAction]:
    """hook_run on the ticket's latest end-user message (ticket events carry no message)."""
    message = (
        TicketMessage.objects.filter(customer_id=customer_id, ticket_id=ticket_id)
        .order_by("-incoming", "-created_at", "-id")
        .only("pk")
        .first()
    )
    if message is None:
        return []
    return hook_run(customer_id=customer_id, message_id=message.pk, hook_name=hook_name)


def hook_run_for_end_user(*, customer_id: int, end_user_id: int, hook_name: str) -> list[TicketMessageAction]:
    """hook_run on the end user's latest message; an end user without messages has nothing to run on."""
    message = (
        TicketMessage.objects.filter(customer_id=customer_id, ticket__end_user_id=end_user_id)
        .order_by("-created_at", "-id")
        .only("pk")
        .first()
    )
    if message is None:
        logger.info("%s for end user %s: no message to run actions on", hook_name, end_user_id)
        return []
    return hook_run(customer_id=customer_id, message_id=message.pk, hook_name=hook_name)


def tickets_execute_actions(*, customer_id: int, ticket_ids: list[int], rep_id: int | None) -> None:
    """Bulk ticket action 'executeActions': queues the topic actions of each ticket's latest end-user message."""
    latest = (
        TicketMessage.objects.filter(customer_id=customer_id, ticket_id__in=ticket_ids, incoming=True)
        .order_by("ticket_id", "-created_at", "-id")
        .values_list("ticket_id", "pk")
    )
    seen = {}
    for ticket_id, message_id in latest:
        seen.setdefault(ticket_id, message_id)
    for message_id in seen.values():
        topic_actions_run(message_id=message_id)


def tickets_learn_topics(*, customer_id: int, ticket_ids: list[int], rep_id: int | None) -> None:
    """Bulk ticket action 'learnTopics': confirms the current topics of the tickets' messages as corrected
    by the representative, so they count as learned examples for topic detection."""
    rows = TicketMessageTopic.objects.filter(customer_id=customer_id, message__ticket_id__in=ticket_ids).values_list(
        "message_id", "topic_id"
    )
    by_message: dict[int, list[int]] = {}
    for message_id, topic_id in rows:
        by_message.setdefault(message_id, []).append(topic_id)
    messages = TicketMessage.objects.filter(customer_id=customer_id, pk__in=by_message)
    for message in messages:
        ticket_services.message_topics_correct(message=message, topic_ids=by_message[message.pk], rep_id=rep_id)


def scheduled_deletions_run(*, now=None) -> int:
    """Deletes every ticket whose DeleteAfterCleanup time has passed; returns how many were deleted."""
    now = now or timezone.now()
    count = 0
    for scheduled in ScheduledTicketDeletion.objects.filter(delete_after__lte=now).select_related("ticket"):
        try:
            ticket_services.ticket_delete(ticket=scheduled.ticket)
        except IntegrityError:
            logger.exception("Scheduled deletion of ticket %s failed", scheduled.ticket_id)
            continue
        count += 1
    return count


def stalled_chains(*, now=None) -> list[tuple[int, str]]:
    """(message id, trigger) of chains whose task was evidently lost: a run Pending or Running for longer than
    STALE_RUNNING, or Waiting more than a minute past its resume time."""
    now = now or timezone.now()
    stale = now - STALE_RUNNING
    rows = TicketMessageAction.objects.filter(
        Q(status=ActionStatus.PENDING, date_assigned__lt=stale)
        | Q(status=ActionStatus.RUNNING, started_at__lt=stale)
        | Q(status=ActionStatus.WAITING, resume_at__lt=now - timedelta(minutes=1))
    )
    return sorted(set(rows.values_list("message_id", "trigger")))
