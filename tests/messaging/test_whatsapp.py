from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tickets.models import EndUserUID, TicketMessage, UidType

pytestmark = pytest.mark.django_db
TOKEN = "twilio-auth-token"
URL = "https://api.answerpal.test/api/Twilio/whatsapp"


@pytest.fixture
def wa_channel(customer):
    customer.twilio_account_sid, customer.twilio_auth_token = "AC123", TOKEN
    customer.save()
    return ChannelFactory(customer=customer, channel_type=ChannelType.WHATSAPP, phone_number="+32470000001")


def _params(sid="SM1", body="Hello, is the shop open?", **extra):
    return {
        "MessageSid": sid,
        "AccountSid": "AC123",
        "From": "whatsapp:+32470999999",
        "To": "whatsapp:+32470000001",
        "Body": body,
        "ProfileName": "Jan",
        "NumMedia": "0",
        **extra,
    }


def _post(client, params, url=URL, token=TOKEN, **headers):
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(
        "/api/Twilio/whatsapp",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **headers,
    )


def test_inbound_message_creates_ticket_and_end_user(anon_client, wa_channel):
    response = _post(anon_client, _params())
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml") and b"<Response/>" in response.content
    message = TicketMessage.objects.get(message_identifier="SM1")
    assert message.message == "Hello, is the shop open?" and message.from_number == "+32470999999"
    assert message.ticket.channel_id == wa_channel.pk and message.ticket.channel_type == "WhatsApp"
    uid = EndUserUID.objects.get(customer=wa_channel.customer, uid="+32470999999")
    assert uid.uid_type == UidType.WHATSAPP and message.end_user_id == uid.end_user_id


def test_retried_webhook_is_stored_once_and_next_message_continues_ticket(anon_client, wa_channel):
    _post(anon_client, _params())
    _post(anon_client, _params())
    _post(anon_client, _params(sid="SM2", body="Hello?"))
    messages = TicketMessage.objects.filter(customer=wa_channel.customer).order_by("id")
    assert [m.message_identifier for m in messages] == ["SM1", "SM2"]
    assert messages[0].ticket_id == messages[1].ticket_id


def test_bad_signature_is_403(anon_client, wa_channel):
    response = _post(anon_client, _params(), token="wrong-token")
    assert_problem(response, 403, "InvalidSignature")
    response = anon_client.post(
        "/api/Twilio/whatsapp", urlencode(_params()), content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 403, "InvalidSignature")
    assert not TicketMessage.objects.exists()


def test_signature_of_the_proxied_url_is_accepted(anon_client, wa_channel, settings):
    settings.PUBLIC_BASE_URL = "http://internal:8000"
    proxied = "https://chat.example.org/api/Twilio/whatsapp"
    response = _post(
        anon_client, _params(), url=proxied, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="chat.example.org"
    )
    assert response.status_code == 200


def test_unknown_number_answers_like_a_bad_signature(anon_client, wa_channel):
    """The webhook does not tell which numbers are channels: an unknown number and a known one with a forged
    signature get the same answer."""
    unknown = assert_problem(_post(anon_client, _params(To="whatsapp:+32470123123")), 403, "InvalidSignature")
    forged = assert_problem(
        anon_client.post(
            "/api/Twilio/whatsapp",
            urlencode(_params()),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE="forged",
        ),
        403,
        "InvalidSignature",
    )
    assert {key: value for key, value in unknown.items() if key != "traceId"} == {
        key: value for key, value in forged.items() if key != "traceId"
    }


def test_media_is_downloaded_and_stored(anon_client, wa_channel, http_mocks, django_capture_on_commit_callbacks):
    requests_mock, _ = http_mocks
    media_url = "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages/SM9/Media/ME1"
    download = requests_mock.get(media_url, body=b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    params = _params(sid="SM9", NumMedia="1", MediaUrl0=media_url, MediaContentType0="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(anon_client, params).status_code == 200
    assert download.call_count == 1
    assert download.calls[0].request.headers["Authorization"].startswith("Basic ")
    attachment = TicketMessage.objects.get(message_identifier="SM9").attachments.get()
    assert attachment.content_type == "image/png" and attachment.is_end_user_provided


def test_message_without_sid_is_400(anon_client, wa_channel):
    params = _params()
    params.pop("MessageSid")
    assert_problem(_post(anon_client, params), 400)


def test_delivery_report_marks_an_undelivered_message_failed(anon_client, wa_channel):
    from messaging.models import OutboxMessage, OutboxStatus, Transport
    from tests.messaging.factories import OutboxMessageFactory
    from tickets.models import MessageStatus

    outbox = OutboxMessageFactory(
        customer=wa_channel.customer,
        channel=wa_channel,
        transport=Transport.TWILIO,
        status=OutboxStatus.SENT,
        provider_message_id="SM-out-1",
    )
    status_url = "https://api.answerpal.test/api/Twilio/whatsapp/status"
    delivered = {"MessageSid": "SM-out-1", "MessageStatus": "delivered", "AccountSid": "AC123"}
    signature = RequestValidator(TOKEN).compute_signature(status_url, delivered)
    response = anon_client.post(
        "/api/Twilio/whatsapp/status",
        urlencode(delivered),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 204
    assert OutboxMessage.objects.get(pk=outbox.pk).status == OutboxStatus.SENT

    failed = {**delivered, "MessageStatus": "undelivered", "ErrorCode": "63016"}
    response = anon_client.post(
        "/api/Twilio/whatsapp/status",
        urlencode(failed),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=RequestValidator(TOKEN).compute_signature(status_url, failed),
    )
    assert response.status_code == 204
    outbox.refresh_from_db()
    assert outbox.status == OutboxStatus.FAILED and "63016" in outbox.last_error
    outbox.message.refresh_from_db()
    assert outbox.message.status == MessageStatus.FAILED

    assert_problem(
        anon_client.post(
            "/api/Twilio/whatsapp/status",
            urlencode(failed),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE="forged",
        ),
        403,
        "InvalidSignature",
    )
    unknown = {**failed, "MessageSid": "SM-nope"}
    assert_problem(
        anon_client.post(
            "/api/Twilio/whatsapp/status", urlencode(unknown), content_type="application/x-www-form-urlencoded"
        ),
        403,
        "InvalidSignature",
    )
