"""The audio panel: transcribe or translate an uploaded file; speak text with a chosen voice."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from .._media.audio import AUDIO_FORMATS, MAX_SPEECH_CHARS, speech_voices
from ._controls import wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait
from ._upload_values import uploaded

__all__ = ["AudioPanel"]

# Formats a browser's audio player can play (raw pcm cannot be).
PLAYER_FORMATS = ("mp3", "wav", "opus", "aac", "flac")
_PLAYER_TYPES = {"opus": "ogg"}  # what ipywidgets.Audio calls the container


class AudioPanel(Panel):
    """Two tabs: "Speech to text" (upload, transcribe or translate, language, text or a
    table of timed segments) and "Text to speech" (text, voice, format, and a player).

    `frame` holds the segments of the last verbose transcription (None after a plain
    text one), `speech` the last Speech, `result` the last of either.
    """

    title = "Audio"
    model_kinds = ("audio",)
    frame = frame_trait("the segments of the last verbose transcription")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.speech = None  # the last Speech
        self._build_listen()
        self._build_speak()
        self.tabs = widgets.Tab(children=[self._listen_box, self._speak_box])
        self.tabs.titles = ("Speech to text", "Text to speech")
        self.children = [self.tabs, self.status]
        self.add_class("ow-panel-audio")
        self._update_task()
        self._update_voices()

    @property
    def segments(self) -> Any:
        """The segments of the last verbose transcription (the same as `frame`)."""
        return self.frame

    # -- building ------------------------------------------------------------------------

    def _build_listen(self) -> None:
        accept = ",".join(f".{fmt}" for fmt in AUDIO_FORMATS) + ",audio/*"
        self.upload = widgets.FileUpload(accept=accept, description="Audio file")
        # The choice names the text's language; the one action button is "Transcribe" or "Translate".
        self.task = widgets.ToggleButtons(
            options=[("Spoken language", "transcribe"), ("English", "translate")],
            value="transcribe",
            description="Text in",
        )
        self.language = widgets.Text(description="Language", placeholder="e.g. en (optional)")
        self.output_kind = widgets.ToggleButtons(
            options=[("Text", "text"), ("Segments", "segments")], value="text", description="Result"
        )
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["transcription"])
        self.transcribe_button = widgets.Button(
            description="Transcribe", button_style="primary", icon="file-text"
        )
        self.text = widgets.Textarea(
            placeholder="The text appears here", layout=widgets.Layout(width="100%", height="120px")
        )
        self.table = widgets.Output()
        self.task.observe(lambda _: self._update_task(), names="value")
        self.transcribe_button.on_click(lambda _: self.transcribe())
        self._listen_box = widgets.VBox(
            [
                wrapping_row(self.upload, self.task),
                wrapping_row(self.model_picker, self.language),
                self.output_kind,
                self.transcribe_button,
                self.text,
                self.table,
            ]
        )

    def _build_speak(self) -> None:
        self.speech_text = widgets.Textarea(
            placeholder="Text to speak...", layout=widgets.Layout(width="100%", height="80px")
        )
        self.speech_counter = widgets.HTML()
        self.speech_model_picker = self.make_model_picker(DEFAULT_MODELS["speech"])
        self.voice = widgets.Dropdown(description="Voice")
        self.speech_format = widgets.Dropdown(description="Format", options=PLAYER_FORMATS, value="mp3")
        self.speak_button = widgets.Button(description="Speak", button_style="primary", icon="volume-up")
        self.player = widgets.Audio(value=b"", format="mp3", autoplay=False)
        self.player.layout.display = "none"
        self.speech_text.observe(lambda _: self._update_speech_counter(), names="value")
        self.speech_model_picker.observe(lambda _: self._update_voices(), names="value")
        self.speak_button.on_click(lambda _: self.speak())
        self._speak_box = widgets.VBox(
            [
                self.speech_text,
                self.speech_counter,
                wrapping_row(self.speech_model_picker, self.voice, self.speech_format),
                self.speak_button,
                self.player,
            ]
        )

    def _update_task(self) -> None:
        translating = self.task.value == "translate"
        self.language.disabled = translating  # a translation is always into English
        self.transcribe_button.description = "Translate" if translating else "Transcribe"

    def _update_voices(self) -> None:
        voices = speech_voices(self.speech_model_picker.value.strip())
        current = self.voice.value
        self.voice.options = voices
        self.voice.value = current if current in voices else voices[0]
        self._update_speech_counter()

    def _update_speech_counter(self) -> None:
        length = len(self.speech_text.value)
        over = " ow-over" if length > MAX_SPEECH_CHARS else ""
        self.speech_counter.value = (
            f"<span class='ow-counter{over}'>{length} / {MAX_SPEECH_CHARS} characters</span>"
        )

    # -- actions ---------------------------------------------------------------------------

    def transcribe(self) -> Any:
        """Transcribe or translate the uploaded file; text goes to the text box, segments to the table."""
        upload = uploaded(self.upload)
        if upload is None:
            self.status.value = notice("Upload an audio file first.")
            return None
        model = self.model_picker.value.strip() or None
        response_format = "verbose_json" if self.output_kind.value == "segments" else None

        def call() -> Any:
            if self.task.value == "translate":
                return self.client.translate(upload, model=model, response_format=response_format)
            language = self.language.value.strip() or None
            return self.client.transcribe(
                upload, model=model, language=language, response_format=response_format
            )

        def transcribed() -> Any:
            result = call()
            self.frame = None if isinstance(result, str) else result
            return result

        working = f"{self.task.value.rstrip('e')}ing..."
        result = self.act(self.transcribe_button, transcribed, working=working)
        if result is None:
            return None
        if isinstance(result, str):
            self.text.value = result
            show(self.table)
        else:
            self.text.value = str(result.attrs.get("text", ""))
            show(self.table, result)
        return result

    def speak(self) -> Any:
        """Speak the text with the chosen voice; the player below shows the audio."""
        fmt = self.speech_format.value
        speech = self.act(
            self.speak_button,
            lambda: self.client.speak(
                self.speech_text.value,
                voice=self.voice.value,
                model=self.speech_model_picker.value.strip() or None,
                format=fmt,
            ),
            working="speaking...",
        )
        if speech is not None:
            self.speech = speech
            self.player.format = _PLAYER_TYPES.get(fmt, fmt)
            self.player.value = speech.content
            self.player.layout.display = ""
            self.status.value = f"<small>{html.escape(repr(speech))}</small>"
        return speech
