"""The Responses panel: a message with attachments, tools, a schema, Send; the reply streams in
with its tool-call trace, citations, images and usage."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from .._core.errors import InvalidInputError, StreamInterruptedError
from .._core.json_text import parse_json
from .._media.image_input import encode_png
from .._responses.display import trace_lines
from .._responses.result import Response
from ._controls import wrapping_row
from ._panel import Panel

__all__ = ["ResponsesPanel"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CODE = re.compile(r"`([^`]*)`")
BUILT_IN_TOOLS = (
    ("web_search", "Web search"),
    ("file_search", "File search"),
    ("code_interpreter", "Code interpreter"),
    ("image_generation", "Image generation"),
)


class ResponsesPanel(Panel):
    """Ask through the Responses API: instructions, a message with images and files, built-in
    tools (file search with its vector store IDs), Python functions of the notebook, a schema.

    Send makes one `respond()` call; the reply streams in, with a line per tool call as it
    starts and finishes, the sources it cites as links, generated images, and the token usage.
    "Continue" carries on from the last reply (previous_response_id). `result` is the last Response.
    """

    title = "Responses"
    model_kinds = ("chat", "reasoning")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["respond"])
        self.instructions = widgets.Textarea(
            placeholder="instructions (optional)", layout=widgets.Layout(width="100%", height="50px")
        )
        self.message = widgets.Textarea(
            placeholder="your message", layout=widgets.Layout(width="100%", height="80px")
        )
        self.attachments = widgets.FileUpload(multiple=True, description="Attach")
        self.tool_boxes = {
            name: widgets.Checkbox(value=False, description=label, indent=False)
            for name, label in BUILT_IN_TOOLS
        }
        self.vector_store_ids = widgets.Text(
            placeholder="vs_... (comma-separated)", description="Stores", layout=widgets.Layout(width="320px")
        )
        self.functions = widgets.Text(
            placeholder="names of Python functions in the notebook",
            description="Functions",
            layout=widgets.Layout(width="420px"),
        )
        self.schema = widgets.Textarea(
            placeholder="structured output: a JSON schema, or the name of a class in the notebook",
            layout=widgets.Layout(width="100%", height="60px"),
        )
        self.stream = widgets.Checkbox(value=True, description="Stream", indent=False)
        self.continue_thread = widgets.Checkbox(value=False, description="Continue", indent=False)
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.trace = widgets.HTML().add_class("ow-tool-trace")
        self.reply = widgets.HTML().add_class("ow-responses-reply")
        self.sources = widgets.HTML().add_class("ow-citations")
        self.images = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.usage = widgets.HTML()
        tools = widgets.VBox(
            [
                wrapping_row(*(self.tool_boxes[name] for name, _ in BUILT_IN_TOOLS)),
                wrapping_row(self.vector_store_ids, self.functions),
            ]
        )
        self.options = widgets.Accordion(children=[tools, self.schema], titles=("Tools", "Schema"))
        self.options.selected_index = None
        self.children = [
            self.model_picker,
            self.instructions,
            self.message,
            self.attachments,
            self.options,
            wrapping_row(self.send_button, self.stream, self.continue_thread),
            self.status,
            self.trace,
            self.reply,
            self.sources,
            self.images,
            self.usage,
        ]
        self.add_class("ow-panel-responses")
        self.send_button.on_click(self.submit)

    # -- actions --------------------------------------------------------------------------

    def submit(self, _button: Any = None) -> Response | None:
        return self.act(self.send_button, self._submit, working="waiting for the reply...")

    def _submit(self) -> Response:
        request = self.request()
        for shown in (self.trace, self.reply, self.sources, self.usage):
            shown.value = ""
        self.images.children = ()
        try:
            result = self.client.respond(**request, on_update=self._show)
        except StreamInterruptedError as exc:
            if exc.partial is not None:
                self._show(exc.partial)
            raise
        self._show(result, final=True)
        return result

    def request(self) -> dict[str, Any]:
        """The keyword arguments of the `respond()` call the controls describe (checked first)."""
        content = self._content()
        tools: list[Any] = [
            name for name, box in self.tool_boxes.items() if box.value and name != "file_search"
        ]
        tools += self._functions()
        stores = [s.strip() for s in self.vector_store_ids.value.split(",") if s.strip()]
        if self.tool_boxes["file_search"].value and not stores:
            raise InvalidInputError("file search needs a vector store: write its ID (vs_...) in Stores")
        previous = None
        if self.continue_thread.value:
            if not isinstance(self.result, Response) or not self.result.id:
                raise InvalidInputError("there is no reply to continue yet: send a first message")
            previous = self.result.id
        return {
            "input": content,
            "model": self.model_picker.value,
            "instructions": self.instructions.value.strip() or None,
            "tools": tools or None,
            "vector_store_ids": stores if self.tool_boxes["file_search"].value else None,
            "text_format": self._schema(),
            "previous_response_id": previous,
            "stream": self.stream.value and not self.schema.value.strip(),
        }

    # -- reading the controls ---------------------------------------------------------------

    def _content(self) -> Any:
        text = self.message.value
        files = []
        for item in self.attachments.value:
            data = io.BytesIO(bytes(item["content"]))
            data.name = item.get("name") or "upload"
            files.append(data)
        if not text.strip() and not files:
            raise InvalidInputError("the message is empty; write it (attachments go with it)")
        return ([text] if text.strip() else []) + files if files else text

    def _functions(self) -> list[Any]:
        names = [n.strip() for n in self.functions.value.split(",") if n.strip()]
        found = []
        for name in names:
            value = _notebook_variable(name, "function")
            if not callable(value):
                raise InvalidInputError(f"{name} in the notebook is not a function")
            found.append(value)
        return found

    def _schema(self) -> Any:
        text = self.schema.value.strip()
        if not text:
            return None
        if _IDENTIFIER.match(text):
            return _notebook_variable(text, "class")
        return parse_json(text, "schema", object_only=True)

    # -- showing the reply --------------------------------------------------------------------

    def _show(self, result: Response, *, final: bool = False) -> None:
        lines = trace_lines(result)
        self.trace.value = "".join(f"<div>{_code(line)}</div>" for line in lines)
        arriving = not final and not result.interrupted and result.status not in ("completed", "incomplete")
        body = html.escape(result.text or "") + (" ▌" if arriving else "")
        if result.interrupted:
            body += "<br><i>(interrupted: partial reply)</i>"
        if result.reasoning:
            body = f"<details><summary>Reasoning</summary>{html.escape(result.reasoning)}</details>" + body
        self.reply.value = f"<div class='ow-reply-text'>{body}</div>"
        if final or not arriving:
            self.sources.value = _sources_html(result)
            self.usage.value = _usage_line(result)
            self.images.children = tuple(
                widgets.Image(value=encode_png(image), format="png", layout={"max_width": "256px"})
                for image in result.images
            )


def _notebook_variable(name: str, what: str) -> Any:
    from IPython import get_ipython

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else {}
    if name not in namespace:
        raise InvalidInputError(f"no {what} named {name!r} in the notebook; define it first")
    return namespace[name]


def _code(line: str) -> str:
    """A trace line (Markdown with `code`) as HTML."""
    return _CODE.sub(lambda match: f"<code>{match.group(1)}</code>", html.escape(line, quote=False))


def _sources_html(result: Response) -> str:
    frame = result.citations
    if frame.empty:
        return ""
    items, seen = [], set()
    for row in frame.itertuples():
        key = row.url or row.file_id
        if key in seen:
            continue
        seen.add(key)
        if row.url:
            title = html.escape(str(row.title or row.url))
            items.append(f"<li><a href='{html.escape(row.url)}' target='_blank'>{title}</a></li>")
        else:
            items.append(
                f"<li>{html.escape(str(row.filename or row.file_id))} <code>{row.file_id}</code></li>"
            )
    return "<b>Sources</b><ol>" + "".join(items) + "</ol>"


def _usage_line(result: Response) -> str:
    usage: dict[str, Any] = result.usage or {}
    tokens = (
        f"{usage.get('input_tokens', '?')} in + {usage.get('output_tokens', '?')} out "
        f"= {usage.get('total_tokens', '?')} tokens"
        if usage
        else "token usage not reported"
    )
    rounds = len(result.rounds)
    return html.escape(
        f"{tokens} · {result.model} · {result.status}" + (f" · {rounds} rounds" if rounds > 1 else "")
    )
