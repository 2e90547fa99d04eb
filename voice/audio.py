"""What an audio file is: its type from the bytes (filetype) and its duration from its headers (mutagen).
Nothing here trusts a file name or a declared Content-Type."""

import io
from dataclasses import dataclass

import filetype
import mutagen

from answerpal.api.errors import ApiError

# Sniffed MIME type → (the accepted format, the extension given to providers and stored files).
ACCEPTED_AUDIO = {
    "audio/mpeg": ("mp3", "mp3"),
    "audio/x-wav": ("wav", "wav"),
    "audio/wav": ("wav", "wav"),
    "audio/mp4": ("m4a", "m4a"),
    "audio/m4a": ("m4a", "m4a"),
    "audio/x-m4a": ("m4a", "m4a"),
    "audio/ogg": ("ogg", "ogg"),
    "video/webm": ("webm", "webm"),
    "audio/webm": ("webm", "webm"),
}
WAV_HEADER_BYTES = 44
STORED_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "ogg": "audio/ogg", "webm": "audio/webm"}


@dataclass(frozen=True)
class AudioInfo:
    format: str  # mp3, wav, m4a, ogg, webm
    content_type: str
    duration_seconds: float | None  # None when the container does not say (webm)

    @property
    def extension(self) -> str:
        return self.format


def audio_inspect(content: bytes) -> AudioInfo:
    """The format and duration of `content`; 400 InvalidAudio for anything that is not mp3, wav, m4a,
    ogg or webm audio, or whose headers cannot be read."""
    kind = filetype.guess(content[:8192])
    accepted = ACCEPTED_AUDIO.get(kind.mime) if kind else None
    if accepted is None:
        found = kind.mime if kind else "unrecognised bytes"
        raise ApiError(400, "InvalidAudio", f"Expected mp3, wav, m4a, ogg or webm audio, got {found}.")
    audio_format = accepted[0]
    duration = None
    if audio_format != "webm":  # mutagen reads no Matroska/WebM headers
        try:
            parsed = mutagen.File(io.BytesIO(content))
        except mutagen.MutagenError as error:
            raise ApiError(400, "InvalidAudio", f"The {audio_format} audio is damaged: {error}.") from error
        if parsed is None or not getattr(parsed.info, "length", None):
            raise ApiError(400, "InvalidAudio", f"The {audio_format} audio has no readable length.")
        duration = round(float(parsed.info.length), 3)
        if audio_format == "wav" and len(content) < WAV_HEADER_BYTES + duration * parsed.info.bitrate / 8 * 0.99:
            raise ApiError(400, "InvalidAudio", "The wav audio is truncated: its header announces more samples.")
    return AudioInfo(format=audio_format, content_type=STORED_TYPES[audio_format], duration_seconds=duration)


def audio_header_check(content: bytes) -> None:
    """The first chunk of a call must start like audio (its container header); later chunks continue it."""
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ACCEPTED_AUDIO:
        raise ApiError(400, "InvalidAudio", "Chunk 0 must start with mp3, wav, m4a, ogg or webm audio.")
