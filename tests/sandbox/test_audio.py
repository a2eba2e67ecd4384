"""The sandbox's audio routes called directly: answers shaped as the spec says, 400s as OpenAI words them."""

from __future__ import annotations

import io
import itertools
import wave

import httpx
import pytest

from openai_widgets.sandbox._sounds import MP3_FRAME_BYTES, audio_seconds, mp3_silence, wav_bytes
from tests.support.media import tone

WAV = tone(3.0)


@pytest.fixture
def http(sandbox):
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": "Bearer sk-any"}, timeout=10
    ) as made:
        yield made


def post_audio(http, path="/audio/transcriptions", content=WAV, name="talk.wav", **fields):
    fields.setdefault("model", "whisper-1")
    return http.post(path, data=fields, files={"file": (name, content, "audio/wav")})


def error(response, status=400):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/audio/transcriptions", {}),
        ("/audio/transcriptions", {"response_format": "verbose_json"}),
        ("/audio/transcriptions", {"response_format": "verbose_json", "timestamp_granularities[]": ["word"]}),
        ("/audio/transcriptions", {"model": "gpt-4o-mini-transcribe", "language": "fr"}),
        ("/audio/translations", {}),
        ("/audio/translations", {"response_format": "verbose_json"}),
    ],
)
def test_json_answers_fit_the_spec(http, spec, path, fields):
    response = post_audio(http, path, **fields)
    assert response.status_code == 200, response.text
    answer = response.json()
    if fields.get("response_format") == "verbose_json":
        # The spec's oneOf cannot tell a verbose answer from a plain one (the plain schema allows
        # extra fields, so both match): check against the verbose schema itself.
        kind = "Transcription" if path.endswith("transcriptions") else "Translation"
        spec.validate_schema(f"Create{kind}ResponseVerboseJson", answer)
    else:
        spec.validate_response("POST", path, answer)
    if fields.get("response_format") == "verbose_json":
        assert answer["duration"] == pytest.approx(3.0)
        assert answer["language"] in {"english", "french"}
    if "timestamp_granularities[]" in fields:
        assert "segments" not in answer
        assert len(answer["words"]) == 8  # 2.5 words a second, rounded
        assert answer["words"][-1]["end"] == pytest.approx(3.0)


def test_segments_cover_the_audio_in_order(http, spec):
    answer = post_audio(http, content=tone(12.0), response_format="verbose_json").json()
    segments = answer["segments"]
    assert [s["id"] for s in segments] == [0, 1, 2]
    assert segments[0]["start"] == 0.0
    assert segments[-1]["end"] == pytest.approx(12.0)
    for before, after in itertools.pairwise(segments):
        assert before["end"] == after["start"]
    for segment in segments:
        spec.validate_schema("TranscriptionSegment", segment)


def test_subtitle_and_text_answers_are_plain_text(http):
    srt = post_audio(http, response_format="srt")
    assert srt.headers["content-type"].startswith("text/plain")
    assert srt.text.splitlines()[:2] == ["1", "00:00:00,000 --> 00:00:03,000"]
    vtt = post_audio(http, response_format="vtt").text
    assert vtt.splitlines()[:3] == ["WEBVTT", "", "00:00:00.000 --> 00:00:03.000"]
    text = post_audio(http, response_format="text").text
    assert text.startswith("[sandbox] ")
    assert text.endswith(".\n")


@pytest.mark.parametrize(
    ("fields", "kwargs", "param", "message"),
    [
        ({"model": ""}, {}, "model", "you must provide a model parameter"),
        ({"model": "tts-1"}, {}, "model", "The model 'tts-1' cannot be used to transcribe audio."),
        (
            {},
            {"name": "talk.txt", "content": b"hello"},
            "file",
            "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', "
            "'ogg', 'wav', 'webm']",
        ),
        (
            {"response_format": "verbose_json", "model": "gpt-4o-mini-transcribe"},
            {},
            "response_format",
            "response_format 'verbose_json' is not compatible with model 'gpt-4o-mini-transcribe'. "
            "Use 'json' or 'text' instead.",
        ),
        (
            {"response_format": "pdf"},
            {},
            "response_format",
            "Invalid value: 'pdf'. Supported values are: json, text, srt, verbose_json, vtt.",
        ),
        (
            {"timestamp_granularities[]": ["word"]},
            {},
            "timestamp_granularities",
            "timestamp_granularities requires response_format=verbose_json.",
        ),
        ({"temperature": "2"}, {}, "temperature", "Invalid 'temperature': 2.0 is not between 0 and 1."),
        (
            {"language": "English"},
            {},
            "language",
            "Invalid language 'English'. Language parameter must be specified in ISO-639-1 format.",
        ),
    ],
)
def test_bad_transcriptions_get_openai_style_errors(http, fields, kwargs, param, message):
    answer = error(post_audio(http, **kwargs, **fields))
    assert (answer["param"], answer["message"]) == (param, message)


def test_translation_needs_whisper_and_a_file(http):
    refused = error(post_audio(http, "/audio/translations", model="gpt-4o-mini-transcribe"))
    assert refused["message"] == "The model 'gpt-4o-mini-transcribe' cannot be used to translate audio."
    missing = http.post("/audio/translations", data={"model": "whisper-1"}, files={"other": ("a", b"1")})
    assert error(missing)["message"] == "Missing required parameter: 'file'."


def test_files_over_25_mb_get_413(http):
    answer = error(post_audio(http, content=WAV[:44] + bytes(25 * 1024 * 1024)), 413)
    assert answer["message"].startswith("Maximum content size limit (26214400) exceeded")


def test_durations_come_from_wav_headers_or_the_size():
    assert audio_seconds(tone(2.0, rate=8000), "wav") == pytest.approx(2.0)
    assert audio_seconds(bytes(32_000), "mp3") == pytest.approx(2.0)
    assert audio_seconds(b"RIFF....WAVEjunk", "wav") == pytest.approx(16 / 16_000)  # unreadable: estimated


@pytest.mark.parametrize(("fmt", "kind"), [("wav", "audio/wav"), ("pcm", "audio/pcm"), ("mp3", "audio/mpeg")])
def test_speech_comes_in_the_asked_format(http, fmt, kind):
    response = http.post(
        "/audio/speech", json={"model": "tts-1", "input": "Hello", "voice": "alloy", "response_format": fmt}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == kind
    if fmt == "wav":
        with wave.open(io.BytesIO(response.content)) as reader:
            assert reader.getframerate() == 24_000
    if fmt == "mp3":
        assert len(response.content) % MP3_FRAME_BYTES == 0


def test_speech_defaults_to_mp3(http):
    response = http.post("/audio/speech", json={"model": "tts-1", "input": "Hello", "voice": "echo"})
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.content[:2] == b"\xff\xfb"


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ({"input": "hi", "voice": "alloy"}, "model", "you must provide a model parameter"),
        (
            {"model": "whisper-1", "input": "hi", "voice": "alloy"},
            "model",
            "The model 'whisper-1' does not make speech.",
        ),
        ({"model": "tts-1", "voice": "alloy"}, "input", "Missing required parameter: 'input'."),
        (
            {"model": "tts-1", "input": "x" * 4097, "voice": "alloy"},
            "input",
            "Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string "
            "with length 4097 instead.",
        ),
        (
            {"model": "tts-1", "input": "hi", "voice": "ballad"},
            "voice",
            "Invalid value: 'ballad'. Supported values are: alloy, ash, coral, echo, fable, onyx, nova, "
            "sage, "
            "shimmer.",
        ),
        (
            {"model": "tts-1", "input": "hi", "voice": "alloy", "speed": 9},
            "speed",
            "Invalid 'speed': 9 is not between 0.25 and 4.0.",
        ),
        (
            {"model": "tts-1", "input": "hi", "voice": "alloy", "instructions": "slowly"},
            "instructions",
            "Instructions are not supported with tts-1.",
        ),
        (
            {"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": "aac"},
            "response_format",
            "The sandbox cannot make aac audio (OpenAI can): ask for wav, pcm or mp3 here.",
        ),
        (
            {"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": "ogg"},
            "response_format",
            "Invalid value: 'ogg'. Supported values are: mp3, opus, aac, flac, wav, pcm.",
        ),
    ],
)
def test_bad_speech_requests_get_openai_style_400s(http, body, param, message):
    answer = error(http.post("/audio/speech", json=body))
    assert (answer["param"], answer["message"]) == (param, message)


def test_sound_helpers_make_valid_files():
    assert len(mp3_silence(0.01)) == MP3_FRAME_BYTES  # at least one frame
    import array

    with wave.open(io.BytesIO(wav_bytes(array.array("h", [0, 1000, -1000])))) as reader:
        assert reader.getnframes() == 3
