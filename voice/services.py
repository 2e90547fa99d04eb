"""Writes of the voice app: voice tokens, outbound calls, the TwiML answers to Twilio, recordings and
uploaded call audio becoming phone tickets, transcription, realtime AI sessions.

Invariants:
* One PhoneCall per (customer, CallSid); one phone ticket, one message and one recording attachment per
  call. Twilio retries callbacks: a retried recording callback or a repeated chunk changes nothing.
* Every public Twilio request is verified with RequestValidator against the owning customer's auth
  token before anything is read or written (403 InvalidSignature otherwise).
* A call's message is created without MessageReceived; the transcript (or the reason there is none)
  is stored first, then MessageReceived starts the normal AI pipeline (language, topics, draft…).
* Transcription and realtime spend the AI phone budget (voice.selectors); a spent budget answers 402.

Decided here where the spec is silent: a call placed through initiate-call rings `toNumber` and, when
answered, connects it to the calling rep's browser phone; inbound calls ring the reps whose browser
phone holds a valid voice token; `Record` defaults to true; a callback for an unknown number, call or rep answers
403 InvalidSignature exactly like a known one with a bad signature (callbacks do not reveal which numbers are
channels)."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

import openai
import requests
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import CustomerRep
from ai import services as ai_services
from ai.providers import Purpose, resolve
from ai.providers.base import AIProviderError, AIProviderUnavailable
from ai.providers.local import LocalProvider
from ai.providers.openai_compatible import client_for
from ai.providers.openai_compatible import provider_error as openai_provider_error
from answerpal.api.errors import ApiError, Conflict, field_error
from answerpal.celery import enqueue_after_commit
from answerpal.events import Event, publish
from answerpal.outbound_guard import OutboundError, refused_problem
from audit.models import ActorKind, AuditAction
from audit.services import audit_record
from automation.models import ActionType, HookName
from automation.prompt_documents import prompt_documents_build
from automation.registry import ActionResult, ActionStatus
from automation.selectors import message_action_runs
from automation.services import hook_run_inline
from billing.models import CostProvider, StorageCategory
from billing.selectors import effective_limits, storage_status
from billing.services import cost_record, storage_usage_change, stored_files_release
from channels_cfg.models import ChannelType
from customers.models import AIProvider, Customer
from documents.models import Document
from documents.placeholders import placeholder_context, render_placeholders
from messaging.whatsapp import (
    MediaHostRefused,
    TwilioAccount,
    WhatsAppError,
    media_download,
    signature_refusal,
    signature_valid,
    twilio_api_host,
)
from tickets import services as ticket_services
from tickets.models import AIStepStatus, TicketMessage, UidType
from voice import selectors, twiml
from voice.audio import AudioInfo, audio_header_check, audio_inspect
from voice.models import (
    AudioChunk,
    CallDirection,
    CallSource,
    PhoneCall,
    RealtimeSession,
    TranscriptionStatus,
    VoiceAgent,
)
from voice.twilio_voice import (
    CLIENT_PREFIX,
    CallState,
    application_owned,
    call_place,
    call_state,
    client_identity,
    identity_rep,
    phone_number_normalize,
    rest_client,
    twilio_account,
    voice_token_issue,
)

logger = logging.getLogger(__name__)

_TRUE = {"true", "1", "yes", "on"}


# --- Twilio requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TwilioRequest:
    """A callback as Twilio sent it: form fields, the signed query, the URLs it may have signed."""

    params: dict
    query: dict
    urls: list[str]
    signature: str = ""

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        return default if value in (None, "") else str(value).strip().lower() in _TRUE


def twilio_request_verify(*, customer: Customer, request: TwilioRequest) -> TwilioAccount:
    """The customer's account, once the X-Twilio-Signature matches its auth token and the AccountSid is its
    own; 403 InvalidSignature otherwise (nothing has been read or written yet)."""
    account = TwilioAccount.of(customer)
    if not signature_valid(account, urls=request.urls, params=request.params, signature=request.signature):
        raise signature_refusal()
    if request.params.get("AccountSid", account.account_sid) != account.account_sid:
        raise signature_refusal()
    return account


def twilio_request_unattributed(request: TwilioRequest) -> ApiError:
    """A callback naming no number, call or rep we know: refused exactly like a bad signature (same answer, the
    time of a check), so callbacks do not tell which numbers are channels or which calls exist."""
    return signature_refusal(urls=request.urls, params=request.params, signature=request.signature)


# --- voice tokens and outbound calls ---------------------------------------------------------------


def voice_token_create(*, customer: Customer, rep: CustomerRep, app_sid_override: str = "") -> dict:
    """A Twilio Voice access token for the rep's browser phone (identity bound to rep and customer); the
    rep rings on inbound calls until the token expires. An override TwiML app must exist in the
    customer's Twilio account (404 TwimlAppNotFound otherwise)."""
    account = twilio_account(customer)
    voice_settings = selectors.voice_settings_for(customer_id=customer.pk)
    app_sid = voice_settings.twiml_app_sid
    if app_sid_override and app_sid_override != app_sid:
        if not application_owned(rest_client(account), app_sid_override):
            raise ApiError(404, "TwimlAppNotFound", "Your Twilio account has no TwiML app with this SID.")
        app_sid = app_sid_override
    if not app_sid:
        raise ApiError(
            503,
            "TwimlAppNotConfigured",
            "Set the TwiML App SID (AP…) in the customer's voice settings, pointing its Voice URL at "
            f"{twiml.public_url('voice-twiml')}.",
        )
    region = customer.twilio_region or settings.VOICE_REGION
    identity = client_identity(customer_id=customer.pk, rep_id=rep.pk)
    token = voice_token_issue(
        account,
        identity=identity,
        app_sid=app_sid,
        key_sid=voice_settings.api_key_sid,
        key_secret=voice_settings.api_key_secret,
        region=region,
    )
    VoiceAgent.objects.update_or_create(
        rep=rep,
        defaults={
            "customer_id": customer.pk,
            "identity": identity,
            "available_until": timezone.now() + timedelta(seconds=token.ttl),
        },
    )
    return {"token": token.token, "region": region, "edge": voice_settings.edge or settings.VOICE_EDGE}


def outbound_call_initiate(*, customer: Customer, rep: CustomerRep, from_number: str, to_number: str) -> PhoneCall:
    """Places a PSTN call from one of the customer's Phone channel numbers with its Twilio credentials; when
    the callee answers, our TwiML connects them to the rep's browser phone; status reports come back."""
    caller_id = phone_number_normalize(from_number, field="fromNumber")
    callee = phone_number_normalize(to_number, field="toNumber")
    channel = selectors.customer_phone_channel(customer_id=customer.pk, number=caller_id)
    if channel is None:
        raise ApiError(404, "ChannelNotFound", f"{caller_id} is not the number of one of your Phone channels.")
    account = twilio_account(customer)
    call_sid = call_place(
        rest_client(account),
        from_number=caller_id,
        to_number=callee,
        twiml_url=twiml.public_url("voice-twiml", query=urlencode({"RepID": rep.pk, "Leg": "callee"})),
        status_url=twiml.public_url("voice-status"),
    )
    return PhoneCall.objects.create(
        customer_id=customer.pk,
        call_sid=call_sid,
        direction=CallDirection.OUTBOUND,
        channel=channel,
        customer_rep=rep,
        from_number=caller_id,
        to_number=callee,
        status="queued",
    )


def call_status_refresh(*, customer: Customer, call_sid: str) -> CallState:
    """The call's final status from Twilio (child legs first, then the call itself), stored on the call;
    a CallSid that is not one of the customer's calls answers 404."""
    call = selectors.call_get(customer_id=customer.pk, call_sid=call_sid)
    if call is None:
        raise ApiError(404, "NotFound", "None of your calls has this callSid.")
    state = call_state(rest_client(twilio_account(customer)), call_sid)
    PhoneCall.objects.filter(pk=call.pk).update(
        status=state.status or call.status, duration_seconds=state.duration or call.duration_seconds
    )
    return state


CALL_ENDED_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")  # Twilio's final call states


def call_status_record(*, request: TwilioRequest) -> PhoneCall:
    """Twilio's status callback: the call's status and duration; for the leg a rep's browser phone answered
    (an inbound call's child leg) the call and its ticket go to that rep. 404 for a CallSid we never saw."""
    call = selectors.call_by_sid(call_sid=request.params.get("CallSid", ""))
    parent = None if call else selectors.call_by_sid(call_sid=request.params.get("ParentCallSid", ""))
    if call is None and parent is None:
        raise twilio_request_unattributed(request)
    twilio_request_verify(customer=(call or parent).customer, request=request)
    if parent is not None:
        return _call_answered(parent, answered_by=request.params.get("To", ""))
    duration = request.params.get("CallDuration")
    previous_status, call.status = call.status, (request.params.get("CallStatus") or call.status)[:32]
    call.duration_seconds = int(duration) if str(duration or "").isdigit() else call.duration_seconds
    PhoneCall.objects.filter(pk=call.pk).update(status=call.status, duration_seconds=call.duration_seconds)
    if call.status in CALL_ENDED_STATUSES and call.status != previous_status:
        publish(Event.CALL_ENDED, customer_id=call.customer_id, call_id=call.pk)
    return call


@transaction.atomic
def _call_answered(call: PhoneCall, *, answered_by: str) -> PhoneCall:
    identity = identity_rep(answered_by)
    rep = (
        CustomerRep.objects.filter(pk=identity[1], customer_id=call.customer_id, is_active=True).first()
        if identity and identity[0] == call.customer_id
        else None
    )
    if rep is None:
        return call
    PhoneCall.objects.filter(pk=call.pk).update(customer_rep=rep)
    call.customer_rep = rep
    if call.ticket is not None:
        ticket_services.ticket_assign(ticket=call.ticket, customer_rep_id=rep.pk)
    return call


# --- TwiML ----------------------------------------------------------------------------------------


def voice_twiml(*, request: TwilioRequest) -> str:
    """The TwiML for a Twilio voice request: a browser phone's outbound call (`<Dial>` recorded, or
    `<Connect><Stream>` when Translate), an answered API-placed call, an inbound call to a Phone channel
    (OnPhonePickup / OnPhonePickupSay hooks, ringing the available reps, then voicemail), or the end of a
    dial. Refusals (foreign number or rep, no hasPhone, storage full) are spoken and logged."""
    stage = request.query.get("Stage", "")
    if stage:
        return _dial_finished(request, stage)
    caller = request.params.get("From", "")
    if caller.startswith("client:") or request.query.get("RepID"):
        return _outbound_twiml(request)
    return _inbound_twiml(request)


def _refuse(customer_id: int | None, call_sid: str, reason: str, spoken: str) -> str:
    logger.warning("Voice call %s of customer %s refused: %s", call_sid, customer_id, reason)
    return twiml.refusal(spoken)


def _phone_allowed(customer: Customer, call_sid: str, *, record: bool) -> str | None:
    """A refusal TwiML when the plan has no phone or (for recorded calls) the storage is full; else None."""
    if not effective_limits(customer_id=customer.pk).features.get("hasPhone"):
        return _refuse(customer.pk, call_sid, "plan without hasPhone", "Phone calls are not part of this plan.")
    if record and storage_status(customer_id=customer.pk).is_over_limit:
        return _refuse(
            customer.pk, call_sid, "storage limit reached", "This call cannot be recorded: the storage is full."
        )
    return None


def _number_or_blank(raw: str) -> str:
    try:
        return phone_number_normalize(raw, field="number") if raw and not raw.startswith("client:") else ""
    except ApiError:
        return ""


def _outbound_twiml(request: TwilioRequest) -> str:
    params, call_sid = request.params, request.params.get("CallSid", "")
    caller = params.get("From", "")
    identity = identity_rep(caller)
    if caller.startswith(CLIENT_PREFIX) and identity is None:
        # A Voice SDK client that is not a representative (a phone device's token) places no calls, whatever
        # RepID it sends along.
        raise twilio_request_unattributed(request)
    rep_id = params.get("RepID") or request.query.get("RepID") or (identity[1] if identity else "")
    rep = CustomerRep.objects.filter(pk=int(rep_id)).first() if str(rep_id).isdigit() else None
    customer_id = identity[0] if identity else (rep.customer_id if rep else None)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        raise twilio_request_unattributed(request)
    twilio_request_verify(customer=customer, request=request)
    if rep is None or rep.customer_id != customer.pk or not rep.is_active or rep.deleted_at is not None:
        return _refuse(customer.pk, call_sid, f"rep {rep_id} is not ours", "This caller may not call for this company.")
    if identity and identity[1] != rep.pk:  # RepID is the browser's own parameter; the identity is Twilio's
        return _refuse(
            customer.pk, call_sid, f"rep {rep_id} is not the phone's", "This caller may not call as another."
        )
    callee_leg = request.query.get("Leg") == "callee"
    caller_id = _number_or_blank(params.get("FromNumber") or params.get("customFrom") or "")
    destination = _number_or_blank(params.get("customTo") or params.get("To") or "")
    if callee_leg:
        caller_id, destination = _number_or_blank(params.get("From", "")), _number_or_blank(params.get("To", ""))
    channel = selectors.customer_phone_channel(customer_id=customer.pk, number=caller_id)
    if channel is None:
        return _refuse(customer.pk, call_sid, f"caller id {caller_id!r} is foreign", "This number cannot be used.")
    if not destination:
        return _refuse(customer.pk, call_sid, "no destination number", "The number you dialled is not valid.")
    record = request.flag("Record", default=True)
    refusal = _phone_allowed(customer, call_sid, record=record)
    if refusal:
        return refusal
    _call_upsert(
        customer_id=customer.pk,
        call_sid=call_sid,
        defaults={
            "direction": CallDirection.OUTBOUND,
            "channel": channel,
            "customer_rep": rep,
            "from_number": caller_id,
            "to_number": destination,
            "status": (params.get("CallStatus") or "")[:32],
            "parent_call_sid": (params.get("ParentCallSid") or "")[:64],
        },
    )
    if request.flag("Translate"):
        stream_url = selectors.voice_settings_for(customer_id=customer.pk).phone_stream_url
        if not stream_url:
            return _refuse(customer.pk, call_sid, "no phone stream URL", "Live translation is not configured.")
        names = ("CallerLanguage", "CallerVoice", "ReceiverLanguage", "ReceiverVoice", "ForwardRawAudio")
        parameters = {name: params.get(name) for name in names}
        parameters.update(To=destination, FromNumber=caller_id, RepID=str(rep.pk), CallSid=call_sid)
        return twiml.stream(stream_url=stream_url, parameters=parameters)
    if callee_leg:
        identity_name = client_identity(customer_id=customer.pk, rep_id=rep.pk)
        return twiml.dial_client(identity=identity_name, caller_id=caller_id, record=record, rep_id=rep.pk)
    return twiml.dial_number(caller_id=caller_id, to_number=destination, record=record, rep_id=rep.pk)


def _inbound_twiml(request: TwilioRequest) -> str:
    params, call_sid = request.params, request.params.get("CallSid", "")
    channel = selectors.phone_channel_by_number(number=_number_or_blank(params.get("To", "")))
    if channel is None:
        raise twilio_request_unattributed(request)
    customer = channel.customer
    twilio_request_verify(customer=customer, request=request)
    refusal = _phone_allowed(customer, call_sid, record=True)
    if refusal:
        return refusal
    call = _call_upsert(
        customer_id=customer.pk,
        call_sid=call_sid,
        defaults={
            "direction": CallDirection.INBOUND,
            "channel": channel,
            "from_number": _number_or_blank(params.get("From", "")) or params.get("From", "")[:64],
            "to_number": channel.phone_number,
            "status": (params.get("CallStatus") or "")[:32],
            "parent_call_sid": (params.get("ParentCallSid") or "")[:64],
        },
    )
    message = call_conversation_ensure(call=call)
    hook_run_inline(customer_id=customer.pk, message_id=message.pk, hook_name=HookName.ON_PHONE_PICKUP)
    hook_run_inline(customer_id=customer.pk, message_id=message.pk, hook_name=HookName.ON_PHONE_PICKUP_SAY)
    says = [
        (run.result, run.action.say_language)
        for run in message_action_runs(message_id=message.pk)
        if run.trigger == HookName.ON_PHONE_PICKUP_SAY
        and run.action.action_type == ActionType.SAY
        and run.status == ActionStatus.SUCCEEDED
        and run.result
    ]
    voice_settings = selectors.voice_settings_for(customer_id=customer.pk)
    return twiml.inbound(
        says=says,
        identities=[agent.identity for agent in selectors.available_agents(customer_id=customer.pk)],
        timeout=voice_settings.ring_timeout_seconds,
        voicemail_prompt=voice_settings.voicemail_prompt,
        max_seconds=voice_settings.voicemail_max_seconds,
    )


def _dial_finished(request: TwilioRequest, stage: str) -> str:
    """After an inbound `<Dial>`: hang up when a rep answered, else record a voicemail; after the voicemail
    `<Record>`: hang up."""
    call = selectors.call_by_sid(call_sid=request.params.get("CallSid", ""))
    if call is None:
        raise twilio_request_unattributed(request)
    twilio_request_verify(customer=call.customer, request=request)
    if stage != "dialed" or request.params.get("DialCallStatus") in ("completed", "answered"):
        return twiml.hangup()
    voice_settings = selectors.voice_settings_for(customer_id=call.customer_id)
    return twiml.voicemail(prompt=voice_settings.voicemail_prompt, max_seconds=voice_settings.voicemail_max_seconds)


def _call_upsert(*, customer_id: int, call_sid: str, defaults: dict) -> PhoneCall:
    """The call row of this CallSid, created on first sight (race-safe); an existing row keeps its values
    except a newer status."""
    if not call_sid:
        raise field_error("CallSid", "Twilio requests carry a CallSid.")
    try:
        with transaction.atomic():
            call, created = PhoneCall.objects.get_or_create(
                customer_id=customer_id, call_sid=call_sid, defaults=defaults
            )
    except IntegrityError:
        call, created = PhoneCall.objects.get(customer_id=customer_id, call_sid=call_sid), False
    if not created and defaults.get("status") and defaults["status"] != call.status:
        call.status = defaults["status"]
        PhoneCall.objects.filter(pk=call.pk).update(status=call.status)
    return call


def say_handler(*, context) -> ActionResult:
    """The Say action: its text with `{{…}}` placeholders filled from the call's message; the voice app
    turns the recorded result into `<Say language=…>` when a call is picked up."""
    values = placeholder_context(customer_id=context.customer_id, message_id=context.message_id)
    text = render_placeholders(context.action.say_text or "", values).strip()
    if not text:
        return ActionResult(message="", status=ActionStatus.SKIPPED)
    return ActionResult(message=text[:1000])


# --- phone tickets --------------------------------------------------------------------------------


@transaction.atomic
def call_conversation_ensure(*, call: PhoneCall):
    """The call's phone ticket and message, created once (the row is locked while checking); the
    message waits for its transcript before MessageReceived is published."""
    call = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if call.message_id is not None:
        return TicketMessage.objects.get(pk=call.message_id)
    inbound = call.direction == CallDirection.INBOUND
    party = call.from_number if inbound else call.to_number
    uid = party if party.startswith("+") else ""
    subject = f"{'Call from' if inbound else 'Call to'} {party or 'unknown number'}"
    ticket = ticket_services.ticket_create(
        customer_id=call.customer_id,
        channel_type=ChannelType.PHONE,
        channel_id=call.channel_id,
        subject=subject,
        uid=ticket_services.uid_normalize(uid_type=UidType.PHONE, uid=uid) if uid else "",
        customer_rep_id=call.customer_rep_id,
        preview=subject,
        twilio_call_sid=call.call_sid,
    )
    pending = AIStepStatus.PENDING  # the sweeper leaves the message alone until its transcript is there
    message = ticket_services.message_create(
        customer_id=call.customer_id,
        ticket=ticket,
        channel_id=call.channel_id,
        channel_type=ChannelType.PHONE,
        incoming=True,
        uid=uid,
        uid_type=UidType.PHONE,
        fields={
            "subject": subject,
            "from_number": call.from_number,
            "to_number": call.to_number,
            "twilio_call_sid": call.call_sid,
            "ai_spam_status": pending,
            "ai_topics_status": pending,
            "ai_reply_status": pending,
        },
        announce=False,
    )
    call.ticket, call.message = ticket, message
    PhoneCall.objects.filter(pk=call.pk).update(ticket=ticket, message=message)
    return message


def _recording_download(account: TwilioAccount, url: str) -> bytes:
    """The recording as MP3 (Twilio serves `<RecordingUrl>.mp3`), with the account's credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or not twilio_api_host(host):
        # The customer's credentials go with the download: only ever to Twilio.
        raise field_error("RecordingUrl", "Recording URLs are https URLs on twilio.com.")
    mp3_url = url if url.rsplit("/", 1)[-1].count(".") else f"{url}.mp3"
    try:
        content, _ = media_download(account, mp3_url, settings.VOICE_RECORDING_MAX_BYTES)
    except OutboundError as error:  # twilio.com resolving to an internal address
        raise refused_problem(field="RecordingUrl") from error
    except MediaHostRefused as error:
        raise ApiError(502, "RecordingDownloadFailed", str(error)) from error
    except WhatsAppError as error:
        raise ApiError(413, "RecordingTooLarge", str(error)) from error
    except requests.RequestException as error:
        raise ApiError(502, "RecordingDownloadFailed", f"Twilio did not deliver the recording: {error}") from error
    return content


def _recording_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return parse_datetime(value)


def recording_callback_handle(*, rep_id: int, request: TwilioRequest) -> PhoneCall | None:
    """Twilio's recording callback: verify it, download the recording with the customer's credentials and
    store it on the call's phone ticket (created when missing). A retried callback finds the recording
    stored and changes nothing."""
    params = request.params
    call_sid = params.get("CallSid", "")
    call = selectors.call_by_sid(call_sid=call_sid)
    rep = CustomerRep.objects.filter(pk=rep_id).first() if rep_id else None
    customer = call.customer if call else (rep.customer if rep else None)
    if customer is None:
        raise twilio_request_unattributed(request)
    account = twilio_request_verify(customer=customer, request=request)
    if rep_id and (rep is None or rep.customer_id != customer.pk):
        raise ApiError(404, "NotFound", "No representative of this customer has this id.")
    if params.get("RecordingStatus", "completed") != "completed":
        return call  # an absent or failed recording: nothing to store
    if call is not None and call.recording_id:
        return call
    content = _recording_download(account, params.get("RecordingUrl", ""))
    info = audio_inspect(content)
    duration = params.get("RecordingDuration")
    return call_recording_store(
        customer_id=customer.pk,
        call_sid=call_sid,
        content=content,
        info=info,
        defaults={"customer_rep": rep, "direction": CallDirection.INBOUND if rep is None else CallDirection.OUTBOUND},
        fields={
            "recording_sid": params.get("RecordingSid", "")[:64],
            "recording_started_at": _recording_time(params.get("RecordingStartTime", "")),
            "duration_seconds": int(duration) if str(duration or "").isdigit() else None,
            "is_voicemail": request.query.get("Voicemail") == "1",
            "status": "completed",
        },
    )


@transaction.atomic
def call_recording_store(
    *, customer_id: int, call_sid: str, content: bytes, info: AudioInfo, defaults: dict, fields: dict
) -> PhoneCall:
    """Stores the call's audio once: the ticket and message when missing, the recording as the message's
    attachment (storage API, billed storage), and queues the transcription after commit."""
    call = _call_upsert(customer_id=customer_id, call_sid=call_sid, defaults=defaults)
    call = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if call.recording_id:
        return call
    message = call_conversation_ensure(call=call)
    attachment = ticket_services.attachment_store(
        message=message,
        content=content,
        file_name=f"call-{call_sid}.{info.extension}",
        content_type=info.content_type,
        is_end_user_provided=True,
    )
    if fields.get("duration_seconds") is None and info.duration_seconds is not None:
        fields["duration_seconds"] = round(info.duration_seconds)
    for name, value in {**fields, "recording": attachment, "transcription_status": TranscriptionStatus.PENDING}.items():
        setattr(call, name, value)
    call.ticket_id, call.message_id = message.ticket_id, message.pk
    call.save()
    from voice.tasks import call_transcribe_task  # voice.tasks imports this module

    enqueue_after_commit(call_transcribe_task, call.pk)
    return call


# --- uploaded call audio -----------------------------------------------------------------------------


@dataclass
class ChunkUpload:
    call: PhoneCall
    chunk_index: int
    received: list[int] = field(default_factory=list)
    finalized: bool = False
    created: bool = False


def _chunk_call(*, customer_id: int, channel, call_sid: str, rep_id: int | None, numbers: dict) -> PhoneCall:
    call = _call_upsert(
        customer_id=customer_id,
        call_sid=call_sid,
        defaults={
            "source": CallSource.CHUNKS,
            "channel": channel,
            "customer_rep_id": rep_id,
            "direction": numbers["direction"],
            "from_number": _number_or_blank(numbers["from_number"]) or numbers["from_number"][:64],
            "to_number": _number_or_blank(numbers["to_number"]) or numbers["to_number"][:64],
        },
    )
    call = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if call.source != CallSource.CHUNKS:
        raise Conflict("CallNotChunked", "This callSid is a Twilio call; its audio comes from Twilio.")
    if call.channel_id != channel.pk:
        raise Conflict("CallChannelMismatch", "This callSid belongs to another channel.")
    return call


def _chunk_content(chunk: AudioChunk) -> bytes:
    with chunk.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def audio_chunk_upload(
    *,
    customer_id: int,
    channel,
    call_sid: str,
    chunk_index: int,
    upload: File,
    is_final: bool,
    rep_id: int | None,
    numbers: dict,
) -> ChunkUpload:
    """Stores one chunk of a call (idempotent per index: the same bytes again change nothing, other bytes
    409 ChunkConflict). The final chunk joins chunks 0…final in order and stores the call's audio on its
    phone ticket, then deletes the chunks; a gap, a chunk past the final index, bad or oversize audio
    answer 400/413 before anything of the request is stored."""
    if not upload.size:
        raise field_error("chunk", "The chunk is empty.")
    if upload.size > settings.VOICE_CHUNK_MAX_BYTES:
        raise ApiError(413, "ChunkTooLarge", f"A chunk may be at most {settings.VOICE_CHUNK_MAX_BYTES} bytes.")
    content = upload.read()
    call = _chunk_call(customer_id=customer_id, channel=channel, call_sid=call_sid, rep_id=rep_id, numbers=numbers)
    chunks = {chunk.index: chunk for chunk in selectors.call_chunks(call=call)}
    digest = hashlib.sha256(content).hexdigest()
    if call.recording_id:
        if is_final:
            return ChunkUpload(call=call, chunk_index=chunk_index, finalized=True)
        raise Conflict("CallAlreadyFinalized", "This call's audio is already complete; start a new callSid.")
    existing = chunks.get(chunk_index)
    if existing is not None and existing.sha256 != digest:
        raise Conflict("ChunkConflict", f"Chunk {chunk_index} was already uploaded with other bytes.")
    if chunk_index == 0 and existing is None:
        audio_header_check(content)
    received = sorted({*chunks, chunk_index})
    if existing is None and sum(c.size for c in chunks.values()) + len(content) > settings.VOICE_CALL_MAX_BYTES:
        raise ApiError(413, "CallTooLarge", f"A call's audio may be at most {settings.VOICE_CALL_MAX_BYTES} bytes.")
    if not is_final:
        if existing is None:
            _chunk_store(call, chunk_index, content, digest)
        return ChunkUpload(call=call, chunk_index=chunk_index, received=received, created=existing is None)
    late = [index for index in received if index > chunk_index]
    if late:
        raise field_error("chunkIndex", f"Chunks {late} lie past the final chunk {chunk_index}.", code="ChunkOrder")
    missing = sorted(set(range(chunk_index + 1)) - set(received))
    if missing:
        raise field_error("chunkIndex", f"Chunks {missing} are missing; upload them first.", code="ChunksMissing")
    parts = [content if index == chunk_index else _chunk_content(chunks[index]) for index in received]
    joined = b"".join(parts)
    info = audio_inspect(joined)
    stored = call_recording_store(
        customer_id=customer_id,
        call_sid=call_sid,
        content=joined,
        info=info,
        defaults={},
        fields={"status": "completed"},
    )
    _chunks_delete(customer_id, list(chunks.values()))
    return ChunkUpload(call=stored, chunk_index=chunk_index, received=received, finalized=True, created=True)


def _chunk_store(call: PhoneCall, index: int, content: bytes, digest: str) -> AudioChunk:
    chunk = AudioChunk(customer_id=call.customer_id, call=call, index=index, size=len(content), sha256=digest)
    chunk.file.save(chunk.upload_key.hex, ContentFile(content), save=False)
    try:
        chunk.save()
        storage_usage_change(
            customer_id=call.customer_id, delta_bytes=len(content), category=StorageCategory.RECORDINGS
        )
    except Exception:
        chunk.file.storage.delete(chunk.file.name)
        raise
    return chunk


def _chunks_delete(customer_id: int, chunks: list[AudioChunk]) -> None:
    """Deletes joined chunks (files after commit) and releases their billed bytes."""
    if not chunks:
        return
    AudioChunk.objects.filter(pk__in=[chunk.pk for chunk in chunks]).delete()
    stored_files_release(
        customer_id=customer_id,
        category=StorageCategory.RECORDINGS,
        files=[chunk.file for chunk in chunks],
        freed_bytes=sum(chunk.size for chunk in chunks),
    )


# --- transcription --------------------------------------------------------------------------------


def phone_ai_budget_require(*, customer_id: int) -> None:
    """402 when the AI phone budget of this month is spent or the plan includes none."""
    budget = selectors.phone_ai_budget(customer_id=customer_id)
    if budget.limit_eur is None:
        raise ApiError(
            402, "AIPhoneBudgetNotIncluded", "Your plan includes no AI phone budget; ask for aiPhoneBudgetEur."
        )
    if budget.exhausted:
        raise ApiError(
            402,
            "AIPhoneBudgetExhausted",
            f"This month's AI phone budget of {budget.limit_eur} EUR is spent ({budget.spent_eur} EUR); "
            "it renews on the 1st (UTC) or when the plan's budget is raised.",
        )


def transcription_provider_require(*, customer: Customer) -> None:
    """503 AIProviderUnavailable unless an OpenAI-compatible transcribe model serves the customer: the
    offline provider has no speech model (none runs here without downloading weights)."""
    if resolve(customer, Purpose.TRANSCRIBE).provider_name == "local":
        raise AIProviderUnavailable(
            "Transcription needs an OpenAI-compatible model: set the customer's openAIApiKey and "
            "defaultTranscribeModelId (or OPENAI_API_KEY and AI_PROVIDER=openai on the platform)."
        )


def _language_of(text: str) -> str:
    return LocalProvider().detect_language(model="local", text=text).value or ""


def file_transcribe(*, customer: Customer, upload: File) -> dict:
    """Transcribes an uploaded audio file with the customer's transcribe model (one cost row);
    answers text, language (detected offline from the text) and duration in seconds."""
    if upload.size > settings.VOICE_TRANSCRIPTION_MAX_BYTES:
        raise ApiError(
            413, "FileTooLarge", f"Audio files may be at most {settings.VOICE_TRANSCRIPTION_MAX_BYTES} bytes."
        )
    content = upload.read()
    info = audio_inspect(content)
    transcription_provider_require(customer=customer)
    phone_ai_budget_require(customer_id=customer.pk)
    text = ai_services.audio_transcribe(customer=customer, audio=content, filename=f"audio.{info.extension}")
    return {"text": text, "language": _language_of(text), "duration": info.duration_seconds}


def _call_finish(call: PhoneCall, status: str, *, error: str = "", text: str = "") -> None:
    """Stores the transcription outcome; the transcript becomes the message text; then MessageReceived
    starts the AI pipeline (a message that already had one is not run again)."""
    with transaction.atomic():
        changes = {"transcription_status": status, "transcription_error": error[:500], "transcribed_at": timezone.now()}
        if status == TranscriptionStatus.COMPLETED:
            changes.update(transcript=text, transcript_language=_language_of(text))
            ticket_services.message_update(message=call.message, changes={"message": text, "text_body": text})
            preview = " ".join(text.split())[: ticket_services.PREVIEW_LENGTH]
            ticket_services.ticket_update(ticket=call.ticket, changes={"preview": preview or call.ticket.preview})
        PhoneCall.objects.filter(pk=call.pk).update(**changes)
        publish(Event.MESSAGE_RECEIVED, message_id=call.message_id, customer_id=call.customer_id)


def call_transcribe(*, call_id: int, force: bool = False, final_attempt: bool = True) -> str | None:
    """Transcribes a call's stored audio on the `voice` queue (idempotent: a finished transcript is kept
    unless `force`); retryable provider errors are raised for the task to retry unless `final_attempt`.
    After the transcript the ticket is summarized. Returns the new transcription status, None when there
    is nothing to do."""
    call = PhoneCall.objects.select_related("customer", "recording", "message", "ticket").filter(pk=call_id).first()
    if call is None or call.recording is None or call.message is None:
        return None
    if call.transcription_status == TranscriptionStatus.COMPLETED and not force:
        return None
    try:
        transcription_provider_require(customer=call.customer)
        phone_ai_budget_require(customer_id=call.customer_id)
    except AIProviderUnavailable as error:
        _call_finish(call, TranscriptionStatus.UNAVAILABLE, error=str(error.detail))
        return TranscriptionStatus.UNAVAILABLE
    except ApiError as error:
        _call_finish(call, TranscriptionStatus.BUDGET_EXHAUSTED, error=str(error.detail))
        return TranscriptionStatus.BUDGET_EXHAUSTED
    with call.recording.file.open("rb") as handle:
        audio = handle.read()
    try:
        text = ai_services.audio_transcribe(
            customer=call.customer, audio=audio, filename=call.recording.file_name, message_id=call.message_id
        )
    except AIProviderError as error:
        if error.retryable and not final_attempt:
            raise
        _call_finish(call, TranscriptionStatus.FAILED, error=f"{error.code}: {error.detail}")
        return TranscriptionStatus.FAILED
    _call_finish(call, TranscriptionStatus.COMPLETED, text=text)
    try:
        ai_services.ticket_summarize(ticket=call.ticket)
    except (AIProviderError, AIProviderUnavailable) as error:
        logger.info("Summary of call ticket %s skipped: %s", call.ticket_id, error.code)
    return TranscriptionStatus.COMPLETED


# --- realtime AI calls ----------------------------------------------------------------------------


def realtime_instructions(*, customer_id: int, channel_id: int | None) -> str:
    """The session's instructions: the documents flagged includeInRealtimeInstructions, then the channel's
    prompt documents (every-topic links on the channel), each once."""
    flagged = Document.objects.filter(
        customer_id=customer_id, include_in_realtime_instructions=True, is_function_tool=False
    ).order_by("name", "id")
    values = placeholder_context(customer_id=customer_id)
    parts, seen = [], set()
    for document in flagged:
        seen.add(document.pk)
        parts.append(render_placeholders(document.content, values))
    for document in prompt_documents_build(
        customer_id=customer_id, channel_id=channel_id, hook_name=None, message=None, static_only=True, topic_ids=[]
    ):
        if document["documentID"] not in seen:
            seen.add(document["documentID"])
            parts.append(document["content"])
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def realtime_tools(*, customer_id: int) -> list[dict]:
    """The tenant's function-tool documents as realtime function tools."""
    return [
        {
            "type": "function",
            "name": ai_services.tool_name(document),
            "description": (document.description or document.name)[:1024],
            "parameters": document.function_parameters_schema or {"type": "object", "properties": {}},
        }
        for document in Document.objects.filter(customer_id=customer_id, is_function_tool=True).order_by("name", "id")
    ]


@dataclass(frozen=True)
class RealtimeEndpoint:
    client: object  # openai.OpenAI
    model_name: str
    ai_model: object | None


def _realtime_endpoint(customer: Customer) -> RealtimeEndpoint:
    """The OpenAI client and model of the customer's realtime slot; 503 AIProviderUnavailable offline."""
    model = customer.default_realtime_model
    api_key = customer.openai_api_key or settings.OPENAI_API_KEY
    base_url = customer.openai_base_url or settings.OPENAI_BASE_URL
    if (model is not None and model.provider == AIProvider.LOCAL) or not (api_key or base_url):
        raise AIProviderUnavailable(
            "Realtime calls need the OpenAI Realtime API: set the customer's openAIApiKey and "
            "defaultRealtimeModelId (or OPENAI_API_KEY on the platform)."
        )
    return RealtimeEndpoint(
        client=client_for(api_key, base_url),
        model_name=model.model_name if model else settings.VOICE_REALTIME_MODEL,
        ai_model=model,
    )


def realtime_call_create(*, customer: Customer, rep_id: int | None, channel, sdp: str) -> tuple[str, RealtimeSession]:
    """Hands the browser's SDP offer to the OpenAI Realtime API (the tenant's key and realtime model, the
    instructions and tools above) and returns the SDP answer; the session is recorded for its minutes."""
    endpoint = _realtime_endpoint(customer)
    phone_ai_budget_require(customer_id=customer.pk)
    session = {
        "type": "realtime",
        "model": endpoint.model_name,
        "instructions": realtime_instructions(customer_id=customer.pk, channel_id=channel.pk if channel else None),
        "tools": realtime_tools(customer_id=customer.pk),
        "audio": {"output": {"voice": settings.VOICE_REALTIME_VOICE}},
    }
    try:
        answer = endpoint.client.realtime.calls.create(sdp=sdp, session=session)
    except openai.OpenAIError as error:
        raise openai_provider_error(error) from error
    location = answer.response.headers.get("location", "")
    realtime_session = RealtimeSession.objects.create(
        customer_id=customer.pk,
        customer_rep_id=rep_id,
        channel=channel,
        call_id=location.rstrip("/").rsplit("/", 1)[-1][:128] if location else "",
        model_name=endpoint.model_name,
    )
    return answer.text, realtime_session


def realtime_call_end(*, customer: Customer, realtime_session: RealtimeSession) -> RealtimeSession:
    """Ends the realtime session once: its minutes go to the cost ledger in one short transaction, then the call
    is hung up at OpenAI outside it (no row lock is held while OpenAI answers; a failed hang-up is logged, as
    OpenAI ends an idle call itself)."""
    endpoint = _realtime_endpoint(customer)
    with transaction.atomic():
        realtime_session = RealtimeSession.objects.select_for_update().get(pk=realtime_session.pk)
        if realtime_session.ended_at is not None:
            return realtime_session
        realtime_session.ended_at = timezone.now()
        realtime_session.seconds = max(
            int((realtime_session.ended_at - realtime_session.started_at).total_seconds()), 0
        )
        realtime_session.save(update_fields=["ended_at", "seconds"])
        cost_record(
            customer_id=customer.pk,
            provider=CostProvider.OPENAI,
            model=endpoint.ai_model or realtime_session.model_name,
            purpose=selectors.REALTIME_PURPOSE,
            seconds=realtime_session.seconds,
        )
    if realtime_session.call_id:
        try:
            endpoint.client.realtime.calls.hangup(realtime_session.call_id)
        except openai.NotFoundError:
            pass  # the call had already ended at OpenAI
        except openai.OpenAIError as error:
            logger.warning("Realtime call %s: hang-up at OpenAI failed: %s", realtime_session.call_id, error)
    return realtime_session


# --- short-lived credentials for phone-channel devices (GET /api/Customers/my-secrets) -----------------


def _phone_channel_opted_in(*, customer_id: int, channel_id: int):
    channel = (
        selectors.phone_channels()
        .filter(customer_id=customer_id, pk=channel_id)
        .exclude(phone_login_secret_hash="")
        .first()
    )
    if channel is None:
        raise ApiError(
            403,
            "PhoneLoginNotEnabled",
            "This channel has not opted in to phone sign-in, so its phone tokens get no credentials: an Administrator "
            "sets a device secret on the channel (POST /api/Channels/{id}/phone-login-secret) and the device signs in "
            "again with it (POST /api/Auth/phone-login with deviceSecret).",
        )
    return channel


def _realtime_client_secret(customer: Customer, channel, ttl: int) -> tuple[str, datetime, str] | None:
    """An OpenAI Realtime client secret bound to the tenant's realtime session (model, instructions, tools), or None
    when the customer has no OpenAI realtime endpoint."""
    try:
        endpoint = _realtime_endpoint(customer)
    except AIProviderUnavailable:
        return None
    phone_ai_budget_require(customer_id=customer.pk)
    session = {
        "type": "realtime",
        "model": endpoint.model_name,
        "instructions": realtime_instructions(customer_id=customer.pk, channel_id=channel.pk),
        "tools": realtime_tools(customer_id=customer.pk),
        "audio": {"output": {"voice": settings.VOICE_REALTIME_VOICE}},
    }
    try:
        secret = endpoint.client.realtime.client_secrets.create(
            expires_after={"anchor": "created_at", "seconds": min(max(ttl, 10), 7200)}, session=session
        )
    except openai.OpenAIError as error:
        raise openai_provider_error(error) from error
    expires_at = datetime.fromtimestamp(secret.expires_at, tz=UTC)
    return secret.value, expires_at, endpoint.model_name


def phone_credentials_issue(*, customer_id: int, channel_id: int) -> dict:
    """What a phone channel's device gets instead of the tenant's secrets, minted per call and valid for
    PHONE_CREDENTIALS_TTL_SECONDS: an OpenAI Realtime client secret (ek_…, usable only to open realtime sessions)
    and a Twilio Voice access token (a JWT for the Voice SDK, identity bound to the channel). The OpenAI API key and
    the Twilio auth token never leave the server. 403 PhoneLoginNotEnabled unless the channel opted in. Each issue
    is logged and audited (PhoneCredentialsIssued)."""
    channel = _phone_channel_opted_in(customer_id=customer_id, channel_id=channel_id)
    customer = selectors.voice_customer(customer_id=customer_id)
    ttl = settings.PHONE_CREDENTIALS_TTL_SECONDS
    credentials = dict.fromkeys(
        (
            "openAIApiKey",
            "openAIApiKeyExpiresAt",
            "realtimeModel",
            "twilioAccountSID",
            "twilioAuthToken",
            "twilioAuthTokenExpiresAt",
            "twilioIdentity",
        )
    )
    credentials["credentialKind"] = "ephemeral"
    credentials["twilioRegion"] = customer.twilio_region or settings.VOICE_REGION
    realtime = _realtime_client_secret(customer, channel, ttl)
    if realtime is not None:
        credentials["openAIApiKey"], credentials["openAIApiKeyExpiresAt"], credentials["realtimeModel"] = realtime
    account = TwilioAccount.of(customer)
    if account.complete:
        voice_settings = selectors.voice_settings_for(customer_id=customer.pk)
        identity = f"c{customer.pk}-ch{channel.pk}"
        token = voice_token_issue(
            account,
            identity=identity,
            app_sid="",  # receives calls only: a device is no representative, so it places none
            key_sid=voice_settings.api_key_sid,
            key_secret=voice_settings.api_key_secret,
            region=credentials["twilioRegion"],
            ttl=ttl,
        )
        credentials.update(
            twilioAccountSID=account.account_sid,
            twilioAuthToken=token.token,
            twilioAuthTokenExpiresAt=timezone.now() + timedelta(seconds=token.ttl),
            twilioIdentity=identity,
        )
    issued = [name for name in ("openAIApiKey", "twilioAuthToken") if credentials[name]]
    audit_record(
        customer_id=customer.pk,
        action=AuditAction.PHONE_CREDENTIALS_ISSUED,
        actor_kind=ActorKind.PHONE,
        object_type="Channel",
        object_id=channel.pk,
        detail={"channelID": channel.pk, "phoneNumber": channel.phone_number, "issued": issued, "ttlSeconds": ttl},
    )
    logger.info("Phone channel %s of customer %s: short-lived %s issued", channel.pk, customer.pk, issued or "nothing")
    return credentials
