"""Phone flows without long-lived secrets: phone sign-in is an opt-in the Administrator sets on the channel (a device
secret); a phone number plus an Account SID obtain nothing; a phone token's my-secrets answers short-lived scoped
credentials (an OpenAI Realtime client secret minted per call, a Twilio Voice access token), each issue audited."""

import json

import httpx
import jwt
import pytest
import respx

from accounts.services import phone_login_secret_set
from answerpal.api.tokens import TokenKind, token_issue
from audit.models import ActorKind, AuditAction, AuditEntry
from customers.models import AIProvider, ModelPurpose
from tests.ai import respx_httpx2  # noqa: F401 - registers respx's "httpx2" mocker
from tests.ai.openai_fakes import BASE_URL
from tests.channels_cfg.factories import ChannelFactory
from tests.conftest import assert_problem, client_with_token
from tests.customers.factories import AIModelFactory
from tests.voice.factories import VoiceSettingsFactory

PHONE_LOGIN = "/api/Auth/phone-login"
SECRETS = "/api/Customers/my-secrets"
NUMBER = "+3225550100"
SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-long-lived"
OPENAI_KEY = "sk-tenant-long-lived-key"
pytestmark = pytest.mark.django_db


def secret_url(channel) -> str:
    return f"/api/Channels/{channel.pk}/phone-login-secret"


@pytest.fixture
def tenant(customer):
    customer.twilio_account_sid = SID
    customer.twilio_auth_token = AUTH_TOKEN
    customer.openai_api_key = OPENAI_KEY
    customer.openai_base_url = BASE_URL
    customer.default_realtime_model = AIModelFactory(
        customer=None, model_name="gpt-realtime-test", model_type=ModelPurpose.REALTIME, provider=AIProvider.OPENAI
    )
    customer.save()
    VoiceSettingsFactory(customer=customer)
    return customer


@pytest.fixture
def openai_mock():
    with respx.mock(using="httpx2", base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def _stable(response) -> dict:
    body = json.loads(response.content)
    body.pop("traceId")
    return body


def test_a_phone_number_and_an_account_sid_obtain_nothing(anon_client, tenant, phone_channel):
    """What an attacker who knows a channel's number and the Account SID (sent with every webhook) gets: a 401
    that is the same for a channel's number and for any other, and no token at all."""
    known = anon_client.post(PHONE_LOGIN, {"phoneNumber": NUMBER, "accountSid": SID}, format="json")
    unknown = anon_client.post(PHONE_LOGIN, {"phoneNumber": "+3225550999", "accountSid": SID}, format="json")
    body = assert_problem(known, 401, "DeviceSecretRequired")
    assert "token" not in body and _stable(known) == _stable(unknown)
    # Even once the channel opted in, the number and the SID alone still obtain nothing.
    phone_login_secret_set(channel=phone_channel, actor="test")
    again = anon_client.post(PHONE_LOGIN, {"phoneNumber": NUMBER, "accountSid": SID}, format="json")
    assert_problem(again, 401, "DeviceSecretRequired")
    guessed = {"phoneNumber": NUMBER, "accountSid": SID, "deviceSecret": SID}
    assert_problem(anon_client.post(PHONE_LOGIN, guessed, format="json"), 401, "InvalidCredentials")


def test_the_administrator_opts_a_channel_in_and_the_device_signs_in(anon_client, admin_client, tenant, phone_channel):
    response = admin_client.post(secret_url(phone_channel))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"channelID", "phoneNumber", "deviceSecret"} and len(body["deviceSecret"]) >= 40
    phone_channel.refresh_from_db()
    assert body["deviceSecret"] not in phone_channel.phone_login_secret_hash  # only its digest is kept
    login = anon_client.post(
        PHONE_LOGIN, {"phoneNumber": NUMBER, "accountSid": SID, "deviceSecret": body["deviceSecret"]}, format="json"
    )
    assert login.status_code == 200
    assert client_with_token(login.json()["token"]).get(SECRETS).status_code != 401
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor_id", "actor_kind", "object_id"))
    assert entries[:2] == [
        (AuditAction.PHONE_LOGIN_ENABLED, phone_channel.customer.reps.get().pk, ActorKind.REP, str(phone_channel.pk)),
        (AuditAction.PHONE_LOGIN_SUCCEEDED, None, ActorKind.PHONE, str(phone_channel.pk)),
    ]


def test_a_new_secret_or_opting_out_revokes_the_channels_phone_tokens(anon_client, admin_client, tenant, phone_channel):
    legacy = client_with_token(
        token_issue(kind=TokenKind.PHONE, customer_id=tenant.pk, channel_id=phone_channel.pk)
    )  # issued before the opt-in existed
    assert_problem(legacy.get(SECRETS), 403, "PhoneLoginNotEnabled")
    first = admin_client.post(secret_url(phone_channel)).json()["deviceSecret"]
    assert_problem(legacy.get(SECRETS), 401, "InvalidToken")
    body = {"phoneNumber": NUMBER, "accountSid": SID, "deviceSecret": first}
    device = client_with_token(anon_client.post(PHONE_LOGIN, body, format="json").json()["token"])
    second = admin_client.post(secret_url(phone_channel)).json()["deviceSecret"]
    assert_problem(device.get(SECRETS), 401, "InvalidToken")
    assert_problem(anon_client.post(PHONE_LOGIN, body, format="json"), 401, "InvalidCredentials")
    device = client_with_token(
        anon_client.post(PHONE_LOGIN, {**body, "deviceSecret": second}, format="json").json()["token"]
    )
    assert admin_client.delete(secret_url(phone_channel)).status_code == 204
    assert_problem(device.get(SECRETS), 401, "InvalidToken")
    assert_problem(anon_client.post(PHONE_LOGIN, {**body, "deviceSecret": second}, format="json"), 401)
    assert AuditEntry.objects.filter(action=AuditAction.PHONE_LOGIN_DISABLED).count() == 1


def test_opting_in_needs_manage_settings_and_a_phone_channel_of_ones_own(
    anon_client, rep_client, supervisor_client, admin_client, other_admin_client, tenant, phone_channel
):
    assert_problem(anon_client.post(secret_url(phone_channel)), 401)
    assert_problem(rep_client.post(secret_url(phone_channel)), 403, "Forbidden")
    assert_problem(supervisor_client.delete(secret_url(phone_channel)), 403, "Forbidden")
    assert_problem(other_admin_client.post(secret_url(phone_channel)), 404)
    chat = ChannelFactory(customer=tenant, channel_type="Chat")
    assert_problem(admin_client.post(secret_url(chat)), 400, "NotAPhoneChannel")
    assert not AuditEntry.objects.filter(action__startswith="PhoneLogin").exists()


def test_my_secrets_answers_short_lived_credentials_never_the_tenants_secrets(
    anon_client, tenant, phone_channel, openai_mock
):
    minted = openai_mock.post("/realtime/client_secrets").mock(
        return_value=httpx.Response(
            200,
            json={
                "value": "ek_test_ephemeral_123",
                "expires_at": 1_900_000_600,
                "session": {
                    "type": "realtime",
                    "model": "gpt-realtime-test",
                    "id": "sess_1",
                    "object": "realtime.session",
                },
            },
        )
    )
    secret = phone_login_secret_set(channel=phone_channel, actor="test")
    login = anon_client.post(
        PHONE_LOGIN, {"phoneNumber": NUMBER, "accountSid": SID, "deviceSecret": secret}, format="json"
    )
    phone = client_with_token(login.json()["token"])
    response = phone.get(SECRETS)
    assert response.status_code == 200, response.content
    body = response.json()
    text = response.content.decode()
    assert OPENAI_KEY not in text and AUTH_TOKEN not in text
    assert body["credentialKind"] == "ephemeral"
    assert body["openAIApiKey"] == "ek_test_ephemeral_123"
    assert body["openAIApiKeyExpiresAt"].startswith("2030-03-17") and body["realtimeModel"] == "gpt-realtime-test"
    sent = json.loads(minted.calls.last.request.content)
    assert minted.calls.last.request.headers["Authorization"] == f"Bearer {OPENAI_KEY}"  # server to OpenAI only
    assert sent["expires_after"] == {"anchor": "created_at", "seconds": 600}
    assert sent["session"]["model"] == "gpt-realtime-test" and sent["session"]["type"] == "realtime"
    claims = jwt.decode(body["twilioAuthToken"], options={"verify_signature": False})
    assert claims["iss"] == SID and claims["sub"] == SID and claims["exp"] - claims["nbf"] == 600
    assert claims["grants"]["identity"] == body["twilioIdentity"] == f"c{tenant.pk}-ch{phone_channel.pk}"
    assert "outgoing" not in claims["grants"]["voice"]  # a device receives calls; it places none
    assert body["twilioAccountSID"] == SID and body["twilioAuthTokenExpiresAt"]
    event = AuditEntry.objects.get(action=AuditAction.PHONE_CREDENTIALS_ISSUED)
    assert (event.customer_id, event.object_id, event.actor_kind) == (tenant.pk, str(phone_channel.pk), ActorKind.PHONE)
    assert event.detail["issued"] == ["openAIApiKey", "twilioAuthToken"] and event.request_id
    # Each call mints anew.
    assert phone.get(SECRETS).status_code == 200 and len(minted.calls) == 2


def test_my_secrets_without_providers_answers_nulls(anon_client, customer, phone_channel):
    customer.twilio_account_sid = SID
    customer.save()  # no auth token, no OpenAI key: nothing can be minted
    secret = phone_login_secret_set(channel=phone_channel, actor="test")
    login = anon_client.post(
        PHONE_LOGIN, {"phoneNumber": NUMBER, "accountSid": SID, "deviceSecret": secret}, format="json"
    )
    body = client_with_token(login.json()["token"]).get(SECRETS).json()
    assert body["openAIApiKey"] is None and body["twilioAuthToken"] is None and body["credentialKind"] == "ephemeral"
    assert AuditEntry.objects.get(action=AuditAction.PHONE_CREDENTIALS_ISSUED).detail["issued"] == []


def test_my_secrets_refuses_rep_and_impersonation_tokens(admin_client, rep_client, anon_client, customer):
    from accounts.models import CustomerRep
    from answerpal.api.policies import Role

    assert_problem(admin_client.get(SECRETS), 403, "Forbidden")
    assert_problem(rep_client.get(SECRETS), 403, "Forbidden")
    assert_problem(anon_client.get(SECRETS), 401)
    operator = CustomerRep.objects.create_superuser("operator", "Operator-pass-1")
    impersonation = token_issue(
        kind=TokenKind.IMPERSONATION, customer_id=customer.pk, role=Role.ADMINISTRATOR, operator_id=operator.pk
    )
    assert_problem(client_with_token(impersonation).get(SECRETS), 403, "Forbidden")
