"""Audio in and out: files to upload (format and size checked) and the rules for speech.

`read_audio()` takes a path, bytes, a binary file object or an `IPython.display.Audio`
and returns an `AudioFile` whose format is known (from the file name, else from the
first bytes) and one of those the API transcribes, and which is under 25 MB. The speech
rules (text length, voices per model, formats, speed) are checked by `check_speech()`.
"""

from __future__ import annotations

import io
import os
import re
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._core import arguments
from .._core.arguments import type_error
from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = [
    "AUDIO_FORMATS",
    "MAX_AUDIO_BYTES",
    "SPEECH_FORMATS",
    "SPEECH_VOICES",
    "AudioFile",
    "check_speech",
    "check_transcription",
    "read_audio",
    "sniff_audio",
    "speech_voices",
    "wav_seconds",
]

AUDIO_FORMATS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
MAX_AUDIO_BYTES = 25 * 1024 * 1024
_MB = 1024 * 1024

_AUDIO_MIME = {
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "mp4": "audio/mp4",
    "mpeg": "audio/mpeg",
    "mpga": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "webm": "audio/webm",
}
_MIME_FORMAT = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
}

# Response formats per transcription model family; models not listed take any of them.
TRANSCRIPTION_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
_JSON_TEXT_ONLY = re.compile(r"^gpt-4o(-mini)?-transcribe")
# Transcription models that cannot stream (OpenAI's gpt-4o ones can; other servers' models may).
_NO_STREAM = re.compile(r"^whisper-1$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# Text to speech.
MAX_SPEECH_CHARS = 4096
SPEECH_FORMATS = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/L16",
}
SPEECH_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "onyx",
    "nova",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
# tts-1 and tts-1-hd speak in fewer voices and take no instructions.
_TTS1_VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
_TTS1 = re.compile(r"^tts-1(-hd)?(-\d|$)")
# Voices are checked for OpenAI's speech models; other servers' models have their own voices.
_OPENAI_TTS = re.compile(r"^(tts-1|gpt-4o(-mini)?-tts)")


# -- files in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioFile:
    """An audio file ready to upload."""

    filename: str
    content: bytes
    format: str

    @property
    def mime(self) -> str:
        return _AUDIO_MIME.get(self.format, "application/octet-stream")

    def part(self) -> tuple[str, bytes, str]:
        return (self.filename, self.content, self.mime)


def wav_seconds(content: bytes) -> float | None:
    """Seconds of audio in a WAV file, from its header; None when it is not one."""
    try:
        with wave.open(io.BytesIO(content)) as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def read_audio(value: Any) -> AudioFile:
    """A path, bytes, binary file object or `IPython.display.Audio` -> a checked `AudioFile`."""
    name, content = _read_source(value)
    if not content:
        raise InvalidInputError(f"{name or 'the audio'} is empty (0 bytes); pass an audio file")
    fmt = _format(name, content)
    if len(content) > MAX_AUDIO_BYTES:
        raise InvalidInputError(
            f"{name or 'the audio'} is {len(content) / _MB:.1f} MB; the API takes files up to "
            f"{MAX_AUDIO_BYTES // _MB} MB: split it into parts or compress it (e.g. to mp3)"
        )
    return AudioFile(name or f"audio.{fmt}", content, fmt)


def describe(value: Any) -> str:
    """A short name for an audio input: its file name, or its type."""
    if isinstance(value, (str, os.PathLike)):
        return str(value)
    name = getattr(value, "name", None) or getattr(value, "filename", None)
    return Path(name).name if isinstance(name, str) and name else type(value).__name__


def _read_source(value: Any) -> tuple[str | None, bytes]:
    if isinstance(value, (str, os.PathLike)):
        path = Path(value).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"audio file {str(value)!r} does not exist; check the path")
        return path.name, path.read_bytes()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None, bytes(value)
    if _is_ipython_audio(value):
        return _from_ipython_audio(value)
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, str):
            raise InvalidTypeError("the audio file is open in text mode; open it with 'rb'")
        name = getattr(value, "name", None)
        return (Path(name).name if isinstance(name, str) and name else None), bytes(data)
    raise InvalidTypeError(
        "file must be a path, bytes, a binary file object or an IPython.display.Audio, "
        f"not {type(value).__name__}"
    )


def _is_ipython_audio(value: Any) -> bool:
    return any(
        cls.__name__ == "Audio" and cls.__module__.startswith("IPython") for cls in type(value).__mro__
    )


def _from_ipython_audio(audio: Any) -> tuple[str | None, bytes]:
    data = getattr(audio, "data", None)
    if data is None:
        raise InvalidInputError(
            "this Audio holds only a URL, no sound: download the file and pass its path or bytes"
        )
    filename = getattr(audio, "filename", None)
    if isinstance(filename, str) and filename:
        return Path(filename).name, bytes(data)
    fmt = _MIME_FORMAT.get(str(getattr(audio, "mimetype", "") or "").lower())
    return (f"audio.{fmt}" if fmt else None), bytes(data)


def _format(name: str | None, content: bytes) -> str:
    """The upload's format: its file extension if it names one, else what the bytes say."""
    extension = Path(name).suffix.lower().lstrip(".") if name else ""
    if extension in AUDIO_FORMATS:
        return extension
    sniffed = sniff_audio(content)
    if sniffed is not None:
        return sniffed
    listed = ", ".join(AUDIO_FORMATS)
    what = f"{name!r} ({'.' + extension if extension else 'no extension'})" if name else "the audio"
    raise InvalidInputError(
        f"{what} is not in a format the API transcribes ({listed}): convert it to one of these, "
        "or name the file with its real extension"
    )


def sniff_audio(content: bytes) -> str | None:
    """The audio format the first bytes show, or None."""
    head = content[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a" if head[8:11] == b"M4A" else "mp4"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


# -- transcription settings -----------------------------------------------------------


def check_transcription(
    model: str,
    language: Any,
    prompt: Any,
    response_format: Any,
    temperature: Any,
    timestamp_granularities: Any,
    stream: Any = False,
) -> dict[str, Any]:
    """Form fields for /audio/transcriptions (and, without language, /audio/translations)."""
    arguments.boolean(stream, "stream")
    if stream:
        _check_stream(model, response_format, timestamp_granularities)
    granularities = _granularities(timestamp_granularities)
    if granularities and response_format is None:
        response_format = "verbose_json"  # timestamps only come with verbose_json
    response_format = _response_format(model, response_format)
    if granularities and response_format != "verbose_json":
        raise InvalidInputError(
            f"timestamp_granularities need response_format='verbose_json', not {response_format!r}: "
            "change one of them"
        )
    fields: dict[str, Any] = {
        "model": model,
        "language": _language(language),
        "prompt": _text("prompt", prompt),
        "response_format": response_format,
        "temperature": _temperature(temperature),
        "timestamp_granularities[]": granularities or None,
        "stream": True if stream else None,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _check_stream(model: str, response_format: Any, granularities: Any) -> None:
    if _NO_STREAM.match(model):
        raise InvalidInputError(
            f"{model} cannot stream transcripts: use gpt-4o-mini-transcribe or gpt-4o-transcribe, "
            "or leave stream out"
        )
    if granularities is not None or response_format not in (None, "json", "text"):
        asked = (
            "timestamp_granularities" if granularities is not None else f"response_format={response_format!r}"
        )
        raise InvalidInputError(f"a streamed transcript is its text only: leave stream out for {asked}")


def _response_format(model: str, value: Any) -> str:
    if value is None:
        return "json"
    if not isinstance(value, str):
        raise type_error("response_format", f"one of {', '.join(TRANSCRIPTION_FORMATS)}", value)
    allowed = ("json", "text") if _JSON_TEXT_ONLY.match(model) else TRANSCRIPTION_FORMATS
    if value not in allowed:
        raise InvalidInputError(
            f"response_format {value!r} is not offered by {model}: use one of {', '.join(allowed)}"
            + (" (segments and subtitles need whisper-1)" if value in TRANSCRIPTION_FORMATS else "")
        )
    return value


def _granularities(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (str, list, tuple)):
        raise type_error("timestamp_granularities", "'word', 'segment' or a list of them", value)
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if item not in ("word", "segment"):
            raise InvalidInputError(f"timestamp_granularities takes 'word' and/or 'segment', not {item!r}")
    return list(dict.fromkeys(items))


def _language(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error("language", "an ISO-639-1 code such as 'en'", value)
    if not _LANGUAGE.match(value.strip().lower()):
        raise InvalidInputError(
            f"language {value!r} is not an ISO-639-1 code; use a two-letter code such as 'en', 'de' or 'fr'"
        )
    return value.strip().lower()


def _temperature(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise type_error("temperature", "a number from 0 to 1", value)
    if not 0 <= value <= 1:
        raise InvalidInputError(f"temperature {value} is out of range; transcription takes 0 to 1")
    return float(value)


def _text(name: str, value: Any) -> str | None:
    return arguments.text(value, name, optional=True, blank=True) or None


# -- speech --------------------------------------------------------------------------------


def speech_voices(model: str) -> tuple[str, ...]:
    """The built-in voices `model` speaks with."""
    return _TTS1_VOICES if _TTS1.match(model) else SPEECH_VOICES


def check_speech(
    model: str, text: Any, voice: Any, fmt: Any, speed: Any, instructions: Any
) -> dict[str, Any]:
    """The JSON body for /audio/speech."""
    arguments.text(text, "text", hint="give the words to speak")
    if len(text) > MAX_SPEECH_CHARS:
        raise InvalidInputError(
            f"text is {len(text)} characters; speech takes up to {MAX_SPEECH_CHARS} per request: "
            "split it into parts and speak each"
        )
    body: dict[str, Any] = {
        "model": model,
        "input": text,
        "voice": _voice(model, voice),
        "response_format": _speech_format(fmt),
    }
    if speed is not None:
        if isinstance(speed, bool) or not isinstance(speed, (int, float)):
            raise type_error("speed", "a number from 0.25 to 4", speed)
        if not 0.25 <= speed <= 4:
            raise InvalidInputError(
                f"speed {speed} is out of range; use 0.25 (slow) to 4 (fast), 1 is normal"
            )
        body["speed"] = speed
    if instructions is not None:
        if _TTS1.match(model):
            raise InvalidInputError(f"{model} takes no instructions: leave them out, or use gpt-4o-mini-tts")
        body["instructions"] = _text("instructions", instructions)
    return body


def _voice(model: str, voice: Any) -> Any:
    if isinstance(voice, dict):
        if not isinstance(voice.get("id"), str) or set(voice) != {"id"}:
            raise InvalidInputError("a custom voice is given as {'id': 'voice_...'}")
        return voice
    if not isinstance(voice, str):
        raise type_error("voice", "a voice name such as 'alloy'", voice)
    name = voice.strip().lower()
    allowed = speech_voices(model)
    if not _OPENAI_TTS.match(model):
        return voice.strip()
    if name not in allowed:
        extra = " (other voices need gpt-4o-mini-tts)" if name in SPEECH_VOICES else ""
        raise InvalidInputError(
            f"voice {voice!r} is not offered by {model}: use one of {', '.join(allowed)}{extra}"
        )
    return name


def _speech_format(fmt: Any) -> str:
    if not isinstance(fmt, str):
        raise type_error("format", f"one of {', '.join(SPEECH_FORMATS)}", fmt)
    if fmt.lower() not in SPEECH_FORMATS:
        raise InvalidInputError(
            f"format {fmt!r} is not offered for speech: use one of {', '.join(SPEECH_FORMATS)}"
        )
    return fmt.lower()
