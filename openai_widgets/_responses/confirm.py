"""`respond(..., confirm=...)`: asking before each function call runs.

`confirm=True` asks the person at the keyboard. In a notebook the call (function and
arguments) shows as a widget and the answer is typed into the input box the notebook
opens under it: a running cell cannot receive button clicks (the kernel handles widget
events only between cells), while `input()` is answered through the notebook's own stdin
channel. In a terminal the call is printed and `input()` asks. "y" or "yes" runs the call;
anything else declines it, and the model is told the person declined.

`confirm=` also takes a function `(ToolCall) -> bool`, called before each call: the seam
tests and other front ends use.
"""

from __future__ import annotations

import builtins
import html
import json
from collections.abc import Callable
from typing import Any

from .._core.arguments import type_error
from .result import ToolCall

__all__ = ["DECLINED", "ask", "confirmer"]

DECLINED = "The person running this tool declined the call; do not call it again for this request."
Confirmer = Callable[[ToolCall], bool]


def confirmer(value: Any) -> Confirmer | None:
    """What `confirm=` asks with: None (run every call), `ask`, or the caller's function."""
    if value is None or value is False:
        return None
    if value is True:
        return ask
    if callable(value):
        return value
    raise type_error(
        "confirm", "True, False or a function taking a ToolCall and returning True or False", value
    )


def ask(call: ToolCall) -> bool:
    """Show `call` and ask whether to run it (see the module docstring)."""
    from .._chat.stream import in_notebook

    arguments = json.dumps(call.arguments, ensure_ascii=False)
    shown = _show_in_notebook(call, arguments) if in_notebook() else None
    if shown is None:
        print(f"The model wants to call {call.name}({arguments})")
    answer = builtins.input(f"Run {call.name}? [y/N] ").strip().lower()
    approved = answer in ("y", "yes")
    if shown is not None:
        shown.value = _card(call, arguments, "approved" if approved else "declined")
    return approved


def _show_in_notebook(call: ToolCall, arguments: str) -> Any:
    import ipywidgets as widgets
    from IPython.display import display

    card = widgets.HTML(_card(call, arguments, "waiting for your answer below"))
    display(card)
    return card


def _card(call: ToolCall, arguments: str, state: str) -> str:
    return (
        f"<div><b>Tool call</b> <code>{html.escape(call.name)}</code> "
        f"<code>{html.escape(arguments)}</code> <i>{html.escape(state)}</i></div>"
    )
