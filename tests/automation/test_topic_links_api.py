"""TopicChannels, TopicActions and TopicDocuments: links, bulk variants, filters, roles and tenancy."""

import pytest

from automation.models import HookName, TopicAction, TopicChannel, TopicDocument
from tests.automation.factories import (
    ActionFactory,
    HookActionFactory,
    TopicActionFactory,
    TopicChannelFactory,
    TopicDocumentFactory,
    TopicFactory,
)
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory

pytestmark = pytest.mark.django_db


# --- TopicChannels --------------------------------------------------------------------------------


def test_topic_channels_list_filters_and_pins_queries(admin_client, customer, django_assert_num_queries):
    channel = ChannelFactory(customer=customer)
    wanted = TopicChannelFactory(customer=customer, channel=channel)
    TopicChannelFactory(customer=customer)
    with django_assert_num_queries(3):  # rep, count, page with topic and channel
        response = admin_client.get("/api/TopicChannels", {"channelId": channel.pk})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["topicChannelID"] for item in items] == [wanted.pk]
    assert items[0]["topicName"] == wanted.topic.name and items[0]["channelName"] == channel.name


def test_topic_channels_page_size_is_clamped(admin_client, customer):
    for _ in range(3):
        TopicChannelFactory(customer=customer)
    body = admin_client.get("/api/TopicChannels", {"pageSize": 0, "pageNumber": -4}).json()
    assert len(body["items"]) == 1 and body["totalPages"] == 3
    body = admin_client.get("/api/TopicChannels", {"pageSize": 1000}).json()
    assert len(body["items"]) == 3


def test_topic_channel_create_retrieve_delete(admin_client, customer):
    topic, channel = TopicFactory(customer=customer), ChannelFactory(customer=customer)
    response = admin_client.post("/api/TopicChannels", {"topicID": topic.pk, "channelID": channel.pk}, format="json")
    assert response.status_code == 201, response.json()
    link_id = response.json()["topicChannelID"]
    again = admin_client.post("/api/TopicChannels", {"topicID": topic.pk, "channelID": channel.pk}, format="json")
    assert again.json()["topicChannelID"] == link_id  # idempotent
    assert admin_client.get(f"/api/TopicChannels/{link_id}").json()["customerID"] == customer.pk
    assert admin_client.delete(f"/api/TopicChannels/{link_id}").status_code == 204
    assert not TopicChannel.objects.filter(pk=link_id).exists()


def test_topic_channels_bulk_create_and_delete(admin_client, customer, other_customer):
    topics = [TopicFactory(customer=customer) for _ in range(2)]
    channel = ChannelFactory(customer=customer)
    response = admin_client.post(
        "/api/TopicChannels/bulk", [{"topicID": t.pk, "channelID": channel.pk} for t in topics], format="json"
    )
    assert response.status_code == 201, response.json()
    ids = [item["topicChannelID"] for item in response.json()]
    foreign = TopicChannelFactory(customer=other_customer)
    response = admin_client.delete("/api/TopicChannels/bulk", {"ids": [*ids, foreign.pk]}, format="json")
    assert response.status_code == 204
    assert not TopicChannel.objects.filter(pk__in=ids).exists()
    assert TopicChannel.objects.filter(pk=foreign.pk).exists()
    assert_problem(admin_client.delete("/api/TopicChannels/bulk", {"ids": []}, format="json"), 400)


def test_topic_channel_validation(admin_client, customer, other_customer):
    foreign_topic = TopicFactory(customer=other_customer)
    channel = ChannelFactory(customer=customer)
    body = assert_problem(
        admin_client.post("/api/TopicChannels", {"topicID": foreign_topic.pk, "channelID": channel.pk}, format="json"),
        400,
    )
    assert "topicID" in body["errors"]
    body = assert_problem(admin_client.post("/api/TopicChannels/bulk", [{"topicID": 1}], format="json"), 400)


def test_topic_channels_need_manage_settings(rep_client, phone_client, anon_client, customer):
    link = TopicChannelFactory(customer=customer)
    for client in (rep_client, phone_client):
        assert_problem(client.get("/api/TopicChannels"), 403)
        assert_problem(client.get(f"/api/TopicChannels/{link.pk}"), 403)
        assert_problem(client.post("/api/TopicChannels/bulk", [], format="json"), 403)
    assert_problem(anon_client.delete("/api/TopicChannels/bulk", {"ids": [1]}, format="json"), 401)


def test_topic_channel_of_other_customer_is_404(admin_client, other_customer):
    link = TopicChannelFactory(customer=other_customer)
    assert_problem(admin_client.get(f"/api/TopicChannels/{link.pk}"), 404)
    assert_problem(admin_client.delete(f"/api/TopicChannels/{link.pk}"), 404)


# --- TopicActions ---------------------------------------------------------------------------------


def test_topic_actions_list_filters_and_pins_queries(rep_client, customer, django_assert_num_queries):
    topic = TopicFactory(customer=customer)
    low = TopicActionFactory(customer=customer, topic=topic, priority=1)
    high = TopicActionFactory(customer=customer, topic=topic, priority=50)
    TopicActionFactory(customer=customer, topic=topic, action__is_active=False)
    hook = HookActionFactory(customer=customer, special_topic=HookName.ON_CLOSE)
    with django_assert_num_queries(3):
        response = rep_client.get("/api/TopicActions", {"topicId": topic.pk, "isActive": "true"})
    assert [item["topicActionID"] for item in response.json()["items"]] == [high.pk, low.pk]
    items = rep_client.get("/api/TopicActions", {"hookName": "OnClose"}).json()["items"]
    assert [item["topicActionID"] for item in items] == [hook.pk]
    assert items[0]["specialTopic"] == "OnClose" and items[0]["topicID"] is None


def test_topic_action_create_update_delete(admin_client, customer):
    topic, action = TopicFactory(customer=customer), ActionFactory(customer=customer)
    payload = {"topicID": topic.pk, "actionID": action.pk, "specialChannel": "Email", "priority": 5}
    response = admin_client.post("/api/TopicActions", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["actionName"] == action.name and body["specialChannel"] == "Email"
    assert_problem(admin_client.post("/api/TopicActions", payload, format="json"), 409, "DuplicateTopicAction")
    url = f"/api/TopicActions/{body['topicActionID']}"
    response = admin_client.put(url, {"priority": 99, "actionID": 123456}, format="json")
    assert response.status_code == 200 and response.json()["priority"] == 99
    assert TopicAction.objects.get(pk=body["topicActionID"]).action_id == action.pk  # only the priority changed
    assert_problem(admin_client.put(url, {"priority": "high"}, format="json"), 400)
    assert admin_client.delete(url).status_code == 204


@pytest.mark.parametrize(
    "extra, field",
    [
        ({}, "topicID"),
        ({"topicID": "TOPIC", "specialTopic": "All"}, "specialTopic"),
        ({"specialTopic": "Whenever"}, "specialTopic"),
        ({"specialTopic": "All", "specialChannel": "Fax"}, "specialChannel"),
    ],
)
def test_topic_action_validation(admin_client, customer, extra, field):
    topic, action = TopicFactory(customer=customer), ActionFactory(customer=customer)
    payload = {"actionID": action.pk, **{k: (topic.pk if v == "TOPIC" else v) for k, v in extra.items()}}
    body = assert_problem(admin_client.post("/api/TopicActions", payload, format="json"), 400)
    assert field in body["errors"], body


def test_topic_actions_bulk_skips_existing(admin_client, customer):
    topic, action = TopicFactory(customer=customer), ActionFactory(customer=customer)
    TopicActionFactory(customer=customer, topic=topic, action=action, priority=0)
    other = ActionFactory(customer=customer)
    items = [
        {"topicID": topic.pk, "actionID": action.pk, "priority": 0},
        {"specialTopic": "All", "actionID": other.pk, "priority": 3},
    ]
    response = admin_client.post("/api/TopicActions/bulk", items, format="json")
    assert response.status_code == 201, response.json()
    assert [item["actionID"] for item in response.json()] == [other.pk]


def test_topic_actions_roles_and_tenancy(rep_client, phone_client, admin_client, customer, other_customer):
    link = TopicActionFactory(customer=customer)
    assert rep_client.get(f"/api/TopicActions/{link.pk}").status_code == 200
    assert_problem(rep_client.post("/api/TopicActions", {}, format="json"), 403)
    assert_problem(rep_client.put(f"/api/TopicActions/{link.pk}", {"priority": 1}, format="json"), 403)
    assert_problem(phone_client.get("/api/TopicActions"), 403)
    foreign = TopicActionFactory(customer=other_customer)
    assert_problem(admin_client.put(f"/api/TopicActions/{foreign.pk}", {"priority": 1}, format="json"), 404)


# --- TopicDocuments -------------------------------------------------------------------------------


def test_topic_documents_list_filters(rep_client, customer, django_assert_num_queries):
    document = DocumentFactory(customer=customer)
    plain = TopicDocumentFactory(customer=customer, document=document)
    hook = TopicDocumentFactory(customer=customer, document=document, topic=None, special_topic="PostSpam")
    TopicDocumentFactory(customer=customer)
    with django_assert_num_queries(3):
        response = rep_client.get("/api/TopicDocuments", {"documentId": document.pk, "sortDirection": "desc"})
    assert [item["topicDocumentID"] for item in response.json()["items"]] == [hook.pk, plain.pk]
    items = rep_client.get("/api/TopicDocuments", {"isHook": "true"}).json()["items"]
    assert [item["topicDocumentID"] for item in items] == [hook.pk]
    items = rep_client.get("/api/TopicDocuments", {"isHook": "false", "documentId": document.pk}).json()["items"]
    assert [item["topicDocumentID"] for item in items] == [plain.pk]


def test_topic_document_create_bulk_update_delete(admin_client, customer):
    topic, document = TopicFactory(customer=customer), DocumentFactory(customer=customer)
    channel = ChannelFactory(customer=customer)
    response = admin_client.post(
        "/api/TopicDocuments", {"topicID": topic.pk, "documentID": document.pk, "channelID": channel.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channelType"] == "Email" and body["documentName"] == document.name
    assert body["specialChannel"] is None  # a channel link has no special channel: null, never ""
    url = f"/api/TopicDocuments/{body['topicDocumentID']}"
    response = admin_client.put(
        url,
        {"topicID": None, "specialTopic": "All", "documentID": document.pk, "specialChannel": "Chat"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    link = TopicDocument.objects.get(pk=body["topicDocumentID"])
    assert link.topic_id is None and link.special_topic == "All" and link.channel_id is None
    response = admin_client.post(
        "/api/TopicDocuments/bulk",
        [{"topicID": topic.pk, "documentID": document.pk}, {"specialTopic": "OnClose", "documentID": document.pk}],
        format="json",
    )
    assert response.status_code == 201 and len(response.json()) == 2
    assert admin_client.delete(url).status_code == 204


def test_topic_documents_validation_roles_tenancy(admin_client, rep_client, phone_client, customer, other_customer):
    foreign_document = DocumentFactory(customer=other_customer)
    topic = TopicFactory(customer=customer)
    body = assert_problem(
        admin_client.post(
            "/api/TopicDocuments", {"topicID": topic.pk, "documentID": foreign_document.pk}, format="json"
        ),
        400,
    )
    assert "documentID" in body["errors"]
    assert_problem(rep_client.post("/api/TopicDocuments", {}, format="json"), 403)
    assert_problem(phone_client.get("/api/TopicDocuments"), 403)
    foreign = TopicDocumentFactory(customer=other_customer)
    assert_problem(admin_client.get(f"/api/TopicDocuments/{foreign.pk}"), 404)
    assert_problem(admin_client.delete(f"/api/TopicDocuments/{foreign.pk}"), 404)


def test_topic_documents_bulk_validation(admin_client, customer):
    body = assert_problem(admin_client.post("/api/TopicDocuments/bulk", [{"specialTopic": "All"}], format="json"), 400)
    assert body["errors"]
    assert_problem(admin_client.post("/api/TopicDocuments/bulk", {"not": "a list"}, format="json"), 400)


def test_topic_actions_bulk_validation_creates_nothing(admin_client, customer, other_customer):
    topic, action = TopicFactory(customer=customer), ActionFactory(customer=customer)
    foreign_action = ActionFactory(customer=other_customer)
    valid = {"topicID": topic.pk, "actionID": action.pk, "priority": 1}
    for items in (
        [valid, {"topicID": topic.pk, "actionID": foreign_action.pk}],
        [valid, {"actionID": action.pk}],
        [{**valid, "priority": 100001}],
    ):
        body = assert_problem(
            admin_client.post("/api/TopicActions/bulk", items, format="json"), 400, "ValidationFailed"
        )
        assert body["errors"], body
    assert_problem(admin_client.post("/api/TopicActions/bulk", valid, format="json"), 400, "ValidationFailed")
    assert not TopicAction.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"documentID": "FOREIGN"}, "documentID"),
        ({"documentID": None}, "documentID"),
        ({"topicID": None, "specialTopic": None}, "topicID"),
        ({"specialChannel": "Fax"}, "specialChannel"),
    ],
)
def test_topic_document_put_validation_changes_nothing(admin_client, customer, other_customer, change, field):
    link = TopicDocumentFactory(customer=customer)
    foreign_document = DocumentFactory(customer=other_customer)
    body = {"topicID": link.topic_id, "documentID": DocumentFactory(customer=customer).pk, **change}
    body = {key: foreign_document.pk if value == "FOREIGN" else value for key, value in body.items()}
    response = admin_client.put(f"/api/TopicDocuments/{link.pk}", body, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    stored = TopicDocument.objects.get(pk=link.pk)
    assert (stored.topic_id, stored.document_id, stored.special_channel) == (link.topic_id, link.document_id, "")


def test_special_channel_is_a_channel_name_or_null_on_every_link(admin_client, customer):
    topic, action = TopicFactory(customer=customer), ActionFactory(customer=customer)
    channel = ChannelFactory(customer=customer)
    by_channel = admin_client.post(
        "/api/TopicActions", {"topicID": topic.pk, "actionID": action.pk, "channelID": channel.pk}, format="json"
    )
    assert by_channel.status_code == 201, by_channel.content
    assert by_channel.json()["specialChannel"] is None
    hook = admin_client.post("/api/HookActions", {"hookName": "OnClose", "actionID": action.pk}, format="json")
    assert hook.status_code == 201, hook.content
    assert hook.json()["specialChannel"] is None
    listed = admin_client.get("/api/TopicActions").json()["items"]
    assert {item["specialChannel"] for item in listed} <= {None, "Email", "Chat", "Phone", "WhatsApp", "All"}
