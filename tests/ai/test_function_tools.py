"""Function-tool documents: the model calls them while drafting; the connector answers (HTTP mocked by respx)."""

import json

import httpx
import pytest
import respx

from ai import services
from automation.models import ConnectorCall
from billing.models import CostEntry
from tests.ai.openai_fakes import CHAT_URL, completion
from tests.ai.scenario import tenant_setup
from tests.automation.factories import TopicDocumentFactory
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

ORDER_SCHEMA = {"type": "object", "properties": {"orderNumber": {"type": "string"}}, "required": ["orderNumber"]}


def _tool_call(call_id: str, name: str, arguments: dict, *, prompt_tokens=30):
    body = completion(None, prompt_tokens=prompt_tokens, finish_reason="tool_calls")
    body["choices"][0]["message"]["tool_calls"] = [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    ]
    return body


@pytest.fixture
def order_tool(openai_customer):
    document = DocumentFactory(
        customer=openai_customer,
        name="Order status",
        description="Looks up an order by its number.",
        content="",
        is_function_tool=True,
        function_parameters_schema=ORDER_SCHEMA,
        api_endpoint="https://shop.example.com/api/orders/{{arguments.orderNumber}}",
        api_method="GET",
    )
    TopicDocumentFactory(customer=openai_customer, topic=None, special_topic="All", document=document)
    return document


def test_the_model_calls_a_function_tool_and_answers_with_its_result(openai_customer, openai_mock, order_tool):
    tenant = tenant_setup(openai_customer)
    ticket = TicketFactory(customer=openai_customer, channel=tenant.email)
    message = TicketMessageFactory(customer=openai_customer, ticket=ticket, text_body="Where is order 4411?", lang="en")
    tool_name = f"Order_status_{order_tool.pk}"
    chat = openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(200, json=_tool_call("call_1", tool_name, {"orderNumber": "4411"})),
            httpx.Response(200, json=completion("Your order 4411 ships tomorrow.", prompt_tokens=80)),
        ]
    )

    with respx.mock(assert_all_called=True) as shop:
        shop.get("https://shop.example.com/api/orders/4411").respond(200, json={"status": "ships tomorrow"})
        draft = services.message_reply_draft(message=message)

    assert draft.startswith("Your order 4411 ships tomorrow.")
    first, second = (json.loads(call.request.content) for call in chat.calls)
    assert first["tools"][0]["function"] == {
        "name": tool_name,
        "description": "Looks up an order by its number.",
        "parameters": ORDER_SCHEMA,
    }
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"status":"ships tomorrow"}',
    }
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == tool_name
    assert ConnectorCall.objects.get(document=order_tool).status_code == 200
    cost = CostEntry.objects.get(purpose="reply", message_id=message.pk)
    assert (cost.input_tokens, cost.output_tokens) == (110, 14)  # both rounds


def test_a_failing_tool_is_reported_to_the_model_and_rounds_are_bounded(openai_customer, openai_mock, order_tool):
    ticket = TicketFactory(customer=openai_customer)
    message = TicketMessageFactory(customer=openai_customer, ticket=ticket, lang="en")
    looping = _tool_call("call_x", f"Order_status_{order_tool.pk}", {"orderNumber": "1"})
    chat = openai_mock.post(CHAT_URL).mock(
        side_effect=[httpx.Response(200, json=looping)] * 3 + [httpx.Response(200, json=completion("Sorry."))]
    )

    with respx.mock() as shop:
        shop.get("https://shop.example.com/api/orders/1").respond(503)
        assert services.message_reply_draft(message=message).startswith("Sorry.")

    sent = [json.loads(call.request.content) for call in chat.calls]
    assert [("tools" in body) for body in sent] == [True, True, True, False]
    assert sent[1]["messages"][-1]["content"] == "[Order status failed: HttpError]"
