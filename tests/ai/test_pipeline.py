"""The inbound pipeline on the eager (embedded) runner: statuses, drafts, spam, supersession, idempotency."""

import json
from datetime import timedelta

import httpx
import pytest
import respx
from django.utils import timezone

from ai import services
from ai.models import MessagePipeline, PipelineState
from automation.models import ActionType, HookName, TicketMessageAction
from billing.models import CostEntry
from tests.ai.openai_fakes import CHAT_URL, json_completion, stream_body
from tests.ai.scenario import OPENING_HOURS, inbound, tenant_setup
from tests.automation.factories import ActionFactory, HookActionFactory
from tests.customers.factories import CustomFieldDefinitionFactory
from tickets.models import AIStepStatus, TicketMessage

pytestmark = pytest.mark.django_db

DONE = AIStepStatus.COMPLETED


@pytest.fixture
def tenant(customer):
    return tenant_setup(customer)


@pytest.fixture
def offline():
    """Any HTTP request made through the openai client fails the test: the embedded default is offline."""
    with respx.mock(using="httpx2", assert_all_mocked=True) as router:
        yield router


def _unprocessed(customer, channel, text, capture, **kwargs) -> TicketMessage:
    """A message whose pipeline is recorded and queued, but whose task no worker has picked up yet."""
    with capture(execute=False):
        message = inbound(customer, channel, text, **kwargs)
    with capture(execute=False):
        services.pipeline_enqueue(message_id=message.pk, customer_id=customer.pk)
    return message


def _received(customer, channel, text, capture, **kwargs) -> TicketMessage:
    with capture(execute=True):
        message = inbound(customer, channel, text, **kwargs)
    return TicketMessage.objects.select_related("ticket").get(pk=message.pk)


@pytest.mark.parametrize("channel_name", ["email", "chat"])
def test_inbound_message_gets_a_local_draft_without_network(
    customer, tenant, offline, django_capture_on_commit_callbacks, channel_name
):
    channel = getattr(tenant, channel_name)
    message = _received(
        customer,
        channel,
        "Goedemiddag, wat zijn jullie openingsuren op zaterdag? Ik wil graag langskomen in de winkel.",
        django_capture_on_commit_callbacks,
        subject="Openingsuren",
    )

    assert (message.ai_spam_status, message.ai_topics_status, message.ai_reply_status) == (DONE, DONE, DONE)
    assert message.is_spam_ai is False and message.lang == "nl"
    assert list(message.topics.values_list("topic_id", flat=True)) == [tenant.hours.pk]
    draft = message.ai_generated_response
    if channel_name == "email":  # a letter signed with the rep's Dutch signature
        assert draft.startswith("Beste Jan Janssens,") and OPENING_HOURS in draft
        assert draft.endswith("Met vriendelijke groeten,\nPiet Peeters\nAcme klantendienst")
    else:  # a chat line: the answer alone
        assert draft == OPENING_HOURS
    assert message.ai_reply_coverage == "Covered"
    assert message.ai_response_datetime is not None and "Openingsuren" in message.ai_prompt
    assert MessagePipeline.objects.get(message=message).state == PipelineState.DONE
    costs = CostEntry.objects.filter(message_id=message.pk)
    assert set(costs.values_list("purpose", flat=True)) == {"spam", "language", "topics", "reply"}
    assert set(costs.values_list("provider", flat=True)) == {"Local"} and not offline.calls


def test_spam_is_screened_out_before_topics_and_reply(customer, tenant, offline, django_capture_on_commit_callbacks):
    message = _received(
        customer,
        tenant.email,
        "YOU HAVE WON THE LOTTERY!!! Click here http://a.xyz http://b.xyz http://c.xyz to claim your prize now!!!",
        django_capture_on_commit_callbacks,
        subject="WINNER WINNER",
        uid="promo.deals@prizes.xyz",
    )
    assert (message.ai_spam_status, message.ai_topics_status, message.ai_reply_status) == (
        DONE,
        AIStepStatus.SKIPPED,
        AIStepStatus.SKIPPED,
    )
    assert message.is_spam_ai is True and message.ticket.is_spam is True
    assert message.ai_generated_response == "" and not message.topics.exists()


def test_hooks_run_around_spam_and_topic_detection(customer, tenant, offline, django_capture_on_commit_callbacks):
    not_spam = ActionFactory(customer=customer, action_type=ActionType.NOT_SPAM, name="Trust")
    for hook in (HookName.PRE_SPAM, HookName.POST_SPAM, HookName.POST_TOPIC_DETECTION):
        HookActionFactory(customer=customer, action=not_spam, special_topic=hook)

    message = _received(customer, tenant.email, "Wat zijn de openingsuren?", django_capture_on_commit_callbacks)

    runs = TicketMessageAction.objects.filter(message=message)
    assert set(runs.values_list("trigger", flat=True)) == {"PreSpam", "PostSpam", "PostTopicDetection"}
    assert set(runs.values_list("status", flat=True)) == {"Succeeded"}


def test_a_spam_decision_made_by_a_prespam_action_is_kept(
    customer, tenant, offline, django_capture_on_commit_callbacks
):
    message = _unprocessed(
        customer, tenant.email, "WIN A CASINO PRIZE!!! LOTTERY WINNER!!!", django_capture_on_commit_callbacks
    )
    TicketMessage.objects.filter(pk=message.pk).update(is_spam_ai=False)  # what a PreSpam NotSpam action does

    services.message_pipeline_run(message_id=message.pk, final_attempt=True)

    message.refresh_from_db()
    assert message.ai_spam_status == DONE and message.ai_reply_status == DONE
    assert not CostEntry.objects.filter(message_id=message.pk, purpose="spam").exists()


def test_channel_topic_policy_and_learned_examples(customer, tenant, offline, django_capture_on_commit_callbacks):
    tenant.email.topic_policy_mode = "Exclude"
    tenant.email.save()
    tenant.email.exclude_topics.add(tenant.hours)
    learned = _received(
        customer, tenant.chat, "Mijn grasmaaier start niet meer", django_capture_on_commit_callbacks, uid="a@b.be"
    )
    from tickets.services import message_topics_correct

    message_topics_correct(message=learned, topic_ids=[tenant.delivery.pk], rep_id=tenant.rep.pk)

    excluded = _received(customer, tenant.email, "Openingsuren winkel zaterdag?", django_capture_on_commit_callbacks)
    taught = _received(
        customer, tenant.chat, "De grasmaaier start niet", django_capture_on_commit_callbacks, uid="c@d.be"
    )

    assert not excluded.topics.filter(topic=tenant.hours).exists()
    assert list(taught.topics.values_list("topic_id", flat=True)) == [tenant.delivery.pk]


def test_custom_fields_are_extracted_into_missing_keys_only(
    customer, tenant, offline, django_capture_on_commit_callbacks
):
    CustomFieldDefinitionFactory(customer=customer, field_name="order_number", field_type="number")
    CustomFieldDefinitionFactory(customer=customer, field_name="city", field_type="text", display_name="Stad")
    with django_capture_on_commit_callbacks(execute=True):
        message = inbound(customer, tenant.email, "Order number: 4411\nStad: Gent\nWaar blijft mijn pakket?")
    message.refresh_from_db()
    assert message.custom_fields_data == {"order_number": 4411, "city": "Gent"}

    message.custom_fields_data = {"city": "Brugge"}
    message.save()
    assert services.message_custom_fields_extract(message=message, overwrite=False)["city"] == "Brugge"
    assert services.message_custom_fields_extract(message=message, overwrite=True)["city"] == "Gent"


def test_redelivery_does_nothing_twice(customer, tenant, offline, django_capture_on_commit_callbacks):
    message = _received(customer, tenant.email, "Wat zijn de openingsuren?", django_capture_on_commit_callbacks)
    costs = CostEntry.objects.count()

    services.pipeline_enqueue(message_id=message.pk, customer_id=customer.pk)
    services.message_pipeline_run(message_id=message.pk, final_attempt=True)

    assert CostEntry.objects.count() == costs
    assert MessagePipeline.objects.get(message=message).attempts == 1


def test_a_newer_message_supersedes_an_unfinished_draft(customer, tenant, offline, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks  # both arrive before any worker picks them up
    first = _unprocessed(customer, tenant.email, "Wat zijn de openingsuren?", capture)
    second = _unprocessed(customer, tenant.email, "En zijn jullie op zondag open?", capture, ticket=first.ticket)

    services.message_pipeline_run(message_id=first.pk, final_attempt=True)
    services.message_pipeline_run(message_id=second.pk, final_attempt=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ai_reply_status == AIStepStatus.SKIPPED and first.ai_generated_response == ""
    assert MessagePipeline.objects.get(message=first).state == PipelineState.SUPERSEDED
    assert second.ai_reply_status == DONE and "zondag" in second.ai_generated_response.lower()


def test_sweeper_requeues_a_lost_task_and_a_lost_event(customer, tenant, offline, django_capture_on_commit_callbacks):
    lost_task = _unprocessed(customer, tenant.email, "Wat zijn de openingsuren?", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the MessageReceived handler never ran
        lost_event = inbound(customer, tenant.email, "Openingsuren op zondag?", uid="els@example.be")
    fresh = _unprocessed(customer, tenant.email, "Openingsuren?", django_capture_on_commit_callbacks, uid="x@y.be")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    MessagePipeline.objects.filter(message=lost_task).update(created_at=an_hour_ago)
    TicketMessage.objects.filter(pk=lost_event.pk).update(created_at=an_hour_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.pipeline_sweep() == 2

    states = dict(MessagePipeline.objects.values_list("message_id", "state"))
    assert states == {lost_task.pk: PipelineState.DONE, lost_event.pk: PipelineState.DONE, fresh.pk: "Queued"}
    assert services.pipeline_sweep() == 0


def _openai_responder(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    system = body["messages"][0]["content"]
    if body.get("stream"):
        return httpx.Response(
            200,
            content=stream_body(["Beste Jan, ", "we zijn open tot 18 uur."]),
            headers={"Content-Type": "text/event-stream"},
        )
    if "screen inbound" in system:
        return httpx.Response(200, json=json_completion({"isSpam": False, "score": 0.02, "reason": "customer"}))
    if "Classify" in system:
        topic_id = json.loads(system.split("Topics:\n", 1)[1])[2]["id"]
        return httpx.Response(200, json=json_completion({"topicIds": [topic_id]}))
    if "custom fields" in system:
        return httpx.Response(200, json=json_completion({"order_number": 77}))
    return httpx.Response(400, json={"error": {"message": "unexpected"}})


def test_with_openai_every_step_records_status_and_cost(
    openai_customer, openai_mock, django_capture_on_commit_callbacks
):
    tenant = tenant_setup(openai_customer)
    CustomFieldDefinitionFactory(customer=openai_customer, field_name="order_number", field_type="number")
    route = openai_mock.post(CHAT_URL).mock(side_effect=_openai_responder)

    message = _received(
        openai_customer, tenant.email, "Tot hoe laat zijn jullie open?", django_capture_on_commit_callbacks
    )

    assert (message.ai_spam_status, message.ai_topics_status, message.ai_reply_status) == (DONE, DONE, DONE)
    assert message.topics.get().topic_id == tenant.hours.pk
    assert message.custom_fields_data == {"order_number": 77}
    assert message.ai_generated_response == "Beste Jan, we zijn open tot 18 uur.\n\nPiet Peeters\nAcme klantendienst"
    assert "[system]" in message.ai_prompt and "Openingsuren" in message.ai_prompt
    assert route.call_count == 4
    rows = {row.purpose: row for row in CostEntry.objects.filter(message_id=message.pk)}
    assert set(rows) == {"spam", "language", "topics", "customFields", "reply"}
    for purpose in ("spam", "topics", "customFields", "reply"):
        assert rows[purpose].provider == "OpenAI" and rows[purpose].amount > 0, purpose
        assert rows[purpose].input_tokens > 0 and rows[purpose].ai_model is not None
    assert rows["reply"].model_name == "gpt-email" and rows["language"].provider == "Local"


def test_a_step_failing_after_its_retries_is_recorded_and_the_rest_still_runs(
    openai_customer, openai_mock, no_retry_sleep, django_capture_on_commit_callbacks, settings
):
    settings.AI_OPENAI_MAX_RETRIES = 1
    tenant = tenant_setup(openai_customer)

    def failing_spam(request):
        if "screen inbound" in json.loads(request.content)["messages"][0]["content"]:
            return httpx.Response(500, json={"error": {"message": "down"}})
        return _openai_responder(request)

    openai_mock.post(CHAT_URL).mock(side_effect=failing_spam)
    message = _received(
        openai_customer, tenant.email, "Tot hoe laat zijn jullie open?", django_capture_on_commit_callbacks
    )

    assert message.ai_spam_status == AIStepStatus.FAILED
    assert (message.ai_topics_status, message.ai_reply_status) == (DONE, DONE)
    pipeline = MessagePipeline.objects.get(message=message)
    assert pipeline.state == PipelineState.FAILED and pipeline.failed_steps == ["spam"]
    assert pipeline.last_error_code == "AIProviderFailed"


def test_a_refused_reply_is_failed_not_retried(openai_customer, openai_mock, django_capture_on_commit_callbacks):
    tenant = tenant_setup(openai_customer)

    def refusing(request):
        if json.loads(request.content).get("stream"):
            return httpx.Response(
                200, content=stream_body([], refusal="I cannot."), headers={"Content-Type": "text/event-stream"}
            )
        return _openai_responder(request)

    route = openai_mock.post(CHAT_URL).mock(side_effect=refusing)
    message = _received(openai_customer, tenant.email, "Tot hoe laat?", django_capture_on_commit_callbacks)

    assert message.ai_reply_status == AIStepStatus.FAILED and message.ai_generated_response == ""
    assert MessagePipeline.objects.get(message=message).last_error_code == "AIRefused"
    assert route.call_count == 3  # spam, topics, one reply attempt
    refused = CostEntry.objects.get(message_id=message.pk, purpose="reply")
    assert (refused.input_tokens, refused.output_tokens) == (20, 9) and refused.amount > 0


def test_an_unexpected_error_is_recorded_and_does_not_fail_the_eager_caller(
    customer, tenant, offline, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services.pipeline, "message_custom_fields_extract", broken)
    message = _received(customer, tenant.email, "Wat zijn de openingsuren?", django_capture_on_commit_callbacks)

    pipeline = MessagePipeline.objects.get(message=message)
    assert pipeline.state == PipelineState.RUNNING and pipeline.last_error_code == "InternalError"
    assert "bug" in pipeline.last_error


def test_the_sweeper_gives_up_after_the_retries(customer, tenant, offline, django_capture_on_commit_callbacks):
    message = _unprocessed(customer, tenant.email, "Wat zijn de openingsuren?", django_capture_on_commit_callbacks)
    MessagePipeline.objects.filter(message=message).update(
        created_at=timezone.now() - timedelta(hours=2), attempts=6, last_error="RuntimeError('bug')"
    )

    assert services.pipeline_sweep() == 0

    pipeline = MessagePipeline.objects.get(message=message)
    message.refresh_from_db()
    assert pipeline.state == PipelineState.FAILED and pipeline.last_error.startswith("Given up after 6 attempts")
    assert message.ai_reply_status == AIStepStatus.FAILED


def test_the_database_connection_goes_back_to_the_pool_only_when_pooled(monkeypatch):
    from django.db import connections

    connection = connections["default"]
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    monkeypatch.setattr(connection, "in_atomic_block", False)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    services.calls._database_connection_release()
    assert closed == []
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"pool": {"max_size": 4}})
    services.calls._database_connection_release()
    assert closed == [True]


def test_prompt_documents_of_topics_and_hooks_instruct_the_reply(
    openai_customer, openai_mock, django_capture_on_commit_callbacks
):
    from tests.automation.factories import TopicDocumentFactory
    from tests.documents.factories import DocumentFactory

    tenant = tenant_setup(openai_customer)
    tone = DocumentFactory(customer=openai_customer, name="Tone", content="Always use the informal 'je'.")
    hours = DocumentFactory(customer=openai_customer, name="Holiday hours", content="Closed on 25 December.")
    unrelated = DocumentFactory(customer=openai_customer, name="Billing rules", content="Invoices are monthly.")
    TopicDocumentFactory(customer=openai_customer, topic=None, special_topic="PostTopicDetection", document=tone)
    TopicDocumentFactory(customer=openai_customer, topic=tenant.hours, document=hours)
    TopicDocumentFactory(customer=openai_customer, topic=tenant.billing, document=unrelated)
    openai_mock.post(CHAT_URL).mock(side_effect=_openai_responder)

    message = _received(
        openai_customer, tenant.email, "Tot hoe laat zijn jullie open?", django_capture_on_commit_callbacks
    )

    assert "## Instructions: Tone\nAlways use the informal 'je'." in message.ai_prompt
    assert "## Instructions: Holiday hours" in message.ai_prompt
    assert "## Instructions: Billing rules" not in message.ai_prompt


def test_a_prespam_action_decides_before_the_spam_check_even_when_the_queue_is_slow(
    customer, tenant, offline, django_capture_on_commit_callbacks, monkeypatch
):
    """On a real worker the hook chain must not race the spam check: pipeline hooks run inline."""
    from automation import services as automation_services

    queued = []
    monkeypatch.setattr(automation_services, "_chain_enqueue", lambda *args, **kwargs: queued.append(args))
    mark_spam = ActionFactory(customer=customer, action_type=ActionType.MARK_SPAM, name="Block")
    HookActionFactory(customer=customer, action=mark_spam, special_topic=HookName.PRE_SPAM)
    message = _received(
        customer, tenant.email, "Hello, I would like to know your opening hours.", django_capture_on_commit_callbacks
    )
    message.refresh_from_db()
    run = TicketMessageAction.objects.get(message=message, trigger=HookName.PRE_SPAM)
    assert run.status == "Succeeded", run.result
    assert message.ticket.is_spam is True
    assert message.ai_topics_status == AIStepStatus.SKIPPED and message.ai_generated_response == ""
    assert not [args for args in queued if args[1] == HookName.PRE_SPAM]
