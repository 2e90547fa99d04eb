"""Celery tasks of the `voice` queue: transcribing a call's stored audio."""

from celery import shared_task

from ai.providers.base import AIProviderError
from voice import services


@shared_task(
    name="voice.call_transcribe",
    queue="voice",
    bind=True,
    acks_late=True,
    autoretry_for=(AIProviderError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def call_transcribe_task(self, call_id: int, force: bool = False):
    """Transcribes one call (idempotent; the last attempt records the failure instead of raising)."""
    final_attempt = bool(self.request.is_eager) or self.request.retries >= self.max_retries
    return services.call_transcribe(call_id=call_id, force=force, final_attempt=final_attempt)
