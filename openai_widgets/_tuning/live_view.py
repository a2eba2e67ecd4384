"""The live view of a followed fine-tuning job: what `fine_tuning_events(job_id, follow=True)` shows.

One display, redrawn in place in IPython (a status line, the loss plot and the latest
events); elsewhere each new event is printed as a log line.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._tables.frames import fine_tuning_events_frame
from .metrics import job_method
from .monitor import FineTuningUpdate, status_summary

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FineTuningView", "follow"]

_STATUS_COLORS = {"succeeded": "#1b7f3b", "failed": "#b00020", "cancelled": "#8a6d00"}
_LOG_ROWS = 12  # events shown in the live view


def follow(updates: Iterable[FineTuningUpdate], job_id: str) -> pd.DataFrame:
    """Show `updates` live until they end or the kernel is interrupted; return the events frame.

    In IPython the view is one display that is redrawn in place; elsewhere each new
    event is printed as a log line. An interrupt only stops the watching.
    """
    view = FineTuningView(job_id)
    handle = live_display(view)
    try:
        for update in updates:
            view.show(update)
            if handle is not None:
                handle.update(view)
            else:
                _print_update(update)
    except KeyboardInterrupt:
        view.stop(f"Stopped following; the job goes on (cancel_fine_tuning({job_id!r}) stops it).")
        if handle is not None:
            handle.update(view)
        else:
            print(view.note)
    return view.events if view.events is not None else fine_tuning_events_frame([])


def live_display(view: FineTuningView) -> Any:
    """A display handle showing `view` in IPython, or None outside IPython."""
    from IPython.core.interactiveshell import InteractiveShell

    if not InteractiveShell.initialized():
        return None
    from IPython.display import display

    return display(view, display_id=True)


def _print_update(update: FineTuningUpdate) -> None:
    for event in reversed(update.new_events):
        print(f"{event.get('level', ''):<5} {event.get('message', '')}")
    if update.done:
        print(status_summary(update.job))


class FineTuningView:
    """The live display of a followed job; `show()` takes each update, the notebook redraws it."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.job: dict[str, Any] = {"id": job_id, "status": "..."}
        self.events: pd.DataFrame | None = None
        self.note = ""

    def show(self, update: FineTuningUpdate) -> None:
        self.job = dict(update.job)
        if update.new_events or self.events is None:
            self.events = update.frame()

    def stop(self, note: str) -> None:
        self.note = note

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self._text(), "text/html": self._html()}

    def _text(self) -> str:
        lines = [status_summary(self.job, self.events)]
        if self.events is not None:
            for row in self.events.tail(5).itertuples(index=False):
                lines.append(f"  {row.created_at:%H:%M:%S} {row.level:<5} {row.message}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _html(self) -> str:
        from .loss_plot import loss_plot, png_bytes

        status = str(self.job.get("status"))
        color = _STATUS_COLORS.get(status, "#1a4f8b")
        summary = html.escape(status_summary(self.job, self.events))
        head = f"<div class='ow-ft-status' style='font-family:monospace;color:{color}'><b>{summary}</b></div>"
        method = job_method(self.job, self.events)
        plot = base64.b64encode(png_bytes(loss_plot(self.events, method=method))).decode()
        log = self._log_html()
        note = f"<div><i>{html.escape(self.note)}</i></div>" if self.note else ""
        return (
            f"<div class='ow-ft-live'>{head}<div style='display:flex;gap:16px;align-items:flex-start'>"
            f"<img alt='training curves' src='data:image/png;base64,{plot}'/>{log}</div>{note}</div>"
        )

    def _log_html(self) -> str:
        if self.events is None or self.events.empty:
            return "<div><i>no events yet</i></div>"
        rows = "".join(
            f"<tr><td>{row.created_at:%H:%M:%S}</td><td>{html.escape(str(row.level))}</td>"
            f"<td style='text-align:left'>{html.escape(str(row.message))}</td></tr>"
            for row in self.events.tail(_LOG_ROWS).itertuples(index=False)
        )
        return f"<table><tr><th>time</th><th>level</th><th>message</th></tr>{rows}</table>"
