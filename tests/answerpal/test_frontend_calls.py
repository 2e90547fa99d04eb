"""The existing web app's calls (../shared/spec/frontend.md) work as it sends them: lowercase or mixed
path casing, `PageNumber`-style parameter names, repeated-key arrays, and its request bodies."""

import pytest

from answerpal.api.tokens import TokenKind, token_issue
from tests.automation.factories import ActionFactory, TopicDocumentFactory, TopicFactory
from tests.conftest import client_with_token
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import EndUserUIDFactory, TicketFactory, TicketMessageFactory


@pytest.fixture
def world(customer, admin_rep, admin_client):
    message = TicketMessageFactory(customer=customer)
    uid = EndUserUIDFactory(customer=customer, end_user=message.ticket.end_user, uid="jan@example.com")
    return {
        "client": admin_client,
        "rep": admin_rep,
        "message": message,
        "ticket": message.ticket,
        "end_user": uid.end_user,
        "topic": TopicFactory(customer=customer, name="Billing"),
        "action": ActionFactory(customer=customer),
        "document": DocumentFactory(customer=customer),
    }


def _ok(response, *statuses):
    assert response.status_code in (statuses or (200,)), (response.status_code, response.content[:400])
    return response


@pytest.mark.django_db
def test_list_and_detail_reads_as_the_web_app_sends_them(world):
    client, ticket, message = world["client"], world["ticket"], world["message"]
    body = _ok(
        client.get(
            "/api/tickets?status=Open&status=Closed&channelIDs="
            f"{ticket.channel_id}&channelIDs=999&PageNumber=1&PageSize=25&SortBy=dateCreated&SortOrder=desc"
        )
    ).json()
    assert [item["ticketID"] for item in body["items"]] == [ticket.pk]
    assert set(body) == {"items", "totalCount", "totalPages"}
    _ok(client.get(f"/api/tickets/{ticket.pk}"))
    _ok(client.get(f"/api/tickets/{ticket.pk}/history-summary"))
    _ok(client.get(f"/api/ticketMessages?ticketId={ticket.pk}"))
    _ok(client.get(f"/api/ticketMessages/{message.pk}"))
    _ok(client.get(f"/api/ticketMessages/{message.pk}/attachments"))
    _ok(client.get(f"/api/ticketMessages/{message.pk}/promptDocuments?onlyPromptDocuments=true"))
    _ok(client.get("/api/endUsers?PageNumber=1&PageSize=10&search=&SortBy=lastname&SortOrder=asc"))
    _ok(client.get("/api/endUsers/byUid/jan@example.com"))
    _ok(client.get(f"/api/EndUsers/{world['end_user'].pk}"))
    _ok(client.get(f"/api/endUsers/{world['end_user'].pk}/tickets"))
    _ok(client.get(f"/api/documents/{world['document'].pk}?replacePlaceholders=true"))
    for path in ("/api/documents?pageSize=1000", "/api/topics?pageSize=1000&sortBy=name&sortOrder=asc"):
        _ok(client.get(path))
    _ok(client.get(f"/api/topicactions?topicId={world['topic'].pk}&pageNumber=1&pageSize=10&sortOrder=asc"))
    _ok(client.get(f"/api/topicdocuments?topicId={world['topic'].pk}&pageNumber=1&sortDirection=asc"))
    _ok(client.get("/api/hookactions?hookName=OnClose&pageNumber=1&pageSize=10"))
    _ok(client.get("/api/actions?pageSize=1000"))
    _ok(client.get(f"/api/actions/{world['action'].pk}"))
    assert isinstance(_ok(client.get("/api/channels")).json(), list)
    _ok(client.get(f"/api/channels/{ticket.channel_id}"))
    reps = _ok(client.get("/api/customerReps?pageNumber=1&pageSize=999999")).json()
    assert reps["totalCount"] == len(reps["items"])
    _ok(client.get(f"/api/customerReps/{world['rep'].pk}/signatures"))
    assert isinstance(_ok(client.get("/api/CustomerCustomFields")).json(), list)


@pytest.mark.django_db
def test_writes_with_the_web_app_bodies(world):
    client, ticket, message, rep = world["client"], world["ticket"], world["message"], world["rep"]
    _ok(client.put("/api/tickets/bulk", {"ticketIDs": [ticket.pk], "action": "close", "customerRepID": 0}, "json"))
    ticket.refresh_from_db()
    assert ticket.is_closed
    _ok(
        client.post("/api/ticketMessageTopics", {"messageID": message.pk, "topicID": world["topic"].pk}, "json"),
        200,
        201,
    )
    _ok(client.post(f"/api/ticketMessages/{message.pk}/correct-topics", {"topicIds": [world["topic"].pk]}, "json"))
    created = _ok(
        client.post(
            "/api/ticketMessages/create-new",
            {
                "channel": "Email",
                "channelID": ticket.channel_id,
                "incoming": True,
                "fromAddress": "new.person@example.com",
                "subject": "Where is my parcel?",
                "textBody": "Hello, my parcel has not arrived.",
                "uid": "new.person@example.com",
            },
            "json",
        ),
        200,
        201,
    ).json()
    assert created["ticketID"] != ticket.pk
    _ok(
        client.post(
            f"/api/customerReps/{rep.pk}/signatures",
            {"lang": "nl", "emailSignatureHTML": "<p>Groeten</p>", "emailSignatureText": "Groeten"},
            "json",
        ),
        200,
        201,
    )
    _ok(client.get(f"/api/customerReps/{rep.pk}/signatures/nl"))
    _ok(client.delete(f"/api/customerReps/{rep.pk}/signatures/nl"), 204)


@pytest.mark.django_db
def test_phone_token_reads_its_channel(world, customer):
    token = token_issue(kind=TokenKind.PHONE, customer_id=customer.pk, channel_id=world["ticket"].channel_id)
    phone = client_with_token(token)
    _ok(phone.get(f"/api/ticketMessages/{world['message'].pk}"))
    _ok(phone.get("/api/actions/available"))


@pytest.mark.django_db
def test_prompt_documents_answer_prompt_docs_extended_dto(world, customer, django_assert_num_queries):
    """The web app reads PromptDocsExtendedDTO: {promptDocuments, endUsers, tickets} (dtos.md)."""
    client, message, end_user = world["client"], world["message"], world["end_user"]
    older = TicketFactory(customer=customer, end_user=end_user, subject="Earlier order")
    TicketFactory(customer=customer, subject="Someone else's")
    link = TopicDocumentFactory(customer=customer, topic=None, special_topic="All", document__content="Be brief")
    url = f"/api/ticketMessages/{message.pk}/promptDocuments?onlyPromptDocuments=false"
    # 8 for the documents (auth, message, topics, channel, placeholders, links) + 6 for the context (end user,
    # its UIDs twice, the ticket rows, their end users and topics), however many tickets the end user has
    with django_assert_num_queries(14):
        body = _ok(client.get(url)).json()
    assert set(body) == {"promptDocuments", "endUsers", "tickets"}
    assert [item["documentID"] for item in body["promptDocuments"]] == [link.document_id]
    assert {"documentID", "content", "name", "imageUrls"} <= set(body["promptDocuments"][0])
    assert body["endUsers"] == [_ok(client.get(f"/api/EndUsers/{end_user.pk}")).json()]
    assert [item["ticketID"] for item in body["tickets"]] == [older.pk]
    listed = _ok(client.get(f"/api/endUsers/{end_user.pk}/tickets")).json()["items"]
    assert body["tickets"][0] == next(item for item in listed if item["ticketID"] == older.pk)
    TicketFactory.create_batch(3, customer=customer, end_user=end_user)
    with django_assert_num_queries(14):
        assert len(_ok(client.get(url)).json()["tickets"]) == 4
    static = _ok(client.get(f"/api/ticketMessages/{message.pk}/promptDocuments?onlyPromptDocuments=true")).json()
    assert static == {"promptDocuments": body["promptDocuments"], "endUsers": [], "tickets": []}


@pytest.mark.django_db
def test_prompt_documents_context_stays_in_the_phone_tokens_channel(customer, phone_client, phone_channel):
    message = TicketMessageFactory(customer=customer, ticket__channel=phone_channel, channel=phone_channel)
    body = _ok(phone_client.get(f"/api/ticketMessages/{message.pk}/promptDocuments")).json()
    assert set(body) == {"promptDocuments", "endUsers", "tickets"}
    assert [item["endUserID"] for item in body["endUsers"]] == [message.ticket.end_user_id]
    foreign = TicketMessageFactory(customer=customer)
    assert phone_client.get(f"/api/ticketMessages/{foreign.pk}/promptDocuments").status_code == 404
