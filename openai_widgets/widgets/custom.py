"""The custom call panel: method, path, JSON headers / query / body, and the answer."""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as widgets

from .._core.constants import HTTP_METHODS as METHODS
from .._core.errors import InvalidInputError, InvalidJSONError, InvalidTypeError
from .._core.json_text import parse_json
from .._core.paths import resolve_path
from ._controls import wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait

__all__ = ["CustomCallPanel"]


class CustomCallPanel(Panel):
    """Any request under the base URL: the key is added for you, other hosts are refused.

    JSON errors show under their field as you type, with the line and column. The answer
    shows as pretty JSON, or as a DataFrame when it holds a `data` list of objects: then
    that DataFrame is `frame`. `result` is the last answer.
    """

    title = "Custom call"
    frame = frame_trait("the last answer's `data` list as a table (None when it has none)")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.method = widgets.Dropdown(
            options=list(METHODS), value="GET", description="Method", layout=widgets.Layout(width="180px")
        )
        self.path = widgets.Text(
            value="models", description="Path", placeholder="models", layout=widgets.Layout(width="480px")
        )
        self.headers = _json_box("Headers", '{"X-Example": "value"}')
        self.query = _json_box("Query", '{"limit": 10}')
        self.body = _json_box("Body", '{"model": "gpt-4o-mini"}', rows=6)
        self.path_error, self.headers_error, self.query_error, self.body_error = (
            widgets.HTML() for _ in range(4)
        )
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.response_line = widgets.HTML()
        self.output = widgets.Output()
        self.children = [
            wrapping_row(self.method, self.path),
            self.path_error,
            self.headers,
            self.headers_error,
            self.query,
            self.query_error,
            self.body,
            self.body_error,
            wrapping_row(self.send_button, self.status),
            self.response_line,
            self.output,
        ]
        self.add_class("ow-panel-custom")
        self.path.observe(lambda _: self._check_path(), names="value")
        fields = [
            (self.headers, self.headers_error, "headers"),
            (self.query, self.query_error, "query"),
            (self.body, self.body_error, "body"),
        ]
        for box, line, name in fields:
            box.observe(lambda _, b=box, e=line, n=name: _check_json(b, e, n), names="value")
        self.send_button.on_click(lambda _: self.send_request())

    def send_request(self) -> Any:
        """Send the request (one `request()` call) and show the answer."""
        show(self.output)
        self.response_line.value = ""

        def send() -> Any:
            answer = self.client.request(
                self.method.value,
                self.path.value,
                headers=self.headers.value,
                query=self.query.value,
                body=self.body.value if self.method.value != "GET" else None,
            )
            self.frame = _table(answer)
            return answer

        result = self.act(self.send_button, send, working="sending...")
        info = self.client.last_request
        if info is not None:
            outcome = f"{info.status}" if info.status else "no answer"
            request_id = f" · {html.escape(info.request_id)}" if info.request_id else ""
            self.response_line.value = (
                f"<code>{info.method} {html.escape(info.path)}</code> → "
                f"<b>{outcome}</b> in {info.duration * 1000:.0f} ms{request_id}"
            )
        if result is not None:
            show(self.output, self.frame if self.frame is not None else _presentable(result))
        return result

    def _check_path(self) -> None:
        try:
            resolve_path(self.path.value)
        except (InvalidInputError, InvalidTypeError) as exc:
            self.path_error.value = notice(str(exc))
        else:
            self.path_error.value = ""


def _json_box(name: str, placeholder: str, rows: int = 3) -> widgets.Textarea:
    return widgets.Textarea(
        description=name, placeholder=placeholder, rows=rows, layout=widgets.Layout(width="660px")
    )


def _check_json(box: widgets.Textarea, line: widgets.HTML, field: str) -> None:
    try:
        parse_json(box.value, field, object_only=field != "body")
    except (InvalidJSONError, InvalidTypeError) as exc:
        line.value = notice(str(exc))
    else:
        line.value = ""


def _table(result: Any) -> Any:
    """A DataFrame of a list object's `data` (a list of objects), else None."""
    if (
        isinstance(result, dict)
        and isinstance(result.get("data"), list)
        and all(isinstance(item, dict) for item in result["data"])
    ):
        import pandas as pd

        return pd.DataFrame.from_records(result["data"])
    return None


def _presentable(result: Any) -> Any:
    """Pretty JSON for JSON that is not a list object, a note for bytes."""
    if isinstance(result, (bytes, bytearray)):
        return widgets.HTML(f"<i>{len(result)} bytes (not JSON)</i>")
    text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
    return widgets.HTML(f"<pre>{html.escape(text)}</pre>")
