"""The fine-tuning monitor: jobs, a job's status, events and curves (live), pause, resume, cancel,
and a new-job form for each method (supervised, DPO, reinforcement with its grader)."""

from __future__ import annotations

import html
import json
import threading
from typing import Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from .._core.errors import OpenAIError
from .._tables.plotting import plotly_available
from .._tuning.metrics import job_method, method_metrics
from .._tuning.monitor import FineTuningUpdate, status_summary
from .._tuning.options import METHODS
from ._controls import confirm_row, set_options, wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait
from ._pictures import PlotView

__all__ = ["FineTuningPanel"]

EVENT_ROWS = 15  # latest events shown
CHART_WIDTH = 460  # pixels: the metrics chart beside the events table
EPOCHS = ("auto", *[str(n) for n in range(1, 21)])


class FineTuningPanel(Panel):
    """Fine-tuning jobs: list, details, live status with events and curves, pause, resume, cancel, new jobs.

    Pick a job (Refresh jobs lists them), then Details, Events or Follow: Follow looks
    at the job every `follow_interval` seconds in a background thread and updates the
    status line, events and metrics chart until the job ends or Follow is switched off
    (`loss_chart`, updated in place, with the `plots` extra; else a drawing in `loss_view`).
    The events and the chart show the job's method's metrics (loss for supervised and DPO,
    with DPO's reward margin and preference accuracy; mean reward for reinforcement) and
    the validation curve when there is one. A new job takes a method; reinforcement also a
    grader (JSON, the same short form as eval criteria). `frame` is the jobs listed,
    `result` the value of the last action (a job, its events, ...).
    """

    title = "Fine-tuning"
    model_kinds = ("chat", "fine-tuned")
    follow_interval = 2.0
    frame = frame_trait("the fine-tuning jobs listed")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self._stop = threading.Event()
        self._follower: threading.Thread | None = None
        self._build_job_view()
        self._build_form()
        self.children = [
            widgets.HTML("<b>Fine-tuning jobs</b>"),
            wrapping_row(self.refresh_button, self.job_picker),
            self.jobs_table,
            wrapping_row(
                self.details_button,
                self.events_button,
                self.follow_toggle,
                self.pause_button,
                self.resume_button,
                self.cancel_button,
            ),
            self.confirm,
            self.job_status,
            wrapping_row(self.loss_view, self.events_output),
            self.details,
            widgets.HTML("<b>New job</b>"),
            wrapping_row(self.training_file_picker, self.files_button),
            self.model_picker,
            wrapping_row(self.method, self.suffix, self.epochs),
            self.grader,
            self.create_button,
            self.status,
        ]
        self.add_class("ow-panel-fine-tuning")

    def _build_job_view(self) -> None:
        self.refresh_button = widgets.Button(description="Refresh jobs", icon="refresh")
        self.job_picker = widgets.Dropdown(options=[], description="Job", layout={"width": "520px"})
        self.jobs_table = widgets.Output()
        self.details_button = widgets.Button(description="Details", icon="info")
        self.events_button = widgets.Button(description="Events", icon="list")
        self.follow_toggle = widgets.ToggleButton(description="Follow", icon="eye", tooltip="update live")
        self.pause_button = widgets.Button(description="Pause", icon="pause", tooltip="pause the job")
        self.resume_button = widgets.Button(description="Resume", icon="play", tooltip="resume a paused job")
        self.cancel_button = widgets.Button(description="Cancel job", icon="stop", button_style="warning")
        self.confirm_question = widgets.HTML()
        self.confirm_button = widgets.Button(description="Yes, cancel it", button_style="danger")
        self.keep_button = widgets.Button(description="Keep running")
        self.confirm = confirm_row(self.confirm_question, self.confirm_button, self.keep_button)
        self.job_status = widgets.HTML().add_class("ow-ft-status")
        self.loss_view = PlotView("Events or Follow show the job's metrics here.", width=f"{CHART_WIDTH}px")
        self.loss_chart: Any = None  # the interactive chart, made with the first events shown
        self.events_output = widgets.Output(
            layout={"max_height": "300px", "overflow": "auto", "flex": "1 1 380px", "min_width": "380px"}
        )
        self.details = widgets.Output()
        self.refresh_button.on_click(self.refresh)
        self.details_button.on_click(self.show_details)
        self.events_button.on_click(self.show_events)
        self.follow_toggle.observe(self._on_follow, names="value")
        self.pause_button.on_click(self.pause)
        self.resume_button.on_click(self.resume)
        self.cancel_button.on_click(self.ask_cancel)
        self.confirm_button.on_click(self.cancel)
        self.keep_button.on_click(self._hide_confirm)

    def _build_form(self) -> None:
        self.training_file_picker = widgets.Dropdown(
            options=[],
            description="Training file",
            style={"description_width": "initial"},
            layout={"width": "480px"},
        )
        self.files_button = widgets.Button(description="Load files", icon="refresh")
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["fine_tune"], description="Base model")
        self.suffix = widgets.Text(description="Suffix", placeholder="up to 64 characters (optional)")
        self.epochs = widgets.Dropdown(options=EPOCHS, value="auto", description="Epochs")
        self.method = widgets.Dropdown(options=METHODS, value="supervised", description="Method")
        self.grader = widgets.Textarea(
            placeholder='grader, e.g. {"type": "string_check", "reference": "{answer}", "operation": "eq"}',
            description="Grader",
            layout={"width": "560px", "display": "none"},
        )
        self.method.observe(self._on_method, names="value")
        self.create_button = widgets.Button(description="Create job", icon="play", button_style="primary")
        self.files_button.on_click(self.load_files)
        self.create_button.on_click(self.create)

    # -- actions (one API call each) --------------------------------------------------

    def load(self) -> None:
        """The first view lists the jobs, the training files and the base models."""
        self.refresh()
        self.load_files()
        super().load()

    def refresh(self, _button: Any = None) -> None:
        """List the jobs."""
        frame = self.act(self.refresh_button, lambda: self.client.fine_tuning_jobs(), table=True)
        if frame is not None:
            show(self.jobs_table, frame[["id", "status", "model", "fine_tuned_model", "created_at"]])
            set_options(self.job_picker, [(f"{row.id} ({row.status})", row.id) for row in frame.itertuples()])
            self.status.value = f"{len(frame)} job{'' if len(frame) == 1 else 's'}"

    def show_details(self, _button: Any = None) -> None:
        """Show the picked job's record and status."""
        job_id = self._picked()
        if job_id:
            job = self.act(self.details_button, lambda: self.client.fine_tuning_job(job_id))
            if job is not None:
                show(self.details, job)
                self._show_status(job)

    def show_events(self, _button: Any = None) -> None:
        """Show the picked job's events and loss plot."""
        job_id = self._picked()
        if job_id:
            frame = self.act(self.events_button, lambda: self.client.fine_tuning_events(job_id))
            if frame is not None:
                self._show_events(frame, job_method({}, frame))

    def pause(self, _button: Any = None) -> None:
        """Pause the picked job."""
        job_id = self._picked()
        if job_id:
            job = self.act(self.pause_button, lambda: self.client.pause_fine_tuning(job_id))
            if job is not None:
                self._show_status(job)

    def resume(self, _button: Any = None) -> None:
        """Resume the picked job."""
        job_id = self._picked()
        if job_id:
            job = self.act(self.resume_button, lambda: self.client.resume_fine_tuning(job_id))
            if job is not None:
                self._show_status(job)

    def ask_cancel(self, _button: Any = None) -> None:
        job_id = self._picked()
        if job_id:
            self.confirm_question.value = (
                f"Cancel <b>{html.escape(job_id)}</b>? A cancelled job cannot be resumed."
            )
            self.confirm.layout.display = ""

    def cancel(self, _button: Any = None) -> None:
        """Cancel the picked job (after `ask_cancel`)."""
        job_id = self._picked()
        self._hide_confirm()
        if job_id:
            job = self.act(self.confirm_button, lambda: self.client.cancel_fine_tuning(job_id))
            if job is not None:
                self._show_status(job)

    def load_files(self, _button: Any = None) -> None:
        """Fill the training-file picker with the fine-tune files."""
        frame = self.run(self.files_button, lambda: self.client.files(purpose="fine-tune"))
        if frame is not None:
            options = [(f"{row.filename} ({row.id})", row.id) for row in frame.itertuples()]
            set_options(self.training_file_picker, options)

    def create(self, _button: Any = None) -> None:
        """Start a job from the form; it becomes the picked job."""
        if not self.training_file_picker.value:
            self.status.value = notice("Load files and pick a training file first.")
            return
        epochs, method = self.epochs.value, self.method.value
        grader = self._grader() if method == "reinforcement" else None
        if method == "reinforcement" and grader is None:
            return
        job = self.act(
            self.create_button,
            lambda: self.client.fine_tune(
                self.training_file_picker.value,
                model=self.model_picker.value.strip() or None,
                method=method,
                grader=grader,
                suffix=self.suffix.value.strip() or None,
                hyperparameters=None if epochs == "auto" else {"n_epochs": int(epochs)},
            ),
            working="starting the job...",
        )
        if job is not None:
            self.job_picker.options = [
                (f"{job['id']} ({job['status']})", job["id"]),
                *self.job_picker.options,
            ]
            self.job_picker.value = job["id"]
            self._show_status(job)
            self.status.value = f"started {html.escape(job['id'])}; switch Follow on to watch it"

    # -- following -------------------------------------------------------------------

    def follow(self, job_id: str | None = None) -> None:
        """Start following `job_id` (default: the picked job) in a background thread."""
        if job_id is not None:
            if job_id not in [value for _, value in self.job_picker.options]:
                self.job_picker.options = [(job_id, job_id), *self.job_picker.options]
            self.job_picker.value = job_id
        self.follow_toggle.value = True

    def join_follow(self, timeout: float | None = None) -> bool:
        """Wait until following ends; True if it has."""
        follower = self._follower
        if follower is not None:
            follower.join(timeout)
            return not follower.is_alive()
        return True

    def _on_follow(self, change: dict[str, Any]) -> None:
        if not change["new"]:
            self._stop.set()
            return
        job_id = self._picked()
        if not job_id:
            self.follow_toggle.value = False
            return
        self.join_follow()
        self._stop = threading.Event()
        self._follower = threading.Thread(
            target=self._follow, args=(job_id, self._stop), name="ow-fine-tuning-follow", daemon=True
        )
        self._follower.start()

    def _follow(self, job_id: str, stop: threading.Event) -> None:
        """The follower thread: one watch, showing each update, until the job ends or `stop`.

        The job as last seen becomes `result` when following ends.
        """
        self.status.value = notice(f"following {job_id}...", "working")
        job = None
        try:
            for update in self.client.watch_fine_tuning(
                job_id, poll_interval=self.follow_interval, stop=stop
            ):
                if stop.is_set():
                    break
                self._show_update(update)
                job = update.job
            if job is not None:
                self.result = job
            self.status.value = f"stopped following {html.escape(job_id)}" if stop.is_set() else ""
        except OpenAIError as exc:
            self.status.value = notice(exc)
        finally:
            if not stop.is_set():
                stop.set()
                self.follow_toggle.value = False

    # -- display ---------------------------------------------------------------------

    def _show_update(self, update: FineTuningUpdate) -> None:
        frame = update.frame()
        self._show_status(update.job, frame)
        if update.new_events:
            self._show_events(frame, update.method)

    def _show_status(self, job: dict[str, Any], events: Any = None) -> None:
        status = html.escape(str(job.get("status")), quote=True)
        text = html.escape(status_summary(job, events))
        self.job_status.value = f"<span class='ow-job-status ow-job-{status}'><b>{text}</b></span>"

    def _show_events(self, frame: Any, method: str) -> None:
        """The latest events with the method's metrics, and its curves (validation ones too)."""
        latest = frame.tail(EVENT_ROWS)
        columns = ["created_at", "level", "message", "step", *method_metrics(method, frame)]
        if "level" in latest and set(latest["level"]) <= {"info"}:
            columns.remove("level")  # it says something only for a warning or an error; room is short
        latest = latest[[c for c in columns if c in latest.columns]]
        if "created_at" in latest:  # the time of day is enough beside the job's dates, and narrower
            latest = latest.assign(created_at=latest["created_at"].dt.strftime("%H:%M:%S"))
        if "step" in latest:
            latest = latest.assign(step=latest["step"].astype("Int64"))
        show(self.events_output, latest)
        self._show_chart(frame, method)

    def _show_chart(self, frame: Any, method: str) -> None:
        """The method's metrics in `frame`: the chart updated in place (plotly), else drawn again."""
        if plotly_available():
            from .._tuning.loss_chart import LossChart

            if self.loss_chart is None:
                self.loss_chart = LossChart(frame, method=method, width=CHART_WIDTH, height=300)
                self.loss_view.show_figure(self.loss_chart.figure)
            else:
                self.loss_chart.update(frame, method=method)
            return
        from .._media.image_input import encode_png
        from .._tuning.loss_plot import loss_plot

        drawing = loss_plot(frame, method=method, width=CHART_WIDTH - 20, height=220)
        self.loss_view.show_png(encode_png(drawing))

    def _grader(self) -> dict[str, Any] | None:
        """The grader typed in (JSON), or None with the reason in the status line."""
        text = self.grader.value.strip()
        if not text:
            self.status.value = notice("Reinforcement needs a grader: type one as JSON.")
            return None
        try:
            grader = json.loads(text)
        except json.JSONDecodeError as exc:
            self.status.value = notice(f"The grader is not valid JSON: {exc.msg} at line {exc.lineno}.")
            return None
        return grader

    def _on_method(self, change: dict[str, Any]) -> None:
        self.grader.layout.display = "" if change["new"] == "reinforcement" else "none"

    def _picked(self) -> str | None:
        if not self.job_picker.value:
            self.status.value = notice("Refresh jobs and pick a job first.")
            return None
        return self.job_picker.value

    def _hide_confirm(self, _button: Any = None) -> None:
        self.confirm.layout.display = "none"
