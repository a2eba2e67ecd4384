"""`ChatResult`: a chat completion as a notebook shows it and as code uses it."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from .._core.errors import APIResponseValidationError
from .._tables.records import Record, as_record

__all__ = ["ChatResult", "current_cell"]

JSON_FORMATS = {"json_object", "json_schema"}
_NOTES = {
    "length": "cut at the token limit: raise max_tokens for the rest",
    "content_filter": "content was left out by the content filter",
}


class ChatResult:
    """The answer to `chat()`.

    - `text`: the reply (of the first choice; `texts` has every choice when `n > 1`)
    - `messages`: the conversation sent, followed by the reply: pass it to `chat()` again
      with a new user message to continue
    - `usage` (tokens), `finish_reason`, `model` (as the server named it), `tool_calls`
    - `data`: in JSON mode (`response_format` json_object or json_schema) the reply parsed;
      a list of records, or an object holding just one list of records, is a DataFrame
    - `parsed`: with a class as `response_format` (Pydantic model, dataclass, TypedDict) the
      reply as an instance of it; with a JSON schema, a dict
    - `raw`: the response JSON (for a stream: the chunks assembled into that shape)
    - `request`: the settings sent (everything but the messages)
    - `interrupted`: True when the stream was stopped (Ctrl-C, Kernel > Interrupt) or cut;
      then `text` holds what arrived

    In a notebook it shows as Markdown, and the request's model, settings and token usage
    are recorded in the output's metadata under "openai_widgets". A reply that was streamed
    into the cell is not shown a second time by that same cell.
    """

    def __init__(
        self,
        response: dict[str, Any],
        messages: list[dict[str, Any]],
        request: dict[str, Any],
        *,
        interrupted: bool = False,
        output_format: Any = None,
    ) -> None:
        self.raw = as_record(response)
        self.output_format = output_format  # an _structured OutputFormat, for `parsed`
        self.request = {key: value for key, value in request.items() if key != "messages"}
        self.interrupted = interrupted
        self._sent = messages
        self._live_cell: int | None = None  # the notebook cell this result was streamed into

    # -- what code reads -----------------------------------------------------------

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.raw.get("choices") or [])

    @property
    def texts(self) -> list[str]:
        return [(choice.get("message") or {}).get("content") or "" for choice in self.choices]

    @property
    def text(self) -> str:
        texts = self.texts
        return texts[0] if texts else ""

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].get("finish_reason") if self.choices else None

    @property
    def model(self) -> str | None:
        return self.raw.get("model") or self.request.get("model")

    @property
    def id(self) -> str | None:
        return self.raw.get("id")

    @property
    def usage(self) -> Record | None:
        usage = self.raw.get("usage")
        return as_record(usage) if isinstance(usage, dict) else None

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        if not self.choices:
            return []
        return list((self.choices[0].get("message") or {}).get("tool_calls") or [])

    @property
    def message(self) -> dict[str, Any] | None:
        """The reply as a message to send back (None when nothing arrived)."""
        if not self.choices:
            return None
        reply = self.choices[0].get("message") or {}
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
        if reply.get("tool_calls"):
            message["tool_calls"] = reply["tool_calls"]
        if reply.get("refusal"):
            message["refusal"] = reply["refusal"]
        if not message["content"] and "tool_calls" not in message:
            return None
        return message

    @property
    def messages(self) -> list[dict[str, Any]]:
        reply = self.message
        return [dict(m) for m in self._sent] + ([reply] if reply else [])

    @property
    def json_mode(self) -> bool:
        response_format = self.request.get("response_format")
        return isinstance(response_format, dict) and response_format.get("type") in JSON_FORMATS

    @property
    def data(self) -> Any:
        """The reply parsed as JSON (JSON mode only; None otherwise). Records become a DataFrame."""
        if not self.json_mode:
            return None
        try:
            value = json.loads(self.text)
        except ValueError:
            why = f" ({_NOTES[self.finish_reason]})" if self.finish_reason in _NOTES else ""
            raise APIResponseValidationError(
                f"the reply is not valid JSON{why}: {self.text[:120]!r}"
            ) from None
        records = _records(value)
        if records is None:
            return value
        if self.output_format is not None and self.output_format.schema is not None:
            from .._structured.frames import typed_frame  # one typed column per field of the schema

            key = next(iter(value)) if isinstance(value, dict) else None
            return typed_frame(records, self.output_format.record_fields(key))
        from .._tables.frames import records_frame

        return records_frame(records, [])

    @property
    def parsed(self) -> Any:
        """The reply as the `response_format` class (an instance), or a dict for a JSON schema; None
        without a structured format."""
        if self.output_format is None:
            return json.loads(self.text) if self.json_mode and self.text else None
        return self.output_format.parse(self.text) if self.text else None

    def metadata(self) -> dict[str, Any]:
        """What the output metadata records: request settings, model, usage, finish reason."""
        return {
            "openai_widgets": {
                "request": self.request,
                "model": self.model,
                "id": self.id,
                "usage": dict(self.usage) if self.usage else None,
                "finish_reason": self.finish_reason,
                "interrupted": self.interrupted,
            }
        }

    # -- how it shows --------------------------------------------------------------

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        flags = ", interrupted=True" if self.interrupted else ""
        return f"ChatResult(model={self.model!r}, finish_reason={self.finish_reason!r}, text={text!r}{flags})"

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def markdown(self, *, cursor: bool = False) -> str:
        """The reply as Markdown; `cursor` marks a reply still arriving."""
        texts = [_choice_markdown(choice) for choice in self.choices] or [""]
        if len(texts) == 1:
            body = texts[0]
        else:
            body = "\n\n---\n\n".join(f"**Choice {n + 1}**\n\n{text}" for n, text in enumerate(texts))
        if cursor:
            return body + " ▌"
        if self.interrupted:
            body += "\n\n*(interrupted: the reply above is partial)*"
        elif self.finish_reason in _NOTES:
            body += f"\n\n*({_NOTES[self.finish_reason]})*"
        return body

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return self.bundle(), self.metadata()

    def bundle(self, *, cursor: bool = False) -> dict[str, str]:
        data = {"text/plain": self.text, "text/markdown": self.markdown(cursor=cursor)}
        if self.json_mode and not cursor:
            data.update(_json_bundle(self))
        return data

    def mark_streamed(self) -> None:
        """This cell shows the reply already (it was streamed there): displaying it again adds nothing."""
        self._live_cell = current_cell()

    def _ipython_display_(self) -> None:
        if self._live_cell is not None and self._live_cell == current_cell():
            return  # this cell already shows it: it was streamed there
        from IPython.display import display

        display(self.bundle(), metadata=self.metadata(), raw=True)


def _choice_markdown(choice: dict[str, Any]) -> str:
    message = choice.get("message") or {}
    parts = [message.get("content") or ""]
    if message.get("refusal"):
        parts.append(f"*Refused:* {message['refusal']}")
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        arguments = function.get("arguments") or ""
        with contextlib.suppress(ValueError):  # shown as sent when it is not JSON
            arguments = json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
        parts.append(f"**Tool call** `{function.get('name', '?')}`\n\n```json\n{arguments}\n```")
    return "\n\n".join(part for part in parts if part)


def _records(value: Any) -> list[dict[str, Any]] | None:
    """A list of records, or an object holding only one: what a DataFrame is made of."""
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return value
    return None


def _json_bundle(result: ChatResult) -> dict[str, str]:
    try:
        data = result.data
    except APIResponseValidationError:
        return {}
    if hasattr(data, "to_html"):
        return {"text/html": data.to_html(max_rows=60), "text/plain": data.to_string(max_rows=60)}
    pretty = json.dumps(data, indent=2, ensure_ascii=False)
    return {"text/markdown": f"```json\n{pretty}\n```", "text/plain": pretty}


def current_cell() -> int | None:
    """The number of the notebook cell running now (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None
