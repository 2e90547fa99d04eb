"""The FunctionTool action: AI-produced arguments (offline patterns / a forced OpenAI tool call under the real client,
mocked with respx), the tenant API answered through the connector (respx), the run's result and cost row."""

import json

import httpx
import pytest
import respx

from ai.function_tool_action import local_arguments, named_document_id
from automation import services as automation_services
from automation.models import ActionType, ConnectorCall, TicketMessageAction
from automation.registry import action_handler
from billing.models import CostEntry, CostProvider
from tests.ai.openai_fakes import CHAT_URL, completion
from tests.automation.factories import ActionFactory, HookActionFactory, TopicDocumentFactory
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import TicketMessageFactory

pytestmark = pytest.mark.django_db

ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "orderNumber": {"type": "string", "description": "The order number."},
        "email": {"type": "string", "format": "email"},
    },
    "required": ["orderNumber"],
}
SHOP_URL = "https://shop.example.com/api/orders/"


def _order_tool(customer, *, linked=True, **fields):
    document = DocumentFactory(
        customer=customer,
        name=fields.pop("name", "Order status"),
        description="Looks up an order by its number.",
        content="",
        is_function_tool=True,
        function_parameters_schema=fields.pop("schema", ORDER_SCHEMA),
        api_endpoint=SHOP_URL + "{{arguments.orderNumber}}?email={{arguments.email}}",
        api_method="GET",
        field_mapping=json.dumps([{"source": "status", "target": "orderStatus"}]),
        **fields,
    )
    if linked:
        TopicDocumentFactory(customer=customer, topic=None, special_topic="All", document=document)
    return document


def _tool_call(name: str, arguments: dict):
    body = completion(None, prompt_tokens=42, completion_tokens=9, finish_reason="tool_calls")
    body["choices"][0]["message"]["tool_calls"] = [
        {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    ]
    return body


def test_function_tool_is_registered():
    assert action_handler(ActionType.FUNCTION_TOOL) is not None


def test_local_provider_fills_arguments_and_maps_the_response(customer):
    document = _order_tool(customer)
    message = TicketMessageFactory(
        customer=customer, subject="Order question", text_body="Hi, where is order #A-4411? Mail me at jan@example.be"
    )
    action = ActionFactory(customer=customer, action_type=ActionType.FUNCTION_TOOL, name="Look up order")

    with respx.mock(assert_all_called=True) as shop:
        route = shop.get(SHOP_URL + "A-4411").respond(200, json={"status": "shipped", "carrier": "bpost"})
        result = automation_services.action_execute(message=message, action=action)

    assert result.finished is True
    assert result.message.startswith('Order status: {"status":"shipped"') and "set orderStatus" in result.message
    assert route.calls.last.request.url.params["email"] == "jan@example.be"
    run = TicketMessageAction.objects.get(message=message, action=action)
    assert (run.status, run.trigger) == ("Succeeded", "Manual") and run.result == result.message
    message.refresh_from_db()
    assert message.custom_fields_data["orderStatus"] == "shipped"
    assert ConnectorCall.objects.get(document=document, message_id=message.pk).status_code == 200
    cost = CostEntry.objects.get(purpose="functionTool", message_id=message.pk)
    assert cost.provider == CostProvider.LOCAL and cost.amount == 0


def test_local_provider_missing_required_argument_fails_with_the_reason(customer):
    _order_tool(customer)
    message = TicketMessageFactory(customer=customer, subject="Hello", text_body="Where is my parcel? It is late.")
    action = ActionFactory(customer=customer, action_type=ActionType.FUNCTION_TOOL)

    with respx.mock(assert_all_called=False) as shop:
        route = shop.get(url__startswith=SHOP_URL).respond(200, json={})
        result = automation_services.action_execute(message=message, action=action)

    assert not route.called
    run = TicketMessageAction.objects.get(message=message, action=action)
    assert run.status == "Failed"
    assert run.result.startswith("MissingArguments:") and "orderNumber" in run.result and "Order status" in run.result
    assert result.message == run.result
    assert not ConnectorCall.objects.exists()
    assert CostEntry.objects.filter(purpose="functionTool", message_id=message.pk).count() == 1


def test_local_arguments_prefer_custom_fields_then_end_user_then_text(customer):
    schema = {
        "type": "object",
        "properties": {
            "orderNumber": {"type": "integer"},
            "email": {"type": "string"},
            "city": {"type": "string"},
            "size": {"type": "string", "enum": ["small", "large"]},
            "postcode": {"type": "string", "pattern": "^[0-9]{4}$"},
            "channel": {"type": "string", "default": "web"},
        },
    }
    document = DocumentFactory(customer=customer, is_function_tool=True, function_parameters_schema=schema)
    context = {
        "customFields": {"order_number": "77120"},
        "endUser": {"email": "piet@example.be", "city": "Gent", "name": ""},
    }
    text = "Order 55512, the large one, to 9000 please; reply to other@example.be"
    assert local_arguments(document, context=context, text=text) == {
        "orderNumber": 77120,
        "email": "piet@example.be",
        "city": "Gent",
        "size": "large",
        "postcode": "9000",
        "channel": "web",
    }
    bare = local_arguments(document, context={"customFields": {}, "endUser": {}}, text=text)
    assert bare["orderNumber"] == 55512 and bare["email"] == "other@example.be" and "city" not in bare


def test_openai_forced_tool_call_runs_the_named_document(openai_customer, openai_mock, rep_client):
    _order_tool(openai_customer, name="Other tool")
    document = _order_tool(openai_customer, linked=False)
    action = ActionFactory(
        customer=openai_customer,
        action_type=ActionType.FUNCTION_TOOL,
        name="Order lookup",
        description=f"Looks the order up. documentID: {document.pk}",
    )
    message = TicketMessageFactory(
        customer=openai_customer, subject="Waar blijft mijn bestelling?", text_body="Bestelling 4411 is te laat."
    )
    tool_name = f"Order_status_{document.pk}"
    chat = openai_mock.post(CHAT_URL).mock(
        return_value=httpx.Response(200, json=_tool_call(tool_name, {"orderNumber": "4411", "email": "a@b.be"}))
    )

    with respx.mock(assert_all_called=True) as shop:
        shop.get(SHOP_URL + "4411", params={"email": "a@b.be"}).respond(200, json={"status": "in transit"})
        response = rep_client.post(
            f"/api/TicketMessages/{message.pk}/execute-action", {"actionID": action.pk}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "message": 'Order status: {"status":"in transit"} (set orderStatus)',
        "finished": True,
    }
    sent = json.loads(chat.calls.last.request.content)
    assert sent["model"] == "gpt-email"
    assert sent["tool_choice"] == {"type": "function", "function": {"name": tool_name}}
    assert sent["tools"] == [
        {
            "type": "function",
            "function": {
                "name": tool_name,
                "description": "Looks up an order by its number.",
                "parameters": ORDER_SCHEMA,
            },
        }
    ]
    assert "Bestelling 4411 is te laat." in sent["messages"][-1]["content"]
    cost = CostEntry.objects.get(purpose="functionTool", message_id=message.pk)
    assert (cost.provider, cost.input_tokens, cost.output_tokens) == (CostProvider.OPENAI, 42, 9)
    assert cost.amount > 0

    detail = rep_client.get(f"/api/TicketMessages/{message.pk}")
    [run] = detail.json()["actions"]
    assert run["actionType"] == "FunctionTool" and run["actionName"] == "Order lookup"
    assert run["status"] == "Succeeded" and run["trigger"] == "Manual" and run["finishedDate"]
    assert run["result"] == response.json()["message"]


def test_openai_with_several_documents_requires_a_call_and_a_bad_call_fails(openai_customer, openai_mock):
    first = _order_tool(openai_customer, name="First")
    _order_tool(openai_customer, name="Second")
    message = TicketMessageFactory(customer=openai_customer, text_body="Order 4411?")
    action = ActionFactory(customer=openai_customer, action_type=ActionType.FUNCTION_TOOL)
    chat = openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(200, json=_tool_call(f"First_{first.pk}", {"email": "a@b.be"})),
            httpx.Response(200, json=completion("I will not call anything.")),
        ]
    )

    result = automation_services.action_execute(message=message, action=action)
    assert result.status == "Failed"
    assert result.message.startswith("MissingArguments: the message does not give orderNumber")
    sent = json.loads(chat.calls.last.request.content)
    assert sent["tool_choice"] == "required" and len(sent["tools"]) == 2

    result = automation_services.action_execute(message=message, action=action)
    assert result.message == "AIInvalidOutput: The AI model did not call the function."
    assert CostEntry.objects.filter(purpose="functionTool", message_id=message.pk).count() == 2


def test_connector_failures_and_configuration_problems_are_recorded(customer):
    document = _order_tool(customer)
    message = TicketMessageFactory(customer=customer, text_body="Order 4411 please")
    action = ActionFactory(customer=customer, action_type=ActionType.FUNCTION_TOOL)
    with respx.mock() as shop:
        shop.get(url__startswith=SHOP_URL).respond(503)
        result = automation_services.action_execute(message=message, action=action)
    assert result.message == "HttpError: The API answered HTTP 503."
    assert TicketMessageAction.objects.get(message=message, action=action).status == "Failed"

    knowledge = DocumentFactory(customer=customer)
    action.description = f"documentID={knowledge.pk}"
    action.save()
    result = automation_services.action_execute(message=message, action=action)
    assert result.status == "Failed" and result.message.startswith("FunctionToolNotFound:")

    document.delete()
    action.description = ""
    action.save()
    result = automation_services.action_execute(message=message, action=action)
    assert result.status == "Skipped" and result.message == "No function tool applies to this message."


def test_named_document_id_parsing():
    assert named_document_id(ActionFactory.build(description="Uses DocumentId #12 for orders")) == 12
    assert named_document_id(ActionFactory.build(description="document id: 7")) == 7
    assert named_document_id(ActionFactory.build(description="Order tool")) is None


def test_execute_action_validation_and_access(rep_client, anon_client, phone_client, other_admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    action = ActionFactory(customer=customer, action_type=ActionType.FUNCTION_TOOL)
    url = f"/api/TicketMessages/{message.pk}/execute-action"
    assert_problem(rep_client.post(url, {"actionID": "x"}, format="json"), 400)
    assert_problem(anon_client.post(url, {"actionID": action.pk}, format="json"), 401)
    assert_problem(phone_client.post(url, {"actionID": action.pk}, format="json"), 403)
    assert_problem(other_admin_client.post(url, {"actionID": action.pk}, format="json"), 404)
    assert not TicketMessageAction.objects.exists()


def test_in_a_hook_chain_later_actions_use_the_mapped_fields(customer):
    _order_tool(customer)
    message = TicketMessageFactory(customer=customer, text_body="Is order 4411 on its way?")
    HookActionFactory(
        customer=customer,
        special_topic="UserTriggered",
        action__action_type=ActionType.FUNCTION_TOOL,
        action__name="Look up",
        priority=2,
    )
    HookActionFactory(
        customer=customer,
        special_topic="UserTriggered",
        action__action_type=ActionType.API_CALL,
        action__name="Notify",
        action__api_endpoint="https://crm.example.com/notes",
        action__api_body_template='{"note": "Order is {{customFields.orderStatus}}"}',
        action__conditional_rules='{"field": "customFields.orderStatus", "op": "equals", "value": "shipped"}',
        priority=1,
    )
    automation_services.hook_run(customer_id=customer.pk, message_id=message.pk, hook_name="UserTriggered")

    with respx.mock(assert_all_called=True) as outside:
        outside.get(url__startswith=SHOP_URL + "4411").respond(200, json={"status": "shipped"})
        crm = outside.post("https://crm.example.com/notes").respond(201, json={})
        automation_services.action_chain_run(message_id=message.pk, trigger="UserTriggered")

    assert json.loads(crm.calls.last.request.content) == {"note": "Order is shipped"}
    runs = TicketMessageAction.objects.filter(message=message).order_by("-priority")
    assert [(run.action.name, run.status) for run in runs] == [("Look up", "Succeeded"), ("Notify", "Succeeded")]
