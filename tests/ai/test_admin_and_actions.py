"""Operator admin of pipelines, the AI action types in automation's registry, and transcription's cost row."""

import pytest

from ai.models import MessagePipeline, PipelineState
from automation.registry import ActionContext, ActionResult, ActionStatus, action_handler
from billing.models import CostEntry
from customers.models import ModelPurpose
from tests.admin_helpers import operator_login
from tests.ai.factories import MessagePipelineFactory
from tests.ai.openai_fakes import BASE_URL
from tests.ai.scenario import tenant_setup
from tests.automation.factories import ActionFactory
from tests.customers.factories import AIModelFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import AIStepStatus, TicketMessage

PIPELINES = "/admin/ai/messagepipeline/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_pipeline_changelist_has_no_per_row_queries(
    operator_client, customer, other_customer, django_assert_max_num_queries
):
    for number in range(12):
        MessagePipelineFactory(customer=customer if number % 2 else other_customer, last_error_code=f"Code{number}")
    with django_assert_max_num_queries(10):
        response = operator_client.get(PIPELINES)
    assert response.status_code == 200 and b"Code11" in response.content
    assert b"Code3" in operator_client.get(PIPELINES, {"q": "Code3"}).content
    assert operator_client.get(PIPELINES, {"customer__id__exact": customer.pk}).status_code == 200
    pipeline = MessagePipeline.objects.first()
    assert operator_client.get(f"{PIPELINES}{pipeline.pk}/change/").status_code == 200


def test_rerun_action_runs_the_pipeline_again(operator_client, customer, django_capture_on_commit_callbacks):
    tenant = tenant_setup(customer)
    ticket = TicketFactory(customer=customer, channel=tenant.email)
    message = TicketMessageFactory(customer=customer, ticket=ticket, text_body="Wat zijn de openingsuren?")
    pipeline = MessagePipelineFactory(
        customer=customer, message=message, state=PipelineState.FAILED, failed_steps=["reply"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(PIPELINES, {"action": "rerun", "_selected_action": [pipeline.pk]})

    assert response.status_code == 302
    pipeline.refresh_from_db()
    message.refresh_from_db()
    assert pipeline.state == PipelineState.DONE and pipeline.failed_steps == []
    assert message.ai_reply_status == AIStepStatus.COMPLETED and message.ai_generated_response


def _context(message, action_type):
    action = ActionFactory(customer=message.customer, action_type=action_type)
    return ActionContext(customer_id=message.customer_id, message_id=message.pk, action=action, trigger="Topics")


def test_reply_and_topic_detection_actions(customer):
    tenant = tenant_setup(customer)
    ticket = TicketFactory(customer=customer, channel=tenant.email)
    message = TicketMessageFactory(customer=customer, ticket=ticket, text_body="Wat zijn jullie openingsuren?")

    result = action_handler("TopicDetection")(context=_context(message, "TopicDetection"))
    assert result.status == ActionStatus.SUCCEEDED and result.details == {"topicIds": [tenant.hours.pk]}

    result = action_handler("Reply")(context=_context(message, "Reply"))
    message.refresh_from_db()
    assert result.status == ActionStatus.SUCCEEDED and message.ai_reply_status == AIStepStatus.COMPLETED


def test_reply_send_drafts_then_hands_over_or_fails_honestly(customer):
    from ai.actions import reply_send_action_with

    ticket = TicketFactory(customer=customer)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    sent = []

    def sender(*, context):
        sent.append(context.message_id)
        return action_handler("Reply")(context=context)  # any ActionResult

    context = _context(message, "ReplySend")
    assert reply_send_action_with(sender)(context=context).status == ActionStatus.SUCCEEDED and sent == [message.pk]
    failed = reply_send_action_with(None)(context=context)
    assert failed.status == ActionStatus.FAILED and "no sending channel" in failed.message
    assert TicketMessage.objects.get(pk=message.pk).ai_generated_response


def test_actions_on_a_deleted_message_fail_and_stop_the_chain(customer):
    message = TicketMessageFactory(customer=customer)
    context = _context(message, "Reply")
    message.delete()
    result = action_handler("Reply")(context=context)
    assert result.status == ActionStatus.FAILED and result.stop_chain


def test_audio_transcription_records_seconds(openai_customer, openai_mock):
    from ai import services

    openai_customer.default_transcribe_model = AIModelFactory(
        customer=None, model_name="whisper-test", model_type=ModelPurpose.TRANSCRIBE, price_per_minute=6
    )
    openai_customer.save()
    openai_mock.post(f"{BASE_URL}/audio/transcriptions").respond(200, json={"text": "Hallo", "usage": {"seconds": 30}})

    text = services.audio_transcribe(customer=openai_customer, audio=b"RIFF", filename="call.wav", message_id=None)

    cost = CostEntry.objects.get(purpose="transcribe")
    assert text == "Hallo" and float(cost.seconds) == 30 and float(cost.amount) == 3.0


def test_transcription_offline_is_unavailable(customer):
    from ai import services
    from ai.providers.base import AIProviderUnavailable

    with pytest.raises(AIProviderUnavailable):
        services.audio_transcribe(customer=customer, audio=b"RIFF", filename="call.wav")


def test_reply_send_reuses_the_pipeline_draft(customer):
    from ai.actions import reply_send_action_with

    ticket = TicketFactory(customer=customer)
    message = TicketMessageFactory(
        customer=customer, ticket=ticket, ai_generated_response="Ready", ai_reply_status=AIStepStatus.COMPLETED
    )
    sent = []

    def sender(*, context):
        sent.append(TicketMessage.objects.get(pk=context.message_id).ai_generated_response)
        return ActionResult(message="queued")

    result = reply_send_action_with(sender)(context=_context(message, "ReplySend"))

    assert result.status == ActionStatus.SUCCEEDED and sent == ["Ready"]
    assert not CostEntry.objects.filter(purpose="reply").exists()


def test_provider_failures_become_failed_action_results(customer):
    customer.default_email_model = AIModelFactory(customer=None, model_name="gpt-x", model_type=ModelPurpose.EMAIL)
    customer.save()
    ticket = TicketFactory(customer=customer)
    message = TicketMessageFactory(customer=customer, ticket=ticket)
    result = action_handler("Reply")(context=_context(message, "Reply"))
    assert result.status == ActionStatus.FAILED and result.message.startswith("AIProviderUnavailable")


def test_topic_detection_action_without_topics_is_skipped(customer):
    message = TicketMessageFactory(customer=customer)
    result = action_handler("TopicDetection")(context=_context(message, "TopicDetection"))
    assert result.status == ActionStatus.SKIPPED
