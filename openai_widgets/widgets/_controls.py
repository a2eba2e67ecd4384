"""Small control helpers the panels share: rows that wrap, confirmation rows, options that keep the choice."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

__all__ = ["confirm_row", "set_options", "wrapping_row"]


def wrapping_row(*controls: widgets.Widget) -> widgets.HBox:
    """A row of controls that wraps onto more lines when the panel is too narrow for it.

    Only such rows wrap (CSS class `ow-wrap`): a compound control (the model picker, a chat
    message with its 100%-wide text box) must stay on one line.
    """
    return widgets.HBox(list(controls)).add_class("ow-wrap")


def confirm_row(question: widgets.HTML, yes: widgets.Button, no: widgets.Button) -> widgets.HBox:
    """A hidden row asking to confirm a destructive action; shown by setting `layout.display = ""`."""
    return widgets.HBox([question, yes, no], layout=widgets.Layout(display="none"))


def set_options(picker: widgets.Dropdown, options: list[tuple[str, Any]]) -> None:
    """New (label, value) options for `picker`, keeping its value if still offered, else the first."""
    kept = picker.value
    picker.options = options
    values = [value for _, value in options]
    picker.value = kept if kept in values else (values[0] if values else None)
