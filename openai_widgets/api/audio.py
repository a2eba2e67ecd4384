"""Audio: transcribe and translate speech to text, and speak text aloud."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import model_argument, whole_number
from .._core.errors import APIResponseValidationError, InvalidInputError, StreamInterruptedError
from .._core.transport import BaseClient, decode_json

if TYPE_CHECKING:
    import pandas as pd

    from .._media.speech import Speech
    from .._media.transcript_stream import Transcript

__all__ = ["AudioAPI"]

# The types the overloads of transcribe() and translate() tell apart: one audio file (a
# path, bytes, a file object; an IPython.display.Audio is typed Any), the formats that
# come back as text, and timestamp granularities, which always give segments.
AudioSource = str | os.PathLike[str] | bytes | IO[bytes]
TextFormat = Literal["json", "text", "srt", "vtt"]
Granularities = Literal["word", "segment"] | list[str] | tuple[str, ...]


class AudioAPI(BaseClient):
    @overload
    def transcribe(
        self,
        file: list[Any] | tuple[Any, ...],
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: Granularities | None = None,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def transcribe(
        self,
        file: AudioSource,
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: TextFormat | None = None,
        temperature: float | None = None,
        timestamp_granularities: None = None,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> str: ...
    @overload
    def transcribe(
        self,
        file: AudioSource,
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: Literal["verbose_json"],
        temperature: float | None = None,
        timestamp_granularities: Granularities | None = None,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def transcribe(
        self,
        file: AudioSource,
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: Literal["verbose_json"] | None = None,
        temperature: float | None = None,
        timestamp_granularities: Granularities,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def transcribe(
        self,
        file: Any,
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: Granularities | None = None,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> str | pd.DataFrame: ...
    def transcribe(
        self,
        file: Any,
        model: str | None = None,
        *,
        language: str | None = None,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: Granularities | None = None,
        limit: int | None = None,
        stream: bool = False,
        on_update: Callable[[str], Any] | None = None,
    ) -> str | pd.DataFrame:
        """Speech -> text in the language spoken.

        `file` is a path, bytes, a binary file object or an `IPython.display.Audio`, in
        one of flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm, under 25 MB (checked
        before sending). Returns the text (subtitles for "srt"/"vtt"); with
        `response_format="verbose_json"` or `timestamp_granularities` a DataFrame of
        segments (`start`, `end`, `text`, and `words` when word timestamps are asked).
        `language` is an ISO-639-1 code such as "en". A list of files gives a DataFrame
        with `file` and `text` (segment rows with a `file` column for verbose output);
        `limit` caps how many of them are sent.

        `stream=True` (one file; models that stream, such as gpt-4o-mini-transcribe, not
        whisper-1) shows the text in the cell as it is heard, updated in place (or calls
        `on_update(text_so_far)`), and returns it. An interrupt returns what arrived
        (`.interrupted` True); a stream the server cuts raises `StreamInterruptedError`
        with that text in `.partial`. The text also has `.usage`.
        """
        from .._media.audio import check_transcription, read_audio

        model = model_argument(model, "transcription")
        fields = check_transcription(
            model, language, prompt, response_format, temperature, timestamp_granularities, stream
        )
        if stream:
            if isinstance(file, (list, tuple)):
                raise InvalidInputError("stream=True takes one audio file: transcribe the others one by one")
            _limit(limit)
            return self._transcript_stream(read_audio(file), fields, on_update)
        return self._speech_to_text("audio/transcriptions", file, fields, limit)

    @overload
    def translate(
        self,
        file: list[Any] | tuple[Any, ...],
        model: str | None = None,
        *,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def translate(
        self,
        file: AudioSource,
        model: str | None = None,
        *,
        prompt: str | None = None,
        response_format: TextFormat | None = None,
        temperature: float | None = None,
        limit: int | None = None,
    ) -> str: ...
    @overload
    def translate(
        self,
        file: AudioSource,
        model: str | None = None,
        *,
        prompt: str | None = None,
        response_format: Literal["verbose_json"],
        temperature: float | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def translate(
        self,
        file: Any,
        model: str | None = None,
        *,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        limit: int | None = None,
    ) -> str | pd.DataFrame: ...
    def translate(
        self,
        file: Any,
        model: str | None = None,
        *,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        limit: int | None = None,
    ) -> str | pd.DataFrame:
        """Speech in any language -> English text. Takes files and lists as `transcribe()` does."""
        from .._media.audio import check_transcription

        model = model_argument(model, "translation")
        fields = check_transcription(model, None, prompt, response_format, temperature, None)
        return self._speech_to_text("audio/translations", file, fields, limit)

    def speak(
        self,
        text: str,
        model: str | None = None,
        *,
        voice: str | dict[str, str] = "alloy",
        format: str = "mp3",
        speed: float | None = None,
        instructions: str | None = None,
    ) -> Speech:
        """Text (up to 4096 characters) -> speech, as an inline audio player holding the bytes.

        `voice` is a built-in voice (alloy, ash, coral, echo, fable, onyx, nova, sage,
        shimmer; gpt-4o-mini-tts also ballad, verse, marin, cedar) or `{"id": "voice_..."}`.
        `format` is mp3, opus, aac, flac, wav or pcm; `speed` 0.25 to 4; `instructions`
        (not for tts-1) steer the tone. The result's `.save(path)` writes the file.
        """
        from .._costs import ledger
        from .._media.audio import SPEECH_VOICES, check_speech
        from .._media.speech import Speech

        model = model_argument(model, "speech")
        if model.lower() in SPEECH_VOICES:  # speak(text, "nova"): the voice was the second argument once
            raise InvalidInputError(f"model {model!r} is a voice; pass it as voice={model!r}")
        body = check_speech(model, text, voice, format, speed, instructions)
        response = self._request("POST", "audio/speech", json=body)
        if not response.content:
            raise APIResponseValidationError("the server sent no audio for the speech request")
        speech = Speech(
            response.content, body["response_format"], text=text, voice=body["voice"], model=model
        )
        ledger.record(
            self,
            "audio/speech",
            model,
            None,
            request_id=response.headers.get("x-request-id"),
            characters=len(body["input"]),
            audio_seconds=speech.duration,
        )
        return speech

    # -- one or many files -----------------------------------------------------------------

    def _transcript_stream(
        self, upload: Any, fields: dict[str, Any], on_update: Callable[[str], Any] | None
    ) -> Transcript:
        from .._chat.stream import LiveView
        from .._media.transcript_stream import TranscriptStream

        transcript = TranscriptStream(fields["model"])
        view = LiveView(on_update)
        events = self._stream_events(
            "POST",
            "audio/transcriptions",
            fields=fields,
            files=[("file", upload.part())],
            unfinished=transcript.unfinished,
        )
        try:
            with contextlib.closing(events):  # leaving early closes the connection
                for event in events:
                    transcript.add(event)
                    if view.due():
                        view.show(transcript.result())
        except KeyboardInterrupt:
            partial = transcript.result(interrupted=True)
            with contextlib.suppress(KeyboardInterrupt):
                view.show(partial, final=True)
            return partial
        except StreamInterruptedError as exc:
            exc.partial = transcript.result(interrupted=True)
            view.show(exc.partial, final=True)
            raise
        final = transcript.result()
        view.show(final, final=True)
        return final

    def _speech_to_text(self, path: str, file: Any, fields: dict[str, Any], limit: Any) -> Any:
        from .._media.audio import describe, read_audio
        from .._tables.frames import transcripts_frame

        words = "word" in (fields.get("timestamp_granularities[]") or [])
        if not isinstance(file, (list, tuple)):
            _limit(limit)  # checked even when there is nothing to cap
            return self._one_file(path, read_audio(file), fields, words)
        chosen = list(file)[: _limit(limit)]
        if not chosen:
            raise InvalidInputError("the list of audio files is empty; pass at least one file")
        uploads = [read_audio(item) for item in chosen]  # every file is checked before any is sent
        names = [describe(item) for item in chosen]
        results = [self._one_file(path, upload, fields, words) for upload in _progress(uploads, path)]
        if fields["response_format"] == "verbose_json":
            return _stack_segments(names, results)
        return transcripts_frame(
            {"file": name, "text": text} for name, text in zip(names, results, strict=True)
        )

    def _one_file(self, path: str, upload: Any, fields: dict[str, Any], words: bool) -> Any:
        from .._tables.frames import segments_frame

        response = self._post_multipart(path, fields, [("file", upload.part())])
        response_format = fields["response_format"]
        answer = None if response_format in {"text", "srt", "vtt"} else decode_json(response)
        _record(self, path, fields["model"], answer, response, upload)
        if answer is None:
            return response.text
        if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
            raise APIResponseValidationError(f"the {path} answer has no 'text': {str(answer)[:100]!r}")
        if response_format == "verbose_json":
            return segments_frame(answer, words=words)
        return answer["text"]


def _record(client: Any, path: str, model: str, answer: Any, response: Any, upload: Any) -> None:
    """Into the session's ledger: the tokens the answer counted, or the seconds of audio sent.

    The seconds come from the answer (`usage.seconds`, or a verbose answer's `duration`),
    else from a WAV file's header; for other formats they stay unknown.
    """
    from .._costs import ledger
    from .._media.audio import wav_seconds

    usage = answer.get("usage") if isinstance(answer, dict) else None
    seconds = answer.get("duration") if isinstance(answer, dict) else None
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        seconds = wav_seconds(upload.content) if upload.format == "wav" else None
    ledger.record(
        client,
        path,
        model,
        usage,
        request_id=response.headers.get("x-request-id"),
        audio_seconds=seconds,
    )


def _limit(limit: Any) -> int | None:
    return whole_number(limit, "limit", minimum=1, optional=True, of="files")


def _progress(items: list[Any], path: str):
    if len(items) < 2:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=path.rsplit("/", 1)[-1], unit="file", leave=False)


def _stack_segments(names: list[str], frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    parts = [
        frame.assign(file=name)[["file", *frame.columns]] for name, frame in zip(names, frames, strict=True)
    ]
    stacked = pd.concat(parts, ignore_index=True)
    stacked.attrs = {}
    return stacked
