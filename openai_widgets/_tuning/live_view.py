"""The live view of a followed fine-tuning job: what `fine_tuning_events(job_id, follow=True)` shows.

In a notebook: a status line and the latest events, redrawn in place, and the metrics
chart. With the `plots` extra the chart is an interactive `LossChart` shown below and
updated in place; without it a PIL drawing of the loss inside the view. Elsewhere (a
terminal, a script) each new event is printed as a log line.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._tables.display import in_notebook
from .._tables.frames import fine_tuning_events_frame
from .._tables.plotting import plotly_available
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
    chart = None
    try:
        for update in updates:
            view.show(update)
            if handle is not None:
                if chart is None and _has_metrics(view.events):  # no empty chart while a job queues
                    chart = live_chart(view)
                handle.update(view)
                if chart is not None and update.new_events:
                    chart.update(view.events)
            else:
                _print_update(update)
    except KeyboardInterrupt:
        view.stop(f"Stopped following; the job goes on (cancel_fine_tuning({job_id!r}) stops it).")
        if handle is not None:
            handle.update(view)
        else:
            print(view.note)
    finally:
        if chart is not None:
            chart.show_final()
    return view.events if view.events is not None else fine_tuning_events_frame([])


def live_display(view: FineTuningView) -> Any:
    """A display handle showing `view` in a notebook, or None elsewhere (a terminal prints log lines)."""
    if not in_notebook():
        return None
    from IPython.display import display

    return display(view, display_id=True)


class LiveChart:
    """The interactive chart below the view, updated in place; its saved picture refreshed at the end."""

    def __init__(self) -> None:
        from IPython.display import display

        from .loss_chart import LossChart

        self.chart = LossChart()
        self.handle = display(self.chart, display_id=True)

    def update(self, events: pd.DataFrame | None) -> None:
        self.chart.update(events)

    def show_final(self) -> None:
        """Show the chart again in place: the same live chart, with the final picture for saving."""
        self.handle.update(self.chart)


def live_chart(view: FineTuningView) -> LiveChart | None:
    """The interactive chart below `view` (which then leaves out its own picture), or None without plotly."""
    if not plotly_available():
        return None
    view.inline_plot = False
    return LiveChart()


def _has_metrics(events: pd.DataFrame | None) -> bool:
    return events is not None and "step" in events.columns and bool(events["step"].notna().any())


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
        self.inline_plot = True  # False when an interactive chart is shown below the view

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
        from .._media.image_input import encode_png
        from .loss_plot import loss_plot

        status = str(self.job.get("status"))
        color = _STATUS_COLORS.get(status, "#1a4f8b")
        summary = html.escape(status_summary(self.job, self.events))
        head = f"<div class='ow-ft-status' style='font-family:monospace;color:{color}'><b>{summary}</b></div>"
        picture = ""
        if self.inline_plot:
            method = job_method(self.job, self.events)
            plot = base64.b64encode(encode_png(loss_plot(self.events, method=method))).decode()
            picture = f"<img alt='training curves' src='data:image/png;base64,{plot}'/>"
        log = self._log_html()
        note = f"<div><i>{html.escape(self.note)}</i></div>" if self.note else ""
        return (
            f"<div class='ow-ft-live'>{head}<div style='display:flex;gap:16px;align-items:flex-start'>"
            f"{picture}{log}</div>{note}</div>"
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
