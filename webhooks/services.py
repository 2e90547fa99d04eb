"""Writes of the webhooks app: endpoints and their secrets, events turned into one outbox row per subscribed
endpoint, and the signed delivery of a row (through the kernel outbox's lease, backoff and sweeper)."""

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from answerpal.api.errors import Conflict, field_error
from answerpal.celery import enqueue_after_commit
from answerpal.outbound_guard import GuardedTransport, OutboundAddressRefused, OutboundError, host_validate
from answerpal.outbox import (
    OutboxStatus,
    outbox_row_claim,
    outbox_row_failed,
    outbox_row_sent,
    outbox_row_still_leased,
    worker_identity,
)
from audit.models import AuditAction
from audit.services import audit_record
from webhooks.catalogue import EVENT_TYPES, TEST_EVENT_TYPE
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.signing import secret_generate, signed_headers

logger = logging.getLogger(__name__)

USER_AGENT = "AnswerPal-Webhooks/1.0"
RESPONSE_EXCERPT_CHARS = 500


class PermanentFailure(Exception):
    """A delivery that retrying cannot fix (a refused destination, a disabled endpoint)."""


# --- endpoints --------------------------------------------------------------------------------------


def endpoint_url_validate(*, url: str) -> str:
    """An endpoint URL must be http(s) with a host the outbound guard accepts (internal IP literals and
    localhost are refused with 400 OutboundAddressRefused; names are checked again when connecting)."""
    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise field_error("url", "Give an absolute http:// or https:// URL.", code="InvalidWebhookUrl") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise field_error("url", "Give an absolute http:// or https:// URL.", code="InvalidWebhookUrl")
    if parts.username or parts.password:
        raise field_error("url", "Credentials in the URL are not allowed.", code="InvalidWebhookUrl")
    host_validate(field="url", host=parts.hostname)
    return url


@transaction.atomic
def endpoint_create(
    *, customer_id: int, url: str, event_types: list[str], description: str = "", enabled: bool = True
) -> tuple[WebhookEndpoint, str]:
    """Registers an endpoint with a new secret; returns it with the secret in plain text (shown once)."""
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        customer_id=customer_id,
        url=endpoint_url_validate(url=url),
        description=description,
        enabled=enabled,
        event_types=sorted(set(event_types)),
        secret=secret,
    )
    _endpoint_audit(endpoint, AuditAction.WEBHOOK_ENDPOINT_CREATED, {"eventTypes": endpoint.event_types})
    return endpoint, secret


def _endpoint_audit(endpoint: WebhookEndpoint, action: str, detail: dict) -> None:
    """The audit entry of a change to an endpoint or its secret (never the secret itself)."""
    audit_record(
        customer_id=endpoint.customer_id,
        action=action,
        object_type="WebhookEndpoint",
        object_id=endpoint.pk,
        detail=detail,
    )


ENDPOINT_EDITABLE_FIELDS = ("url", "description", "enabled", "event_types")


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, changes: dict) -> WebhookEndpoint:
    """Changes the URL, description, enabled switch or event types (the secret only rotates)."""
    for name in ENDPOINT_EDITABLE_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name == "url":
            value = endpoint_url_validate(url=value)
        if name == "event_types":
            value = sorted(set(value))
        setattr(endpoint, name, value)
    endpoint.save()
    fields = sorted(name for name in ENDPOINT_EDITABLE_FIELDS if name in changes)
    _endpoint_audit(endpoint, AuditAction.WEBHOOK_ENDPOINT_UPDATED, {"fields": fields})
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint with its deliveries and their log (pending deliveries are dropped)."""
    _endpoint_audit(endpoint, AuditAction.WEBHOOK_ENDPOINT_DELETED, {})
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, overlap_seconds: int | None = None) -> tuple:
    """Replaces the secret; the old one keeps signing (a second `v1,` signature) for `overlap_seconds`
    (WEBHOOK_SECRET_OVERLAP_SECONDS by default; 0 retires it now). Returns (endpoint, new secret)."""
    overlap = settings.WEBHOOK_SECRET_OVERLAP_SECONDS if overlap_seconds is None else overlap_seconds
    now = timezone.now()
    secret = secret_generate()
    endpoint.previous_secret = endpoint.secret if overlap > 0 else ""
    endpoint.previous_secret_expires_at = now + timedelta(seconds=overlap) if overlap > 0 else None
    endpoint.secret = secret
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at", "updated_at"]
    )
    _endpoint_audit(endpoint, AuditAction.WEBHOOK_SECRET_ROTATED, {"overlapSeconds": overlap})
    return endpoint, secret


def endpoint_secrets_in_use(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign now: the current one, then the previous one while its overlap lasts."""
    in_use = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > timezone.now():
        in_use.append(endpoint.previous_secret)
    return in_use


def endpoint_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queues a `webhook.test` event for this endpoint only (delivered, signed and logged like any other)."""
    if not endpoint.enabled:
        raise Conflict("WebhookEndpointDisabled", "Enable the endpoint before sending it a test event.")
    event = event_record(
        customer_id=endpoint.customer_id,
        event_type=TEST_EVENT_TYPE,
        data={"webhookEndpointID": endpoint.pk, "message": "A test event from AnswerPal."},
        endpoints=[endpoint],
    )
    return WebhookDelivery.objects.get(event=event, endpoint=endpoint)


# --- events -----------------------------------------------------------------------------------------


def _message_id_new() -> str:
    return "msg_" + uuid.uuid4().hex


@transaction.atomic
def event_record(*, customer_id: int, event_type: str, data: dict, endpoints: list[WebhookEndpoint]) -> WebhookEvent:
    """Freezes the event's body and creates one outbox row per endpoint in one transaction (unique per endpoint
    and event); the rows are enqueued once it commits."""
    now = timezone.now()
    body = json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data}, separators=(",", ":"))
    event = WebhookEvent.objects.create(
        customer_id=customer_id, message_id=_message_id_new(), event_type=event_type, body=body
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            customer_id=customer_id,
            endpoint=endpoint,
            event=event,
            next_attempt_at=now,
            max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        )
        for endpoint in endpoints
    )
    from webhooks.tasks import delivery_deliver

    for delivery in deliveries:
        enqueue_after_commit(delivery_deliver, delivery.pk)
    return event


@cache
def bus_handler(bus_event: str):
    """The one handler (stable identity, so subscribing twice is a no-op) that turns a domain event into
    its webhook events. It runs after the publishing transaction commits and never raises into it."""
    event_types = [event_type for event_type in EVENT_TYPES.values() if event_type.bus_event == bus_event]

    def handle(*, customer_id: int, **payload) -> None:
        try:
            listening = list(WebhookEndpoint.objects.filter(customer_id=customer_id, enabled=True))
        except Exception:
            logger.exception("webhook endpoints of customer %s not read", customer_id)
            return
        for event_type in event_types:
            endpoints = [endpoint for endpoint in listening if event_type.name in endpoint.event_types]
            if not endpoints:
                continue  # one query per domain event for a tenant without subscribers
            try:
                data = event_type.data(**payload)
                if data is not None:
                    event_record(customer_id=customer_id, event_type=event_type.name, data=data, endpoints=endpoints)
            except Exception:
                logger.exception("webhook event %s for customer %s not recorded", event_type.name, customer_id)

    handle.__name__ = f"webhooks_on_{bus_event}"
    return handle


# --- delivery ---------------------------------------------------------------------------------------


@dataclass
class AttemptOutcome:
    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _http_client() -> httpx.Client:
    """A client whose every connection goes through the outbound-address guard; no environment proxies, no
    redirects (a 3xx counts as a failure, as Standard Webhooks receivers are expected to answer 2xx)."""
    return httpx.Client(
        transport=GuardedTransport(),
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.WEBHOOK_TIMEOUT_SECONDS, connect=min(5.0, settings.WEBHOOK_TIMEOUT_SECONDS)),
    )


def _read_capped(response: httpx.Response, deadline: float) -> tuple[bytes, str]:
    """At most WEBHOOK_MAX_RESPONSE_BYTES of the body, read until the attempt's deadline (a receiver that drips
    bytes cannot hold the worker past it); the note says why reading stopped early ('' when it did not)."""
    limit = settings.WEBHOOK_MAX_RESPONSE_BYTES
    received = bytearray()
    for chunk in response.iter_bytes():
        received.extend(chunk)
        if len(received) > limit:
            return bytes(received[:limit]), f"response larger than {limit} bytes"
        if time.monotonic() > deadline:
            return bytes(received), "response body not complete within the timeout"
    return bytes(received), ""


def _post(delivery: WebhookDelivery) -> AttemptOutcome:
    endpoint, event = delivery.endpoint, delivery.event
    headers = signed_headers(
        secrets_in_use=endpoint_secrets_in_use(endpoint),
        message_id=event.message_id,
        timestamp=int(time.time()),
        body=event.body,
    )
    headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with (
            _http_client() as client,
            client.stream("POST", endpoint.url, content=event.body.encode(), headers=headers) as response,
        ):
            content, note = _read_capped(response, started + settings.WEBHOOK_TIMEOUT_SECONDS)
    except OutboundAddressRefused as error:
        raise PermanentFailure(f"{error.code}: {error}") from error
    except OutboundError as error:
        return AttemptOutcome(None, elapsed(), f"{error.code}: {error}")
    except httpx.TimeoutException:
        return AttemptOutcome(None, elapsed(), f"Timeout: no answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s.")
    except httpx.HTTPError as error:
        return AttemptOutcome(None, elapsed(), f"{type(error).__name__}: {error}")
    except Exception as error:  # an unexpected failure is retried like an outage, and logged in full
        logger.exception("webhook delivery %s: unexpected error", delivery.pk)
        return AttemptOutcome(None, elapsed(), f"{type(error).__name__}: {error}")
    excerpt = content.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    if note:
        error = f"{error}; {note}" if error else note
    return AttemptOutcome(response.status_code, elapsed(), error, excerpt)


def _attempt_log(delivery: WebhookDelivery, outcome: AttemptOutcome, attempted_at) -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        attempted_at=attempted_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        error=outcome.error[:4000],
        response_excerpt=outcome.excerpt,
    )


def delivery_deliver(*, delivery_id: int, owner: str | None = None) -> str:
    """Delivers one outbox row under its lease: signs the frozen body with the endpoint's secrets in use,
    POSTs it through the guard, logs the attempt, and marks the row Sent on a 2xx; anything else is retried
    with the outbox's backoff until WEBHOOK_MAX_ATTEMPTS, then Failed. Returns the row's resulting status."""
    owner = owner or worker_identity()
    delivery = outbox_row_claim(
        model=WebhookDelivery, row_id=delivery_id, owner=owner, select_related=("endpoint", "event")
    )
    if delivery is None:
        return "skipped"
    attempted_at = timezone.now()
    try:
        if delivery.attempts > delivery.max_attempts:  # workers kept dying on this row
            raise PermanentFailure(delivery.last_error or "Too many interrupted attempts.")
        if not delivery.endpoint.enabled:
            raise PermanentFailure("The endpoint is disabled.")
        if not outbox_row_still_leased(model=WebhookDelivery, row_id=delivery.pk, owner=owner):
            return "skipped"
        outcome = _post(delivery)
    except PermanentFailure as error:
        outcome = AttemptOutcome(None, 0, str(error))
        _attempt_log(delivery, outcome, attempted_at)
        return _delivery_failed(delivery, outcome, permanent=True)
    _attempt_log(delivery, outcome, attempted_at)
    if outcome.succeeded:
        outbox_row_sent(
            model=WebhookDelivery, row_id=delivery.pk, sent_at=timezone.now(), last_status_code=outcome.status_code
        )
        return OutboxStatus.SENT
    return _delivery_failed(delivery, outcome, permanent=False)


def _delivery_failed(delivery: WebhookDelivery, outcome: AttemptOutcome, *, permanent: bool) -> str:
    with transaction.atomic():
        final, delay = outbox_row_failed(model=WebhookDelivery, row=delivery, error=outcome.error, permanent=permanent)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=outcome.status_code)
        if not final:
            from webhooks.tasks import delivery_deliver as deliver_task

            enqueue_after_commit(deliver_task, delivery.pk, countdown=delay)
    logger.warning(
        "webhook delivery %s attempt %s failed (%s): %s",
        delivery.pk,
        delivery.attempts,
        "final" if final else "retry",
        outcome.error,
    )
    return OutboxStatus.FAILED if final else OutboxStatus.QUEUED


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery) -> bool:
    """Re-queues a Failed delivery now with a fresh attempt budget; False when it is not Failed."""
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.QUEUED,
        next_attempt_at=timezone.now(),
        max_attempts=delivery.attempts + settings.WEBHOOK_MAX_ATTEMPTS,
    )
    if updated:
        from webhooks.tasks import delivery_deliver as deliver_task

        enqueue_after_commit(deliver_task, delivery.pk)
    return bool(updated)


PRUNE_BATCH = 1000


def webhook_log_prune() -> int:
    """Deletes events older than WEBHOOK_LOG_RETENTION_DAYS whose deliveries are all finished (Sent or Failed),
    with their deliveries and attempt log, in bounded batches; returns how many events went."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    pending = WebhookDelivery.objects.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING])
    deleted = 0
    while True:
        batch = list(
            WebhookEvent.objects.filter(created_at__lt=cutoff)
            .exclude(pk__in=pending.values("event_id"))
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not batch:
            return deleted
        WebhookEvent.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
