"""HookActions and HookDocuments: hooks as special topics, filters, 409, bulk, wait-seconds, prompt documents."""

import pytest

from automation.models import ActionType, HookName, TopicAction, TopicDocument
from tests.automation.factories import (
    ActionFactory,
    HookActionFactory,
    TopicActionFactory,
    TopicDocumentFactory,
)
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory

pytestmark = pytest.mark.django_db

URL = "/api/HookActions"


def test_hook_name_enum_is_exactly_the_spec():
    assert HookName.values == [
        "PreSpam",
        "PostSpam",
        "PostTopicDetection",
        "OnEscalate",
        "PostEscalate",
        "OnEscalateFailed",
        "OnClose",
        "UserTriggered",
        "OnEndUserAdd",
        "OnEndUserUpdate",
        "OnEndUserDelete",
        "OnPhonePickup",
        "OnPhonePickupSay",
    ]


def test_list_requires_hook_name_or_action_id(rep_client):
    assert_problem(rep_client.get(URL), 400, "HookFilterRequired")


def test_list_by_hook_name_and_action(rep_client, customer, django_assert_num_queries):
    first = HookActionFactory(customer=customer, special_topic="OnClose", priority=1)
    second = HookActionFactory(customer=customer, special_topic="OnClose", priority=9)
    HookActionFactory(customer=customer, special_topic="PreSpam")
    TopicActionFactory(customer=customer, action=first.action)  # a topic link is not a hook action
    with django_assert_num_queries(3):
        response = rep_client.get(URL, {"hookName": "onclose"})
    items = response.json()["items"]
    assert [item["hookActionID"] for item in items] == [second.pk, first.pk]
    assert items[0]["hookName"] == "OnClose" and items[0]["actionName"] == second.action.name
    items = rep_client.get(URL, {"actionId": first.action_id}).json()["items"]
    assert [item["hookActionID"] for item in items] == [first.pk]
    assert_problem(rep_client.get(URL, {"hookName": "Never"}), 400)


def test_topic_links_are_not_hook_actions(rep_client, customer):
    link = TopicActionFactory(customer=customer)
    every_topic = TopicActionFactory(customer=customer, topic=None, special_topic="All")
    assert_problem(rep_client.get(f"{URL}/{link.pk}"), 404)
    assert_problem(rep_client.get(f"{URL}/{every_topic.pk}"), 404)


def test_create_conflict_update_delete(admin_client, customer):
    action = ActionFactory(customer=customer)
    channel = ChannelFactory(customer=customer)
    payload = {"hookName": "OnEscalate", "actionID": action.pk, "channelID": channel.pk, "priority": 4}
    response = admin_client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["hookName"] == "OnEscalate" and body["channelName"] == channel.name
    link = TopicAction.objects.get(pk=body["hookActionID"])
    assert link.special_topic == "OnEscalate" and link.topic_id is None and link.customer_id == customer.pk
    assert_problem(admin_client.post(URL, payload, format="json"), 409, "DuplicateHookAction")
    url = f"{URL}/{body['hookActionID']}"
    response = admin_client.put(url, {"priority": 70, "hookName": "OnClose"}, format="json")
    assert response.status_code == 200 and response.json()["priority"] == 70
    link.refresh_from_db()
    assert link.special_topic == "OnEscalate"
    assert admin_client.delete(url).status_code == 204


@pytest.mark.parametrize("payload", [{"actionID": 1}, {"hookName": "OnClose"}, {"hookName": "All", "actionID": 1}])
def test_create_validation(admin_client, payload):
    assert_problem(admin_client.post(URL, payload, format="json"), 400, "ValidationFailed")


def test_bulk_skips_existing(admin_client, customer):
    existing = HookActionFactory(customer=customer, special_topic="OnClose", priority=10)
    other = ActionFactory(customer=customer)
    response = admin_client.post(
        f"{URL}/bulk",
        [
            {"hookName": "OnClose", "actionID": existing.action_id, "priority": 10},
            {"hookName": "OnClose", "actionID": other.pk, "priority": 5},
        ],
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [item["actionID"] for item in response.json()] == [other.pk]


def test_wait_seconds_sums_active_wait_actions_of_the_channel(rep_client, customer):
    channel = ChannelFactory(customer=customer)
    for seconds, active in ((30, True), (15, True), (100, False)):
        HookActionFactory(
            customer=customer,
            special_topic="OnPhonePickup",
            action__action_type=ActionType.WAIT,
            action__wait_seconds=seconds,
            action__is_active=active,
        )
    HookActionFactory(
        customer=customer,
        special_topic="OnPhonePickup",
        channel=ChannelFactory(customer=customer),
        action__action_type=ActionType.WAIT,
        action__wait_seconds=500,
    )
    HookActionFactory(customer=customer, special_topic="OnPhonePickup", action__action_type=ActionType.CLOSE)
    response = rep_client.get(f"{URL}/wait-seconds", {"hookName": "OnPhonePickup", "channelId": channel.pk})
    assert response.status_code == 200
    assert response.json() == {"totalWaitSeconds": 45}
    assert_problem(rep_client.get(f"{URL}/wait-seconds"), 400)


def test_hook_actions_roles_and_tenancy(rep_client, phone_client, anon_client, admin_client, other_customer):
    assert_problem(rep_client.post(URL, {"hookName": "OnClose"}, format="json"), 403)
    assert_problem(phone_client.get(URL, {"hookName": "OnClose"}), 403)
    assert_problem(anon_client.get(f"{URL}/wait-seconds"), 401)
    foreign = HookActionFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        assert_problem(getattr(admin_client, method)(f"{URL}/{foreign.pk}", {"priority": 1}, format="json"), 404)


# --- HookDocuments --------------------------------------------------------------------------------


def test_hook_document_create(admin_client, customer):
    document = DocumentFactory(customer=customer)
    response = admin_client.post(
        "/api/HookDocuments",
        {"hookName": "PostSpam", "documentID": document.pk, "specialChannel": "All"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["specialTopic"] == "PostSpam" and body["topicID"] is None and body["documentName"] == document.name
    assert TopicDocument.objects.get(pk=body["topicDocumentID"]).special_topic == "PostSpam"
    assert_problem(admin_client.post("/api/HookDocuments", {"hookName": "Nope", "documentID": 1}, format="json"), 400)


def test_hook_prompt_documents(rep_client, phone_client, phone_channel, customer):
    email = ChannelFactory(customer=customer)
    shown = TopicDocumentFactory(
        customer=customer, topic=None, special_topic="OnPhonePickup", document__content="Topics:\n{{TopicList}}"
    )
    TopicDocumentFactory(customer=customer, topic=None, special_topic="OnPhonePickup", channel=email)
    TopicDocumentFactory(
        customer=customer, topic=None, special_topic="OnPhonePickup", document__is_data_retrieval_process=True
    )
    TopicDocumentFactory(customer=customer, topic=None, special_topic="OnClose")
    response = phone_client.get("/api/HookDocuments/promptDocuments", {"hookName": "OnPhonePickup"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [item["documentID"] for item in body] == [shown.document_id]
    assert body[0]["content"].startswith("Topics:\n") and "{{" not in body[0]["content"]
    assert set(body[0]) == {
        "documentID",
        "name",
        "content",
        "contentType",
        "includeInRealtimeInstructions",
        "isDataRetrievalProcess",
        "imageUrls",
    }
    assert_problem(
        phone_client.get("/api/HookDocuments/promptDocuments", {"hookName": "OnPhonePickup", "channelId": email.pk}),
        403,
        "PhoneChannelMismatch",
    )
    both = rep_client.get("/api/HookDocuments/promptDocuments", {"hookName": "OnPhonePickup", "channelId": email.pk})
    assert len(both.json()) == 2
    assert_problem(rep_client.get("/api/HookDocuments/promptDocuments"), 400)


def test_hook_documents_roles(rep_client, phone_client, anon_client):
    assert_problem(rep_client.post("/api/HookDocuments", {}, format="json"), 403)
    assert_problem(phone_client.post("/api/HookDocuments", {}, format="json"), 403)
    assert_problem(anon_client.get("/api/HookDocuments/promptDocuments", {"hookName": "OnClose"}), 401)


def test_bulk_validation_and_roles(admin_client, rep_client, phone_client):
    body = assert_problem(admin_client.post(f"{URL}/bulk", [{"hookName": "OnClose"}], format="json"), 400)
    assert body["errors"]
    assert_problem(rep_client.post(f"{URL}/bulk", [], format="json"), 403)
    assert_problem(phone_client.get(f"{URL}/wait-seconds", {"hookName": "OnClose"}), 403)


@pytest.mark.parametrize("priority", [100001, "high", None])
def test_put_validation_changes_nothing(admin_client, customer, priority):
    link = HookActionFactory(customer=customer, priority=10)
    response = admin_client.put(f"{URL}/{link.pk}", {"hookName": "OnClose", "priority": priority}, format="json")
    assert "priority" in assert_problem(response, 400, "ValidationFailed")["errors"]
    assert TopicAction.objects.get(pk=link.pk).priority == 10
