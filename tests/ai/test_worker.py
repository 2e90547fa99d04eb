"""The pipeline on a real Celery worker (threads) consuming Redis, against PostgreSQL."""

import json
import time

import httpx
import pytest

from ai.models import MessagePipeline, PipelineState
from billing.models import CostEntry
from tests.ai.openai_fakes import CHAT_URL, json_completion, stream_body
from tests.ai.scenario import OPENING_HOURS, inbound, tenant_setup
from tickets.models import AIStepStatus, TicketMessage

pytestmark = pytest.mark.worker


def _wait_for_pipeline(message_id: int, seconds: float = 30) -> MessagePipeline:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pipeline = MessagePipeline.objects.filter(message_id=message_id).first()
        if pipeline is not None and pipeline.is_finished:
            return pipeline
        time.sleep(0.1)
    raise AssertionError(f"The pipeline of message {message_id} did not finish: {pipeline and pipeline.state}")


def test_inbound_message_is_drafted_by_the_worker(live_worker, customer):
    tenant = tenant_setup(customer)

    message = inbound(customer, tenant.email, "Wat zijn jullie openingsuren op zaterdag?", subject="Openingsuren")

    pipeline = _wait_for_pipeline(message.pk)
    message = TicketMessage.objects.get(pk=message.pk)
    assert pipeline.state == PipelineState.DONE and pipeline.attempts == 1
    assert message.ai_reply_status == AIStepStatus.COMPLETED and OPENING_HOURS in message.ai_generated_response
    assert CostEntry.objects.filter(message_id=message.pk).count() == 4


def test_a_retryable_failure_is_retried_by_the_worker(live_worker, openai_customer, openai_mock, settings):
    settings.AI_OPENAI_MAX_RETRIES = 0
    settings.AI_PIPELINE_RETRY_BASE_SECONDS = 0.2
    tenant = tenant_setup(openai_customer)
    spam_calls = []

    def flaky(request):
        body = json.loads(request.content)
        if body.get("stream"):
            return httpx.Response(
                200, content=stream_body(["Tot 18 uur."]), headers={"Content-Type": "text/event-stream"}
            )
        system = body["messages"][0]["content"]
        if "screen inbound" in system:
            spam_calls.append(1)
            if len(spam_calls) == 1:
                return httpx.Response(503, json={"error": {"message": "overloaded"}})
            return httpx.Response(200, json=json_completion({"isSpam": False, "score": 0}))
        return httpx.Response(200, json=json_completion({"topicIds": []}))

    openai_mock.post(CHAT_URL).mock(side_effect=flaky)

    message = inbound(openai_customer, tenant.email, "Tot hoe laat zijn jullie open?")

    pipeline = _wait_for_pipeline(message.pk)
    message = TicketMessage.objects.get(pk=message.pk)
    assert pipeline.state == PipelineState.DONE and pipeline.attempts == 2
    assert pipeline.last_error_code == "AIProviderFailed" and len(spam_calls) == 2
    assert message.ai_spam_status == AIStepStatus.COMPLETED
    assert message.ai_generated_response.startswith("Tot 18 uur.")
