"""Audio: transcriptions and translations (multipart) and speech (JSON -> audio bytes).

Transcripts are derived from the audio's length (see `_sounds`), labelled "[sandbox]",
in every response format: json, text, srt, vtt and verbose_json with segments and
words shaped as the spec has them. Speech comes as WAV (tones), raw PCM, or MP3 (silent
MPEG frames). The sandbox cannot encode opus, aac or flac: asking for them gets a 400
that says so, where OpenAI would answer with audio.

`stream=true` on a transcription streams, for the models that can (gpt-4o-transcribe,
gpt-4o-mini-transcribe), one `transcript.text.delta` event per word and then
`transcript.text.done` with the whole text and its token usage. whisper-1 cannot stream:
it answers 400 rather than quietly sending the whole answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from .._http import ApiError, BytesResponse, JSONResponse, Request, StreamResponse
from .._sounds import audio_seconds, mp3_silence, tone_samples, transcript_words, wav_bytes
from ._registry import route

MAX_BYTES = 25 * 1024 * 1024
FORMATS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
# What each model can do; whether the sandbox offers a model at all is up to `_catalog`.
TRANSCRIBERS = {
    "whisper-1": RESPONSE_FORMATS,
    "gpt-4o-transcribe": ("json", "text"),
    "gpt-4o-mini-transcribe": ("json", "text"),
}
STREAMING_TRANSCRIBERS = {"gpt-4o-transcribe", "gpt-4o-mini-transcribe"}
AUDIO_TOKENS_PER_SECOND = 10  # what a second of audio counts as, for the usage of a streamed transcript
TRANSLATORS = {"whisper-1": RESPONSE_FORMATS}
SEGMENT_SECONDS = 5.0
LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "ja": "japanese",
}

ALL_VOICES = (
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
TTS_1_VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
SPEAKERS = {"tts-1": TTS_1_VOICES, "gpt-4o-mini-tts": ALL_VOICES}
SPEECH_TYPES = {"wav": "audio/wav", "pcm": "audio/pcm", "mp3": "audio/mpeg"}
NOT_MADE_HERE = ("opus", "aac", "flac")
SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")  # what OpenAI makes, in its order


# -- speech to text --------------------------------------------------------------------------


@route("POST", "/audio/transcriptions")
def transcribe(request: Request, sandbox) -> Any:
    return _speech_to_text(request, sandbox, TRANSCRIBERS, task="transcribe")


@route("POST", "/audio/translations")
def translate(request: Request, sandbox) -> Any:
    return _speech_to_text(request, sandbox, TRANSLATORS, task="translate")


def _speech_to_text(request: Request, sandbox, models: Mapping[str, tuple[str, ...]], *, task: str) -> Any:
    fields, files = request.form(), request.files()
    sandbox.state.model(fields.get("model"))  # OpenAI's 400/404 unless it names a known model
    model_id = str(fields.get("model"))
    allowed = models.get(model_id)
    if allowed is None:
        raise ApiError(400, f"The model '{model_id}' cannot be used to {task} audio.", param="model")
    uploads = files.get("file")
    if not uploads:
        raise ApiError(
            400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
        )
    upload = uploads[0]
    if len(upload.content) > MAX_BYTES:
        raise ApiError(
            413, f"Maximum content size limit ({MAX_BYTES}) exceeded ({len(upload.content)} bytes read)"
        )
    fmt = _format(upload.filename, upload.content)
    response_format = fields.get("response_format", "json")
    if response_format not in RESPONSE_FORMATS:
        raise ApiError(
            400,
            f"Invalid value: {response_format!r}. Supported values are: {', '.join(RESPONSE_FORMATS)}.",
            param="response_format",
        )
    if response_format not in allowed:
        raise ApiError(
            400,
            f"response_format '{response_format}' is not compatible with model '{model_id}'. "
            f"Use {' or '.join(repr(a) for a in allowed)} instead.",
            param="response_format",
            code="unsupported_value",
        )
    granularities = _list(fields.get("timestamp_granularities"))
    if granularities and response_format != "verbose_json":
        raise ApiError(
            400,
            "timestamp_granularities requires response_format=verbose_json.",
            param="timestamp_granularities",
        )
    _temperature(fields.get("temperature"))
    streaming = task == "transcribe" and _stream_flag(fields.get("stream"), model_id)
    language = _language(fields.get("language")) if task == "transcribe" else "en"
    seconds = audio_seconds(upload.content, fmt)
    words = transcript_words(upload.content, seconds, salt=task)
    lead = "[sandbox] English translation:" if task == "translate" else "[sandbox]"
    if streaming:
        return _stream(lead, words, seconds, fields.get("prompt") or "")
    return _render(response_format, lead, words, seconds, language, task, granularities or ["segment"])


def _stream_flag(value: Any, model_id: str) -> bool:
    if value in (None, "false"):
        return False
    if value != "true":
        raise ApiError(400, f"Invalid type for 'stream': expected a boolean, got {value!r}.", param="stream")
    if model_id not in STREAMING_TRANSCRIBERS:
        raise ApiError(
            400,
            f"Streaming is not supported with {model_id}: use {' or '.join(sorted(STREAMING_TRANSCRIBERS))}, "
            "or leave 'stream' unset.",
            param="stream",
            code="unsupported_value",
        )
    return True


def _stream(lead: str, words: list[str], seconds: float, prompt: str) -> StreamResponse:
    """`CreateTranscriptionResponseStreamEvent`s: the text word by word, then all of it."""
    pieces = [lead, *words[:-1], f"{words[-1]}." if words else ""]
    deltas = [piece if index == 0 else f" {piece}" for index, piece in enumerate(pieces) if piece]
    text = "".join(deltas)
    audio_tokens = max(math.ceil(seconds * AUDIO_TOKENS_PER_SECOND), 1)
    text_tokens = len(prompt.split())
    usage = {
        "type": "tokens",
        "input_tokens": audio_tokens + text_tokens,
        "input_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens},
        "output_tokens": len(deltas),
        "total_tokens": audio_tokens + text_tokens + len(deltas),
    }
    events: list[dict[str, Any]] = [{"type": "transcript.text.delta", "delta": delta} for delta in deltas]
    events.append({"type": "transcript.text.done", "text": text, "usage": usage})
    return StreamResponse(events, event_names=True)


def _format(filename: str, content: bytes) -> str:
    extension = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    if extension in FORMATS:
        return extension
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return "wav"
    raise ApiError(
        400,
        f"Invalid file format. Supported formats: {list(FORMATS)}",
        param="file",
        code="invalid_value",
    )


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item not in ("word", "segment"):
            raise ApiError(
                400,
                f"Invalid value: {item!r}. Supported values are: 'word' and 'segment'.",
                param="timestamp_granularities",
            )
    return items


def _temperature(value: Any) -> None:
    if value is None:
        return
    try:
        number = float(value)
    except ValueError:
        raise ApiError(
            400, f"Invalid 'temperature': expected a number, got {value!r}.", param="temperature"
        ) from None
    if not 0 <= number <= 1:
        raise ApiError(400, f"Invalid 'temperature': {number} is not between 0 and 1.", param="temperature")


def _language(value: Any) -> str:
    if value is None:
        return "en"
    if not re.fullmatch(r"[a-z]{2,3}", value):
        raise ApiError(
            400,
            f"Invalid language '{value}'. Language parameter must be specified in ISO-639-1 format.",
            param="language",
        )
    return value


def _render(
    response_format: str,
    lead: str,
    words: list[str],
    seconds: float,
    language: str,
    task: str,
    granularities: list[str],
) -> Any:
    text = f"{lead} {' '.join(words)}."
    timed = _timed_words(words, seconds)
    segments = _segments(timed, lead)
    if response_format == "text":
        return BytesResponse(f"{text}\n".encode(), "text/plain; charset=utf-8")
    if response_format in {"srt", "vtt"}:
        return BytesResponse(_subtitles(segments, response_format).encode(), "text/plain; charset=utf-8")
    usage = {"type": "duration", "seconds": math.ceil(seconds)}
    if response_format == "json":
        return JSONResponse({"text": text, "usage": usage})
    body: dict[str, Any] = {
        "task": task,
        "language": LANGUAGES.get(language, language),
        "duration": round(seconds, 3),
        "text": text,
    }
    if "segment" in granularities:
        body["segments"] = segments
    if "word" in granularities and task == "transcribe":
        body["words"] = [{"word": w, "start": s, "end": e} for w, s, e in timed]
    if task == "transcribe":
        body["usage"] = usage
    return JSONResponse(body)


def _timed_words(words: list[str], seconds: float) -> list[tuple[str, float, float]]:
    step = seconds / len(words) if words else 0.0
    return [(w, round(i * step, 3), round((i + 1) * step, 3)) for i, w in enumerate(words)]


def _segments(timed: list[tuple[str, float, float]], lead: str) -> list[dict[str, Any]]:
    """Words grouped into segments of about SEGMENT_SECONDS, with the fields the spec requires."""
    groups: list[list[tuple[str, float, float]]] = []
    for item in timed:
        if not groups or item[1] >= (len(groups)) * SEGMENT_SECONDS:
            groups.append([])
        groups[-1].append(item)
    segments = []
    for index, group in enumerate(groups):
        words = " ".join(w for w, _, _ in group)
        text = f" {lead} {words}" if index == 0 else f" {words}"
        segments.append(
            {
                "id": index,
                "seek": int(group[0][1] * 100),
                "start": group[0][1],
                "end": group[-1][2],
                "text": text,
                "tokens": [50364 + sum(map(ord, w)) % 1000 for w, _, _ in group],
                "temperature": 0.0,
                "avg_logprob": -0.25,
                "compression_ratio": 1.2,
                "no_speech_prob": 0.01,
            }
        )
    return segments


def _subtitles(segments: list[dict[str, Any]], kind: str) -> str:
    separator = "," if kind == "srt" else "."
    lines = ["WEBVTT", ""] if kind == "vtt" else []
    for number, segment in enumerate(segments, start=1):
        if kind == "srt":
            lines.append(str(number))
        start, end = _clock(segment["start"], separator), _clock(segment["end"], separator)
        lines += [f"{start} --> {end}", segment["text"].strip(), ""]
    return "\n".join(lines)


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


# -- text to speech ----------------------------------------------------------------------------


@route("POST", "/audio/speech")
def speak(request: Request, sandbox) -> BytesResponse:
    body = request.json_object()
    sandbox.state.model(body.get("model"))  # OpenAI's 400/404 unless it names a known model
    model_id = str(body.get("model"))
    voices = SPEAKERS.get(model_id)
    if voices is None:
        raise ApiError(400, f"The model '{model_id}' does not make speech.", param="model")
    text = body.get("input")
    if not isinstance(text, str) or not text:
        raise ApiError(
            400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter"
        )
    if len(text) > 4096:
        raise ApiError(
            400,
            "Invalid 'input': string too long. Expected a string with maximum length 4096, "
            f"but got a string with length {len(text)} instead.",
            param="input",
            code="string_above_max_length",
        )
    voice = body.get("voice")
    name = voice.get("id") if isinstance(voice, dict) else voice
    if not isinstance(voice, dict) and name not in voices:
        raise ApiError(
            400, f"Invalid value: {name!r}. Supported values are: {', '.join(voices)}.", param="voice"
        )
    _speed(body.get("speed"))
    if body.get("instructions") and model_id == "tts-1":
        raise ApiError(400, "Instructions are not supported with tts-1.", param="instructions")
    fmt = body.get("response_format", "mp3")
    if fmt in NOT_MADE_HERE:
        raise ApiError(
            400,
            f"The sandbox cannot make {fmt} audio (OpenAI can): ask for wav, pcm or mp3 here.",
            param="response_format",
            code="unsupported_value",
        )
    if fmt not in SPEECH_TYPES:
        raise ApiError(
            400,
            f"Invalid value: {fmt!r}. Supported values are: {', '.join(SPEECH_FORMATS)}.",
            param="response_format",
        )
    seconds = min(min(0.5 + 0.04 * len(text), 4.0) / float(body.get("speed") or 1), 6.0)
    if fmt == "mp3":
        content = mp3_silence(seconds)
    else:
        samples = tone_samples(seconds, f"{name}|{text}")
        content = wav_bytes(samples) if fmt == "wav" else samples.tobytes()
    return BytesResponse(content, SPEECH_TYPES[fmt])


def _speed(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.25 <= value <= 4:
        raise ApiError(400, f"Invalid 'speed': {value!r} is not between 0.25 and 4.0.", param="speed")
