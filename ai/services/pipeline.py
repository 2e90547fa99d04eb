"""The inbound message pipeline: queued after commit, stages spam → language → topics → custom fields →
reply with the automation hooks between them, per-step status, retries and the sweeper."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ai import selectors
from ai.conf import ai_int
from ai.models import MessagePipeline, PipelineState
from ai.providers.base import (
    AIProviderError,
    AIProviderUnavailable,
)
from ai.services.steps import (
    message_custom_fields_extract,
    message_language_detect,
    message_reply_draft,
    message_spam_detect,
    message_topics_detect,
)
from answerpal.celery import enqueue_after_commit
from automation.services import hook_run_inline, topic_actions_run
from tickets.models import AIStepStatus, SenderType, TicketMessage, TicketMessageTopic
from tickets.services import (
    message_ai_steps_fail,
    message_ai_steps_pend,
    message_columns_update,
)

logger = logging.getLogger(__name__)

_DONE = (AIStepStatus.COMPLETED, AIStepStatus.SKIPPED)
SWEEP_BATCH = 500


class Step:
    SPAM = "spam"
    LANGUAGE = "language"
    TOPICS = "topics"
    CUSTOM_FIELDS = "customFields"
    REPLY = "reply"


def _pipeline_queue(message_id: int) -> None:
    """Marks the message's AI steps Pending and queues the `ai` task after commit (inside the caller's transaction)."""
    from ai.tasks import message_pipeline_task

    message_ai_steps_pend(message_id=message_id)
    enqueue_after_commit(message_pipeline_task, message_id)


def pipeline_enqueue(*, message_id: int, customer_id: int) -> MessagePipeline | None:
    """Records the pipeline (Queued), marks the message's AI steps Pending and queues the `ai` task after
    commit; a message that already has a pipeline is not queued twice."""
    with transaction.atomic():
        if not TicketMessage.objects.filter(pk=message_id, customer_id=customer_id).exists():
            return None
        pipeline, created = MessagePipeline.objects.get_or_create(
            message_id=message_id, defaults={"customer_id": customer_id}
        )
        if created:
            _pipeline_queue(message_id)
    return pipeline


def pipeline_restart(*, message_id: int, customer_id: int) -> MessagePipeline | None:
    """Runs the whole pipeline of a message again (operator action): every step back to Pending, then queued."""
    with transaction.atomic():
        updated = MessagePipeline.objects.filter(message_id=message_id, customer_id=customer_id).update(
            state=PipelineState.QUEUED, step="", failed_steps=[], last_error_code="", last_error="", finished_at=None
        )
        if not updated:
            return pipeline_enqueue(message_id=message_id, customer_id=customer_id)
        _pipeline_queue(message_id)
    return selectors.pipeline_get(message_id=message_id)


def message_pipeline_run(*, message_id: int, final_attempt: bool) -> MessagePipeline | None:
    """Runs the inbound pipeline: PreSpam → spam → PostSpam → language → topics → PostTopicDetection → custom
    fields → reply draft. Finished steps are skipped, so a re-delivered task only does what is left. A retryable
    provider error is raised (the task retries) unless `final_attempt`, when the step is recorded Failed."""
    pipeline = selectors.pipeline_get(message_id=message_id)
    message = selectors.message_for_ai(message_id=message_id)
    if message is None or pipeline is None or pipeline.is_finished:
        return pipeline
    pipeline.state, pipeline.attempts = PipelineState.RUNNING, pipeline.attempts + 1
    pipeline.started_at = pipeline.started_at or timezone.now()
    MessagePipeline.objects.filter(pk=pipeline.pk).update(
        state=pipeline.state, attempts=pipeline.attempts, started_at=pipeline.started_at
    )
    links = selectors.automation_links(customer_id=message.customer_id)
    steps = (
        (Step.SPAM, _spam_stage),
        (Step.LANGUAGE, _language_stage),
        (Step.TOPICS, _topics_stage),
        (Step.CUSTOM_FIELDS, _custom_fields_stage),
        (Step.REPLY, _reply_stage),
    )
    for name, stage in steps:
        try:
            outcome = stage(message, links)
        except AIProviderError as error:
            if error.retryable and not final_attempt:
                _pipeline_error(pipeline, name, error.code, str(error.detail))
                raise
            _step_failed(message, pipeline, name, error.code, str(error.detail))
            continue
        except AIProviderUnavailable as error:
            _step_failed(message, pipeline, name, error.code, str(error.detail))
            continue
        if outcome == "stop":
            break
        if outcome == PipelineState.SUPERSEDED:
            _pipeline_finish(pipeline, PipelineState.SUPERSEDED, name)
            return pipeline
        if links.hooks and not TicketMessage.objects.filter(pk=message.pk).exists():  # a hook action deleted it
            return pipeline
    _pipeline_finish(pipeline, PipelineState.FAILED if pipeline.failed_steps else PipelineState.DONE, name)
    return pipeline


def _pipeline_error(pipeline: MessagePipeline, step: str, code: str, detail: str) -> None:
    pipeline.step, pipeline.last_error_code, pipeline.last_error = step, code, detail[:2000]
    MessagePipeline.objects.filter(pk=pipeline.pk).update(
        step=step, last_error_code=code, last_error=pipeline.last_error
    )


def _step_failed(message: TicketMessage, pipeline: MessagePipeline, step: str, code: str, detail: str) -> None:
    status_field = {Step.SPAM: "ai_spam_status", Step.TOPICS: "ai_topics_status", Step.REPLY: "ai_reply_status"}
    if step in status_field:
        message_columns_update(message=message, changes={status_field[step]: AIStepStatus.FAILED})
    pipeline.failed_steps = [*pipeline.failed_steps, step]
    MessagePipeline.objects.filter(pk=pipeline.pk).update(failed_steps=pipeline.failed_steps)
    _pipeline_error(pipeline, step, code, detail)


def _pipeline_finish(pipeline: MessagePipeline, state: str, step: str) -> None:
    pipeline.state, pipeline.step, pipeline.finished_at = state, step, timezone.now()
    MessagePipeline.objects.filter(pk=pipeline.pk).update(state=state, step=step, finished_at=pipeline.finished_at)


def _hook(message: TicketMessage, links: selectors.AutomationLinks, hook_name: str) -> None:
    if hook_name in links.hooks:
        hook_run_inline(customer_id=message.customer_id, message_id=message.pk, hook_name=hook_name)


def _spam_stage(message: TicketMessage, links: selectors.AutomationLinks):
    if message.ai_spam_status in _DONE:
        return "stop" if message.is_spam_ai else None
    _hook(message, links, "PreSpam")
    if links.hooks:
        message.refresh_from_db(fields=["is_spam_ai"])
    if message.is_spam_ai is None:
        is_spam = message_spam_detect(message=message)
    else:  # a PreSpam action (MarkSpam / NotSpam) already decided
        is_spam = message.is_spam_ai
        message_columns_update(message=message, changes={"ai_spam_status": AIStepStatus.COMPLETED})
    _hook(message, links, "PostSpam")
    if is_spam:
        message_columns_update(
            message=message, changes={"ai_topics_status": AIStepStatus.SKIPPED, "ai_reply_status": AIStepStatus.SKIPPED}
        )
        return "stop"
    return None


def _language_stage(message: TicketMessage, links: selectors.AutomationLinks):
    if not message.lang:
        message_language_detect(message=message)


def _topics_stage(message: TicketMessage, links: selectors.AutomationLinks):
    if message.ai_topics_status in _DONE:
        return None
    if TicketMessageTopic.objects.filter(message_id=message.pk, corrected=True).exists():
        # a representative already decided
        message_columns_update(message=message, changes={"ai_topics_status": AIStepStatus.SKIPPED})
    else:
        message_topics_detect(message=message)
    _hook(message, links, "PostTopicDetection")
    if links.topic_actions:
        topic_actions_run(message_id=message.pk)
    return None


def _custom_fields_stage(message: TicketMessage, links: selectors.AutomationLinks):
    message_custom_fields_extract(message=message, overwrite=False)


def _reply_stage(message: TicketMessage, links: selectors.AutomationLinks):
    if links.hooks or links.topic_actions:  # a Reply / ReplySend action may have drafted meanwhile
        message.refresh_from_db(fields=["ai_reply_status"])
    if message.ai_reply_status in _DONE:
        return None
    if selectors.newer_end_user_message_exists(message=message):
        message_columns_update(message=message, changes={"ai_reply_status": AIStepStatus.SKIPPED})
        return PipelineState.SUPERSEDED
    draft = message_reply_draft(message=message, supersedable=True, links=links)
    return PipelineState.SUPERSEDED if draft is None else None


def pipeline_error_record(*, message_id: int, code: str, detail: str) -> None:
    """Notes an unexpected failure on the message's pipeline (left Running, so the sweeper tries again)."""
    MessagePipeline.objects.filter(message_id=message_id).update(last_error_code=code, last_error=detail[:2000])


def pipeline_sweep(*, now=None) -> int:
    """Re-drives inbound messages the pipeline lost: pipelines left Queued or Running longer than
    AI_PIPELINE_STALE_MINUTES (a lost task, a dead worker) and end-user messages of the last day whose
    MessageReceived event never created a pipeline. Returns how many were queued."""
    from ai.tasks import message_pipeline_task

    now = now or timezone.now()
    cutoff = now - timedelta(minutes=ai_int("AI_PIPELINE_STALE_MINUTES"))
    unfinished = MessagePipeline.objects.filter(
        state__in=(PipelineState.QUEUED, PipelineState.RUNNING), created_at__lt=cutoff
    )
    # A pipeline that keeps failing for an unexpected reason is given up, visibly, instead of re-driven forever.
    abandoned = unfinished.filter(attempts__gt=ai_int("AI_PIPELINE_MAX_RETRIES"))
    for pipeline in abandoned[:SWEEP_BATCH]:
        _pipeline_abandon(pipeline)
    stale = list(
        unfinished.exclude(attempts__gt=ai_int("AI_PIPELINE_MAX_RETRIES"))
        .order_by("created_at")
        .values_list("message_id", flat=True)[:SWEEP_BATCH]
    )
    for message_id in stale:
        message_pipeline_task.delay(message_id)
    orphans = list(
        TicketMessage.objects.filter(
            incoming=True,
            sender_type=SenderType.END_USER,
            ai_reply_status=AIStepStatus.NOT_STARTED,
            created_at__range=(now - timedelta(days=1), cutoff),
            ai_pipeline__isnull=True,
        )
        .order_by("created_at")
        .values_list("pk", "customer_id")[:SWEEP_BATCH]
    )
    for message_id, customer_id in orphans:
        pipeline_enqueue(message_id=message_id, customer_id=customer_id)
    return len(stale) + len(orphans)


def _pipeline_abandon(pipeline: MessagePipeline) -> None:
    message_ai_steps_fail(message_id=pipeline.message_id)
    MessagePipeline.objects.filter(pk=pipeline.pk).update(
        state=PipelineState.FAILED,
        finished_at=timezone.now(),
        last_error=f"Given up after {pipeline.attempts} attempts: {pipeline.last_error}"[:2000],
    )
