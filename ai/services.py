"""AI writes: the inbound pipeline and its steps, on-demand replies, previews, summaries, translation and
transcription. Every provider call writes one cost-ledger row (billing.cost_record)."""

import html
import logging
import re
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from ai import selectors
from ai.conf import ai_int
from ai.models import MessagePipeline, PipelineState
from ai.providers import Purpose, Resolved, resolve
from ai.providers.base import (
    AIProviderError,
    AIProviderUnavailable,
    AIRefusal,
    AIResult,
    ReplyRequest,
    ToolSpec,
)
from ai.providers.local import iso_639_1, iso_639_3, spam_score
from answerpal.api.errors import ApiError
from answerpal.celery import enqueue_after_commit
from automation.connector import ConnectorError
from automation.prompt_documents import function_tool_call
from automation.services import hook_run_inline, topic_actions_run
from billing.models import CostProvider
from billing.services import cost_record
from customers.selectors import custom_fields_validate
from tickets.models import AIStepStatus, SenderType, Ticket, TicketMessage, TicketMessageTopic
from tickets.services import (
    message_ai_steps_fail,
    message_ai_steps_pend,
    message_columns_update,
    message_topics_detected_replace,
    ticket_summary_store,
    ticket_update,
)

logger = logging.getLogger(__name__)

_COST_PROVIDERS = {"openai": CostProvider.OPENAI, "local": CostProvider.LOCAL}
_DONE = (AIStepStatus.COMPLETED, AIStepStatus.SKIPPED)
# A strong heuristic score marks spam even when the AI model disagrees.
HEURISTIC_SPAM_SCORE = 0.8
SWEEP_BATCH = 500
TOOL_RESULT_CHARS = 8000


class Step:
    SPAM = "spam"
    LANGUAGE = "language"
    TOPICS = "topics"
    CUSTOM_FIELDS = "customFields"
    REPLY = "reply"


def _database_connection_release() -> None:
    """Gives the thread's database connection back to the pool while a slow remote call runs, so a worker with many
    threads holds at most the pool's size of connections. Only with DATABASES OPTIONS "pool" (psycopg_pool): without
    a pool, closing would mean a reconnect per call, and each thread keeps its one persistent connection instead."""
    if connection.settings_dict.get("OPTIONS", {}).get("pool") and not connection.in_atomic_block:
        connection.close()


def ai_call(resolved: Resolved, *, customer_id: int, message_id: int | None, call: Callable[..., AIResult]) -> AIResult:
    """Runs one provider operation and appends its cost-ledger row (a refused answer is billed too)."""
    if resolved.provider_name != "local":
        _database_connection_release()
    try:
        result = call(resolved.provider, resolved.model_name)
    except AIRefusal as refusal:
        _cost_record(
            resolved,
            customer_id,
            message_id,
            provider=resolved.provider_name,
            model=resolved.model_name,
            input_tokens=refusal.input_tokens,
            output_tokens=refusal.output_tokens,
            seconds=0,
        )
        raise
    except AIProviderError as error:
        logger.warning("AI %s call for customer %s failed: %s", resolved.purpose, customer_id, error.code)
        raise
    _cost_record(
        resolved,
        customer_id,
        message_id,
        provider=result.provider,
        model=result.model,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        seconds=result.seconds,
    )
    return result


def _cost_record(
    resolved: Resolved,
    customer_id: int,
    message_id: int | None,
    *,
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    seconds: float,
) -> None:
    catalogued = resolved.ai_model is not None and resolved.ai_model.model_name == model
    cost_record(
        customer_id=customer_id,
        provider=_COST_PROVIDERS[provider],
        model=resolved.ai_model if catalogued else model,
        purpose=resolved.purpose,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        seconds=round(seconds, 3),
        amount=Decimal(0) if provider == "local" else None,
        message_id=message_id,
    )


@contextmanager
def _step(message: TicketMessage, status_field: str):
    """Marks an AI step Processing; a failure marks it Failed before the error goes on."""
    message_columns_update(message=message, changes={status_field: AIStepStatus.PROCESSING})
    try:
        yield
    except (AIProviderError, AIProviderUnavailable):
        message_columns_update(message=message, changes={status_field: AIStepStatus.FAILED})
        raise


# --- pipeline -----------------------------------------------------------------------------------


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


# --- steps (also used on demand) ----------------------------------------------------------------


def message_spam_detect(*, message: TicketMessage) -> bool:
    """Judges spam (heuristic score, and the AI model when one is configured); stores isSpamAI and the spam
    status; marks the ticket spam when it is."""
    text = selectors.message_text(message)
    sender = message.from_address or message.from_number or message.uid
    with _step(message, "ai_spam_status"):
        resolved = resolve(message.customer, Purpose.SPAM, channel_type=selectors.channel_type_of(message))
        result = ai_call(
            resolved,
            customer_id=message.customer_id,
            message_id=message.pk,
            call=lambda provider, model: provider.spam_check(
                model=model, sender=sender, subject=message.subject, text=text
            ),
        )
    verdict = result.value
    heuristic = spam_score(sender=sender, subject=message.subject, text=text)
    is_spam = verdict.is_spam or heuristic.score >= HEURISTIC_SPAM_SCORE
    message_columns_update(
        message=message, changes={"is_spam_ai": verdict.is_spam, "ai_spam_status": AIStepStatus.COMPLETED}
    )
    if is_spam and not message.ticket.is_spam:
        ticket_update(ticket=Ticket.objects.get(pk=message.ticket_id), changes={"is_spam": True})
    return is_spam


def message_language_detect(*, message: TicketMessage) -> str:
    """Detects and stores the message language (ISO 639-1, e.g. "nl"); empty when undetectable."""
    text = f"{message.subject}\n{selectors.message_text(message)}"
    resolved = resolve(message.customer, Purpose.LANGUAGE)
    result = ai_call(
        resolved,
        customer_id=message.customer_id,
        message_id=message.pk,
        call=lambda provider, model: provider.detect_language(model=model, text=text),
    )
    lang = iso_639_1(result.value or "")
    message_columns_update(message=message, changes={"lang": lang})
    return lang


def message_topics_detect(*, message: TicketMessage) -> list[int] | None:
    """Detects the message's topics among the channel's topics (learning from corrected examples) and replaces
    its uncorrected topics with them; topics a representative corrected stay. None (step Skipped) when no topic
    applies to the channel."""
    with _step(message, "ai_topics_status"):
        candidates = selectors.topic_candidates(message=message)
        if not candidates:
            message_columns_update(message=message, changes={"ai_topics_status": AIStepStatus.SKIPPED})
            return None
        text = f"{message.subject}\n{selectors.message_text(message)}"
        resolved = resolve(message.customer, Purpose.TOPICS)
        result = ai_call(
            resolved,
            customer_id=message.customer_id,
            message_id=message.pk,
            call=lambda provider, model: provider.detect_topics(model=model, text=text, topics=candidates),
        )
    message_topics_detected_replace(message=message, topic_ids=result.value)
    message_columns_update(message=message, changes={"ai_topics_status": AIStepStatus.COMPLETED})
    return result.value


def message_custom_fields_extract(*, message: TicketMessage, overwrite: bool) -> dict | None:
    """Extracts the customer's custom fields from the message into customFieldsData; values already present
    are kept unless `overwrite` (an explicit request). Returns the resulting map; None when the customer defined
    no custom fields."""
    specs = selectors.custom_field_specs(customer_id=message.customer_id)
    if not specs:
        return None
    text = f"{message.subject}\n{selectors.message_text(message)}"
    resolved = resolve(message.customer, Purpose.CUSTOM_FIELDS, channel_type=selectors.channel_type_of(message))
    result = ai_call(
        resolved,
        customer_id=message.customer_id,
        message_id=message.pk,
        call=lambda provider, model: provider.extract_fields(model=model, text=text, fields=specs),
    )
    try:
        found = custom_fields_validate(customer_id=message.customer_id, data=result.value)
    except ApiError:
        found = _valid_fields(message.customer_id, result.value)
    current = dict(message.custom_fields_data or {})
    merged = {**current, **found} if overwrite else {**found, **current}
    if merged != current:
        message_columns_update(message=message, changes={"custom_fields_data": merged})
    return merged


def _valid_fields(customer_id: int, values: dict) -> dict:
    """The extracted values that pass validation one by one (a model may get one field wrong)."""
    valid = {}
    for name, value in values.items():
        try:
            valid.update(custom_fields_validate(customer_id=customer_id, data={name: value}))
        except ApiError:
            logger.info("Dropped extracted custom field %s for customer %s: invalid value", name, customer_id)
    return valid


def tool_name(document) -> str:
    """An OpenAI function name (letters, digits, _ and -, at most 64) that still says what the document is."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", document.name).strip("_")[:50] or "tool"
    return f"{slug}_{document.pk}"


def _tool_runner(message: TicketMessage, documents: list) -> Callable[[str, dict], str]:
    """Answers the model's function calls with automation's function_tool_call (schema-checked arguments, the
    connector's guards, a ConnectorCall log row); a failure is told to the model, which then answers without it."""
    by_name = {tool_name(document): document for document in documents}

    def run_tool(name: str, arguments: dict) -> str:
        document = by_name.get(name)
        if document is None:
            return f"[Unknown function {name}]"
        try:
            return function_tool_call(document=document, message=message, arguments=arguments)[:TOOL_RESULT_CHARS]
        except ConnectorError as error:
            return f"[{document.name} failed: {error.code}]"

    return run_tool


def _reply_request(message: TicketMessage, *, rep, additional_info: str, links, tools: list) -> ReplyRequest:
    text = selectors.message_text(message)
    prompts = selectors.prompt_passages(message=message, links=links)
    knowledge = selectors.knowledge_passages(
        customer_id=message.customer_id, query=f"{message.subject}\n{text}\n{additional_info}"
    )
    prompt_titles = {passage.title for passage in prompts}
    return ReplyRequest(
        message_text=text,
        subject=message.subject,
        lang=message.lang,
        end_user_name=selectors.end_user_name(message),
        end_user_context=selectors.end_user_context(message=message),
        instructions=tuple(prompts),
        knowledge=tuple(passage for passage in knowledge if passage.title not in prompt_titles),
        history=tuple(selectors.ticket_history(message=message)),
        additional_info=additional_info,
        signature=selectors.signature_for(rep=selectors.signature_rep(message, rep), lang=message.lang),
        channel_type=selectors.channel_type_of(message),
        topics=tuple(message.topics.values_list("topic__name", flat=True)),
        tools=tuple(
            ToolSpec(
                name=tool_name(document),
                description=(document.description or document.name)[:1000],
                parameters=document.function_parameters_schema or {"type": "object", "properties": {}},
            )
            for document in tools
        ),
    )


def message_reply_draft(
    *,
    message: TicketMessage,
    rep=None,
    additional_info: str = "",
    override_model=None,
    supersedable: bool = False,
    links: selectors.AutomationLinks | None = None,
) -> str | None:
    """Drafts a reply (prompt documents, knowledge, history, end user, signature in the message language) and
    stores it as aI_GeneratedResponse with its prompt; a new draft clears aI_ModifiedResponse. With
    `supersedable` (the pipeline) nothing is written when a newer end-user message arrived meanwhile (None)."""
    with _step(message, "ai_reply_status"):
        if not message.lang:
            message_language_detect(message=message)
        channel_type = selectors.channel_type_of(message)
        resolved = resolve(message.customer, Purpose.REPLY, channel_type=channel_type, override_model=override_model)
        tools = selectors.function_tool_documents(message=message, links=links)
        request = _reply_request(
            message,
            rep=rep,
            additional_info=additional_info or message.additional_info,
            links=links,
            tools=tools,
        )
        run_tool = _tool_runner(message, tools) if tools else None
        result = ai_call(
            resolved,
            customer_id=message.customer_id,
            message_id=message.pk,
            call=lambda provider, model: provider.draft_reply(model=model, request=request, run_tool=run_tool),
        )
    with transaction.atomic():
        locked = TicketMessage.objects.select_for_update().filter(pk=message.pk).order_by().only("id").first()
        if locked is None:
            return None
        if supersedable and selectors.newer_end_user_message_exists(message=message):
            message_columns_update(message=message, changes={"ai_reply_status": AIStepStatus.SKIPPED})
            return None
        fields = {
            "ai_generated_response": result.value,
            "ai_modified_response": "",
            "ai_response_datetime": timezone.now(),
            "ai_prompt": result.prompt,
            "ai_reply_status": AIStepStatus.COMPLETED,
        }
        if additional_info:
            fields["additional_info"] = additional_info
        message_columns_update(message=message, changes=fields)
    return result.value


def message_response_edit(*, message: TicketMessage, text: str) -> TicketMessage:
    """Records a representative's edit of the AI draft: aI_ModifiedResponse holds the text when it differs from
    aI_GeneratedResponse and is cleared when it equals it (the same rule messaging's send applies)."""
    modified = "" if text.strip() == message.ai_generated_response.strip() else text
    message_columns_update(message=message, changes={"ai_modified_response": modified})
    return message


def message_preview_html(*, message: TicketMessage, rep, text: str | None = None) -> str:
    """The e-mail body that would be sent: the edited (else generated) answer as HTML plus the rep's signature in
    the message language; no tracking pixel."""
    answer = text if text is not None else (message.ai_modified_response or message.ai_generated_response)
    signature_text = selectors.signature_for(rep=rep, lang=message.lang)
    if signature_text and answer.rstrip().endswith(signature_text.strip()):
        answer = answer.rstrip()[: -len(signature_text.strip())].rstrip()
    paragraphs = [part.strip() for part in answer.split("\n\n") if part.strip()]
    body = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    signature_html = selectors.signature_for(rep=rep, lang=message.lang, html=True)
    if not signature_html and signature_text:
        signature_html = "<p>" + html.escape(signature_text).replace("\n", "<br>") + "</p>"
    if signature_html:
        body += f'<div class="signature">{signature_html}</div>'
    return f"<html><body>{body}</body></html>"


def ticket_summarize(*, ticket: Ticket) -> str:
    """Summarizes the ticket's conversation with the summary model and stores it on the ticket."""
    messages = list(
        TicketMessage.objects.filter(ticket_id=ticket.pk)
        .order_by("created_at", "id")
        .only("sender_type", "subject", "text_body", "message", "html_body", "lang", "customer_id")
    )
    lines = [f"{row.sender_type}: {selectors.message_text(row)}" for row in messages if selectors.message_text(row)]
    lang = next((row.lang for row in reversed(messages) if row.lang), "")
    resolved = resolve(ticket.customer, Purpose.SUMMARY)
    result = ai_call(
        resolved,
        customer_id=ticket.customer_id,
        message_id=messages[-1].pk if messages else None,
        call=lambda provider, model: provider.summarize(model=model, text="\n\n".join(lines), lang=lang),
    )
    ticket_summary_store(ticket=ticket, summary=result.value)
    return result.value


def text_translate(*, customer, text: str, target_lang: str) -> str:
    """Translates `text` into `target_lang` (OpenAI-compatible model only; 503 on the offline provider)."""
    resolved = resolve(customer, Purpose.TRANSLATE)
    result = ai_call(
        resolved,
        customer_id=customer.pk,
        message_id=None,
        call=lambda provider, model: provider.translate(model=model, text=text, target_lang=target_lang),
    )
    return result.value


def location_language_detect(*, customer, country: str, state: str = "", city: str = "") -> str | None:
    """The primary language (ISO 639-3) at a place; the offline provider answers from CLDR's official languages."""
    resolved = resolve(customer, Purpose.LOCATION_LANGUAGE)
    result = ai_call(
        resolved,
        customer_id=customer.pk,
        message_id=None,
        call=lambda provider, model: provider.language_for_location(
            model=model, country=country, state=state, city=city
        ),
    )
    return iso_639_3(result.value) if result.value else None


def audio_transcribe(*, customer, audio: bytes, filename: str, message_id: int | None = None) -> str:
    """Transcribes audio with the customer's transcribe model; the cost row counts the audio seconds."""
    resolved = resolve(customer, Purpose.TRANSCRIBE)
    result = ai_call(
        resolved,
        customer_id=customer.pk,
        message_id=message_id,
        call=lambda provider, model: provider.transcribe(model=model, audio=audio, filename=filename),
    )
    return result.value
