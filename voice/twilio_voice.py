"""Twilio voice through the `twilio` library: access tokens (AccessToken + VoiceGrant), the REST client
for placing and inspecting calls, and TwiML (VoiceResponse). Request signatures and recording downloads
reuse messaging's Twilio helpers (one RequestValidator check for every Twilio callback)."""

from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from twilio.rest import Client

from answerpal.api.errors import ApiError, ServiceUnavailable, field_error
from messaging.whatsapp import TwilioAccount

CLIENT_PREFIX = "client:"


def twilio_account(customer) -> TwilioAccount:
    """The customer's Twilio account (else the platform's); 503 TwilioNotConfigured when neither is set."""
    account = TwilioAccount.of(customer)
    if not account.complete:
        raise ServiceUnavailable(
            "TwilioNotConfigured",
            "Twilio is not configured: set the customer's twilioAccountSID and twilioAuthToken "
            "(PUT /api/Customers/me) or TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN on the platform.",
        )
    return account


def rest_client(account: TwilioAccount, *, region: str = "", edge: str = "") -> Client:
    return Client(account.account_sid, account.auth_token, region=region or None, edge=edge or None)


def twilio_error(error: TwilioRestException) -> ApiError:
    """Twilio's refusal as a 502 (its 4xx about the request as a 400 the caller can fix)."""
    if error.status in (400, 404, 422):
        return ApiError(400, "TwilioRejected", f"Twilio refused the request ({error.code}): {error.msg}")
    return ApiError(502, "TwilioFailed", f"Twilio answered {error.status} ({error.code}).")


def phone_number_normalize(raw: str, *, field: str) -> str:
    """'+32 2 555 01 00', '0032 2 5550100' or a national number in VOICE_DEFAULT_REGION → '+3225550100'."""
    value = (raw or "").strip()
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, settings.VOICE_DEFAULT_REGION or None)
    except phonenumbers.NumberParseException as error:
        raise field_error(field, f"'{raw}' is not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise field_error(field, f"'{raw}' is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def client_identity(*, customer_id: int, rep_id: int) -> str:
    """The browser phone's Twilio identity: bound to the customer and the representative."""
    return f"c{customer_id}-r{rep_id}"


def identity_rep(identity: str) -> tuple[int, int] | None:
    """(customer_id, rep_id) from 'client:c1-r5' / 'c1-r5', else None."""
    value = identity.removeprefix(CLIENT_PREFIX)
    try:
        customer_part, rep_part = value.split("-", 1)
        if customer_part[0] == "c" and rep_part[0] == "r":
            return int(customer_part[1:]), int(rep_part[1:])
    except (ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class VoiceToken:
    token: str
    identity: str
    ttl: int


def voice_token_issue(
    account: TwilioAccount,
    *,
    identity: str,
    app_sid: str,
    key_sid: str,
    key_secret: str,
    region: str,
    ttl: int | None = None,
) -> VoiceToken:
    """A signed Voice access token: outgoing calls through `app_sid`, incoming calls to `identity`."""
    ttl = ttl or settings.TWILIO_VOICE_TOKEN_TTL_SECONDS
    token = AccessToken(
        account.account_sid,
        key_sid or account.account_sid,
        key_secret or account.auth_token,
        identity=identity,
        ttl=ttl,
        region=region or None,
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=app_sid or None, incoming_allow=True))
    return VoiceToken(token=token.to_jwt(), identity=identity, ttl=ttl)


def application_owned(client: Client, app_sid: str) -> bool:
    """Whether the TwiML application exists in the account (Twilio answers 404 for another account's)."""
    try:
        client.applications(app_sid).fetch()
    except TwilioRestException as error:
        if error.status == 404:
            return False
        raise twilio_error(error) from error
    return True


def call_place(client: Client, *, from_number: str, to_number: str, twiml_url: str, status_url: str) -> str:
    """Places an outbound PSTN call; Twilio fetches `twiml_url` when it is answered. Returns the CallSid."""
    try:
        call = client.calls.create(
            to=to_number,
            from_=from_number,
            url=twiml_url,
            method="POST",
            status_callback=status_url,
            status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
    except TwilioRestException as error:
        raise twilio_error(error) from error
    return call.sid


@dataclass(frozen=True)
class CallState:
    call_sid: str
    status: str
    duration: int | None
    child_call_sid: str | None


def call_state(client: Client, call_sid: str) -> CallState:
    """The final state of a call: the newest child leg (the dialled party) when there is one, else the call."""
    try:
        children = client.calls.list(parent_call_sid=call_sid, limit=20)
        if children:
            child = children[0]
            return CallState(call_sid, child.status, _int(child.duration), child.sid)
        call = client.calls(call_sid).fetch()
    except TwilioRestException as error:
        if error.status == 404:
            raise ApiError(404, "NotFound", "Twilio knows no call with this callSid.") from error
        raise twilio_error(error) from error
    return CallState(call_sid, call.status, _int(call.duration), None)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
