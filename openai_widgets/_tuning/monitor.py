"""Following a fine-tuning job: the snapshots taken while it runs, and its one-line summary.

`FineTuningUpdate` is one look at a job (its record and the events so far); the cell's
live view (`live_view`) and the fine-tuning panel both draw from them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._tables.frames import fine_tuning_events_frame
from .._tables.records import Record
from .metrics import headline, job_method, latest

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TERMINAL", "FineTuningUpdate", "pause", "status_summary"]

TERMINAL = ("succeeded", "failed", "cancelled")


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

    @property
    def method(self) -> str:
        """The job's method: supervised, dpo or reinforcement."""
        return job_method(self.job)

    def frame(self) -> pd.DataFrame:
        return fine_tuning_events_frame(self.events)


def pause(seconds: float, stop: threading.Event | None) -> bool:
    """Wait between polls; True if `stop` was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def status_summary(job: dict[str, Any], events: pd.DataFrame | None = None) -> str:
    """`ftjob-...: running, step 12, train_loss 0.431, valid_loss 0.48` in one line.

    The figures are the method's headline (the loss; the mean reward for reinforcement)
    and its validation value when there is one; a DPO or reinforcement job names its method.
    """
    method = job_method(job, events)
    named = "" if method == "supervised" else f" ({method})"
    parts = [f"{job.get('id')}{named}: {job.get('status')}"]
    if job.get("fine_tuned_model"):
        parts.append(f"model {job['fine_tuned_model']}")
    figures = latest(events, method)
    if figures:
        parts.append(f"step {int(figures.pop('step'))}")
        lead = headline(method)
        for name in (lead, f"valid_{lead[6:]}"):
            if name in figures:
                parts.append(f"{name} {figures[name]:.4g}")
    error = job.get("error")
    if isinstance(error, dict) and error.get("message"):
        parts.append(f"error: {error['message']}")
    return ", ".join(parts)
