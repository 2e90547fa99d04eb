import pytest

from answerpal.api.errors import ApiError
from answerpal.events import Event
from tests.channels_cfg.factories import ChannelFactory
from tests.tickets.factories import EndUserUIDFactory, TicketFactory
from tickets import registry, selectors, services
from tickets.models import EndUserUID, MessageStatus, Ticket, TicketCounter, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    calls = []
    for module in (services.end_users, services.tickets, services.messages):  # the modules that publish
        monkeypatch.setattr(module, "publish", lambda event, **payload: calls.append((event, payload)))
    return calls


def counters(customer):
    return {
        (row.status, row.is_spam): row.count for row in TicketCounter.objects.filter(customer=customer) if row.count
    }


def test_inbound_message_creates_end_user_and_ticket_and_publishes(customer, published):
    channel = ChannelFactory(customer=customer)
    message = services.message_create(
        customer_id=customer.pk,
        channel_id=channel.pk,
        channel_type="Email",
        uid="  Jo@Example.COM ",
        fields={"subject": "Where is my order?", "html_body": "<p>Hello <b>there</b></p>", "from_name": "Jo Doe"},
    )
    ticket = message.ticket
    assert ticket.uid == "jo@example.com" and ticket.subject == "Where is my order?"
    assert ticket.preview == "Hello there" and ticket.status == TicketStatus.OPEN
    assert ticket.end_user.firstname == "Jo" and ticket.end_user.lastname == "Doe"
    assert ticket.last_end_user_message_id == message.pk and message.status == MessageStatus.RECEIVED
    assert EndUserUID.objects.get(customer=customer).uid == "jo@example.com"
    assert (Event.MESSAGE_RECEIVED, {"message_id": message.pk, "customer_id": customer.pk}) in published
    assert counters(customer) == {("Open", False): 1}


def test_end_user_writing_to_closed_ticket_reopens_it(customer, published):
    ticket = TicketFactory(customer=customer)
    services.ticket_close(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.is_closed and ticket.close_date is not None
    assert counters(customer) == {("Closed", False): 1}
    services.message_create(customer_id=customer.pk, ticket=ticket, uid=ticket.uid, fields={"message": "Still broken"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and not ticket.is_closed and ticket.close_date is None
    assert counters(customer) == {("Open", False): 1}
    assert (Event.TICKET_CLOSED, {"customer_id": customer.pk, "ticket_id": ticket.pk}) in published


def test_reply_threads_into_the_ticket_by_in_reply_to(customer):
    first = services.message_create(
        customer_id=customer.pk, channel_type="Email", uid="a@b.example", fields={"message_identifier": "<m1@x>"}
    )
    second = services.message_create(
        customer_id=customer.pk, channel_type="Email", uid="a@b.example", fields={"in_reply_to": "<m1@x>"}
    )
    other = services.message_create(customer_id=customer.pk, channel_type="Email", uid="a@b.example")
    assert second.ticket_id == first.ticket_id and other.ticket_id != first.ticket_id


def test_outbound_draft_does_not_move_ticket_then_sent_makes_it_pending(customer, rep, published):
    ticket = TicketFactory(customer=customer)
    before = ticket.last_message_at
    draft = services.message_create(
        customer_id=customer.pk, ticket=ticket, incoming=False, customer_rep_id=rep.pk, fields={"message": "Hi"}
    )
    ticket.refresh_from_db()
    assert draft.status == MessageStatus.DRAFT and ticket.last_message_at == before
    assert not [event for event, _ in published if event == Event.MESSAGE_RECEIVED]
    services.message_mark_sent(message=draft, message_identifier="<out@x>")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING and ticket.preview == "Hi" and ticket.last_message_at > before
    assert counters(customer) == {("Pending", False): 1}


def test_bulk_actions_keep_counters_exact(customer, rep):
    tickets = [TicketFactory(customer=customer) for _ in range(3)]
    ids = [ticket.pk for ticket in tickets]
    assert services.tickets_bulk_update(customer_id=customer.pk, ticket_ids=ids, action="Close", customer_rep_id=None)
    assert counters(customer) == {("Closed", False): 3}
    services.tickets_bulk_update(customer_id=customer.pk, ticket_ids=ids[:1], action="spam", customer_rep_id=None)
    assert counters(customer) == {("Closed", False): 2, ("Closed", True): 1}
    services.tickets_bulk_update(customer_id=customer.pk, ticket_ids=ids, action="reopen", customer_rep_id=None)
    assert counters(customer) == {("Open", False): 2, ("Open", True): 1}
    services.tickets_bulk_update(customer_id=customer.pk, ticket_ids=ids, action="assign", customer_rep_id=rep.pk)
    assert set(Ticket.objects.values_list("customer_rep_id", flat=True)) == {rep.pk}
    services.tickets_bulk_update(customer_id=customer.pk, ticket_ids=ids, action="assign", customer_rep_id=0)
    assert set(Ticket.objects.values_list("customer_rep_id", flat=True)) == {None}
    assert services.ticket_counters_rebuild(customer_id=customer.pk) == 3
    assert counters(customer) == {("Open", False): 2, ("Open", True): 1}


def test_bulk_action_of_another_app_is_unavailable_until_registered(customer, monkeypatch):
    ticket = TicketFactory(customer=customer)
    monkeypatch.setattr(registry, "_bulk_actions", {})
    with pytest.raises(ApiError) as error:
        services.tickets_bulk_update(
            customer_id=customer.pk, ticket_ids=[ticket.pk], action="learnTopics", customer_rep_id=None
        )
    assert error.value.code == "BulkActionUnavailable" and "learnTopics" in str(error.value.detail)
    seen = []
    registry.register_bulk_action("learnTopics", lambda **kwargs: seen.append(kwargs))
    services.tickets_bulk_update(
        customer_id=customer.pk, ticket_ids=[ticket.pk], action="LEARNTOPICS", customer_rep_id=7
    )
    assert seen == [{"customer_id": customer.pk, "ticket_ids": [ticket.pk], "rep_id": 7}]


@pytest.mark.parametrize(
    ("uid_type", "raw", "stored"),
    [
        ("Email", " Ann@Example.com ", "ann@example.com"),
        ("Phone", "+32 (2) 555-01.00", "+3225550100"),
        ("Phone", "0032 2 5550100", "+3225550100"),
        ("WhatsApp", "whatsapp:+3225550100", "+3225550100"),
        ("ExternalReference", " ERP-1 ", "ERP-1"),
    ],
)
def test_uid_normalisation(uid_type, raw, stored):
    assert services.uid_normalize(uid_type=uid_type, uid=raw) == stored


def test_invalid_email_uid_is_rejected():
    with pytest.raises(ApiError) as error:
        services.uid_normalize(uid_type="Email", uid="not-an-address")
    assert error.value.errors == {"uid": ["'not-an-address' is not a valid e-mail address."]}


def test_uid_held_by_another_end_user_conflicts(customer):
    held = EndUserUIDFactory(customer=customer, uid="x@y.example")
    other = EndUserUIDFactory(customer=customer).end_user
    with pytest.raises(ApiError) as error:
        services.end_user_uid_assign(end_user=other, uid="X@Y.example", uid_type="Email", is_primary=False)
    assert error.value.status_code == 409 and error.value.code == "DuplicateUid"
    assert held.end_user.uids.count() == 1


def test_escalation_keeps_comment_newest_first(customer, published):
    ticket = TicketFactory(customer=customer)
    services.ticket_escalate(ticket=ticket, comment="first")
    services.ticket_escalate(ticket=ticket, comment="second")
    ticket.refresh_from_db()
    assert ticket.escalated and ticket.status == TicketStatus.ESCALATED
    assert ticket.ai_feedback_comments == ["second", "first"]
    assert [event for event, _ in published].count(Event.TICKET_ESCALATED) == 1


def test_known_end_user_flag_and_field_checks(customer):
    first = services.message_create(customer_id=customer.pk, channel_type="Email", uid="new@example.com")
    again = services.message_create(customer_id=customer.pk, channel_type="Email", uid="new@example.com")
    assert first.is_known_end_user is False and again.is_known_end_user is True
    # a ticket opened first with a new UID (a call) makes its end user; the first message is still not a known one
    call = services.ticket_create(customer_id=customer.pk, channel_type="Phone", uid="+32 470 99 88 77")
    first_call = services.message_create(customer_id=customer.pk, ticket=call, channel_type="Phone", uid="+32470998877")
    assert first_call.is_known_end_user is False and first_call.end_user_id == call.end_user_id is not None
    second = services.ticket_create(customer_id=customer.pk, channel_type="Phone", uid="+32470998877")
    second_call = services.message_create(
        customer_id=customer.pk, ticket=second, channel_type="Phone", uid="+32470998877"
    )
    assert second_call.is_known_end_user is True and second.end_user_id == call.end_user_id
    with pytest.raises(ValueError, match="incoming"):
        services.message_create(customer_id=customer.pk, channel_type="Email", fields={"incoming": False})
    services.message_update(message=again, changes={"email_address": "box@example.com"})
    again.refresh_from_db()
    assert again.email_address == "box@example.com"
    with pytest.raises(ValueError, match="ticket"):
        services.message_update(message=again, changes={"ticket": first.ticket})
    with pytest.raises(ValueError, match="token"):
        services.ticket_update(ticket=first.ticket, changes={"token": "x"})


def test_the_search_version_moves_with_every_write_that_changes_what_a_search_matches(customer, other_customer):
    def version():
        return selectors.ticket_search_version(customer_id=customer.pk)

    assert version() == 0
    ticket = TicketFactory(customer=customer, uid="")
    created = version()
    assert created > 0
    services.message_create(customer_id=customer.pk, ticket=ticket, incoming=False, fields={"text_body": "On it"})
    services.ticket_update(ticket=ticket, changes={"preview": "Other words", "status": TicketStatus.PENDING})
    assert version() == created  # the representative's reply, preview and status leave every search as it was
    services.message_create(customer_id=customer.pk, ticket=ticket, uid="jo@example.com", fields={"text_body": "Hi"})
    assert Ticket.objects.get(pk=ticket.pk).uid == "jo@example.com" and version() == created + 1
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), changes={"subject": "Renamed"})
    assert version() == created + 2
    TicketFactory(customer=other_customer)
    assert version() == created + 2  # another customer's writes leave this customer's searches alone
    services.ticket_counters_rebuild(customer_id=customer.pk)  # rows written around the services
    services.ticket_delete(ticket=Ticket.objects.get(pk=ticket.pk))
    assert version() == created + 4
