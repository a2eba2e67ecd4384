"""`Speech`: spoken audio as an inline player that holds the bytes and can save them."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

from IPython.display import Audio

from .._core.errors import InvalidTypeError
from .._tables.display import ShownOnce
from .audio import SPEECH_FORMATS, wav_seconds

__all__ = ["PCM_RATE", "Speech"]

PCM_RATE = 24_000  # OpenAI's raw pcm speech: 24 kHz, 16-bit signed little-endian, mono


class Speech(Audio, ShownOnce):
    """The audio `speak()` made: shows as a player; `.content` holds the bytes as sent.

        speech = ow.speak("Hello there", voice="nova", format="wav")
        speech.save("hello")      # -> Path('hello.wav')

    Raw `pcm` is wrapped in a WAV header for the player (browsers cannot play bare
    samples); `.content` and `.save()` keep it raw.
    """

    def __init__(
        self, content: bytes, format: str, *, text: str = "", voice: Any = None, model: str = ""
    ) -> None:
        self.content = bytes(content)
        self.format = format
        self.text = text
        self.voice = voice
        self.model = model
        playable = _pcm_to_wav(self.content) if format == "pcm" else self.content
        super().__init__(data=playable)
        self.mimetype = "audio/wav" if format == "pcm" else SPEECH_FORMATS.get(format, "audio/mpeg")

    def save(self, path: str | Path) -> Path:
        """Write the audio to `path` (the format's extension is added if it has none)."""
        if not isinstance(path, (str, Path)):
            raise InvalidTypeError(f"path must be a file path, not {type(path).__name__}")
        target = Path(path).expanduser()
        if not target.suffix:
            target = target.with_suffix(f".{self.format}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.content)
        return target

    @property
    def duration(self) -> float | None:
        """Seconds of audio, where the format tells it without decoding (wav, pcm)."""
        if self.format == "pcm":
            return len(self.content) / (2 * PCM_RATE)
        if self.format == "wav":
            return wav_seconds(self.content)
        return None

    def _repr_html_(self) -> str | None:
        return None if self.shown_above() else super()._repr_html_()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        voice = self.voice if isinstance(self.voice, str) else (self.voice or {}).get("id", "custom")
        seconds = f", {self.duration:.1f} s" if self.duration is not None else ""
        return f"<Speech: {self.format}, {len(self.content)} bytes{seconds}, voice {voice}, {self.model}>"


def _pcm_to_wav(samples: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(PCM_RATE)
        writer.writeframes(samples)
    return buffer.getvalue()
