"""Putting results into an `ipywidgets.Output`, from the kernel's thread or a background one."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

__all__ = ["confirm_row", "notice", "set_options", "show_in"]


def show_in(output: widgets.Output, *objects: Any) -> None:
    """Replace what `output` shows with `objects` (DataFrames, records, text).

    The outputs are set directly rather than captured with `with output:`, which routes
    by the cell being run and so misplaces output sent from a background thread.
    """
    output.outputs = ()
    for item in objects:
        output.append_display_data(item)


def confirm_row(question: widgets.HTML, yes: widgets.Button, no: widgets.Button) -> widgets.HBox:
    """A hidden row asking to confirm a destructive action; shown by setting `layout.display = ""`."""
    return widgets.HBox([question, yes, no], layout=widgets.Layout(display="none"))


def notice(text: str) -> str:
    """A hint for the status line (what to do first), in the colour of errors."""
    return f"<span style='color:#b00020'>{html.escape(text)}</span>"


def set_options(picker: widgets.Dropdown, options: list[tuple[str, Any]]) -> None:
    """New (label, value) options for `picker`, keeping its value if still offered, else the first."""
    kept = picker.value
    picker.options = options
    values = [value for _, value in options]
    picker.value = kept if kept in values else (values[0] if values else None)
