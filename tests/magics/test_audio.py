"""%openai audio transcribe | translate | speak in a real IPython shell on the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.display import Audio
from IPython.utils.capture import capture_output

from openai_widgets import Speech
from openai_widgets.magics import _media
from tests.support.media import tone

WAV = tone(2.0)


@pytest.fixture
def talk(tmp_path):
    path = tmp_path / "talk.wav"
    path.write_bytes(WAV)
    return path


def test_transcribe_a_path(ip, sandbox, talk):
    text = ip.run_line_magic("openai", f"audio transcribe {talk} --language en")
    assert text.startswith("[sandbox] ")
    fields, files = sandbox.requests_to("/audio/transcriptions")[0].form()
    assert fields == {"model": "whisper-1", "language": "en", "response_format": "json"}
    assert files["file"][0].filename == "talk.wav"


def test_transcribe_a_variable_with_options(ip, sandbox):
    ip.user_ns["clip"] = Audio(data=WAV)
    frame = ip.run_line_magic(
        "openai", "audio transcribe clip --format verbose_json --prompt 'Names: Ada' -o segs"
    )
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns[:3]) == ["start", "end", "text"]
    assert ip.user_ns["segs"] is frame
    fields, _ = sandbox.requests_to("/audio/transcriptions")[0].form()
    assert (fields["response_format"], fields["prompt"]) == ("verbose_json", "Names: Ada")


def test_models_come_from_config_or_the_command(ip, sandbox, talk):
    ip.run_line_magic("config", "OpenAIMagics.transcription_model = 'gpt-4o-mini-transcribe'")
    try:
        ip.run_line_magic("openai", f"audio transcribe {talk}")
    finally:
        ip.run_line_magic("config", "OpenAIMagics.transcription_model = 'whisper-1'")
    ip.run_line_magic("openai", f"audio transcribe {talk} -m whisper-1")
    models = [r.form()[0]["model"] for r in sandbox.requests_to("/audio/transcriptions")]
    assert models == ["gpt-4o-mini-transcribe", "whisper-1"]


def test_translate(ip, sandbox, talk):
    text = ip.run_line_magic("openai", f"audio translate {talk} --format srt")
    assert text.startswith("1\n00:00:00,000 --> 00:00:02,000\n[sandbox] English translation:")
    assert sandbox.requests_to("/audio/translations")[0].form()[0]["model"] == "whisper-1"


def test_speak_shows_a_player_once_and_returns_it(ip, sandbox, monkeypatch):
    monkeypatch.setattr(_media, "in_notebook", lambda: True)  # where the player is drawn
    with capture_output() as captured:
        speech = ip.run_line_magic("openai", "audio speak Hello there, friend --voice nova --format wav")
    assert isinstance(speech, Speech)
    players = [o.data["text/html"] for o in captured.outputs if "text/html" in o.data]
    assert len(players) == 1
    assert "<audio" in players[0]
    assert ip.display_formatter.format(speech) == ({}, {})  # the cell's own display steps aside
    body = sandbox.requests_to("/audio/speech")[0].json()
    assert body == {
        "model": "tts-1",
        "input": "Hello there, friend",
        "voice": "nova",
        "response_format": "wav",
    }


def test_speak_text_from_a_variable_with_the_configured_model(ip, sandbox):
    ip.user_ns["line"] = "Good morning"
    ip.run_line_magic("config", "OpenAIMagics.speech_model = 'gpt-4o-mini-tts'")
    try:
        with capture_output():
            ip.run_line_magic("openai", "audio speak line --voice marin --speed 1.5")
    finally:
        ip.run_line_magic("config", "OpenAIMagics.speech_model = 'tts-1'")
    body = sandbox.requests_to("/audio/speech")[0].json()
    assert (body["input"], body["model"], body["voice"], body["speed"]) == (
        "Good morning",
        "gpt-4o-mini-tts",
        "marin",
        1.5,
    )
    assert body["response_format"] == "mp3"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("audio shout hello", r"argument action: invalid choice: 'shout'"),
        ("audio transcribe", r"^%openai audio transcribe: the following arguments are required: FILE "),
        ("audio", r"^%openai audio: the following arguments are required: action "),
        (
            "audio transcribe a.wav b.wav",
            r"^%openai audio transcribe takes one FILE; quote a path with spaces$",
        ),
        ("audio transcribe nothing", r"^FILE 'nothing' is neither a variable in the notebook nor a file$"),
        ("audio speak hi --language en", r"^--language is for transcribe, not speak$"),
        ("audio translate x.wav --voice nova", r"^--voice is for speak, not translate$"),
        ("audio speak hi --prompt calm", r"^--prompt is for transcribe and translate, not speak$"),
        (
            "audio transcribe missing/talk.wav",
            r"^audio file 'missing/talk.wav' does not exist; check the path$",
        ),
        ("audio speak 'hi' --voice ballad", r"^voice 'ballad' is not offered by tts-1"),
    ],
)
def test_mistakes_are_one_line_usage_errors(ip, sandbox, line, message):
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("openai", line)
    assert sandbox.requests_to("/audio") == []


def test_server_errors_are_usage_errors_naming_the_error(ip, talk):
    with pytest.raises(
        UsageError, match=r"^BadRequestError: 400 Bad Request: The sandbox cannot make flac audio"
    ):
        ip.run_line_magic("openai", "audio speak 'hello' --format flac")
