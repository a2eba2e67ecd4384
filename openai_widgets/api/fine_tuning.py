"""Fine-tuning: start jobs from local data or uploaded files, list and follow them, clean up."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._constants import DEFAULT_MODELS
from .._errors import APIResponseValidationError, InvalidInputError, InvalidTypeError
from .._frames import fine_tuning_checkpoints_frame, fine_tuning_events_frame, fine_tuning_jobs_frame
from .._records import Record, as_record
from .._transport import BaseClient
from . import _ft_live
from ._ft_live import FineTuningUpdate
from ._paths import path_id
from ._training_data import MIN_EXAMPLES, local_data

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FineTuningAPI"]

PAGE_SIZE = 100  # jobs, events and checkpoints per page
FOLLOW_INTERVAL = 2.0  # seconds between looks at a followed job
MAX_SUFFIX = 64
METHODS = ("supervised", "dpo", "reinforcement")
# name -> (smallest, largest, whole numbers only); every value may also be "auto".
_HYPERPARAMETERS = {
    "n_epochs": (1, 50, True),
    "batch_size": (1, 256, True),
    "learning_rate_multiplier": (0, None, False),
    "beta": (0, 2, False),  # dpo only
}
_SEED_MAX = 2_147_483_647


class FineTuningAPI(BaseClient):
    def fine_tune(
        self,
        training_file: Any,
        model: str | None = None,
        validation_file: Any = None,
        suffix: str | None = None,
        seed: int | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        method: Mapping[str, Any] | str | None = None,
    ) -> Record:
        """Start a fine-tuning job and return its record (`id`, `status`, ...).

        `training_file` (and `validation_file`) is a file ID, the path of a JSONL file, or
        a DataFrame / list of examples (one `{"messages": [...]}` per row). Local data is
        checked first (JSON objects with `messages`, valid roles, an assistant reply in
        each, at least 10 training examples; errors name the line) and then uploaded with
        purpose "fine-tune". `model` defaults to gpt-4o-mini-2024-07-18. `suffix` (up to
        64 characters) goes into the model name. `hyperparameters` (n_epochs, batch_size,
        learning_rate_multiplier) are sent inside `method`, the API's current form;
        `method` is a dict such as `{"type": "dpo", "dpo": {...}}` or just "supervised" / "dpo".
        """
        body: dict[str, Any] = {"model": _model(model)}
        method_body = _method(method, hyperparameters)
        method_type = method_body["type"] if method_body else "supervised"
        if suffix is not None:
            body["suffix"] = _suffix(suffix)
        if seed is not None:
            body["seed"] = _seed(seed)
        training = local_data(training_file, "training_file", method_type, minimum=MIN_EXAMPLES)
        validation = (
            local_data(validation_file, "validation_file", method_type, minimum=1)
            if validation_file is not None
            else None
        )
        body["training_file"] = self._file_id(training_file, training)
        if validation_file is not None:
            body["validation_file"] = self._file_id(validation_file, validation)
        if method_body:
            body["method"] = method_body
        return as_record(self._post("fine_tuning/jobs", body))

    def fine_tuning_jobs(self) -> pd.DataFrame:
        """Every fine-tuning job (all pages), newest first: `id`, `status`, `model`,
        `fine_tuned_model`, `created_at`, `finished_at`, `training_file`, `validation_file`,
        `trained_tokens`, `error_message`, then the API's other fields."""
        return fine_tuning_jobs_frame(self._paginate("fine_tuning/jobs", page_size=PAGE_SIZE))

    def fine_tuning_job(self, job_id: str) -> Record:
        """One job's record; `status` is validating_files, queued, running, succeeded, failed or cancelled."""
        return as_record(self._get(_job_path(job_id)))

    def cancel_fine_tuning(self, job_id: str) -> Record:
        """Cancel a job that has not finished; returns its record (status "cancelled")."""
        return as_record(self._post(f"{_job_path(job_id)}/cancel"))

    def fine_tuning_checkpoints(self, job_id: str) -> pd.DataFrame:
        """The job's checkpoints by step: `id`, `step_number`, `created_at`,
        `fine_tuned_model_checkpoint` (a model ID you can use), metrics as float columns."""
        return fine_tuning_checkpoints_frame(
            self._paginate(f"{_job_path(job_id)}/checkpoints", page_size=PAGE_SIZE)
        )

    def delete_model(self, model_id: str) -> Record:
        """Delete a fine-tuned model (`ft:...`) of your organization; returns `{"id", "deleted": True}`."""
        return as_record(self._delete(f"models/{path_id(model_id, 'model_id')}"))

    def fine_tuning_events(
        self, job_id: str, follow: bool = False, *, interval: float = FOLLOW_INTERVAL
    ) -> pd.DataFrame:
        """The job's events, oldest first: `created_at`, `level`, `message`, `type`, and metric
        columns (`step`, `train_loss`, ...) where the job reported them.

        With `follow=True` a live view (status line, training-loss plot, latest events)
        updates in place every `interval` seconds until the job succeeds, fails or is
        cancelled. Interrupting the kernel stops following; the job itself goes on.
        """
        if not follow:
            return fine_tuning_events_frame(
                self._paginate(f"{_job_path(job_id)}/events", page_size=PAGE_SIZE)
            )
        return _ft_live.follow(self.watch_fine_tuning(job_id, interval), job_id)

    def watch_fine_tuning(
        self, job_id: str, interval: float = FOLLOW_INTERVAL, *, stop: threading.Event | None = None
    ) -> Iterator[FineTuningUpdate]:
        """Look at a job every `interval` seconds until it ends, yielding a `FineTuningUpdate`
        each time (`.job`, `.status`, `.done`, `.new_events`, `.frame()`).

        Only new events are fetched on each look. Setting `stop` (a threading.Event) ends
        the watch at once, even mid-wait; the job is never touched.
        """
        return self._watch(_job_path(job_id), _interval(interval), stop)

    # -- helpers ---------------------------------------------------------------------

    def _watch(self, path: str, seconds: float, stop: threading.Event | None) -> Iterator[FineTuningUpdate]:
        events: list[dict[str, Any]] = []
        while True:
            job = as_record(self._get(path))
            new = self._events_since(f"{path}/events", {e.get("id") for e in events})
            events = new + events
            update = FineTuningUpdate(job, new, events)
            yield update
            if update.done or _ft_live.pause(seconds, stop):
                return

    def _file_id(self, given: Any, local: Any) -> str:
        """The ID to send: `given` itself, or the ID of `local` data once uploaded."""
        if local is None:
            return given.strip()
        return self.upload_file(local.content, "fine-tune", filename=local.filename)["id"]

    def _events_since(self, path: str, known: set[Any]) -> list[dict[str, Any]]:
        """Events newer than any in `known`, newest first: pages are read only until a known one.

        (`_paginate` would read every page on every look; a long job has thousands of events.)
        """
        fresh: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        while True:
            page = self._get(path, params)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise APIResponseValidationError(f"GET {path}: expected a list object with 'data'")
            for event in data:
                if event.get("id") in known:
                    return fresh
                fresh.append(event)
            if not page.get("has_more") or not data:
                return fresh
            params["after"] = data[-1].get("id")


def _job_path(job_id: str) -> str:
    return f"fine_tuning/jobs/{path_id(job_id, 'job_id')}"


def _model(model: Any) -> str:
    if model is None:
        return DEFAULT_MODELS["fine_tune"]
    if not isinstance(model, str) or not model.strip():
        raise InvalidTypeError(f"model must be a model ID such as 'gpt-4o-mini-2024-07-18', not {model!r}")
    return model.strip()


def _suffix(suffix: Any) -> str:
    if not isinstance(suffix, str):
        raise InvalidTypeError(f"suffix must be a text, not {type(suffix).__name__}")
    if not suffix:
        raise InvalidInputError("suffix is empty; give 1 to 64 characters, or leave it out")
    if len(suffix) > MAX_SUFFIX:
        raise InvalidInputError(
            f"suffix has {len(suffix)} characters; it may have at most {MAX_SUFFIX}, shorten it"
        )
    return suffix


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidTypeError(f"seed must be a whole number, not {type(seed).__name__}")
    if not 0 <= seed <= _SEED_MAX:
        raise InvalidInputError(f"seed must be from 0 to {_SEED_MAX}, got {seed}")
    return seed


def _interval(interval: Any) -> float:
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        raise InvalidInputError(f"interval must be a number of seconds above 0, got {interval!r}")
    return float(interval)


def _method(method: Any, hyperparameters: Any) -> dict[str, Any] | None:
    """The `method` to send: given as a dict or a type name, with `hyperparameters` placed inside."""
    if isinstance(method, str):
        method = {"type": method}
    if method is None:
        if hyperparameters is None:
            return None
        method = {"type": "supervised"}
    elif not isinstance(method, Mapping):
        raise InvalidTypeError(
            f"method must be a dict like {{'type': 'supervised'}}, not {type(method).__name__}"
        )
    kind = method.get("type")
    if kind not in METHODS:
        raise InvalidInputError(f"method type {kind!r} is not one of {', '.join(METHODS)}")
    settings = dict(method.get(kind) or {})
    if kind == "reinforcement" and "grader" not in settings:
        raise InvalidInputError(
            "reinforcement fine-tuning needs a grader: method={'type': 'reinforcement', "
            "'reinforcement': {'grader': {...}}}"
        )
    if hyperparameters is not None:
        if "hyperparameters" in settings:
            raise InvalidInputError(
                "hyperparameters are given twice; pass them either in method or as hyperparameters"
            )
        settings["hyperparameters"] = hyperparameters
    if "hyperparameters" in settings:
        settings["hyperparameters"] = _hyperparameters(settings["hyperparameters"], kind)
    return {**{k: v for k, v in method.items() if k != kind}, "type": kind, kind: settings}


def _hyperparameters(values: Any, kind: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise InvalidTypeError(
            f"hyperparameters must be a dict like {{'n_epochs': 3}}, not {type(values).__name__}"
        )
    allowed = [name for name in _HYPERPARAMETERS if name != "beta" or kind == "dpo"]
    checked = {}
    for name, value in values.items():
        if name not in allowed:
            raise InvalidInputError(
                f"hyperparameter {name!r} is not one of {', '.join(allowed)} (for {kind})"
            )
        checked[name] = value if value == "auto" else _hyperparameter(name, value)
    return checked


def _hyperparameter(name: str, value: Any) -> int | float:
    low, high, whole = _HYPERPARAMETERS[name]
    numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not numeric or (whole and not float(value).is_integer()):
        kind = "a whole number" if whole else "a number"
        raise InvalidInputError(f"hyperparameter {name} must be {kind} or 'auto', not {value!r}")
    value = int(value) if whole else float(value)
    too_low = value < low if whole else value <= low
    if too_low or (high is not None and value > high):
        limits = (
            f"from {low} to {high}" if whole else f"above {low}" + (f" and at most {high}" if high else "")
        )
        raise InvalidInputError(f"hyperparameter {name} must be {limits}, got {value}")
    return value
