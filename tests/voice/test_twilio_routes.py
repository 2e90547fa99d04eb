"""voice-token, initiate-call and call-status: success, validation, 401, 403, other tenant, Twilio not configured."""

import jwt
import pytest
import responses

from accounts.models import CustomerRep
from answerpal.api.tokens import TokenKind, token_issue
from billing.models import CustomerSubscription
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem, client_with_token
from tests.voice.conftest import ACCOUNT_SID, AUTH_TOKEN, OTHER_ACCOUNT_SID, TWILIO_API
from tests.voice.factories import PhoneCallFactory
from voice.models import PhoneCall, VoiceAgent
from voice.twilio_voice import phone_number_normalize

APP_SID = "AP" + "b" * 32
CALL_SID = "CA" + "e" * 32


def _without_phone(customer):
    subscription = CustomerSubscription.objects.get(customer=customer)
    subscription.feature_overrides = {"hasPhone": False}
    subscription.save()


# --- voice-token --------------------------------------------------------------------------------------


def test_voice_token_is_bound_to_the_rep_and_customer(twilio_customer, rep, rep_client):
    response = rep_client.get("/api/TwilioCalls/voice-token")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["region"], body["edge"]) == ("ie1", "dublin")
    claims = jwt.decode(body["token"], AUTH_TOKEN, algorithms=["HS256"], options={"verify_aud": False})
    identity = f"c{twilio_customer.pk}-r{rep.pk}"
    assert claims["grants"]["identity"] == identity
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == "AP" + "a" * 32
    assert claims["grants"]["voice"]["incoming"]["allow"] is True
    assert claims["iss"] == ACCOUNT_SID and claims["sub"] == ACCOUNT_SID
    assert claims["exp"] - claims["nbf"] == 3600
    agent = VoiceAgent.objects.get(rep=rep)
    assert agent.identity == identity and agent.customer_id == twilio_customer.pk


def test_voice_token_override_must_be_an_app_of_the_customers_account(twilio_customer, rep_client, twilio_api):
    twilio_api.add(responses.GET, f"{TWILIO_API}/Applications/{APP_SID}.json", json={"sid": APP_SID}, status=200)
    foreign = "AP" + "c" * 32
    twilio_api.add(
        responses.GET,
        f"{TWILIO_API}/Applications/{foreign}.json",
        json={"code": 20404, "message": "not found", "status": 404},
        status=404,
    )
    owned = rep_client.get("/api/TwilioCalls/voice-token", {"twimlAppSidOverride": APP_SID})
    claims = jwt.decode(owned.json()["token"], AUTH_TOKEN, algorithms=["HS256"], options={"verify_aud": False})
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == APP_SID
    assert_problem(
        rep_client.get("/api/TwilioCalls/voice-token", {"twimlAppSidOverride": foreign}), 404, "TwimlAppNotFound"
    )
    assert_problem(
        rep_client.get("/api/TwilioCalls/voice-token", {"twimlAppSidOverride": "not-an-app"}), 400, "ValidationFailed"
    )


def test_voice_token_refuses_anonymous_phone_tokens_and_plans_without_phone(
    twilio_customer, anon_client, phone_client, rep_client
):
    assert_problem(anon_client.get("/api/TwilioCalls/voice-token"), 401)
    assert_problem(phone_client.get("/api/TwilioCalls/voice-token"), 403, "Forbidden")
    _without_phone(twilio_customer)
    assert_problem(rep_client.get("/api/TwilioCalls/voice-token"), 403, "FeatureNotInPlan")


def test_voice_routes_without_twilio_answer_503_with_what_to_configure(customer, rep_client, settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    body = assert_problem(rep_client.get("/api/TwilioCalls/voice-token"), 503, "TwilioNotConfigured")
    assert "twilioAccountSID" in body["detail"]
    ChannelFactory(customer=customer, channel_type="Phone", phone_number="+3225550100")
    call = {"fromNumber": "+3225550100", "toNumber": "+32470123456"}
    assert_problem(rep_client.post("/api/TwilioCalls/initiate-call", call, format="json"), 503, "TwilioNotConfigured")


# --- initiate-call --------------------------------------------------------------------------------------


def test_initiate_call_validates_numbers_with_phonenumbers(twilio_customer, rep_client):
    body = assert_problem(
        rep_client.post(
            "/api/TwilioCalls/initiate-call", {"fromNumber": "+3225550100", "toNumber": "call me"}, format="json"
        ),
        400,
    )
    assert "toNumber" in body["errors"]
    assert_problem(rep_client.post("/api/TwilioCalls/initiate-call", {"toNumber": "+32470123456"}, format="json"), 400)
    assert_problem(
        rep_client.post(
            "/api/TwilioCalls/initiate-call", {"fromNumber": "+32 1", "toNumber": "+32470123456"}, format="json"
        ),
        400,
    )


def test_initiate_call_from_another_customers_number_is_not_found(
    twilio_customer, other_customer, rep_client, twilio_api
):
    ChannelFactory(customer=other_customer, channel_type="Phone", phone_number="+3225550111")
    call = {"fromNumber": "+3225550111", "toNumber": "+32470123456"}
    assert_problem(rep_client.post("/api/TwilioCalls/initiate-call", call, format="json"), 404, "ChannelNotFound")
    assert not twilio_api.calls and not PhoneCall.objects.exists()


def test_initiate_call_access_and_twilio_refusal(twilio_customer, anon_client, phone_client, rep_client, twilio_api):
    call = {"fromNumber": "+3225550100", "toNumber": "+32470123456"}
    assert_problem(anon_client.post("/api/TwilioCalls/initiate-call", call, format="json"), 401)
    assert_problem(phone_client.post("/api/TwilioCalls/initiate-call", call, format="json"), 403, "Forbidden")
    twilio_api.add(
        responses.POST,
        f"{TWILIO_API}/Calls.json",
        json={"code": 21215, "message": "Geo permission", "status": 400},
        status=400,
    )
    assert_problem(rep_client.post("/api/TwilioCalls/initiate-call", call, format="json"), 400, "TwilioRejected")
    assert not PhoneCall.objects.exists()


# --- call-status ----------------------------------------------------------------------------------------


def test_call_status_answers_the_child_leg_first_then_the_parent(twilio_customer, rep_client, twilio_api):
    PhoneCallFactory(customer=twilio_customer, call_sid=CALL_SID, status="queued")
    child = {"sid": "CA" + "f" * 32, "status": "busy", "duration": "0", "parent_call_sid": CALL_SID}
    listing = twilio_api.add(
        responses.GET, f"{TWILIO_API}/Calls.json", json={"calls": [child], "next_page_uri": None}, status=200
    )
    response = rep_client.get("/api/TwilioCalls/call-status", {"callSid": CALL_SID})
    assert response.json() == {"callSid": CALL_SID, "status": "busy", "duration": 0, "childCallSid": child["sid"]}
    assert f"ParentCallSid={CALL_SID}" in listing.calls[0].request.url
    twilio_api.replace(responses.GET, f"{TWILIO_API}/Calls.json", json={"calls": [], "next_page_uri": None})
    twilio_api.add(
        responses.GET,
        f"{TWILIO_API}/Calls/{CALL_SID}.json",
        json={"sid": CALL_SID, "status": "completed", "duration": "42"},
    )
    response = rep_client.get("/api/TwilioCalls/call-status", {"callSid": CALL_SID})
    assert response.json() == {"callSid": CALL_SID, "status": "completed", "duration": 42, "childCallSid": None}
    assert PhoneCall.objects.get(call_sid=CALL_SID).duration_seconds == 42


def test_call_status_validation_access_and_other_tenant(
    twilio_customer, other_twilio_customer, anon_client, phone_client, rep_client, twilio_api
):
    assert_problem(rep_client.get("/api/TwilioCalls/call-status"), 400)
    assert_problem(rep_client.get("/api/TwilioCalls/call-status", {"callSid": "nope"}), 400)
    assert_problem(anon_client.get("/api/TwilioCalls/call-status", {"callSid": CALL_SID}), 401)
    assert_problem(phone_client.get("/api/TwilioCalls/call-status", {"callSid": CALL_SID}), 403)
    PhoneCallFactory(customer=other_twilio_customer, call_sid=CALL_SID)
    assert_problem(rep_client.get("/api/TwilioCalls/call-status", {"callSid": CALL_SID}), 404, "NotFound")
    assert not twilio_api.calls
    assert OTHER_ACCOUNT_SID != ACCOUNT_SID


@pytest.mark.parametrize("raw", ["+32 2 555 01 00", "0032 2 555 01 00", "02 555 01 00"])
def test_numbers_are_normalised_to_e164(raw):
    assert phone_number_normalize(raw, field="fromNumber") == "+3225550100"


def test_an_impersonation_token_has_no_browser_phone(twilio_customer):
    operator = CustomerRep.objects.create_superuser("ops", "Ops-pass-123")
    token = token_issue(kind=TokenKind.IMPERSONATION, customer_id=twilio_customer.pk, operator_id=operator.pk)
    response = client_with_token(token).get("/api/TwilioCalls/voice-token")
    assert_problem(response, 400, "NoRepresentative")
    assert not VoiceAgent.objects.exists()
