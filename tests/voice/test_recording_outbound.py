"""Recording downloads through the outbound-address guard: only Twilio's hosts, never an internal address
(by DNS answer or by redirect), and the account's credentials never leave twilio.com."""

import pytest
import responses

from answerpal.outbound_guard import REFUSED_DETAIL
from tests.answerpal.outbound_cases import INTERNAL_DESTINATIONS, fake_dns, forbid_connections, url_host
from tests.conftest import assert_problem
from tests.voice.conftest import ACCOUNT_SID, TWILIO_API, signed_post
from tests.voice.factories import PhoneCallFactory
from tickets.models import Ticket

CALL_SID = "CA" + "c" * 32
RECORDING_URL = f"{TWILIO_API}/Recordings/RE{'d' * 32}"


def _callback(anon_client, rep, url=RECORDING_URL):
    recording = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "RecordingUrl": url}
    return signed_post(anon_client, f"/api/TwilioCalls/{rep.pk}/recordingcallback", recording)


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:169.254.169.254", "10.0.0.1"])
def test_twilio_resolving_to_an_internal_address_is_refused(anon_client, twilio_customer, rep, monkeypatch, address):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    fake_dns(monkeypatch, {"api.twilio.com": [address]})
    attempts = forbid_connections(monkeypatch)
    body = assert_problem(_callback(anon_client, rep), 400, "OutboundAddressRefused")
    assert body["detail"] == REFUSED_DETAIL
    assert attempts == [] and not Ticket.objects.exists()


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_internal_recording_urls_are_never_fetched(anon_client, twilio_customer, rep, monkeypatch, host):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    fake_dns(monkeypatch)
    attempts = forbid_connections(monkeypatch)
    assert_problem(_callback(anon_client, rep, f"https://{url_host(host)}/Recordings/RE1"), 400, "ValidationFailed")
    assert attempts == []


@pytest.mark.parametrize("host", INTERNAL_DESTINATIONS)
def test_a_redirect_to_an_internal_address_is_refused(anon_client, twilio_customer, rep, twilio_api, host):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    twilio_api.get(f"{RECORDING_URL}.mp3", status=302, headers={"Location": f"https://{url_host(host)}/r.mp3"})
    assert_problem(_callback(anon_client, rep), 502, "RecordingDownloadFailed")
    assert len(twilio_api.calls) == 1 and not Ticket.objects.exists()


def test_a_redirect_to_a_twilio_host_is_followed(anon_client, twilio_customer, rep, twilio_api, settings):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID)
    settings.TWILIO_MEDIA_HOSTS = "*.twiliocdn.com"
    twilio_api.get(f"{RECORDING_URL}.mp3", status=302, headers={"Location": "https://media.twiliocdn.com/r.mp3"})
    cdn = twilio_api.get("https://media.twiliocdn.com/r.mp3", body=b"<html>not audio</html>", content_type="text/html")
    # followed (the body then fails the audio check, which is the recording flow's own business)
    assert_problem(_callback(anon_client, rep), 400, "InvalidAudio")
    assert cdn.call_count == 1 and "Authorization" not in cdn.calls[0].request.headers
    with responses.RequestsMock() as mock:  # a host outside TWILIO_MEDIA_HOSTS is not
        mock.get(f"{RECORDING_URL}.mp3", status=302, headers={"Location": "https://s3-external-1.amazonaws.com/r"})
        assert_problem(_callback(anon_client, rep), 502, "RecordingDownloadFailed")
