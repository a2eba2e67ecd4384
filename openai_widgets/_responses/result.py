"""`Response`: what `respond()` returns, as code reads it and as a notebook shows it.

A reply may take several requests (a tool loop: the model calls a function, the outputs go
back, it answers); each is a `Round`, and the Response reads them together: `text` and
`parsed` come from the last, `output`, `usage`, `images` and the tool trace from all.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._chat.result import current_cell
from .._core.errors import APIResponseValidationError, InvalidTypeError
from .._tables.records import Record, as_record
from .items import citations, citations_frame, items_frame, message_text

if TYPE_CHECKING:
    import pandas as pd

    from .._media.image_result import ImageResult
    from .._structured.formats import OutputFormat

__all__ = ["Response", "Round", "ToolCall"]

FINISHED = ("completed", "incomplete", "failed", "cancelled")


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for: what `confirm=` callbacks are shown."""

    name: str
    arguments: dict[str, Any]
    call_id: str


@dataclass
class Round:
    """One request of a reply: the API's response, and the function outputs sent back after it."""

    response: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # call IDs whose function raised
    running: set[str] = field(default_factory=set)  # call IDs being run right now


class Response:
    """The answer to `respond()` (or `response(id)`): one reply, over every tool round it took.

    - `text`: the reply; `parsed`: it as the `text_format` class (or a dict); `data`: the
      JSON, with a list of records as a DataFrame
    - `output`: every item of every round as a DataFrame (`round`, `id`, `type`, `role`,
      `status`, `tool`, `arguments`, `text`), the function outputs sent back included
    - `citations`: a DataFrame of what the text cites (url or file, title, start, end)
    - `images`: pictures the image generation tool made; `files` / `save_files(folder)`:
      files the code interpreter made
    - `reasoning`: the reasoning summaries; `usage`: tokens over every round
    - `id`, `status`, `model`, `raw` (the last round's JSON), `rounds`, `tool_calls` (calls
      left for you to answer), `interrupted` (a stream stopped or cut: what arrived is kept)
    - background responses: `wait()` polls until done, `cancel()` stops it

    In a notebook it shows as Markdown: the tool trace, reasoning in a collapsed block, the
    text with its citations as links, and images below; `print()` gives the text and sources.
    """

    def __init__(
        self,
        rounds: list[Round],
        request: dict[str, Any] | None = None,
        *,
        output_format: OutputFormat | None = None,
        interrupted: bool = False,
        client: Any = None,
        resume: Any = None,
    ) -> None:
        self._rounds = rounds
        self.request = {key: value for key, value in (request or {}).items() if key != "input"}
        self.output_format = output_format
        self.interrupted = interrupted
        self._client = client
        self._resume = resume  # continues a tool loop after a background response finishes
        self._live_cell: int | None = None

    # -- what code reads -------------------------------------------------------------------

    @property
    def raw(self) -> Record:
        return as_record(self._rounds[-1].response if self._rounds else {})

    @property
    def rounds(self) -> list[Record]:
        return [as_record(r.response) for r in self._rounds]

    @property
    def id(self) -> str | None:
        return self.raw.get("id")

    @property
    def status(self) -> str | None:
        return self.raw.get("status")

    @property
    def model(self) -> str | None:
        return self.raw.get("model") or self.request.get("model")

    @property
    def error(self) -> dict[str, Any] | None:
        return self.raw.get("error")

    @property
    def text(self) -> str:
        messages = [item for item in self._last_output() if item.get("type") == "message"]
        return "\n\n".join(message_text(item) for item in messages)

    @property
    def parsed(self) -> Any:
        """The reply read as `text_format` (an instance of its class, or a dict); None without one."""
        if self.output_format is None:
            return None
        if not self.text:
            return None
        return self.output_format.parse(self.text)

    @property
    def data(self) -> Any:
        """The reply's JSON (with a `text_format`); a list of records, or an object holding only
        one such list, becomes a DataFrame with one typed column per field."""
        if self.output_format is None or not self.text:
            return None
        from .._structured.formats import WRAPPED_FIELD
        from .._structured.frames import typed_frame

        value = _loaded(self.text)
        key = None
        if isinstance(value, dict) and len(value) == 1:
            key = next(iter(value))
        elif self.output_format.wrapped:
            key = WRAPPED_FIELD
        records = value.get(key) if key is not None else value
        if not (isinstance(records, list) and records and all(isinstance(r, dict) for r in records)):
            return self.parsed if self.output_format.target is not None else value
        return typed_frame(records, self.output_format.record_fields(key))

    @property
    def output(self) -> pd.DataFrame:
        items, rounds = [], []
        for number, made in enumerate(self._rounds):
            for item in [*(made.response.get("output") or []), *made.outputs]:
                items.append(item)
                rounds.append(number)
        return items_frame(items, extra={"round": rounds})

    @property
    def usage(self) -> Record | None:
        """Tokens over every round (input, output, total, and their details)."""
        found = (r.response.get("usage") for r in self._rounds)
        usages = [usage for usage in found if isinstance(usage, dict)]
        if not usages:
            return None
        total: dict[str, Any] = {}
        for usage in usages:
            _add(total, usage)
        return as_record(total)

    @property
    def citations(self) -> pd.DataFrame:
        return citations_frame(citations(self._last_output()))

    @property
    def reasoning(self) -> str:
        """The reasoning summaries of every round (empty when none were asked for)."""
        texts = [
            part.get("text", "")
            for item in self._all_output()
            if item.get("type") == "reasoning"
            for part in item.get("summary") or []
        ]
        return "\n\n".join(text for text in texts if text)

    @property
    def images(self) -> ImageResult:
        """The pictures the image generation tool made, as PIL images (a gallery in a notebook)."""
        from PIL import Image

        from .._media.image_result import ImageResult

        pictures = []
        for item in self._all_output():
            if item.get("type") == "image_generation_call" and item.get("result"):
                picture = Image.open(io.BytesIO(base64.b64decode(item["result"])))
                picture.load()
                if item.get("revised_prompt"):
                    picture.info["revised_prompt"] = item["revised_prompt"]
                pictures.append(picture)
        return ImageResult(pictures, model=self.model)

    @property
    def files(self) -> pd.DataFrame:
        """Files the code interpreter made and the reply cites: `container_id`, `file_id`, `filename`."""
        import pandas as pd

        found = [c for c in citations(self._all_output()) if c["type"] == "container_file_citation"]
        rows = {(c["container_id"], c["file_id"]): c["filename"] for c in found}
        return pd.DataFrame(
            [{"container_id": c, "file_id": f, "filename": n} for (c, f), n in rows.items()],
            columns=["container_id", "file_id", "filename"],
            dtype="object",
        )

    def save_files(self, folder: str | Path = ".") -> list[Path]:
        """Download the code interpreter's files into `folder` (made if needed); returns their paths."""
        if not isinstance(folder, (str, Path)):
            raise InvalidTypeError(f"folder must be a path, not {type(folder).__name__}")
        target = Path(folder).expanduser()
        target.mkdir(parents=True, exist_ok=True)
        saved = []
        for row in self.files.itertuples():
            content = self._needs_client().container_file_content(row.container_id, row.file_id)
            path = _free_path(target / Path(str(row.filename or row.file_id)).name)
            path.write_bytes(content)
            saved.append(path)
        return saved

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """Function calls of the last round that no output answers (with tools you run yourself)."""
        if self._rounds and self._rounds[-1].outputs:
            return []  # answered: the loop went on after them
        return [
            {"name": item.get("name"), "arguments": item.get("arguments"), "call_id": item.get("call_id")}
            for item in self._last_output()
            if item.get("type") == "function_call"
        ]

    # -- background responses --------------------------------------------------------------

    def wait(self, *, poll_interval: float | None = None, timeout: float | None = None) -> Response:
        """Poll a background response until it finishes (a status line shows meanwhile); returns self.

        If it finished by calling your Python tools, the tool loop goes on in the foreground.
        """
        from .background import wait_for

        return wait_for(self, poll_interval=poll_interval, timeout=timeout)

    def cancel(self) -> Response:
        """Cancel a background response; returns self, now "cancelled" (or finished, if it was)."""
        fresh = self._needs_client().cancel_response(self.id)
        self._rounds[-1].response = dict(fresh.raw)
        return self

    # -- how it shows ----------------------------------------------------------------------

    def __str__(self) -> str:
        return self.plain()

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        flags = ", interrupted=True" if self.interrupted else ""
        return f"Response(id={self.id!r}, status={self.status!r}, text={text!r}{flags})"

    def plain(self) -> str:
        """The text form for terminals: the reply, then its sources, one per line."""
        from .display import status_note

        note = status_note(self)
        lines = [self.text or (f"({note})" if note else "")]
        sources = _sources(citations(self._last_output()))
        if sources:
            lines += ["", "Sources:"] + [f"[{n}] {label}" for n, label in enumerate(sources, 1)]
        return "\n".join(lines).strip()

    def markdown(self, *, cursor: bool = False) -> str:
        """The reply as Markdown: tool trace, reasoning (collapsed), linked text, sources, notes."""
        from .display import response_markdown

        return response_markdown(self, cursor=cursor)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def bundle(self, *, cursor: bool = False) -> dict[str, str]:
        return {"text/plain": self.plain(), "text/markdown": self.markdown(cursor=cursor)}

    def metadata(self) -> dict[str, Any]:
        return {
            "openai_widgets": {
                "request": self.request,
                "model": self.model,
                "id": self.id,
                "status": self.status,
                "usage": dict(self.usage) if self.usage else None,
                "rounds": len(self._rounds),
                "interrupted": self.interrupted,
            }
        }

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return self.bundle(), self.metadata()

    def mark_streamed(self) -> None:
        """This cell shows the reply already (it was streamed there): displaying it again adds nothing."""
        self._live_cell = current_cell()

    def _ipython_display_(self) -> None:
        if self._live_cell is not None and self._live_cell == current_cell():
            return  # streamed into this cell already
        from IPython.display import display

        display(self.bundle(), metadata=self.metadata(), raw=True)
        images = self.images
        if images:
            display(images)

    # -- internals -------------------------------------------------------------------------

    def _last_output(self) -> list[dict[str, Any]]:
        return list(self._rounds[-1].response.get("output") or []) if self._rounds else []

    def _all_output(self) -> list[dict[str, Any]]:
        return [item for made in self._rounds for item in made.response.get("output") or []]

    def _needs_client(self) -> Any:
        if self._client is None:
            raise InvalidTypeError("this Response has no client to ask: get it again with ow.response(id)")
        return self._client


def _add(total: dict[str, Any], usage: dict[str, Any]) -> None:
    for key, value in usage.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def _loaded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise APIResponseValidationError(f"the reply is not valid JSON: {text[:120]!r}") from None


def _sources(found: list[dict[str, Any]]) -> list[str]:
    labels: list[str] = []
    for note in found:
        if note["url"]:
            label = f"{note['title'] or note['url']} <{note['url']}>"
        else:
            label = f"{note['filename'] or note['file_id']} ({note['file_id']})"
        if label not in labels:
            labels.append(label)
    return labels


def _free_path(path: Path) -> Path:
    if not path.exists():
        return path
    stem, suffix = path.stem, path.suffix
    for number in range(1, 10_000):
        candidate = path.with_name(f"{stem}-{number}{suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(path)
