"""Celery tasks of the `ai` queue: the inbound message pipeline and its sweeper."""

import logging
import random

from celery import shared_task

from ai import services
from ai.conf import ai_float, ai_int
from ai.live import pipeline_live
from ai.providers.base import AIProviderError

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> float:
    """base, twice base, four times base … capped at 5 minutes, plus up to one base of jitter so retried messages do not
    stampede the provider (base = AI_PIPELINE_RETRY_BASE_SECONDS)."""
    base = ai_float("AI_PIPELINE_RETRY_BASE_SECONDS")
    return min(300.0, base * 2**retries) + random.uniform(0, base)


@shared_task(name="ai.message_pipeline", queue="ai", bind=True, acks_late=True, max_retries=None)
def message_pipeline_task(self, message_id: int):
    """Runs the AI pipeline of one inbound message; retryable provider errors retry with backoff, and the last
    attempt records the failing step instead of raising (eager runs never retry: they are the last attempt)."""
    max_retries = ai_int("AI_PIPELINE_MAX_RETRIES")
    final_attempt = bool(self.request.is_eager) or self.request.retries >= max_retries
    try:
        with pipeline_live(message_id=message_id):
            services.message_pipeline_run(message_id=message_id, final_attempt=final_attempt)
    except AIProviderError as error:
        logger.info("Pipeline of message %s will retry after %s", message_id, error.code)
        raise self.retry(exc=error, countdown=_backoff(self.request.retries), max_retries=max_retries) from error
    except Exception as error:
        # Recorded on the pipeline (the sweeper re-drives it); in eager mode the request that stored the message
        # must not fail because its AI pipeline did.
        logger.exception("Pipeline of message %s failed", message_id)
        services.pipeline_error_record(message_id=message_id, code="InternalError", detail=repr(error))
        if not self.request.is_eager:
            raise


@shared_task(name="ai.pipeline_sweep", queue="ai", acks_late=True)
def pipeline_sweep_task():
    """Re-queues pipelines whose task was lost (broker restart, killed worker)."""
    return services.pipeline_sweep()
