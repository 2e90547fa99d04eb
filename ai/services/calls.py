"""One AI provider call: resolved model, the call, its cost-ledger row (billing.cost_record) and the
message step it marks; the database connection is released while the provider thinks."""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection

from ai.providers import Resolved
from ai.providers.base import (
    AIProviderError,
    AIProviderUnavailable,
    AIRefusal,
    AIResult,
)
from billing.models import CostProvider
from billing.services import cost_record
from tickets.models import AIStepStatus, TicketMessage
from tickets.services import (
    message_columns_update,
)

logger = logging.getLogger(__name__)

_COST_PROVIDERS = {"openai": CostProvider.OPENAI, "local": CostProvider.LOCAL}


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
def message_step(message: TicketMessage, status_field: str):
    """Marks an AI step Processing; a failure marks it Failed before the error goes on."""
    message_columns_update(message=message, changes={status_field: AIStepStatus.PROCESSING})
    try:
        yield
    except (AIProviderError, AIProviderUnavailable):
        message_columns_update(message=message, changes={status_field: AIStepStatus.FAILED})
        raise
