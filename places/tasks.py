"""Celery tasks of place descriptions (`ai` queue): one room's transcript → report text per task."""

import logging

from celery import shared_task

from ai.providers.base import AIProviderError
from answerpal.api.errors import ApiError
from places import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(name="places.room_transform", queue="ai", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def room_transform_task(self, room_id: int):
    """Transforms one room (gone rooms are skipped); retryable provider errors retry with backoff, the last
    attempt leaves the room Failed with the error code. Other API errors (no transcript any more, no provider
    configured) are recorded on the room by the service and not retried."""
    final_attempt = bool(self.request.is_eager) or self.request.retries >= MAX_RETRIES
    try:
        services.room_transform(room_id=room_id, final_attempt=final_attempt)
    except AIProviderError as error:
        if error.retryable and not final_attempt:
            raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
        logger.warning("Transformation of room %s failed: %s", room_id, error.code)
    except ApiError as error:
        logger.warning("Transformation of room %s refused: %s", room_id, error.code)
