"""The public Twilio callbacks: RequestValidator signatures (also behind a proxy), the browser phone's TwiML
(`<Dial>` or `<Connect><Stream>`), spoken refusals with an operator log line, recording callback errors."""

import logging
from urllib.parse import urlencode

import pytest
import responses
from twilio.request_validator import RequestValidator

from billing.models import CustomerSubscription, StorageUsage
from channels_cfg.models import Channel
from tests.accounts.factories import CustomerRepFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem
from tests.voice.conftest import ACCOUNT_SID, AUTH_TOKEN, OTHER_AUTH_TOKEN, TWILIO_API, signed_post
from tests.voice.factories import PhoneCallFactory
from tickets.models import Ticket
from voice.models import PhoneCall, VoiceSettings

CALL_SID = "CA" + "a" * 32
RECORDING_URL = f"{TWILIO_API}/Recordings/RE{'b' * 32}"


@pytest.fixture
def browser_call(twilio_customer, rep):
    ChannelFactory(customer=twilio_customer, channel_type="Phone", phone_number="+3225550100")
    return {
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        "From": f"client:c{twilio_customer.pk}-r{rep.pk}",
        "To": "+32470123456",
        "FromNumber": "+3225550100",
        "RepID": str(rep.pk),
        "Record": "true",
    }


def test_browser_call_dials_the_number_recorded_from_the_channel_number(anon_client, browser_call, rep):
    response = signed_post(anon_client, "/api/TwilioCalls/voice", browser_call)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert '<Dial callerId="+3225550100" record="record-from-answer-dual"' in body
    assert "<Number>+32470123456</Number>" in body
    call = PhoneCall.objects.get(call_sid=CALL_SID)
    assert (call.direction, call.customer_rep_id, call.to_number) == ("Outbound", rep.pk, "+32470123456")


def test_translate_connects_the_stream_with_the_translation_options(anon_client, browser_call, twilio_customer):
    VoiceSettings.objects.filter(customer=twilio_customer).update(phone_stream_url="wss://stream.example.test/live")
    params = {**browser_call, "Translate": "true", "CallerLanguage": "nl-BE", "ReceiverLanguage": "en-US"}
    body = signed_post(anon_client, "/api/TwilioCalls/voice", params).content.decode()
    assert '<Connect><Stream url="wss://stream.example.test/live">' in body
    assert '<Parameter name="CallerLanguage" value="nl-BE" />' in body
    assert '<Parameter name="To" value="+32470123456" />' in body
    assert "<Dial" not in body


def test_translate_without_a_stream_url_is_refused(anon_client, browser_call):
    body = signed_post(anon_client, "/api/TwilioCalls/voice", {**browser_call, "Translate": "true"}).content.decode()
    assert "Live translation is not configured" in body and "<Hangup />" in body


def test_unsigned_and_mis_signed_requests_get_403_and_change_nothing(
    anon_client, browser_call, twilio_customer, twilio_api
):
    unsigned = anon_client.post(
        "/api/TwilioCalls/voice", urlencode(browser_call), content_type="application/x-www-form-urlencoded"
    )
    assert_problem(unsigned, 403, "InvalidSignature")
    assert_problem(signed_post(anon_client, "/api/TwilioCalls/voice", browser_call, token=OTHER_AUTH_TOKEN), 403)
    tampered = signed_post(anon_client, "/api/TwilioCalls/voice", browser_call)  # valid, then one field changed
    assert tampered.status_code == 200
    PhoneCall.objects.all().delete()
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://api.answerpal.test/api/TwilioCalls/voice", browser_call
    )
    forged = anon_client.post(
        "/api/TwilioCalls/voice",
        urlencode({**browser_call, "To": "+19005550000"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert_problem(forged, 403, "InvalidSignature")
    call = PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": RECORDING_URL}
    assert_problem(
        anon_client.post(
            "/api/TwilioCalls/0/recordingcallback",
            urlencode(recording),
            content_type="application/x-www-form-urlencoded",
        ),
        403,
        "InvalidSignature",
    )
    other = signed_post(anon_client, "/api/TwilioCalls/0/recordingcallback", recording, token=OTHER_AUTH_TOKEN)
    assert_problem(other, 403, "InvalidSignature")
    call.refresh_from_db()
    assert call.recording_id is None and not Ticket.objects.exists() and not twilio_api.calls


def test_signature_behind_a_proxy_uses_the_forwarded_address(anon_client, browser_call, settings):
    settings.PUBLIC_BASE_URL = "http://internal:8000"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://voice.acme.example/api/TwilioCalls/voice", browser_call
    )
    response = anon_client.post(
        "/api/TwilioCalls/voice",
        urlencode(browser_call),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_X_FORWARDED_HOST="voice.acme.example",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 200 and "<Dial" in response.content.decode()


def _refused(anon_client, params, caplog, spoken: str, logged: str):
    with caplog.at_level(logging.WARNING, logger="voice.services"):
        response = signed_post(anon_client, "/api/TwilioCalls/voice", params)
    body = response.content.decode()
    assert response.status_code == 200 and spoken in body and "<Hangup />" in body and "<Dial" not in body
    assert any(logged in record.getMessage() for record in caplog.records), [r.getMessage() for r in caplog.records]


def test_foreign_caller_id_is_refused(anon_client, browser_call, other_customer, caplog):
    ChannelFactory(customer=other_customer, channel_type="Phone", phone_number="+3225550111")
    params = {**browser_call, "FromNumber": "+3225550111"}
    _refused(anon_client, params, caplog, "This number cannot be used", "is foreign")


def test_rep_of_another_customer_is_refused(anon_client, browser_call, other_customer, caplog):
    stranger = CustomerRepFactory(customer=other_customer)
    _refused(anon_client, {**browser_call, "RepID": str(stranger.pk)}, caplog, "may not call", "is not ours")


def test_plan_without_phone_is_refused(anon_client, browser_call, twilio_customer, caplog):
    CustomerSubscription.objects.filter(customer=twilio_customer).update(feature_overrides={"hasPhone": False})
    _refused(anon_client, browser_call, caplog, "not part of this plan", "plan without hasPhone")


def test_full_storage_refuses_recorded_calls(anon_client, browser_call, twilio_customer, caplog):
    StorageUsage.objects.create(customer=twilio_customer, attachments_bytes=60 * 1024**3)
    _refused(anon_client, browser_call, caplog, "storage is full", "storage limit reached")
    unrecorded = signed_post(anon_client, "/api/TwilioCalls/voice", {**browser_call, "Record": "false"})
    assert "<Number>+32470123456</Number>" in unrecorded.content.decode()
    assert 'record="' not in unrecorded.content.decode()


def test_inbound_call_to_an_unknown_number_answers_like_a_bad_signature(anon_client, twilio_customer):
    """Callbacks do not tell which numbers are channels: an unknown number (signed) and a channel's number with a
    forged signature get the same answer."""
    ChannelFactory(customer=twilio_customer, channel_type="Phone", phone_number="+3225550100")
    params = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": "+32470999888", "To": "+3225559999"}
    unknown = assert_problem(signed_post(anon_client, "/api/TwilioCalls/voice", params), 403, "InvalidSignature")
    known = {**params, "To": "+3225550100"}
    forged = assert_problem(
        signed_post(anon_client, "/api/TwilioCalls/voice", known, token="not-the-auth-token"), 403, "InvalidSignature"
    )
    assert unknown["detail"] == forged["detail"] and unknown["title"] == forged["title"]


def test_recording_callback_of_another_customers_rep_or_call_is_not_found(
    anon_client, twilio_customer, other_twilio_customer, rep
):
    stranger = CustomerRepFactory(customer=other_twilio_customer)
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": RECORDING_URL}
    assert_problem(signed_post(anon_client, f"/api/TwilioCalls/{stranger.pk}/recordingcallback", recording), 404)
    unknown = {**recording, "CallSid": "CA" + "9" * 32}
    assert_problem(signed_post(anon_client, "/api/TwilioCalls/0/recordingcallback", unknown), 403, "InvalidSignature")
    assert not Ticket.objects.exists()


def test_recording_callback_without_a_finished_recording_stores_nothing(anon_client, twilio_customer, rep, twilio_api):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingStatus": "failed"}
    assert signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording).status_code == 204
    assert not twilio_api.calls and not Ticket.objects.exists()


def test_recording_that_is_not_audio_is_refused(anon_client, twilio_customer, rep, twilio_api):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    twilio_api.add(responses.GET, f"{RECORDING_URL}.mp3", body=b"<html>oops</html>", content_type="text/html")
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": RECORDING_URL}
    response = signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording)
    assert_problem(response, 400, "InvalidAudio")
    assert not Ticket.objects.exists()
    assert twilio_api.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_status_callback_records_the_final_status(anon_client, twilio_customer):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID, status="ringing")
    params = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "CallStatus": "completed", "CallDuration": "61"}
    assert signed_post(anon_client, "/api/TwilioCalls/status", params).status_code == 204
    call = PhoneCall.objects.get(call_sid=CALL_SID)
    assert (call.status, call.duration_seconds) == ("completed", 61)
    assert_problem(signed_post(anon_client, "/api/TwilioCalls/status", params, token=OTHER_AUTH_TOKEN), 403)


def test_recording_urls_off_twilio_are_never_fetched_with_the_customers_credentials(
    anon_client, twilio_customer, rep, twilio_api
):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    for url in ("https://evil.example/RE1", "http://api.twilio.com/RE1", "https://api.twilio.com.evil.example/RE1"):
        recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": url}
        response = signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording)
        assert_problem(response, 400, "ValidationFailed")
    assert not twilio_api.calls and not Ticket.objects.exists()


def test_a_signed_request_without_call_sid_is_invalid(anon_client, browser_call):
    params = {key: value for key, value in browser_call.items() if key != "CallSid"}
    assert_problem(signed_post(anon_client, "/api/TwilioCalls/voice", params), 400, "ValidationFailed")
    assert not PhoneCall.objects.exists()


def test_say_actions_are_configured_through_the_actions_api(admin_client):
    created = admin_client.post(
        "/api/Actions",
        {"name": "Greeting", "actionType": "Say", "sayText": "Welkom bij {{channel.name}}.", "sayLanguage": "nl-BE"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["sayText"], created.json()["sayLanguage"]) == ("Welkom bij {{channel.name}}.", "nl-BE")


def test_a_browser_phone_cannot_call_as_another_rep_of_its_customer(anon_client, browser_call, twilio_customer, caplog):
    colleague = CustomerRepFactory(customer=twilio_customer)
    _refused(
        anon_client, {**browser_call, "RepID": str(colleague.pk)}, caplog, "not call as another", "not the phone's"
    )


def test_a_phone_devices_client_cannot_place_calls_as_a_rep(anon_client, browser_call, twilio_customer, rep):
    """A Voice SDK client that is no representative (a phone device: identity c{customer}-ch{channel}) places no
    call, whatever RepID it sends; it is answered like any unattributed callback."""
    channel = Channel.objects.get(customer=twilio_customer, phone_number="+3225550100")
    device_call = {**browser_call, "From": f"client:c{twilio_customer.pk}-ch{channel.pk}", "RepID": str(rep.pk)}
    response = signed_post(anon_client, "/api/TwilioCalls/voice", device_call)
    assert response.status_code == 403 and response.json()["code"] == "InvalidSignature"
    assert not PhoneCall.objects.filter(call_sid=CALL_SID).exists()
