"""Streamed transcripts: `transcript.text.*` events folded into the text so far.

With `stream=True` a transcription model that can stream (gpt-4o-transcribe and its mini)
sends `transcript.text.delta` events as it hears the words, then `transcript.text.done`
with the whole text and the usage (diarizing models add `transcript.text.segment`). The
stream has no `[DONE]`: it is whole once `done` arrived.

`Transcript` is the text as a `str` that can also be shown while it grows (see
`_chat.stream.LiveView`) and knows when its cell shows it already, so it is not shown twice.
"""

from __future__ import annotations

from typing import Any

from .._tables.display import ShownOnce

__all__ = ["Transcript", "TranscriptStream"]

_CURSOR = "▌"


class Transcript(str, ShownOnce):
    """A transcript's text (a plain `str` to code), with `usage`, `model` and `interrupted`."""

    usage: dict[str, Any] | None = None
    model: str | None = None
    interrupted: bool = False

    def bundle(self, *, cursor: bool = False) -> dict[str, str]:
        note = (
            _CURSOR
            if cursor
            else "\n(interrupted: the transcript above is partial)"
            if self.interrupted
            else ""
        )
        return {"text/plain": str(self) + note}

    def metadata(self) -> dict[str, Any]:
        return {"openai_widgets": {"model": self.model, "usage": self.usage, "interrupted": self.interrupted}}

    def mark_streamed(self) -> None:
        self.mark_shown()

    def _ipython_display_(self) -> None:
        if self.shown_above():
            return  # this cell already shows it: it was streamed there
        from IPython.display import display

        display(str(self))


class TranscriptStream:
    """The deltas so far, and the whole text once `transcript.text.done` arrives."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.pieces: list[str] = []
        self.text: str | None = None  # the done event's
        self.usage: dict[str, Any] | None = None
        self.segments: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "transcript.text.delta" and isinstance(event.get("delta"), str):
            self.pieces.append(event["delta"])
        elif kind == "transcript.text.segment":
            self.segments.append(event)
        elif kind == "transcript.text.done" or (kind is None and "text" in event):  # or a whole answer
            self.text = event.get("text") if isinstance(event.get("text"), str) else "".join(self.pieces)
            self.usage = event.get("usage") if isinstance(event.get("usage"), dict) else None

    def unfinished(self) -> str | None:
        return None if self.text is not None else "no transcript.text.done event arrived"

    def result(self, *, interrupted: bool = False) -> Transcript:
        made = Transcript(self.text if self.text is not None else "".join(self.pieces))
        made.model, made.usage, made.interrupted = self.model, self.usage, interrupted
        return made
