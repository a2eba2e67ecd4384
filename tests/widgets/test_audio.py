"""AudioPanel driven from Python, as a user would click it, on the sandbox."""

from __future__ import annotations

import html
import io
import wave

import pandas as pd
import pytest

from openai_widgets import Speech
from openai_widgets.widgets import AudioPanel
from tests.support.media import tone, upload_value

WAV = tone(7.0)


@pytest.fixture
def panel(client):
    return AudioPanel(client=client)


def test_panel_is_made_without_a_client_or_any_request(sandbox):
    made = AudioPanel()
    assert made.title == "Audio"
    assert "ow-panel-audio" in made._dom_classes
    assert made.model_picker.value == "whisper-1"
    assert made.speech_model_picker.value == "tts-1"
    assert sandbox.requests == []


def test_transcribe_an_upload_into_the_text_box(panel, sandbox):
    panel.upload.value = upload_value("meeting.wav", WAV, "audio/wav")
    panel.language.value = "en"
    panel.transcribe_button.click()
    assert panel.text.value.startswith("[sandbox] ")
    assert panel.segments is None
    assert not panel.transcribe_button.disabled
    fields, files = sandbox.requests_to("/audio/transcriptions")[0].form()
    assert fields == {"model": "whisper-1", "language": "en", "response_format": "json"}
    assert files["file"][0].filename == "meeting.wav"


def test_segments_go_to_the_table(panel):
    panel.upload.value = upload_value("meeting.wav", WAV, "audio/wav")
    panel.output_kind.value = "segments"
    panel.transcribe_button.click()
    assert isinstance(panel.segments, pd.DataFrame)
    assert len(panel.segments) == 2
    assert panel.text.value == panel.segments.attrs["text"]
    (shown,) = panel.table.outputs
    assert "<table" in shown["data"]["text/html"]


def test_translate_switches_off_the_language(panel, sandbox):
    panel.task.value = "translate"
    assert panel.language.disabled
    assert panel.transcribe_button.description == "Translate"
    panel.upload.value = upload_value("rede.wav", WAV, "audio/wav")
    panel.language.value = "de"  # ignored: translations are into English
    panel.transcribe_button.click()
    assert panel.text.value.startswith("[sandbox] English translation:")
    assert "language" not in sandbox.requests_to("/audio/translations")[0].form()[0]


def test_missing_or_unreadable_uploads_are_reported(panel, sandbox):
    panel.transcribe_button.click()
    assert "Upload an audio file first." in panel.status.value
    panel.upload.value = upload_value("notes.txt", b"just text", "text/plain")
    panel.transcribe_button.click()
    assert "InvalidInputError" in panel.status.value
    assert "'notes.txt' (.txt) is not in a format the API transcribes" in html.unescape(panel.status.value)
    assert sandbox.requests == []


def test_voices_follow_the_speech_model(panel):
    assert "ballad" not in panel.voice.options
    panel.voice.value = "nova"
    panel.speech_model_picker.value = "gpt-4o-mini-tts"
    assert "ballad" in panel.voice.options
    assert panel.voice.value == "nova"  # still offered: kept
    panel.voice.value = "ballad"
    panel.speech_model_picker.value = "tts-1"
    assert panel.voice.value == "alloy"


def test_speak_fills_the_player(panel, sandbox):
    panel.speech_text.value = "Good morning, everyone."
    assert "23 / 4096 characters" in panel.speech_counter.value
    panel.voice.value = "echo"
    panel.speech_format.value = "wav"
    panel.speak_button.click()
    assert isinstance(panel.speech, Speech)
    assert panel.player.format == "wav"
    assert panel.player.layout.display == ""
    with wave.open(io.BytesIO(panel.player.value)) as reader:
        assert reader.getframerate() == 24_000
    body = sandbox.requests_to("/audio/speech")[0].json()
    assert (body["input"], body["voice"], body["response_format"]) == (
        "Good morning, everyone.",
        "echo",
        "wav",
    )


def test_speak_errors_show_in_the_status_line(panel, sandbox):
    panel.speech_text.value = "x" * 4096
    assert "ow-over" not in panel.speech_counter.value
    panel.speech_text.value = "x" * 4097
    assert "class='ow-counter ow-over'" in panel.speech_counter.value
    panel.speak_button.click()
    assert "text is 4097 characters; speech takes up to 4096 per request" in panel.status.value
    assert panel.player.layout.display == "none"
    panel.speech_text.value = "hello"
    panel.speech_format.value = "opus"
    panel.speak_button.click()
    assert "BadRequestError" in panel.status.value
    assert len(sandbox.requests_to("/audio/speech")) == 1


@pytest.mark.parametrize("picker", ["model_picker", "speech_model_picker"])
def test_refresh_fills_both_model_lists_with_one_request(panel, sandbox, picker):
    getattr(panel, picker).refresh_button.click()
    assert len(sandbox.requests_to("/models")) == 1
    assert panel.model_picker.options[0] in {
        "whisper-1",
        "gpt-4o-mini-transcribe",
        "tts-1",
        "gpt-4o-mini-tts",
    }
    assert panel.speech_model_picker.options == panel.model_picker.options
    panel.select_model("gpt-4o-mini-transcribe")
    assert panel.model_picker.value == "gpt-4o-mini-transcribe"
