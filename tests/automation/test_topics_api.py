"""Topics routes: CRUD, channel topic policy, phone-token limits, roles and tenancy."""

import pytest

from automation.models import Topic
from channels_cfg.models import TopicPolicyMode
from customers.models import ModelPurpose
from tests.automation.factories import TopicChannelFactory, TopicDocumentFactory, TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory
from tests.documents.factories import DocumentCustomFieldRequirementFactory

pytestmark = pytest.mark.django_db

URL = "/api/Topics"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["items"]]


def test_list_pages_sorts_and_pins_queries(rep_client, customer, django_assert_num_queries):
    for name in ("Returns", "Billing", "Shipping"):
        link = TopicDocumentFactory(customer=customer, topic__name=name)
        DocumentCustomFieldRequirementFactory(customer=customer, document=link.document)
    with django_assert_num_queries(5):  # rep, count, page, document links, requirements with definitions
        response = rep_client.get(URL, {"pageSize": 2, "sortBy": "name", "sortOrder": "desc"})
    assert _names(response) == ["Shipping", "Returns"]
    body = response.json()
    assert body["totalCount"] == 3 and body["totalPages"] == 2
    requirement = body["items"][0]["customFieldRequirements"][0]
    assert requirement["fieldName"] and requirement["isRequired"] is True


def test_list_search(rep_client, customer):
    TopicFactory(customer=customer, name="Invoice question")
    TopicFactory(customer=customer, name="Delivery")
    assert _names(rep_client.get(URL, {"search": "invoice"})) == ["Invoice question"]


def test_channel_policy_all_honours_topic_channel_links(rep_client, customer):
    email, chat = ChannelFactory(customer=customer), ChannelFactory(customer=customer, channel_type="Chat")
    TopicFactory(customer=customer, name="Everywhere")
    TopicChannelFactory(customer=customer, topic__name="Email only", channel=email)
    TopicFactory(customer=customer, name="Inactive", is_active=False)
    assert _names(rep_client.get(URL, {"channelId": email.pk})) == ["Email only", "Everywhere"]
    assert _names(rep_client.get(URL, {"channelId": chat.pk})) == ["Everywhere"]
    assert len(_names(rep_client.get(URL))) == 3  # without channelId every topic is listed


def test_channel_policy_include_and_exclude(rep_client, customer):
    channel = ChannelFactory(customer=customer)
    alpha, beta = TopicFactory(customer=customer, name="Alpha"), TopicFactory(customer=customer, name="Beta")
    channel.topic_policy_mode = TopicPolicyMode.INCLUDE
    channel.save()
    channel.include_topics.set([beta])
    assert _names(rep_client.get(URL, {"channelId": channel.pk})) == ["Beta"]
    channel.topic_policy_mode = TopicPolicyMode.EXCLUDE
    channel.save()
    channel.exclude_topics.set([beta])
    assert _names(rep_client.get(URL, {"channelId": channel.pk})) == ["Alpha"]
    assert_problem(rep_client.get(f"{URL}/{beta.pk}", {"channelId": channel.pk}), 404)
    assert rep_client.get(f"{URL}/{alpha.pk}", {"channelId": channel.pk}).status_code == 200


def test_phone_token_is_limited_to_its_channel(phone_client, phone_channel, customer):
    other = ChannelFactory(customer=customer)
    TopicChannelFactory(customer=customer, topic__name="Phone topic", channel=phone_channel)
    hidden = TopicChannelFactory(customer=customer, topic__name="Email topic", channel=other).topic
    assert _names(phone_client.get(URL)) == ["Phone topic"]
    assert_problem(phone_client.get(URL, {"channelId": other.pk}), 403, "PhoneChannelMismatch")
    assert_problem(phone_client.get(f"{URL}/{hidden.pk}"), 404)


def test_channel_id_must_be_a_number(rep_client):
    body = assert_problem(rep_client.get(URL, {"channelId": "abc"}), 400)
    assert "channelId" in body["errors"]


def test_create_update_delete(admin_client, customer):
    model = AIModelFactory(customer=None, model_type=ModelPurpose.CALL)
    response = admin_client.post(
        URL, {"name": "Refunds", "description": "Money back", "phoneModelID": model.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customerID"] == customer.pk and body["phoneModelID"] == model.pk
    url = f"{URL}/{body['topicID']}"
    response = admin_client.put(
        url, {"name": "Refunds 2", "customFieldRequirements": [{"x": 1}], "isActive": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    topic = Topic.objects.get(pk=body["topicID"])
    assert topic.name == "Refunds 2" and not topic.is_active
    assert admin_client.delete(url).status_code == 204
    assert_problem(admin_client.delete(url), 404)


@pytest.mark.parametrize(
    "payload, field",
    [({"name": ""}, "name"), ({"name": "x", "phoneModelID": "wrong"}, "phoneModelID")],
)
def test_create_validation(admin_client, payload, field):
    body = assert_problem(admin_client.post(URL, payload, format="json"), 400, "ValidationFailed")
    assert field in body["errors"]


def test_phone_model_must_be_a_call_model_of_this_customer(admin_client, other_customer):
    email_model = AIModelFactory(customer=None, model_type=ModelPurpose.EMAIL)
    foreign = AIModelFactory(customer=other_customer, model_type=ModelPurpose.CALL)
    for model in (email_model, foreign):
        body = assert_problem(admin_client.post(URL, {"name": "x", "phoneModelID": model.pk}, format="json"), 400)
        assert "phoneModelID" in body["errors"]


def test_writes_need_manage_settings(rep_client, supervisor_client, phone_client, customer):
    topic = TopicFactory(customer=customer)
    for client in (rep_client, supervisor_client, phone_client):
        assert_problem(client.post(URL, {"name": "x"}, format="json"), 403)
        assert_problem(client.put(f"{URL}/{topic.pk}", {"name": "x"}, format="json"), 403)
        assert_problem(client.delete(f"{URL}/{topic.pk}"), 403)


def test_requires_token(anon_client):
    assert_problem(anon_client.get(URL), 401)


def test_other_customer_topic_is_404(admin_client, other_customer):
    topic = TopicFactory(customer=other_customer)
    for method in ("get", "put", "delete"):
        assert_problem(getattr(admin_client, method)(f"{URL}/{topic.pk}", {"name": "x"}, format="json"), 404)
    assert Topic.objects.filter(pk=topic.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"phoneModelID": "wrong"}, "phoneModelID")],
)
def test_put_validation_changes_nothing(admin_client, customer, change, field):
    topic = TopicFactory(customer=customer, name="Refunds")
    response = admin_client.put(f"{URL}/{topic.pk}", {"name": "Renamed", "isActive": False, **change}, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    topic.refresh_from_db()
    assert topic.name == "Refunds" and topic.is_active
