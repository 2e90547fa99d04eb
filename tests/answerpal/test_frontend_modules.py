"""Every call of the web app's API modules listed in ../shared/spec/frontend.md, sent as the web app sends it
(its path casing, parameter names, repeated-key arrays and bodies), each against a fresh tenant: the status it
expects and the fields it reads from the answer.

The one call that needs a model (translate) is run on the offline provider, where the documented answer is
503 AIProviderUnavailable."""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import CustomerRepFactory
from tests.automation.factories import (
    ActionFactory,
    HookActionFactory,
    TopicActionFactory,
    TopicDocumentFactory,
    TopicFactory,
)
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import CustomFieldDefinitionFactory
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import (
    EndUserFactory,
    EndUserUIDFactory,
    TicketFactory,
    TicketMessageAttachmentFactory,
    TicketMessageFactory,
    TicketMessageTopicFactory,
)

PAGE = {"items", "totalCount", "totalPages"}
TICKET = {"ticketID", "status", "subject", "escalated", "isSpam", "isClosed", "dateCreated", "channel", "uid"}
MESSAGE = {"messageID", "ticketID", "dateCreated", "senderType"}
END_USER = {"endUserID", "firstname", "lastname", "uiDs", "customerType"}
DOCUMENT = {"documentID", "name", "isDataRetrievalProcess", "creationDate", "lastModifiedDate"}
TOPIC = {"topicID", "name"}
TOPIC_ACTION = {"topicActionID", "topicID", "actionID", "actionName", "priority", "specialChannel"}
TOPIC_DOCUMENT = {"topicDocumentID", "topicID", "documentID", "documentName", "specialChannel"}
HOOK_ACTION = {"hookActionID", "hookName", "actionID", "actionName", "priority", "specialChannel"}
ACTION = {"actionID", "customerID", "name", "actionType", "fieldMappings", "customFieldDefinitions"}
CHANNEL = {"channelID", "name", "channelType"}
REP = {"customerRepID", "username", "name", "email", "role", "isActive"}
SIGNATURE = {"lang", "emailSignatureHTML", "emailSignatureText"}
ATTACHMENT = {"ticketMessageAttachmentID", "messageID", "fileName", "contentType", "accessToken"}
SPECIAL_CHANNELS = {None, "Email", "Chat", "Phone", "WhatsApp", "All"}


@dataclass(frozen=True)
class Call:
    """One call of a web-app module: the request (path and body may name world objects as {name}), the status
    it expects and the fields it reads (of the object, or of each item / element of a list)."""

    module: str
    method: str
    path: str
    body: object = None
    status: int = 200
    reads: frozenset = field(default_factory=frozenset)
    shape: str = "object"  # object | page | array | string | empty
    multipart: bool = False

    @property
    def id(self) -> str:
        return f"{self.module}:{self.method} {self.path}"


def call(module, method, path, body=None, status=200, reads=(), shape="object", multipart=False) -> Call:
    return Call(module, method, path, body, status, frozenset(reads), shape, multipart)


CALLS = [
    # src/api/tickets.ts
    call(
        "tickets",
        "GET",
        "/api/tickets?status=Open&status=Closed&channelIDs={channel}&channelIDs=999"
        "&PageNumber=1&PageSize=25&SortBy=dateCreated&SortOrder=desc",
        reads=TICKET | {"endUsers", "topics"},
        shape="page",
    ),
    call("tickets", "GET", "/api/tickets/{ticket}/history-summary", shape="string"),
    call("tickets", "PUT", "/api/tickets/bulk", {"ticketIDs": ["{ticket}"], "action": "close", "customerRepID": 0}),
    call("tickets", "GET", "/api/tickets/{ticket}", reads=TICKET | {"endUsers", "endUserID"}),
    call(
        "tickets",
        "PUT",
        "/api/tickets/{ticket}",
        {"status": "Pending", "subject": "Renamed", "channel": "Email", "escalated": False, "isSpam": False},
        reads=TICKET,
    ),
    call(
        "tickets",
        "POST",
        "/api/tickets",
        {"status": "Open", "subject": "From the form", "channel": "Email", "uid": "jan@example.com"},
        status=201,
        reads=TICKET | {"endUsers", "endUserID"},
    ),
    call("tickets", "DELETE", "/api/tickets/{ticket}", status=204, shape="empty"),
    # src/api/ticketMessages.ts
    call("ticketMessages", "GET", "/api/ticketMessages?ticketId={ticket}", reads=MESSAGE, shape="page"),
    call("ticketMessages", "GET", "/api/ticketMessages/{message}", reads=MESSAGE | {"customFieldsData", "topics"}),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessageTopics",
        {"messageID": "{message}", "topicID": "{topic}"},
        status=201,
        reads={"ticketMessageTopicID", "topicName"},
    ),
    call(
        "ticketMessages",
        "DELETE",
        "/api/ticketMessageTopics",
        {"ticketMessageTopicID": "{message_topic}", "customerRepID": "{rep}"},
        status=204,
        shape="empty",
    ),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/{message}/correct-topics",
        {"topicIds": ["{topic}"]},
        reads={"ticketMessageTopicID", "topicID", "topicName"},
        shape="array",
    ),
    call(
        "ticketMessages",
        "GET",
        "/api/ticketMessages/{message}/promptDocuments?onlyPromptDocuments=true",
        reads={"promptDocuments", "endUsers", "tickets"},
    ),
    call(
        "ticketMessages",
        "PUT",
        "/api/ticketMessages/{message}",
        {"messageID": "{message}", "aI_ModifiedResponse": "Edited answer", "lang": "nl"},
        reads=MESSAGE,
    ),
    call("ticketMessages", "POST", "/api/ticketMessages/{message}/execute-custom-field-definitions"),
    call("ticketMessages", "POST", "/api/ticketMessages/import-emails", status=202, reads={"channelIDs", "queued"}),
    call("ticketMessages", "POST", "/api/ticketMessages/{message}/reply", reads={"reply"}),
    # the web chat's answer (an e-mail answer needs a configured mailbox, see tests/messaging/test_send.py)
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/{chat_message}/send",
        {"modifiedAnswer": "It ships today."},
        status=202,
        reads={"messageID", "ticketID", "status"},
    ),
    call("ticketMessages", "POST", "/api/ticketMessages/{message}/execute-action", {"actionID": "{action}"}),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/{message}/reply-with-info",
        {"additionalInfo": "The parcel left today.", "overrideModelID": None},
        reads={"reply"},
    ),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/{message}/preview",
        {"modifiedAnswer": "It ships today."},
        reads={"preview"},
    ),
    call(
        "ticketMessages",
        "GET",
        "/api/ticketMessages/{message}/attachments",
        reads=ATTACHMENT,
        shape="array",
    ),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/{message}/attachments",
        status=201,
        reads=ATTACHMENT,
        multipart=True,
    ),
    call(
        "ticketMessages",
        "DELETE",
        "/api/ticketMessages/{message}/attachments/{attachment}",
        status=204,
        shape="empty",
    ),
    call(
        "ticketMessages",
        "POST",
        "/api/ticketMessages/create-new",
        {
            "channel": "Email",
            "channelID": "{channel}",
            "incoming": True,
            "fromAddress": "jan@example.com",
            "subject": "Where is my parcel?",
            "textBody": "It has not arrived.",
            "uid": "jan@example.com",
        },
        status=201,
        reads=MESSAGE,
    ),
    call("ticketMessages", "POST", "/api/ticketMessages/{ticket_token}/escalate", {}, reads={"message"}),
    call("ticketMessages", "POST", "/api/ticketMessages/{message}/escalate-by-id", {}),
    call("ticketMessages", "GET", "/api/ticketMessages/{ticket_token}/like-dislike?like=true"),
    # src/api/endUsers.ts
    call(
        "endUsers",
        "GET",
        "/api/endUsers?PageNumber=1&PageSize=10&search=&SortBy=lastname&SortOrder=asc",
        reads=END_USER,
        shape="page",
    ),
    call("endUsers", "GET", "/api/endUsers/byUid/jan@example.com", reads=END_USER, shape="array"),
    call(
        "endUsers",
        "POST",
        "/api/endUsers",
        {"firstname": "Nieuw", "lastname": "Klant", "uiDs": [{"uid": "nieuw@example.com", "isPrimary": True}]},
        status=201,
        reads=END_USER,
    ),
    call("endUsers", "GET", "/api/EndUsers/{end_user}", reads=END_USER),
    call("endUsers", "PUT", "/api/endUsers/{end_user}", {"firstname": "Jan", "lastname": "Peeters"}, reads=END_USER),
    call("endUsers", "DELETE", "/api/endUsers/{end_user}", status=204, shape="empty"),
    call(
        "endUsers",
        "POST",
        "/api/endUserUIDs/assign",
        {"endUserID": "{end_user}", "uid": "+32470112233", "uidType": "Phone", "isPrimary": False},
        reads=END_USER,
    ),
    call("endUsers", "GET", "/api/endUsers/{end_user}/tickets", reads=TICKET, shape="page"),
    # src/api/documents.ts
    call("documents", "GET", "/api/documents?pageNumber=1&pageSize=1000", reads=DOCUMENT, shape="page"),
    call("documents", "GET", "/api/documents/{document}?replacePlaceholders=true", reads=DOCUMENT | {"content"}),
    call(
        "documents",
        "POST",
        "/api/documents",
        {"name": "Returns", "content": "Returns within 30 days.", "isDataRetrievalProcess": False},
        status=201,
        reads=DOCUMENT | {"customFieldDefinitions"},
    ),
    call(
        "documents",
        "PUT",
        "/api/documents/{document}",
        {"documentID": "{document}", "name": "Shipping", "content": "2 days.", "isDataRetrievalProcess": False},
        reads=DOCUMENT,
    ),
    call("documents", "DELETE", "/api/documents/{document}", status=204, shape="empty"),
    # src/api/topics.ts
    call(
        "topics", "GET", "/api/topics?pageNumber=1&pageSize=1000&sortBy=name&sortOrder=asc", reads=TOPIC, shape="page"
    ),
    call("topics", "POST", "/api/topics", {"name": "Returns", "description": "Sending goods back"}, 201, TOPIC),
    call(
        "topics",
        "PUT",
        "/api/topics/{topic}",
        {"topicID": "{topic}", "name": "Billing", "description": "Invoices"},
        reads=TOPIC,
    ),
    call("topics", "DELETE", "/api/topics/{topic}", status=204, shape="empty"),
    # src/api/topicActions.ts
    call(
        "topicActions",
        "GET",
        "/api/topicactions?topicId={topic}&actionId={action}&pageNumber=1&pageSize=10&sortBy=priority&sortOrder=asc",
        reads=TOPIC_ACTION,
        shape="page",
    ),
    call(
        "topicActions",
        "POST",
        "/api/topicactions",
        {"topicID": "{topic}", "actionID": "{other_action}", "channelID": None, "specialChannel": None, "priority": 3},
        status=201,
        reads=TOPIC_ACTION,
    ),
    call("topicActions", "DELETE", "/api/topicactions/{topic_action}", status=204, shape="empty"),
    call(
        "topicActions",
        "POST",
        "/api/topicactions/bulk",
        [{"topicID": "{topic}", "actionID": "{action}", "specialChannel": "Email", "priority": 1}],
        status=201,
        reads=TOPIC_ACTION,
        shape="array",
    ),
    call("topicActions", "PUT", "/api/topicactions/{topic_action}", {"priority": 7}, reads=TOPIC_ACTION),
    # src/api/topicDocuments.ts
    call(
        "topicDocuments",
        "GET",
        "/api/topicdocuments?topicId={topic}&pageNumber=1&pageSize=10&sortBy=documentName&sortDirection=asc",
        reads=TOPIC_DOCUMENT,
        shape="page",
    ),
    call(
        "topicDocuments",
        "POST",
        "/api/topicdocuments",
        {"topicID": "{topic}", "documentID": "{document}", "channelID": None},
        status=201,
        reads=TOPIC_DOCUMENT,
    ),
    call("topicDocuments", "DELETE", "/api/topicdocuments/{topic_document}", status=204, shape="empty"),
    # src/api/hookActions.ts
    call(
        "hookActions",
        "GET",
        "/api/hookactions?hookName=OnClose&pageNumber=1&pageSize=10&sortBy=priority&sortOrder=asc",
        reads=HOOK_ACTION,
        shape="page",
    ),
    call(
        "hookActions",
        "POST",
        "/api/hookactions",
        {"hookName": "OnEscalate", "actionID": "{action}", "channelID": None, "priority": 2},
        status=201,
        reads=HOOK_ACTION,
    ),
    call("hookActions", "PUT", "/api/hookactions/{hook_action}", {"priority": 9}, reads=HOOK_ACTION),
    call("hookActions", "DELETE", "/api/hookactions/{hook_action}", status=204, shape="empty"),
    call(
        "hookActions",
        "POST",
        "/api/hookactions/bulk",
        [{"hookName": "OnClose", "actionID": "{action}", "specialChannel": "All", "priority": 1}],
        status=201,
        reads=HOOK_ACTION,
        shape="array",
    ),
    # src/api/actions.ts
    call("actions", "GET", "/api/actions?pageNumber=1&pageSize=1000", reads=ACTION, shape="page"),
    call("actions", "GET", "/api/actions/{action}", reads=ACTION),
    call("actions", "POST", "/api/actions", {"name": "Close it", "actionType": "Close"}, 201, ACTION),
    call(
        "actions",
        "PUT",
        "/api/actions/{action}",
        {"actionID": "{action}", "name": "Close now", "actionType": "Close"},
        reads=ACTION,
    ),
    call("actions", "DELETE", "/api/actions/{action}", status=204, shape="empty"),
    # src/api/channels.ts
    call("channels", "GET", "/api/channels", reads=CHANNEL, shape="array"),
    call("channels", "GET", "/api/channels/{channel}", reads=CHANNEL),
    call(
        "channels",
        "POST",
        "/api/channels",
        {"channelType": "WhatsApp", "name": "WhatsApp", "phoneNumber": "+32 470 12 34 56"},
        status=201,
        reads=CHANNEL,
    ),
    call(
        "channels",
        "PUT",
        "/api/channels/{channel}",
        {"channelID": "{channel}", "channelType": "Email", "name": "Support mail", "emailAddress": "help@acme.example"},
        reads=CHANNEL,
    ),
    call("channels", "DELETE", "/api/channels/{channel}", status=204, shape="empty"),
    # src/api/customerReps.ts
    call("customerReps", "GET", "/api/customerReps?pageNumber=1&pageSize=10", reads=REP, shape="page"),
    call("customerReps", "GET", "/api/customerReps/{other_rep}", reads=REP),
    call(
        "customerReps",
        "POST",
        "/api/customerReps",
        {"username": "newbie", "password": "Fresh-pass-456", "name": "New Bie", "email": "newbie@example.com"},
        status=201,
        reads=REP,
    ),
    call(
        "customerReps",
        "PUT",
        "/api/customerReps/{other_rep}",
        {"customerRepID": "{other_rep}", "username": "agent", "name": "Agent Smith", "email": "agent@example.com"},
        status=204,
        shape="empty",
    ),
    call("customerReps", "DELETE", "/api/customerReps/{other_rep}", status=204, shape="empty"),
    call(
        "customerReps",
        "PUT",
        "/api/customerReps/{other_rep}/change-password",
        {"customerRepID": "{other_rep}", "newPassword": "Admin-set-pass-9"},
        status=204,
        shape="empty",
    ),
    call("customerReps", "GET", "/api/customerReps/{rep}/signatures", reads=SIGNATURE, shape="array"),
    call(
        "customerReps",
        "POST",
        "/api/customerReps/{rep}/signatures",
        {"lang": "fr", "emailSignatureHTML": "<p>Cordialement</p>", "emailSignatureText": "Cordialement"},
        status=201,
        reads=SIGNATURE,
    ),
    call("customerReps", "GET", "/api/customerReps/{rep}/signatures/nl", reads=SIGNATURE),
    call("customerReps", "DELETE", "/api/customerReps/{rep}/signatures/nl", status=204, shape="empty"),
    # custom fields module
    call(
        "customFields",
        "GET",
        "/api/CustomerCustomFields",
        reads={"customFieldDefinitionID", "fieldName", "displayName", "fieldType"},
        shape="array",
    ),
    # src/api/translate.ts (no model on the offline provider)
    call(
        "translate",
        "POST",
        "/api/translations/translate",
        {"sourceText": "Thank you for your message.", "targetLang": "nld"},
        status=503,
    ),
]


@pytest.fixture
def world(customer, admin_rep, admin_client):
    """One tenant with an object of every kind the calls name."""
    channel = ChannelFactory(customer=customer, channel_type="Email", name="Support")
    end_user = EndUserFactory(customer=customer, firstname="Jan", lastname="Peeters")
    EndUserUIDFactory(customer=customer, end_user=end_user, uid="jan@example.com", uid_type="Email")
    ticket = TicketFactory(customer=customer, channel=channel, end_user=end_user, uid="jan@example.com")
    message = TicketMessageFactory(customer=customer, ticket=ticket, end_user=end_user, text_body="Where is it?")
    topic, action, document = (
        TopicFactory(customer=customer),
        ActionFactory(customer=customer),
        DocumentFactory(customer=customer),
    )
    CustomFieldDefinitionFactory(customer=customer, field_name="orderNumber")
    admin_client.post(
        f"/api/customerReps/{admin_rep.pk}/signatures",
        {"lang": "nl", "emailSignatureHTML": "<p>Groeten</p>", "emailSignatureText": "Groeten"},
        format="json",
    )
    names = {
        "channel": channel.pk,
        "end_user": end_user.pk,
        "ticket": ticket.pk,
        "ticket_token": ticket.token,
        "message": message.pk,
        "topic": topic.pk,
        "action": action.pk,
        "other_action": ActionFactory(customer=customer).pk,
        "chat_message": TicketMessageFactory(
            customer=customer, ticket__channel=ChannelFactory(customer=customer, channel_type="Chat")
        ).pk,
        "document": document.pk,
        "rep": admin_rep.pk,
        "other_rep": CustomerRepFactory(customer=customer, username="agent").pk,
        "attachment": TicketMessageAttachmentFactory(customer=customer, message=message).pk,
        "message_topic": TicketMessageTopicFactory(customer=customer, message=message).pk,
        "topic_action": TopicActionFactory(customer=customer, topic=topic, action=action).pk,
        "topic_document": TopicDocumentFactory(customer=customer, topic=topic, document=document).pk,
        "hook_action": HookActionFactory(customer=customer, action=action).pk,
    }
    return {"client": admin_client, "names": names, "end_user": end_user}


def _filled(value, names: dict):
    """The body or path with {name} placeholders replaced: a whole-string placeholder keeps the id's type."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in names:
            return names[value[1:-1]]
        return value.format(**names)
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    return value


def _send(client, spec: Call, names: dict):
    path = _filled(spec.path, names)
    method = getattr(client, spec.method.lower())
    if spec.multipart:
        upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
        return method(path, {"file": upload}, format="multipart")
    if spec.body is None:
        return method(path)
    return method(path, _filled(spec.body, names), format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CALLS, ids=[spec.id for spec in CALLS])
def test_every_web_app_call_answers_what_the_web_app_reads(world, spec):
    response = _send(world["client"], spec, world["names"])
    assert response.status_code == spec.status, (response.status_code, getattr(response, "content", b"")[:500])
    if spec.status >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == spec.status and response.json()["code"]
        return
    if spec.shape == "empty":
        assert not response.content
        return
    if spec.shape == "string":  # a bare string, as text (axios hands the web app the text either way)
        assert response["Content-Type"].startswith(("text/plain", "application/json")) and response.content
        return
    body = response.json()
    if spec.shape == "page":
        assert set(body) >= PAGE and body["items"], body
        rows = body["items"]
    elif spec.shape == "array":
        assert isinstance(body, list) and body, body
        rows = body
    else:
        assert isinstance(body, dict), body
        rows = [body]
    for row in rows:
        missing = spec.reads - set(row)
        assert not missing, (missing, row)
        if "specialChannel" in row:
            assert row["specialChannel"] in SPECIAL_CHANNELS


@pytest.mark.django_db
def test_the_forms_ticket_with_a_known_uid_is_the_end_users_in_both_lists(world):
    """The web app's ticket form, then its two ways of listing a person's tickets (endUsers.ts, tickets.ts)."""
    client, end_user = world["client"], world["end_user"]
    created = client.post(
        "/api/tickets", {"status": "Open", "subject": "Form", "channel": "Email", "uid": "jan@example.com"}, "json"
    ).json()
    assert created["endUserID"] == end_user.pk and [item["endUserID"] for item in created["endUsers"]] == [end_user.pk]
    by_filter = client.get(f"/api/tickets?endUserId={end_user.pk}&PageSize=100").json()["items"]
    listed = client.get(f"/api/endUsers/{end_user.pk}/tickets?PageSize=100").json()["items"]
    assert created["ticketID"] in {row["ticketID"] for row in by_filter}
    assert sorted(row["ticketID"] for row in by_filter) == sorted(row["ticketID"] for row in listed)
