"""What panels show: results in an `ipywidgets.Output`, and the HTML of a status line.

`show` puts results into an Output, from the kernel's thread or a background one.
`notice` writes a status line: a hint, a success, work under way, or an error (an
exception), marked with a CSS class of the stylesheet (see `_style`), never a colour.
"""

from __future__ import annotations

import html
from typing import Any, Literal

import ipywidgets as widgets

from .._core.secrets import redact

__all__ = ["notice", "show"]


def show(output: widgets.Output, *objects: Any) -> None:
    """Replace what `output` shows with `objects` (DataFrames, records, text); none clears it.

    The outputs are set directly rather than captured with `with output:`, which routes
    by the cell being run and so misplaces output sent from a background thread, and
    works only with a kernel attached.
    """
    output.outputs = ()
    for item in objects:
        output.append_display_data(item)


def notice(message: str | BaseException, kind: Literal["notice", "ok", "working"] = "notice") -> str:
    """Status-line HTML: an exception as an error (class name in bold), else `message` as `kind`.

    "notice" is a hint of what to do first, "ok" a success, "working" an action under way.
    """
    if isinstance(message, BaseException):
        name = html.escape(type(message).__name__)
        # Any exception, not only the package's own (whose messages are redacted already).
        return f"<span class='ow-error'><b>{name}</b>: {html.escape(redact(str(message)))}</span>"
    return f"<span class='ow-{kind}'>{html.escape(message)}</span>"
