"""Following a fine-tuning job: snapshots while it runs, and the live view that shows them.

`FineTuningUpdate` is one look at a job (its record and the events so far);
`FineTuningView` is the display that `fine_tuning_events(job_id, follow=True)` updates
in place: a status line, a loss plot and the latest events.
"""

from __future__ import annotations

import base64
import html
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._tables.frames import fine_tuning_events_frame
from .._tables.records import Record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TERMINAL", "FineTuningUpdate", "FineTuningView", "follow", "pause", "status_summary"]

TERMINAL = ("succeeded", "failed", "cancelled")
_STATUS_COLORS = {"succeeded": "#1b7f3b", "failed": "#b00020", "cancelled": "#8a6d00"}
_LOG_ROWS = 12  # events shown in the live view


@dataclass
class FineTuningUpdate:
    """One look at a followed job: `job` (record), `new_events` since the last look, all `events`.

    Event lists are raw API objects, newest first; `frame()` gives them as the DataFrame
    of `fine_tuning_events()` (oldest first, metrics as columns).
    """

    job: Record
    new_events: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.job.get("status"))

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def frame(self) -> pd.DataFrame:
        return fine_tuning_events_frame(self.events)


def pause(seconds: float, stop: threading.Event | None) -> bool:
    """Wait between polls; True if `stop` was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


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


def status_summary(job: dict[str, Any], events: pd.DataFrame | None = None) -> str:
    """`ftjob-...: running, step 12/30, train_loss 0.431` in one line."""
    parts = [f"{job.get('id')}: {job.get('status')}"]
    if job.get("fine_tuned_model"):
        parts.append(f"model {job['fine_tuned_model']}")
    if events is not None and "step" in events.columns and events["step"].notna().any():
        last = events[events["step"].notna()].iloc[-1]
        parts.append(f"step {int(last['step'])}")
        if "train_loss" in events.columns and last.notna().get("train_loss", False):
            parts.append(f"train_loss {last['train_loss']:.4g}")
    error = job.get("error")
    if isinstance(error, dict) and error.get("message"):
        parts.append(f"error: {error['message']}")
    return ", ".join(parts)


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
        plot = base64.b64encode(png_bytes(loss_plot(self.events))).decode()
        log = self._log_html()
        note = f"<div><i>{html.escape(self.note)}</i></div>" if self.note else ""
        return (
            f"<div class='ow-ft-live'>{head}<div style='display:flex;gap:16px;align-items:flex-start'>"
            f"<img alt='training loss' src='data:image/png;base64,{plot}'/>{log}</div>{note}</div>"
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
