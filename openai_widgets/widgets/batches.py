"""The batches panel: list Batch API jobs, look at one, collect its results, cancel it."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ._controls import wrapping_row
from ._output import show
from ._panel import Panel, frame_trait

__all__ = ["BatchesPanel"]


class BatchesPanel(Panel):
    """Refresh lists `batches()`; picking one shows `batch_job()`; Cancel asks before `cancel_batch()`.

    Drivable from Python: click `refresh_button`, set `picker.value` to a batch ID, read
    `record`; click `cancel_button`, then `confirm_button` (or `keep_button`). `frame` is
    the batches listed, `result` the value of the last action.
    """

    title = "Batches"
    frame = frame_trait("the batches listed")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.picker = widgets.Dropdown(options=[], description="Batch", layout={"width": "420px"})
        self.table = widgets.Output(layout={"width": "100%"})
        self.details = widgets.HTML()
        self.results_button = widgets.Button(description="Results", icon="download", disabled=True)
        self.cancel_button = widgets.Button(description="Cancel batch", icon="stop", button_style="warning")
        self.cancel_button.disabled = True
        self.confirm_button = widgets.Button(description="Yes, cancel it", button_style="danger")
        self.keep_button = widgets.Button(description="No, keep it")
        self.confirm = widgets.HBox(
            [
                widgets.HTML("Cancel this batch? Requests done so far are kept."),
                self.confirm_button,
                self.keep_button,
            ]
        )
        self.confirm.layout.display = "none"
        self.results_view = widgets.Output(layout={"width": "100%"})
        self.record = None  # the picked batch's record
        self.results = None  # the last batch_results() DataFrame
        self.children = [
            wrapping_row(self.refresh_button, self.picker, self.results_button, self.cancel_button),
            self.confirm,
            self.status,
            self.table,
            self.details,
            self.results_view,
        ]
        self.add_class("ow-panel-batches")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.picker.observe(lambda change: self.pick(change["new"]), names="value")
        self.results_button.on_click(lambda _: self.collect())
        self.cancel_button.on_click(lambda _: self._ask())
        self.confirm_button.on_click(lambda _: self.cancel())
        self.keep_button.on_click(lambda _: self._hide_confirm())

    def load(self) -> None:
        """The first view lists the batches."""
        self.refresh()

    def refresh(self) -> None:
        """List the batches (one `batches()` call)."""
        frame = self.act(
            self.refresh_button, lambda: self.client.batches(), working="loading batches...", table=True
        )
        if frame is None:
            return
        show(self.table, frame)
        current = self.picker.value
        self.picker.options = [(f"{row.id} · {row.status}", row.id) for row in frame.itertuples()]
        if current in set(frame["id"]):
            self.picker.value = current
        self.status.value = f"{len(frame)} batches"

    def pick(self, batch_id: str | None) -> None:
        """Show one batch (one `batch_job()` call)."""
        self._hide_confirm()
        if not batch_id:
            self.record = None
            self.details.value = ""
            self.cancel_button.disabled = self.results_button.disabled = True
            return
        record = self.act(None, lambda: self.client.batch_job(batch_id), working=f"loading {batch_id}...")
        if record is not None:
            self._show_record(record)

    def collect(self) -> None:
        """Download the picked batch's results as they are now (one `batch_results()` call)."""
        if self.record is None:
            return
        batch_id = self.record["id"]
        results = self.act(
            self.results_button,
            lambda: self.client.batch_results(batch_id, wait=False, progress=False),
            working="downloading results...",
        )
        if results is not None:
            self.results = results
            show(self.results_view, results)

    def cancel(self) -> None:
        """Cancel the picked batch (one `cancel_batch()` call), after the confirmation."""
        self._hide_confirm()
        if self.record is None:
            return
        batch_id = self.record["id"]
        record = self.act(
            self.cancel_button, lambda: self.client.cancel_batch(batch_id), working="cancelling..."
        )
        if record is not None:
            self._show_record(record)
            self.status.value = f"{html.escape(batch_id)} is {html.escape(str(record.get('status')))}"

    def _show_record(self, record: Any) -> None:
        self.record = record
        self.details.value = record._repr_html_()
        self.cancel_button.disabled = record.get("status") not in {"validating", "in_progress", "finalizing"}
        self.results_button.disabled = False

    def _ask(self) -> None:
        if self.record is not None:
            self.confirm.layout.display = "flex"

    def _hide_confirm(self) -> None:
        self.confirm.layout.display = "none"
