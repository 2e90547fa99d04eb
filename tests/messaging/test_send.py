import base64
import email
import json
from email import policy

import httpx
import pytest
from django.utils import timezone

from channels_cfg.models import ChannelType
from messaging import services
from messaging.models import OutboxMessage, OutboxStatus, Transport
from tests.accounts.factories import RepSignatureFactory
from tests.answerpal.outbound_cases import fake_dns
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.messaging.conftest import GRAPH, MAILBOX
from tests.tickets.factories import TicketFactory, TicketMessageAttachmentFactory, TicketMessageFactory
from tickets.models import MessageStatus, TicketMessage

pytestmark = pytest.mark.django_db
SEND_URL = f"{GRAPH}/users/{MAILBOX}/sendMail"
SENT_CHECK = rf".*/users/{MAILBOX}/mailFolders/sentitems/messages.*"


@pytest.fixture
def inbound(graph_channel, rep):
    ticket = TicketFactory(customer=graph_channel.customer, channel=graph_channel, uid="client@example.com")
    return TicketMessageFactory(
        customer=graph_channel.customer,
        ticket=ticket,
        channel=graph_channel,
        from_address="client@example.com",
        subject="Where is my order?",
        message_identifier="<question-1@example.com>",
        references="<older@example.com>",
        lang="nl-BE",
        ai_generated_response="Your order ships tomorrow.",
    )


def _sent_mime(route, index=0):
    raw = base64.b64decode(route.calls[index].request.content)
    return email.message_from_bytes(raw, policy=policy.default)


def test_send_reply_by_graph_with_signature_pixel_and_threading(
    rep_client, rep, graph_mock, inbound, django_capture_on_commit_callbacks
):
    RepSignatureFactory(customer=rep.customer, rep=rep, lang="nl", email_signature_html="<p>Met vriendelijke groet</p>")
    send = graph_mock.post(SEND_URL).respond(202)
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            f"/api/TicketMessages/{inbound.pk}/send", {"modifiedAnswer": "It ships today."}, format="json"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["toAddress"] == "client@example.com" and body["replyToMessageID"] == inbound.pk
    inbound.refresh_from_db()
    assert inbound.ai_modified_response == "It ships today."
    outbound = TicketMessage.objects.get(pk=body["messageID"])
    assert outbound.status == MessageStatus.SENT and not outbound.incoming and outbound.customer_rep_id == rep.pk
    outbox = OutboxMessage.objects.get(message=outbound)
    assert outbox.status == OutboxStatus.SENT and outbox.attempts == 1 and outbox.transport == Transport.GRAPH
    assert send.call_count == 1 and send.calls[0].request.headers["Content-Type"] == "text/plain"
    mime = _sent_mime(send)
    assert mime["Message-ID"] == outbox.internet_message_id == outbound.message_identifier
    assert mime["In-Reply-To"] == "<question-1@example.com>"
    assert mime["References"] == "<older@example.com> <question-1@example.com>"
    assert mime["Subject"] == f"Re: Where is my order? [#{inbound.ticket_id}]"
    assert mime["To"] == "client@example.com" and mime["Auto-Submitted"] is None
    html = mime.get_body(preferencelist=("html",)).get_content()
    assert "It ships today." in html and "Met vriendelijke groet" in html
    assert f"/api/TicketMessages/{outbound.pk}/{outbound.tracking_token}/pixel.gif" in html
    assert "pixel.gif" not in mime.get_body(preferencelist=("plain",)).get_content()


def test_send_uses_the_ai_answer_when_not_edited(admin_client, graph_mock, inbound, django_capture_on_commit_callbacks):
    send = graph_mock.post(SEND_URL).respond(202)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    assert response.status_code == 202
    inbound.refresh_from_db()
    assert inbound.ai_modified_response == ""
    assert "Your order ships tomorrow." in _sent_mime(send).get_body(preferencelist=("plain",)).get_content()


def test_send_without_any_answer_is_400(rep_client, inbound):
    TicketMessage.objects.filter(pk=inbound.pk).update(ai_generated_response="")
    response = rep_client.post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    assert "modifiedAnswer" in assert_problem(response, 400)["errors"]
    assert not OutboxMessage.objects.exists()


def test_send_auth_and_tenancy(anon_client, phone_client, other_admin_client, rep_client, inbound):
    for suffix in ("send", "send-new", "send-forward"):
        assert_problem(anon_client.post(f"/api/TicketMessages/{inbound.pk}/{suffix}", {}, format="json"), 401)
        assert_problem(phone_client.post(f"/api/TicketMessages/{inbound.pk}/{suffix}", {}, format="json"), 403)
        response = other_admin_client.post(f"/api/TicketMessages/{inbound.pk}/{suffix}", {}, format="json")
        assert_problem(response, 404, "NotFound")
    response = rep_client.post(f"/api/TicketMessages/{inbound.pk}/send", {"modifiedAnswer": ["x"]}, format="json")
    assert_problem(response, 400)


def test_transient_failure_backs_off_then_succeeds(
    admin_client, graph_mock, inbound, django_capture_on_commit_callbacks
):
    send = graph_mock.post(SEND_URL).mock(
        side_effect=[httpx.Response(500, json={"error": {"code": "ServiceUnavailable"}}), httpx.Response(202)]
    )
    graph_mock.get(url__regex=SENT_CHECK).respond(json={"value": []})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    outbox = OutboxMessage.objects.get(message_id=response.json()["messageID"])
    assert outbox.status == OutboxStatus.QUEUED and outbox.attempts == 1 and "500" in outbox.last_error
    assert 25 <= (outbox.next_attempt_at - timezone.now()).total_seconds() <= 31
    assert TicketMessage.objects.get(pk=outbox.message_id).status == MessageStatus.QUEUED
    assert services.outbox_deliver(outbox_id=outbox.pk) == "skipped"  # not due yet
    OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now())
    assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.SENT
    assert send.call_count == 2


def test_permanent_failure_is_visible_and_retryable(
    admin_client, graph_mock, inbound, django_capture_on_commit_callbacks
):
    graph_mock.post(SEND_URL).mock(
        side_effect=[
            httpx.Response(400, json={"error": {"code": "ErrorInvalidRecipients", "message": "Invalid recipients"}}),
            httpx.Response(202),
        ]
    )
    graph_mock.get(url__regex=SENT_CHECK).respond(json={"value": []})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    outbox = OutboxMessage.objects.get(message_id=response.json()["messageID"])
    assert outbox.status == OutboxStatus.FAILED and "Invalid recipients" in outbox.last_error
    detail = admin_client.get(f"/api/TicketMessages/{outbox.message_id}").json()
    assert detail["status"] == "Failed"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_retry(outbox=outbox)
    outbox.refresh_from_db()
    assert outbox.status == OutboxStatus.SENT


def test_attempts_are_capped(graph_mock, graph_channel):
    graph_mock.post(SEND_URL).respond(503)
    outbox = _queued_outbox(graph_channel, attempts=7, max_attempts=8)
    graph_mock.get(url__regex=SENT_CHECK).respond(json={"value": []})
    assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.FAILED
    assert TicketMessage.objects.get(pk=outbox.message_id).status == MessageStatus.FAILED


def test_backoff_is_exponential_and_capped():
    assert [services.outbox_backoff(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def _queued_outbox(channel, **fields):
    message = TicketMessageFactory(
        customer=channel.customer,
        ticket=TicketFactory(customer=channel.customer, channel=channel),
        channel=channel,
        incoming=False,
        to_address="client@example.com",
        email_address=channel.email_address,
        message="Answer",
        status=MessageStatus.QUEUED,
    )
    transport = Transport.TWILIO if channel.channel_type == ChannelType.WHATSAPP else Transport.GRAPH
    from messaging.compose import internet_message_id_for

    return OutboxMessage.objects.create(
        customer=channel.customer,
        message=message,
        channel=channel,
        transport=transport,
        idempotency_key=f"message-{message.pk}",
        internet_message_id=internet_message_id_for(message) if transport == Transport.GRAPH else "",
        next_attempt_at=timezone.now(),
        **fields,
    )


class TestExactlyOnce:
    def _crashed_after_send(self, outbox):
        """The state a worker killed after the provider accepted, before recording it, leaves behind."""
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.SENDING,
            attempts=1,
            first_attempt_at=timezone.now() - timezone.timedelta(minutes=5),
            lease_owner="dead-worker",
            lease_until=timezone.now() - timezone.timedelta(seconds=1),
        )

    def test_graph_retry_finds_the_first_attempt_in_sent_items(self, graph_mock, graph_channel):
        outbox = _queued_outbox(graph_channel)
        self._crashed_after_send(outbox)
        check = graph_mock.get(url__regex=SENT_CHECK).respond(json={"value": [{"id": "sent-1"}]})
        send = graph_mock.post(SEND_URL).respond(202)
        assert services.outbox_stuck_ids() == [outbox.pk]
        assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.SENT
        assert check.called and not send.called
        assert outbox.internet_message_id in check.calls[0].request.url.params["$filter"]
        assert TicketMessage.objects.get(pk=outbox.message_id).status == MessageStatus.SENT

    def test_graph_retry_sends_when_the_first_attempt_did_not_go_out(self, graph_mock, graph_channel):
        outbox = _queued_outbox(graph_channel)
        self._crashed_after_send(outbox)
        graph_mock.get(url__regex=SENT_CHECK).respond(json={"value": []})
        send = graph_mock.post(SEND_URL).respond(202)
        assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.SENT
        assert send.call_count == 1

    def test_a_live_lease_is_not_taken_over(self, graph_mock, graph_channel):
        outbox = _queued_outbox(graph_channel)
        OutboxMessage.objects.filter(pk=outbox.pk).update(
            status=OutboxStatus.SENDING, lease_owner="busy", lease_until=timezone.now() + timezone.timedelta(minutes=1)
        )
        send = graph_mock.post(SEND_URL).respond(202)
        assert services.outbox_deliver(outbox_id=outbox.pk) == "skipped"
        assert not send.called and services.outbox_stuck_ids() == []

    def test_a_sent_row_is_never_sent_again(self, graph_mock, graph_channel):
        outbox = _queued_outbox(graph_channel)
        send = graph_mock.post(SEND_URL).respond(202)
        assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.SENT
        assert services.outbox_deliver(outbox_id=outbox.pk) == "skipped"
        assert send.call_count == 1

    def test_twilio_retry_finds_the_message_by_body(self, http_mocks, customer):
        requests_mock, _ = http_mocks
        customer.twilio_account_sid, customer.twilio_auth_token = "AC123", "twilio-token"
        customer.save()
        channel = ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+32470000001")
        outbox = _queued_outbox(channel)
        TicketMessage.objects.filter(pk=outbox.message_id).update(to_number="+32470999999")
        self._crashed_after_send(outbox)
        listing = requests_mock.get(
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json",
            json={"messages": [{"sid": "SM-first", "body": "Answer"}], "next_page_uri": None},
        )
        create = requests_mock.post(
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json", status=201, json={"sid": "SM-second"}
        )
        assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.SENT
        assert listing.call_count == 1 and create.call_count == 0
        outbox.refresh_from_db()
        assert outbox.provider_message_id == "SM-first"


def test_whatsapp_reply_through_twilio(rep_client, http_mocks, customer, django_capture_on_commit_callbacks):
    requests_mock, _ = http_mocks
    customer.twilio_account_sid, customer.twilio_auth_token = "AC123", "twilio-token"
    customer.save()
    channel = ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+32470000001")
    inbound = TicketMessageFactory(
        customer=customer,
        ticket=TicketFactory(customer=customer, channel=channel, uid="+32470999999"),
        channel=channel,
        from_number="+32470999999",
        ai_generated_response="Hi! Your order ships today.",
    )
    create = requests_mock.post(
        "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json",
        status=201,
        json={"sid": "SM123", "status": "queued", "body": "Hi! Your order ships today."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(f"/api/TicketMessages/{inbound.pk}/send", {}, format="json")
    assert response.status_code == 202 and response.json()["toNumber"] == "+32470999999"
    sent = dict(pair.split("=", 1) for pair in create.calls[0].request.body.split("&"))
    assert sent["To"] == "whatsapp%3A%2B32470999999" and sent["From"] == "whatsapp%3A%2B32470000001"
    assert "MediaUrl" not in sent
    assert sent["StatusCallback"] == "https%3A%2F%2Fapi.answerpal.test%2Fapi%2FTwilio%2Fwhatsapp%2Fstatus"
    outbox = OutboxMessage.objects.get(message_id=response.json()["messageID"])
    assert outbox.provider_message_id == "SM123" and outbox.status == OutboxStatus.SENT


def test_whatsapp_forward_sends_attachments_as_media(
    admin_client, http_mocks, customer, django_capture_on_commit_callbacks
):
    requests_mock, _ = http_mocks
    customer.twilio_account_sid, customer.twilio_auth_token = "AC123", "twilio-token"
    customer.save()
    ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+32470000001")
    original = TicketMessageFactory(customer=customer, subject="Photo of the damage")
    attachment = TicketMessageAttachmentFactory(customer=customer, message=original)
    create = requests_mock.post(
        "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json", status=201, json={"sid": "SM77"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/api/TicketMessages/{original.pk}/send-forward", {"toNumber": "+32470555555"}, format="json"
        )
    assert response.status_code == 202, response.content
    from urllib.parse import parse_qs

    sent = parse_qs(create.calls[0].request.body)
    forward = TicketMessage.objects.get(pk=response.json()["messageID"])
    media_token = forward.attachments.get().access_token
    assert sent["MediaUrl"] == [f"https://api.answerpal.test/api/File/{media_token}"]
    assert media_token != attachment.access_token and sent["To"] == ["whatsapp:+32470555555"]
    outbox = OutboxMessage.objects.get(message_id=response.json()["messageID"])
    assert outbox.provider_message_id == "SM77" and outbox.status == OutboxStatus.SENT


def test_chat_reply_is_visible_at_once(rep_client, customer, django_capture_on_commit_callbacks):
    channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
    inbound = TicketMessageFactory(
        customer=customer, ticket=TicketFactory(customer=customer, channel=channel), channel=channel
    )
    response = rep_client.post(f"/api/TicketMessages/{inbound.pk}/send", {"modifiedAnswer": "Hello!"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "Sent"
    assert not OutboxMessage.objects.exists()


class TestSendNew:
    def test_draft_is_sent_over_smtp(self, admin_client, customer, monkeypatch, django_capture_on_commit_callbacks):
        delivered = []

        class FakeSmtp:
            def __init__(self, host, port, **kwargs):
                self.host = host

            def login(self, user, password):
                delivered.append(("login", user, password))

            def sendmail(self, from_addr, to_addrs, msg, **kwargs):
                delivered.append(("mail", from_addr, to_addrs, msg))
                return {}

            def quit(self):
                pass

            close = quit

        monkeypatch.setattr("messaging.smtp.GuardedSMTP_SSL", FakeSmtp)
        fake_dns(monkeypatch, {"smtp.acme.test": ["93.184.216.34"]})
        customer.email_provider_type, customer.smtp_server = "Imap", "smtp.acme.test"
        customer.save()
        channel = ChannelFactory(customer=customer, email_address="desk@acme.test", override_smtp_password="pw")
        draft = TicketMessageFactory(
            customer=customer,
            ticket=TicketFactory(customer=customer, channel=channel),
            channel=channel,
            incoming=False,
            status=MessageStatus.DRAFT,
            to_address="someone@example.com",
            subject="Offer",
            message="Here is our offer.",
            from_address="",
        )
        TicketMessageAttachmentFactory(customer=customer, message=draft)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/api/TicketMessages/{draft.pk}/send-new")
        assert response.status_code == 202, response.content
        login, mail = delivered
        assert login == ("login", "desk@acme.test", "pw")
        assert mail[2] == ["someone@example.com"]
        assert b"Here is our offer." in mail[3] and b'filename="note.txt"' in mail[3]
        draft.refresh_from_db()
        assert draft.status == MessageStatus.SENT

    def test_inbound_or_sent_messages_are_refused(self, admin_client, inbound):
        assert_problem(admin_client.post(f"/api/TicketMessages/{inbound.pk}/send-new"), 400, "NotAnOutboundMessage")
        TicketMessage.objects.filter(pk=inbound.pk).update(incoming=False, status=MessageStatus.SENT)
        assert_problem(admin_client.post(f"/api/TicketMessages/{inbound.pk}/send-new"), 409, "MessageAlreadySent")

    def test_draft_without_recipient_is_400(self, admin_client, graph_channel):
        draft = TicketMessageFactory(
            customer=graph_channel.customer,
            ticket=TicketFactory(customer=graph_channel.customer, channel=graph_channel),
            channel=graph_channel,
            incoming=False,
            status=MessageStatus.DRAFT,
            to_address="",
        )
        assert (
            "toAddress" in assert_problem(admin_client.post(f"/api/TicketMessages/{draft.pk}/send-new"), 400)["errors"]
        )


class TestSendForward:
    def test_forward_with_attachments(self, admin_client, graph_mock, inbound, django_capture_on_commit_callbacks):
        TicketMessageAttachmentFactory(customer=inbound.customer, message=inbound)
        send = graph_mock.post(SEND_URL).respond(202)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                f"/api/TicketMessages/{inbound.pk}/send-forward",
                {"toAddress": "billing@acme.test; boss@acme.test", "comment": "Please check."},
                format="json",
            )
        assert response.status_code == 202, response.content
        mime = _sent_mime(send)
        assert mime["To"] == "billing@acme.test, boss@acme.test"
        assert mime["Subject"].startswith("Fw: Where is my order?")
        assert [part.get_filename() for part in mime.iter_attachments()] == ["note.txt"]
        assert "Please check." in mime.get_body(preferencelist=("plain",)).get_content()
        assert "In-Reply-To" not in mime

    @pytest.mark.parametrize("body", [{}, {"toAddress": "not-an-address"}, {"toNumber": "0470"}])
    def test_validation(self, admin_client, inbound, body):
        response = admin_client.post(f"/api/TicketMessages/{inbound.pk}/send-forward", body, format="json")
        assert_problem(response, 400)


def test_sweeper_redrives_rows_whose_task_was_lost(graph_mock, graph_channel):
    from messaging.tasks import outbox_sweep

    outbox = _queued_outbox(graph_channel)
    OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now() - timezone.timedelta(minutes=10))
    graph_mock.post(SEND_URL).respond(202)
    assert outbox_sweep() == 1
    outbox.refresh_from_db()
    assert outbox.status == OutboxStatus.SENT


def test_forward_action_registered_for_automation(graph_mock, inbound, django_capture_on_commit_callbacks):
    from types import SimpleNamespace

    from automation.registry import ActionContext, action_handler

    send = graph_mock.post(SEND_URL).respond(202)
    context = ActionContext(
        customer_id=inbound.customer_id,
        message_id=inbound.pk,
        action=SimpleNamespace(forward_recipients="team@acme.test", forward_phone_number=""),
        trigger="test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = action_handler("Forward")(context=context)
    assert result.status == "Succeeded", result
    assert json.dumps(result.details) and send.call_count == 1


def test_unexpected_errors_are_retried_and_rows_that_keep_crashing_end_failed(graph_channel, monkeypatch):
    outbox = _queued_outbox(graph_channel)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.outbox, "_deliver", explode)
    assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.QUEUED
    outbox.refresh_from_db()
    assert outbox.last_error == "RuntimeError: disk full"
    OutboxMessage.objects.filter(pk=outbox.pk).update(
        status=OutboxStatus.SENDING, attempts=8, lease_until=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert services.outbox_deliver(outbox_id=outbox.pk) == OutboxStatus.FAILED
    assert TicketMessage.objects.get(pk=outbox.message_id).status == MessageStatus.FAILED


def test_a_worker_whose_lease_was_taken_over_does_not_requeue_the_row(graph_channel):
    from answerpal.outbox import outbox_row_claim, outbox_row_failed

    outbox = _queued_outbox(graph_channel)
    first = outbox_row_claim(model=OutboxMessage, row_id=outbox.pk, owner="worker-a")
    OutboxMessage.objects.filter(pk=outbox.pk).update(lease_until=timezone.now() - timezone.timedelta(seconds=1))
    second = outbox_row_claim(model=OutboxMessage, row_id=outbox.pk, owner="worker-b")
    assert first is not None and second is not None

    outbox_row_failed(model=OutboxMessage, row=first, error="late timeout", permanent=False)  # worker A, too late

    outbox.refresh_from_db()
    assert (outbox.status, outbox.lease_owner, outbox.last_error) == (OutboxStatus.SENDING, "worker-b", "")
    outbox_row_failed(model=OutboxMessage, row=second, error="refused", permanent=True)
    outbox.refresh_from_db()
    assert (outbox.status, outbox.lease_owner) == (OutboxStatus.FAILED, "")
