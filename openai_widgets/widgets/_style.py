"""The panels' look: one small stylesheet, carried by every panel, the studio and the credential form.

Status lines, counters, diffs and tables say what they are with CSS classes (`ow-error`,
`ow-notice`, `ow-flagged`, ...); the colours live here and nowhere else. The stylesheet is
an HTML widget holding a `<style>` block, the first child of each `StyledBox`: it is drawn
wherever the box is, in JupyterLab and from a saved notebook's widget state, and one
widget model is shared by every box, so the saved state holds it once.
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
""".strip()

_shared: widgets.HTML | None = None


def stylesheet() -> widgets.HTML:
    """The stylesheet widget: one, shared, made again only if it was closed."""
    global _shared
    if _shared is None or _shared.comm is None:
        _shared = widgets.HTML(f"<style>{STYLESHEET}</style>").add_class("ow-stylesheet")
    return _shared


class StyledBox(widgets.VBox):
    """A VBox whose first child is always the stylesheet, whatever `children` is set to."""

    @validate("children")
    def _with_stylesheet(self, proposal: Any) -> tuple[widgets.Widget, ...]:
        sheet = stylesheet()
        return (sheet, *(child for child in proposal["value"] if child is not sheet))
