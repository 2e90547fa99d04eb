"""AI writes, one module per concern: `calls` (one provider call and its cost row), `pipeline` (the
inbound message pipeline, its stages, retries and sweeper) and `steps` (the steps, also on demand, and
previews, summaries, translation and transcription). Every provider call writes one cost-ledger row
(billing.cost_record). Callers use `from ai import services`."""

from ai.services.calls import ai_call, message_step
from ai.services.pipeline import (
    SWEEP_BATCH,
    Step,
    message_pipeline_run,
    pipeline_enqueue,
    pipeline_error_record,
    pipeline_restart,
    pipeline_sweep,
)
from ai.services.steps import (
    HEURISTIC_SPAM_SCORE,
    TOOL_RESULT_CHARS,
    audio_transcribe,
    location_language_detect,
    message_custom_fields_extract,
    message_language_detect,
    message_preview_html,
    message_reply_draft,
    message_response_edit,
    message_spam_detect,
    message_topics_detect,
    text_translate,
    ticket_summarize,
    tool_name,
)

__all__ = [
    "HEURISTIC_SPAM_SCORE",
    "SWEEP_BATCH",
    "TOOL_RESULT_CHARS",
    "Step",
    "ai_call",
    "audio_transcribe",
    "location_language_detect",
    "message_custom_fields_extract",
    "message_language_detect",
    "message_pipeline_run",
    "message_preview_html",
    "message_reply_draft",
    "message_response_edit",
    "message_spam_detect",
    "message_step",
    "message_topics_detect",
    "pipeline_enqueue",
    "pipeline_error_record",
    "pipeline_restart",
    "pipeline_sweep",
    "text_translate",
    "ticket_summarize",
    "tool_name",
]
