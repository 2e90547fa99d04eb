import pytest

from answerpal.events import Event
from tests.automation.factories import TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.customers.factories import CustomFieldDefinitionFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory, TicketMessageTopicFactory
from tickets import registry, services
from tickets.models import EndUserUID, Ticket, TicketMessage, TicketMessageTopic, TicketStatus

pytestmark = pytest.mark.django_db


def test_list_by_ticket_paged_with_topics(admin_client, customer, django_assert_num_queries):
    ticket = TicketFactory(customer=customer)
    first = TicketMessageFactory(customer=customer, ticket=ticket)
    TicketMessageTopicFactory(customer=customer, message=first, topic__name="Refund")
    messages = [first] + [TicketMessageFactory(customer=customer, ticket=ticket) for _ in range(2)]
    TicketMessageFactory(customer=customer)
    with django_assert_num_queries(6):  # auth, ticket, count, page, topics, the audit entry (one INSERT)
        response = admin_client.get("/api/ticketMessages", {"ticketId": ticket.pk, "pageSize": 2})
    data = response.json()
    assert data["totalCount"] == 3 and data["totalPages"] == 2
    assert [row["messageID"] for row in data["items"]] == [m.pk for m in messages[:2]]
    assert data["items"][0]["topics"] == [{"ticketMessageTopicID": first.topics.get().pk, "topicName": "Refund"}]
    assert {"senderType", "fromAddress", "hasAttachment", "aI_FeedbackComment", "preview"} <= set(data["items"][0])
    response = admin_client.get("/api/TicketMessages", {"ticketId": ticket.pk, "sortOrder": "desc"})
    assert response.json()["items"][0]["messageID"] == messages[-1].pk


def test_list_needs_a_ticket_of_the_tenant(admin_client, other_customer):
    assert_problem(admin_client.get("/api/TicketMessages"), 400)
    foreign = TicketFactory(customer=other_customer)
    assert_problem(admin_client.get("/api/TicketMessages", {"ticketId": foreign.pk}), 404)


def test_detail_has_every_dto_field_and_registered_ones(admin_client, customer, monkeypatch, django_assert_num_queries):
    message = TicketMessageFactory(customer=customer, ai_generated_response="Draft", is_spam_ai=False, lang="nl")
    TicketMessageTopicFactory(customer=customer, message=message)
    CustomFieldDefinitionFactory(customer=customer, field_name="orderNo")
    monkeypatch.setattr(registry, "_detail_fields", {})
    registry.register_message_detail_field("shout", prefetch=[], render=lambda m: m.subject.upper())
    with django_assert_num_queries(5):  # auth, message (+rep, channel), topics (+topic, rep), custom fields, audit
        response = admin_client.get(f"/api/ticketMessages/{message.pk}")
    data = response.json()
    expected = {
        "messageID", "ticketID", "dateCreated", "senderType", "customerRepID", "customerRepName", "message",
        "subject", "headers", "fromAddress", "toAddress", "ccAddress", "bccAddress", "htmlBody", "textBody",
        "fromName", "isOpened", "isBounced", "messageDate", "messageIdentifier", "emailAddress", "incoming",
        "lastOpenDate", "twilio_CallSid", "fromNumber", "toNumber", "pageURL", "pageHTML", "pageScreenshot",
        "aISpamStatus", "aITopicsStatus", "aIReplyStatus", "aI_GeneratedResponse", "aI_ModifiedResponse",
        "aI_ResponseDateTime", "isLiked", "aI_FeedbackComment", "uid", "aiPrompt", "emailTemplateID", "status",
        "bodyPreview", "channelID", "channelName", "customerID", "isEscalated", "emailMsSqlID", "isKnownEndUser",
        "hasAttachment", "isSpamSpamAssassin", "isSpamAI", "additionalInfo", "replyToMessageID", "topics",
        "customFieldsData", "customFieldDefinitions", "lang",
    }  # fmt: skip
    assert expected <= set(data)
    assert data["shout"] == message.subject.upper() and data["customerID"] == customer.pk
    assert data["topics"][0]["topicID"] == message.topics.get().topic_id
    assert data["customFieldDefinitions"][0]["fieldName"] == "orderNo"


def test_create_in_existing_ticket_and_validation(admin_client, customer, other_customer, admin_rep):
    ticket = TicketFactory(customer=customer)
    body = {"ticketID": ticket.pk, "incoming": False, "message": "We are on it", "senderType": "CustomerRep"}
    response = admin_client.post("/api/TicketMessages", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customerRepID"] == admin_rep.pk and data["status"] == "Draft" and data["incoming"] is False
    assert_problem(admin_client.post("/api/TicketMessages", {"message": "x"}, format="json"), 400)
    foreign = TicketFactory(customer=other_customer)
    response = admin_client.post("/api/TicketMessages", {"ticketID": foreign.pk, "message": "x"}, format="json")
    assert "ticketID" in assert_problem(response, 400)["errors"]


def test_create_new_makes_ticket_and_end_user(admin_client, customer, monkeypatch):
    published = []
    for module in (services.end_users, services.tickets, services.messages):  # the modules that publish
        monkeypatch.setattr(module, "publish", lambda event, **payload: published.append(event))
    channel = ChannelFactory(customer=customer, channel_type="Chat")
    CustomFieldDefinitionFactory(customer=customer, field_name="orderNo", field_type="number")
    body = {
        "channel": "Chat",
        "channelID": channel.pk,
        "incoming": True,
        "uid": "visitor@example.com",
        "fromName": "Vi Sitor",
        "message": "Can I change my order?",
        "pageURL": "https://shop.example/orders",
        "customFieldsData": {"orderNo": "42"},
    }
    response = admin_client.post("/api/ticketMessages/create-new", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get(pk=data["ticketID"])
    assert ticket.channel_id == channel.pk and ticket.uid == "visitor@example.com" and ticket.channel_type == "Chat"
    assert data["customFieldsData"] == {"orderNo": 42} and data["pageURL"] == "https://shop.example/orders"
    assert EndUserUID.objects.get(customer=customer, uid="visitor@example.com").end_user_id == ticket.end_user_id
    assert Event.MESSAGE_RECEIVED in published
    bad = {**body, "customFieldsData": {"unknown": 1}}
    assert (
        "customFieldsData.unknown"
        in assert_problem(
            admin_client.post("/api/TicketMessages/create-new", bad, format="json"), 400, "InvalidCustomFields"
        )["errors"]
    )
    assert_problem(admin_client.post("/api/TicketMessages/create-new", {"message": "x"}, format="json"), 400)
    assert_problem(admin_client.post("/api/TicketMessages/create-new", {"channel": "Fax"}, format="json"), 400)


def test_phone_token_creates_messages_on_its_channel(phone_client, phone_channel, customer):
    body = {"incoming": True, "fromNumber": "+32 470 11 22 33", "message": "Caller said hi", "channel": "Email"}
    response = phone_client.post("/api/TicketMessages/create-new", body, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["ticketID"])
    assert ticket.channel_id == phone_channel.pk and ticket.uid == "+32470112233" and ticket.channel_type == "Phone"
    other = TicketFactory(customer=customer)
    response = phone_client.post("/api/TicketMessages", {"ticketID": other.pk, "message": "x"}, format="json")
    assert_problem(response, 403, "PhoneChannelMismatch")
    message = ticket.messages.get()
    assert phone_client.get(f"/api/TicketMessages/{message.pk}").status_code == 200
    foreign_channel_message = TicketMessageFactory(customer=customer)
    assert_problem(phone_client.get(f"/api/TicketMessages/{foreign_channel_message.pk}"), 404)
    assert_problem(phone_client.delete(f"/api/TicketMessages/{message.pk}"), 403)


def test_update_validates_custom_fields(admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    CustomFieldDefinitionFactory(customer=customer, field_name="orderNo", field_type="number")
    body = {"messageID": message.pk, "aI_ModifiedResponse": "Edited", "customFieldsData": {"orderNo": 7}, "lang": "fr"}
    response = admin_client.put(f"/api/ticketMessages/{message.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["aI_ModifiedResponse"] == "Edited" and response.json()["customFieldsData"] == {"orderNo": 7}
    response = admin_client.put(
        f"/api/ticketMessages/{message.pk}", {"customFieldsData": {"orderNo": "x"}}, format="json"
    )
    assert_problem(response, 400, "InvalidCustomFields")
    response = admin_client.put(f"/api/ticketMessages/{message.pk}", {"messageID": message.pk + 1}, format="json")
    assert "messageID" in assert_problem(response, 400)["errors"]


def test_draft_prompt_delete(admin_client, customer):
    message = TicketMessageFactory(customer=customer, ai_generated_response="AI text", ai_prompt="You are helpful")
    assert admin_client.get(f"/api/TicketMessages/{message.pk}/draft").json()["draft"] == "AI text"
    services.message_update(message=message, changes={"ai_modified_response": "Mine"})
    draft = admin_client.get(f"/api/TicketMessages/{message.pk}/draft").json()
    assert draft["draft"] == "Mine" and draft["isModified"] is True
    assert admin_client.get(f"/api/TicketMessages/{message.pk}/prompt").json()["aiPrompt"] == "You are helpful"
    assert admin_client.delete(f"/api/TicketMessages/{message.pk}").status_code == 204
    assert not TicketMessage.objects.filter(pk=message.pk).exists()


def test_correct_topics(admin_client, customer, admin_rep, other_customer):
    message = TicketMessageFactory(customer=customer)
    kept = TicketMessageTopicFactory(customer=customer, message=message)
    TicketMessageTopicFactory(customer=customer, message=message)
    new = TopicFactory(customer=customer)
    body = {"topicIds": [kept.topic_id, new.pk]}
    response = admin_client.post(f"/api/ticketMessages/{message.pk}/correct-topics", body, format="json")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert sorted(row["topicID"] for row in rows) == sorted([kept.topic_id, new.pk])
    assert all(row["corrected"] and row["correctedByCustomerRepID"] == admin_rep.pk for row in rows)
    foreign = TopicFactory(customer=other_customer)
    response = admin_client.post(
        f"/api/ticketMessages/{message.pk}/correct-topics", {"topicIds": [foreign.pk]}, format="json"
    )
    assert "topicIds" in assert_problem(response, 400)["errors"]


def test_message_topics_add_and_remove(admin_client, customer, admin_rep, other_customer):
    message = TicketMessageFactory(customer=customer)
    topic = TopicFactory(customer=customer)
    response = admin_client.post(
        "/api/ticketMessageTopics", {"messageID": message.pk, "topicID": topic.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["topicName"] == topic.name and row["corrected"] and row["correctedByCustomerRepName"] == str(admin_rep)
    foreign_topic = TopicFactory(customer=other_customer)
    body = {"messageID": message.pk, "topicID": foreign_topic.pk}
    assert (
        "topicID" in assert_problem(admin_client.post("/api/TicketMessageTopics", body, format="json"), 400)["errors"]
    )
    foreign_row = TicketMessageTopicFactory(customer=other_customer)
    body = {"ticketMessageTopicID": foreign_row.pk, "customerRepID": admin_rep.pk}
    assert_problem(admin_client.delete("/api/TicketMessageTopics", body, format="json"), 400)
    assert TicketMessageTopic.objects.filter(pk=foreign_row.pk).exists()
    body = {"ticketMessageTopicID": row["ticketMessageTopicID"], "customerRepID": admin_rep.pk}
    assert admin_client.delete("/api/ticketMessageTopics", body, format="json").status_code == 204
    assert not message.topics.exists()


def test_escalate_by_id(admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    response = admin_client.post(f"/api/ticketMessages/{message.pk}/escalate-by-id", {}, format="json")
    assert response.json() == {"message": "The conversation was escalated."}
    message.refresh_from_db()
    assert message.is_escalated and message.ticket.status == TicketStatus.ESCALATED
    response = admin_client.post(
        f"/api/ticketMessages/{message.pk}/escalate-by-id", {"aI_FeedbackComment": "x" * 5000}, format="json"
    )
    assert_problem(response, 400)


def test_auth_roles_and_other_tenant(anon_client, phone_client, admin_client, other_customer):
    assert_problem(anon_client.get("/api/TicketMessages", {"ticketId": 1}), 401)
    assert_problem(anon_client.post("/api/TicketMessageTopics", {}, format="json"), 401)
    assert_problem(phone_client.get("/api/TicketMessages", {"ticketId": 1}), 403)
    assert_problem(phone_client.post("/api/TicketMessageTopics", {}, format="json"), 403)
    foreign = TicketMessageFactory(customer=other_customer)
    for method, suffix in [("get", ""), ("put", ""), ("delete", ""), ("get", "/draft"), ("post", "/correct-topics")]:
        assert_problem(
            getattr(admin_client, method)(f"/api/TicketMessages/{foreign.pk}{suffix}", {}, format="json"), 404
        )
    assert TicketMessage.objects.filter(pk=foreign.pk).exists()
