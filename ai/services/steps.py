"""The pipeline's steps, also run on demand (spam, language, topics, custom fields, reply draft), and the
other AI writes: previews, summaries, translation, location language and transcription."""

import html
import logging
import re
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from ai import selectors
from ai.providers import Purpose, resolve
from ai.providers.base import (
    ReplyRequest,
    ToolSpec,
)
from ai.providers.local import CHAT_CHANNELS, LOCAL, iso_639_1, iso_639_3, spam_score
from ai.services.calls import ai_call, message_step
from answerpal.api.errors import ApiError
from answerpal.events import Event, publish
from automation.connector import ConnectorError
from automation.prompt_documents import function_tool_call
from customers.selectors import custom_fields_validate
from tickets.models import AIStepStatus, Ticket, TicketMessage
from tickets.services import (
    message_columns_update,
    message_topics_detected_replace,
    ticket_summary_store,
    ticket_update,
)

logger = logging.getLogger(__name__)

# A strong offline score marks spam even when the AI model disagrees.
HEURISTIC_SPAM_SCORE = 0.8
TOOL_RESULT_CHARS = 8000


def message_spam_detect(*, message: TicketMessage) -> bool:
    """Judges spam: the offline verdict (corpus-trained classifier, the mail's automated-mail headers, links, the
    sender's history and the tenant's own spam / not-spam marks) and the AI model when one is configured. Stores
    isSpamAI and the spam status; marks the ticket spam when it is. Automated mail (auto-replies, bounces, list
    mail) counts as spam for the pipeline, so it never gets a reply draft, but an automatic reply inside an existing
    conversation leaves the ticket itself alone."""
    text = selectors.message_text(message)
    sender = selectors.spam_sender(message)
    context = selectors.spam_context(message=message)
    with message_step(message, "ai_spam_status"):
        resolved = resolve(message.customer, Purpose.SPAM, channel_type=selectors.channel_type_of(message))
        result = ai_call(
            resolved,
            customer_id=message.customer_id,
            message_id=message.pk,
            call=lambda provider, model: provider.spam_check(
                model=model,
                sender=sender,
                subject=message.subject,
                text=text,
                headers=message.headers,
                context=context,
            ),
        )
    verdict = result.value
    offline = (
        verdict
        if resolved.provider_name == LOCAL
        else spam_score(sender=sender, subject=message.subject, text=text, headers=message.headers, context=context)
    )
    automated = offline.automated or verdict.automated
    is_spam = verdict.is_spam or offline.score >= HEURISTIC_SPAM_SCORE or automated
    logger.info(
        "spam verdict for message %s: %s %.2f (%s)", message.pk, offline.kind, offline.score, "; ".join(offline.reasons)
    )
    message_columns_update(message=message, changes={"is_spam_ai": is_spam, "ai_spam_status": AIStepStatus.COMPLETED})
    if is_spam and not message.ticket.is_spam:
        in_conversation = TicketMessage.objects.filter(ticket_id=message.ticket_id).exclude(pk=message.pk).exists()
        if not (automated and in_conversation):
            ticket_update(ticket=Ticket.objects.get(pk=message.ticket_id), changes={"is_spam": True})
    return is_spam


def message_language_detect(*, message: TicketMessage) -> str:
    """Detects and stores the message language (ISO 639-1, e.g. "nl"); empty when undetectable."""
    text = f"{message.subject}\n{selectors.message_text(message)}"
    resolved = resolve(message.customer, Purpose.LANGUAGE)
    prior = selectors.tenant_languages(customer_id=message.customer_id)
    result = ai_call(
        resolved,
        customer_id=message.customer_id,
        message_id=message.pk,
        call=lambda provider, model: provider.detect_language(model=model, text=text, prior=prior),
    )
    lang = iso_639_1(result.value or "")
    message_columns_update(message=message, changes={"lang": lang})
    return lang


def message_topics_detect(*, message: TicketMessage) -> list[int] | None:
    """Detects the message's topics among the channel's topics (learning from corrected examples) and replaces
    its uncorrected topics with them; topics a representative corrected stay. None (step Skipped) when no topic
    applies to the channel."""
    with message_step(message, "ai_topics_status"):
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
    knowledge, hits = selectors.knowledge_search(
        customer_id=message.customer_id, query=f"{message.subject}\n{text}\n{additional_info}", lang=message.lang
    )
    prompt_titles = {passage.title for passage in prompts}
    channel_type = selectors.channel_type_of(message)
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
        signature=""
        if channel_type in CHAT_CHANNELS
        else selectors.reply_signature(message=message, rep=selectors.signature_rep(message, rep)),
        channel_type=channel_type,
        topics=tuple(message.topics.values_list("topic__name", flat=True)),
        tools=tuple(
            ToolSpec(
                name=tool_name(document),
                description=(document.description or document.name)[:1000],
                parameters=document.function_parameters_schema or {"type": "object", "properties": {}},
            )
            for document in tools
        ),
        knowledge_hits=tuple(hit for hit in hits if hit.passage.title not in prompt_titles),
        holding_line=selectors.reply_holding_line(message=message),
        away_line=selectors.reply_away_line(message=message),
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
    stores it as aI_GeneratedResponse with its prompt, publishing AIDraftStored; a new draft clears
    aI_ModifiedResponse. With `supersedable` (the pipeline) nothing is written when a newer end-user message
    arrived meanwhile (None)."""
    with message_step(message, "ai_reply_status"):
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
            "ai_reply_coverage": result.coverage,
        }
        if additional_info:
            fields["additional_info"] = additional_info
        message_columns_update(message=message, changes=fields)
        publish(Event.AI_DRAFT_STORED, message_id=message.pk, customer_id=message.customer_id)
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
