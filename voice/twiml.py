"""TwiML documents answered to Twilio, built with the library's VoiceResponse (never by string templates)."""

from django.conf import settings
from django.urls import reverse
from twilio.twiml.voice_response import Connect, Dial, VoiceResponse

RECORD_DUAL = "record-from-answer-dual"


def public_url(name: str, *, query: str = "", **kwargs) -> str:
    """This deployment's public address of a named route (what Twilio calls and signs)."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)
    return f"{url}?{query}" if query else url


def recording_callback_url(rep_id: int, *, voicemail: bool = False) -> str:
    return public_url("voice-recording-callback", repID=rep_id, query="Voicemail=1" if voicemail else "")


def refusal(text: str) -> str:
    """Tells the caller why the call cannot go on, then hangs up."""
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def dial_number(*, caller_id: str, to_number: str, record: bool, rep_id: int) -> str:
    """A browser phone's outbound call: dial the number from the channel's caller id, recorded to our callback."""
    response = VoiceResponse()
    dial = _recorded_dial(caller_id=caller_id, record=record, rep_id=rep_id)
    dial.number(to_number)
    response.append(dial)
    return str(response)


def dial_client(*, identity: str, caller_id: str, record: bool, rep_id: int) -> str:
    """An API-placed call was answered: connect the callee to the representative's browser phone."""
    response = VoiceResponse()
    dial = _recorded_dial(caller_id=caller_id, record=record, rep_id=rep_id)
    dial.client(identity)
    response.append(dial)
    return str(response)


def _recorded_dial(*, caller_id: str, record: bool, rep_id: int, **options) -> Dial:
    if record:
        options.update(
            record=RECORD_DUAL,
            recording_status_callback=recording_callback_url(rep_id),
            recording_status_callback_method="POST",
            recording_status_callback_event="completed",
        )
    return Dial(caller_id=caller_id or None, **options)


def stream(*, stream_url: str, parameters: dict[str, str]) -> str:
    """Live translation: the call's media goes to the configured stream (<Connect><Stream>)."""
    response = VoiceResponse()
    connect = Connect()
    media = connect.stream(url=stream_url)
    for name, value in parameters.items():
        if value not in (None, ""):
            media.parameter(name=name, value=str(value))
    response.append(connect)
    return str(response)


def inbound(
    *, says: list[tuple[str, str]], identities: list[str], timeout: int, voicemail_prompt: str, max_seconds: int
) -> str:
    """An inbound call: the Say actions' sentences, then the available browser phones ring (recorded); when
    nobody answers (or nobody is online) the caller is asked to leave a voicemail, which is recorded."""
    response = VoiceResponse()
    for text, language in says:
        response.say(text, language=language or None)
    if identities:
        dial = _recorded_dial(
            caller_id="",
            record=True,
            rep_id=0,
            timeout=timeout,
            action=public_url("voice-twiml", query="Stage=dialed"),
            method="POST",
        )
        for identity in identities:
            # The leg a rep answers reports itself, so the ticket goes to that rep.
            dial.client(
                identity,
                status_callback=public_url("voice-status"),
                status_callback_event="answered",
                status_callback_method="POST",
            )
        response.append(dial)
        return str(response)
    return voicemail(prompt=voicemail_prompt, max_seconds=max_seconds, response=response)


def voicemail(*, prompt: str, max_seconds: int, response: VoiceResponse | None = None) -> str:
    response = response or VoiceResponse()
    response.say(prompt)
    response.record(
        max_length=max_seconds,
        play_beep=True,
        action=public_url("voice-twiml", query="Stage=done"),
        method="POST",
        recording_status_callback=recording_callback_url(0, voicemail=True),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    response.hangup()
    return str(response)
