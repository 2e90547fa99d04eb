"""Runtime routes under /api/TicketMessages/{id}: execute-hook, execute-single-action, execute-action,
promptDocuments; plus placeholder replacement on GET /api/Documents/{id} with a message."""

import httpx
import pytest
import respx

from automation import registry
from automation.models import ActionType, ConnectorCall, TicketMessageAction
from automation.registry import ActionResult
from tests.automation.factories import ActionFactory, HookActionFactory, TopicDocumentFactory, TopicFactory
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import (
    EndUserUIDFactory,
    TicketFactory,
    TicketMessageFactory,
    TicketMessageTopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply_handler(monkeypatch):
    def handler(*, context):
        return ActionResult(message=f"replied to {context.message_id}")

    monkeypatch.setitem(registry._handlers, ActionType.REPLY, handler)


def test_execute_hook_queues_and_answers_runs(rep_client, customer, reply_handler, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    HookActionFactory(customer=customer, special_topic="UserTriggered", action__action_type="Reply", priority=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            f"/api/TicketMessages/{message.pk}/execute-hook", {"hookName": "UserTriggered"}, format="json"
        )
    assert response.status_code == 202, response.json()
    [run] = response.json()
    assert run["trigger"] == "UserTriggered" and run["priority"] == 3
    assert TicketMessageAction.objects.get(pk=run["ticketMessageActionID"]).status == "Succeeded"


def test_execute_hook_validation_and_access(rep_client, phone_client, anon_client, customer, phone_channel):
    message = TicketMessageFactory(customer=customer)
    url = f"/api/TicketMessages/{message.pk}/execute-hook"
    assert_problem(rep_client.post(url, {"hookName": "Sometime"}, format="json"), 400, "ValidationFailed")
    assert_problem(phone_client.post(url, {"hookName": "OnPhonePickup"}, format="json"), 404)  # other channel
    assert_problem(anon_client.post(url, {"hookName": "OnClose"}, format="json"), 401)
    phone_message = TicketMessageFactory(
        customer=customer, ticket=TicketFactory(customer=customer, channel=phone_channel)
    )
    response = phone_client.post(
        f"/api/TicketMessages/{phone_message.pk}/execute-hook", {"hookName": "OnPhonePickup"}, format="json"
    )
    assert response.status_code == 202 and response.json() == []


def test_execute_single_action(rep_client, customer, other_customer, reply_handler):
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(customer=customer, action_type=ActionType.REPLY)
    url = f"/api/TicketMessages/{message.pk}/execute-single-action"
    response = rep_client.get(url, {"actionId": action.pk})
    assert response.status_code == 200
    assert response.json() == {"message": f"replied to {message.pk}", "finished": True}
    run = TicketMessageAction.objects.get(message=message, action=action)
    assert run.trigger == "Manual" and run.status == "Succeeded"
    # executing again re-runs it (manual runs are not deduplicated)
    assert rep_client.get(url, {"actionId": action.pk}).status_code == 200
    assert TicketMessageAction.objects.filter(message=message).count() == 1
    assert_problem(rep_client.get(url), 400)
    body = assert_problem(rep_client.get(url, {"actionId": ActionFactory(customer=other_customer).pk}), 400)
    assert "actionId" in body["errors"]


def test_execute_action_post_and_unavailable_type(rep_client, customer, monkeypatch):
    monkeypatch.delitem(registry._handlers, ActionType.FUNCTION_TOOL, raising=False)
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(customer=customer, action_type=ActionType.FUNCTION_TOOL)
    response = rep_client.post(
        f"/api/TicketMessages/{message.pk}/execute-action", {"actionID": action.pk}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["finished"] is True and body["message"].startswith("ActionTypeUnavailable")
    assert_problem(rep_client.post(f"/api/TicketMessages/{message.pk}/execute-action", {}, format="json"), 400)


def test_execute_action_access(phone_client, anon_client, admin_client, customer, other_customer):
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(customer=customer)
    assert_problem(phone_client.get(f"/api/TicketMessages/{message.pk}/execute-single-action", {"actionId": 1}), 403)
    assert_problem(phone_client.post(f"/api/TicketMessages/{message.pk}/execute-action", {}, format="json"), 403)
    assert_problem(anon_client.get(f"/api/TicketMessages/{message.pk}/execute-single-action"), 401)
    foreign = TicketMessageFactory(customer=other_customer)
    assert_problem(
        admin_client.get(f"/api/TicketMessages/{foreign.pk}/execute-single-action", {"actionId": action.pk}), 404
    )
    assert not TicketMessageAction.objects.exists()


def _message_with_context(customer):
    message = TicketMessageFactory(customer=customer, subject='Order "42"', custom_fields_data={"orderNumber": "A-42"})
    end_user = message.ticket.end_user
    end_user.firstname = "Ada"
    end_user.save()
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="ada@example.com")
    return message


def test_prompt_documents_of_message_topics(rep_client, customer):
    message = _message_with_context(customer)
    topic = TopicFactory(customer=customer)
    TicketMessageTopicFactory(customer=customer, message=message, topic=topic)
    static = TopicDocumentFactory(
        customer=customer,
        topic=topic,
        document__content="Dear {{endUser.firstname}}, order {{customFields.orderNumber}}",
    )
    every = TopicDocumentFactory(customer=customer, topic=None, special_topic="All", document__content="General")
    TopicDocumentFactory(customer=customer, document__content="other topic")
    TopicDocumentFactory(customer=customer, topic=topic, document__is_function_tool=True)
    retrieval = TopicDocumentFactory(
        customer=customer,
        topic=topic,
        document__is_data_retrieval_process=True,
        document__api_endpoint="https://erp.example.com/orders/{{customFields.orderNumber}}",
        document__content="Status: {{response.status}}",
    )
    url = f"/api/TicketMessages/{message.pk}/promptDocuments"
    body = rep_client.get(url, {"onlyPromptDocuments": "true"}).json()["promptDocuments"]
    assert [item["documentID"] for item in body] == [static.document_id, every.document_id]
    assert body[0]["content"] == "Dear Ada, order A-42"
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://erp.example.com/orders/A-42").mock(return_value=httpx.Response(200, json={"status": "sent"}))
        body = rep_client.get(url).json()["promptDocuments"]
    assert [item["documentID"] for item in body] == [static.document_id, every.document_id, retrieval.document_id]
    assert body[2]["content"] == "Status: sent" and body[2]["isDataRetrievalProcess"] is True
    call = ConnectorCall.objects.get(document_id=retrieval.document_id)
    assert call.status_code == 200 and call.message_id == message.pk


def test_prompt_documents_access(phone_client, anon_client, admin_client, customer, other_customer):
    message = TicketMessageFactory(customer=customer)
    assert_problem(phone_client.get(f"/api/TicketMessages/{message.pk}/promptDocuments"), 404)
    assert_problem(anon_client.get(f"/api/TicketMessages/{message.pk}/promptDocuments"), 401)
    foreign = TicketMessageFactory(customer=other_customer)
    assert_problem(admin_client.get(f"/api/TicketMessages/{foreign.pk}/promptDocuments"), 404)


def test_document_placeholders_from_message_and_ticket(admin_client, customer, other_customer):
    message = _message_with_context(customer)
    TopicFactory(customer=customer, name="Returns")
    document = DocumentFactory(
        customer=customer,
        content=(
            "{{ message.subject }} / {{endUser.firstname}} <{{endUser.email}}> / {{customFields.orderNumber}} / "
            "{{ticket.status}} / {{channel.type}} / {{TopicList}} / {{customFields.missing}}"
        ),
    )
    url = f"/api/Documents/{document.pk}"
    body = admin_client.get(url, {"replacePlaceholders": "true", "messageId": message.pk}).json()
    assert (
        body["content"]
        == 'Order "42" / Ada <ada@example.com> / A-42 / Open / Email / Returns / {{customFields.missing}}'
    )
    body = admin_client.get(url, {"replacePlaceholders": "true", "ticketId": message.ticket_id}).json()
    assert body["content"].startswith('Order "42" / Ada')
    assert admin_client.get(url, {"messageId": message.pk}).json()["content"] == document.content
    foreign = TicketMessageFactory(customer=other_customer)
    body = assert_problem(admin_client.get(url, {"replacePlaceholders": "true", "messageId": foreign.pk}), 400)
    assert "messageId" in body["errors"]


def test_function_tool_call(customer):
    from automation.connector import ConnectorError
    from automation.prompt_documents import function_tool_call, function_tool_documents

    message = _message_with_context(customer)
    topic = TopicFactory(customer=customer)
    link = TopicDocumentFactory(
        customer=customer,
        topic=topic,
        document__is_function_tool=True,
        document__function_parameters_schema={
            "type": "object",
            "properties": {"orderId": {"type": "string"}},
            "required": ["orderId"],
        },
        document__api_endpoint="https://erp.example.com/orders/{{arguments.orderId}}?lang={{endUser.firstname}}",
        document__content="Order {{arguments.orderId}} is {{response.status}}",
    )
    TopicDocumentFactory(customer=customer, topic=topic)  # a plain prompt document is not a tool
    assert function_tool_documents(customer_id=customer.pk, channel_id=message.channel_id, topic_ids=[topic.pk]) == [
        link.document
    ]
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://erp.example.com/orders/B-7").mock(
            return_value=httpx.Response(200, json={"status": "packed"})
        )
        result = function_tool_call(document=link.document, message=message, arguments={"orderId": "B-7"})
    assert result == "Order B-7 is packed"
    assert route.calls.last.request.url.params["lang"] == "Ada"
    with pytest.raises(ConnectorError) as error:
        function_tool_call(document=link.document, message=message, arguments={"orderId": 7})
    assert error.value.code == "InvalidArguments"
