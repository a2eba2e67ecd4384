"""The edit panel: input, instruction, the edited text, and a diff of what changed."""

from __future__ import annotations

import difflib
import html
import re
from typing import Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from ._panel import Panel

__all__ = ["EditPanel", "diff_html"]

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def diff_html(before: str, after: str) -> str:
    """A word-level diff: removed words in `<del>`, added words in `<ins>` (the stylesheet colours them)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    pieces = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in {"replace", "delete"}:
            removed = html.escape("".join(old[i1:i2]))
            pieces.append(f"<del>{removed}</del>")
        if tag in {"replace", "insert"}:
            added = html.escape("".join(new[j1:j2]))
            pieces.append(f"<ins>{added}</ins>")
        if tag == "equal":
            pieces.append(html.escape("".join(old[i1:i2])))
    return f"<div class='ow-edit-diff'>{''.join(pieces)}</div>"


class EditPanel(Panel):
    """Edit a text by an instruction; shows the result and a diff of the changes."""

    title = "Edit"
    model_kinds = ("chat", "reasoning")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["edit"])
        wide = widgets.Layout(width="100%")
        self.input = widgets.Textarea(
            placeholder="the text to edit",
            description="Input",
            layout=widgets.Layout(width="100%", height="120px"),
        )
        self.instruction = widgets.Text(
            placeholder="e.g. Fix the spelling", description="Instruction", layout=wide
        )
        self.temperature = widgets.FloatSlider(
            value=0.0, min=0.0, max=2.0, step=0.05, description="Temperature"
        )
        self.edit_button = widgets.Button(description="Edit", button_style="primary", icon="pencil")
        self.output = widgets.Textarea(
            description="Result", layout=widgets.Layout(width="100%", height="120px")
        )
        self.diff = widgets.HTML()
        self.children = [
            self.model_picker,
            self.input,
            self.instruction,
            self.temperature,
            self.edit_button,
            self.status,
            self.output,
            widgets.HTML("<b>Changes</b>"),
            self.diff,
        ]
        self.add_class("ow-panel-edit")
        self.edit_button.on_click(self.edit)

    def edit(self, _button: Any = None) -> str | None:
        return self.act(self.edit_button, self._edit, working="editing...")

    def _edit(self) -> str:
        before = self.input.value
        edited = self.client.edit(
            before,
            self.instruction.value,
            model=self.model_picker.value,
            temperature=round(self.temperature.value, 4),
        )
        self.output.value = edited
        self.diff.value = diff_html(before, edited)
        return edited
