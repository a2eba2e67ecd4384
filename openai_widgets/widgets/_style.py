"""The panels' look: one small stylesheet, carried by every panel, the studio and the credential form.

Status lines, counters, diffs and tables say what they are with CSS classes (`ow-error`,
`ow-notice`, `ow-flagged`, ...); the colours live here and nowhere else. The stylesheet is
an HTML widget holding a `<style>` block, the first child of each `StyledBox`: it is drawn
wherever the box is, in JupyterLab and from a saved notebook's widget state, and one
widget model is shared by every box, so the saved state holds it once. Where widgets are
not drawn (a terminal), a `StyledBox` shows as one short line of text, not its children.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
from traitlets import validate

__all__ = ["STYLESHEET", "StyledBox", "stylesheet"]

STYLESHEET = """
.ow-error, .ow-notice { color: #b00020; }
.ow-ok { color: #1b7f3b; }
.ow-working { font-style: italic; }
.ow-counter { color: #555; font-size: smaller; }
.ow-counter.ow-over { color: #b00020; }
.ow-reply-text, .ow-edit-diff { white-space: pre-wrap; }
.ow-tool-trace { font-family: monospace; font-size: smaller; }
.ow-edit-diff del { background: #fde2e1; color: #b00020; }
.ow-edit-diff ins { background: #e2f5e4; color: #1b5e20; text-decoration: none; }
.ow-moderation-table th, .ow-moderation-table td { text-align: left; }
.ow-moderation-table tr.ow-flagged { background: #fde2e1; }
.ow-job-status { font-family: monospace; color: #1a4f8b; }
.ow-job-status.ow-job-succeeded { color: #1b7f3b; }
.ow-job-status.ow-job-failed { color: #b00020; }
.ow-job-status.ow-job-cancelled { color: #8a6d00; }
.ow-stylesheet { display: none; }
/* The studio's tabs take the width of their titles instead of an equal, truncating share. */
.ow-studio .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 0 !important; max-width: none !important; }
/* In a narrow cell the tabs wrap onto more rows: in one row they would be wider than the
   cell and push the open panel out of sight to the side. */
.ow-studio .lm-TabBar-content { flex-wrap: wrap; }
/* Buttons and labels keep their whole text instead of shrinking to "Refr..." or "Temperat...";
   a row of several controls (`ow-wrap`, see _controls.wrapping_row) wraps when the panel is
   narrow, while a compound control (model picker, chat message) keeps one line. */
.ow-wrap { flex-wrap: wrap; }
.ow-panel .widget-hbox > .widget-button, .ow-panel .widget-hbox > .widget-toggle-button { flex-shrink: 0; }
.ow-panel .widget-inline-hbox > .widget-label {
  width: auto; min-width: var(--jp-widgets-inline-label-width); }
/* Long model IDs stay inside the panel: the list scrolls sideways instead of widening it. */
.ow-models-table, .ow-models-table select { min-width: 0; max-width: 100%; box-sizing: border-box; }
/* A drop-down whose options are long (job and file descriptions) shrinks with a narrow
   panel instead of growing to its longest option. */
.ow-panel .widget-dropdown > select { min-width: 0; }
/* A control made 100% wide keeps its margins inside the panel too. */
.ow-panel .jupyter-widgets, .openai-credential-widget .jupyter-widgets {
  max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); }
.ow-placeholder, .ow-hint { color: #555; font-size: smaller; }
""".strip()

_shared: widgets.HTML | None = None


def stylesheet() -> widgets.HTML:
    """The stylesheet widget: one, shared, made again only if it was closed."""
    global _shared
    if _shared is None or _shared.comm is None:
        _shared = widgets.HTML(f"<style>{STYLESHEET}</style>").add_class("ow-stylesheet")
    return _shared


class StyledBox(widgets.VBox):
    """A VBox whose first child is always the stylesheet, whatever `children` is set to.

    Its text form (a terminal's) is one line: `<ChatPanel: Chat, a widget for Jupyter>`;
    subclasses say more in `describe()`.
    """

    def describe(self) -> str:
        """What the text form says after the class name."""
        return f"{getattr(self, 'title', type(self).__name__)}, a widget for Jupyter"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"

    @validate("children")
    def _with_stylesheet(self, proposal: Any) -> tuple[widgets.Widget, ...]:
        sheet = stylesheet()
        return (sheet, *(child for child in proposal["value"] if child is not sheet))
