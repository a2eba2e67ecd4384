"""Fine-tuning: start jobs by any method from local data or uploaded files, list, follow,
pause and resume them, clean up."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core.arguments import boolean, model_argument
from .._core.errors import APIResponseValidationError, StreamInterruptedError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record
from ._deprecated import renamed_keywords

if TYPE_CHECKING:
    import pandas as pd

    from .._files.parts import UploadPartial
    from .._tuning.monitor import FineTuningUpdate

__all__ = ["FineTuningAPI"]

PAGE_SIZE = 100  # jobs, events and checkpoints per page
FOLLOW_INTERVAL = 2.0  # seconds between looks at a followed job
# The deprecated top-level `hyperparameters` of a job (the spec's fields; supervised jobs only).
TOP_LEVEL_HYPERPARAMETERS = ("batch_size", "learning_rate_multiplier", "n_epochs")


class FineTuningAPI(BaseClient):
    if TYPE_CHECKING:  # borrowed from FilesAPI (see Client)

        def upload_file(
            self,
            file: Any,
            purpose: str,
            *,
            filename: str | None = None,
            method: str | None = None,
            resume: UploadPartial | None = None,
        ) -> Record: ...

    @renamed_keywords(training_file="training", validation_file="validation")
    def fine_tune(
        self,
        training: Any,
        model: str | None = None,
        *,
        method: str | Mapping[str, Any] | None = "supervised",
        hyperparameters: Mapping[str, Any] | None = None,
        grader: Mapping[str, Any] | None = None,
        validation: Any = None,
        suffix: str | None = None,
        seed: int | None = None,
        integrations: Sequence[Mapping[str, Any]] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Record:
        """Start a fine-tuning job and return its record (`id`, `status`, ...).

        `training` (and `validation`) is a file ID, the path of a JSONL file, or a
        DataFrame / list of examples. `method` is "supervised" (one `{"messages": [...]}`
        per example), "dpo" (`input`, `preferred_output`, `non_preferred_output`) or
        "reinforcement" (`messages` and the fields `grader` reads), or the API's dict.
        Local data is checked for its method first (errors name the file, the line and
        the problem; at least 10 training examples), a reinforcement `grader` (the same
        dicts and short forms as eval criteria) is validated by the API, and only then is
        the data uploaded with purpose "fine-tune". `model` defaults to
        gpt-4o-mini-2024-07-18; `suffix` (up to 64 characters) goes into the model name.
        `hyperparameters` (n_epochs, batch_size, learning_rate_multiplier; dpo: beta;
        reinforcement: compute_multiplier, eval_interval, eval_samples, reasoning_effort)
        go inside `method`, and the first three also in the older top-level field for servers
        that are not OpenAI (older ones read only that).
        `integrations` (e.g. Weights & Biases) and `metadata` are sent as given.
        """
        from .._tuning.options import checked_method, top_level_hyperparameters
        from .._tuning.training_data import MIN_EXAMPLES, local_data

        body: dict[str, Any] = {"model": model_argument(model, "fine_tune")}
        method_body = checked_method(method, hyperparameters, grader)
        method_type = method_body["type"] if method_body else "supervised"
        if method_body is not None and method_type == "reinforcement":
            where = "grader" if grader is not None else "method.reinforcement.grader"
            method_body = _with_expanded_grader(method_body, where)
        fields = _grader_fields(method_body)
        body.update(_job_options(suffix, seed, integrations, metadata))
        training_data = local_data(training, "training", method_type, minimum=MIN_EXAMPLES, fields=fields)
        validation_data = (
            local_data(validation, "validation", method_type, minimum=1, fields=fields)
            if validation is not None
            else None
        )
        if method_body is not None and method_type == "reinforcement":
            method_body = self._with_validated_grader(method_body)  # the API's word, before any upload
        body["training_file"] = self._file_id(training, training_data)
        if validation is not None:
            body["validation_file"] = self._file_id(validation, validation_data)
        if method_body:
            body["method"] = method_body
            older = top_level_hyperparameters(method_body) if method_type == "supervised" else None
            if older and not self.openai_server:
                body["hyperparameters"] = older  # servers that read only the older field (_core.servers)
        return as_record(self._post("fine_tuning/jobs", body))

    def pause_fine_tuning(self, job_id: str) -> Record:
        """Pause a running job; returns its record (status "paused"). `resume_fine_tuning` goes on."""
        return as_record(self._post(f"{_job_path(job_id)}/pause"))

    def resume_fine_tuning(self, job_id: str) -> Record:
        """Resume a paused job; returns its record."""
        return as_record(self._post(f"{_job_path(job_id)}/resume"))

    def fine_tuning_jobs(self) -> pd.DataFrame:
        """Every fine-tuning job (all pages), newest first: `id`, `status`, `model`,
        `fine_tuned_model`, `created_at`, `finished_at`, `training_file`, `validation_file`,
        `trained_tokens`, `error_message`, then the API's other fields."""
        from .._tables.frames import fine_tuning_jobs_frame

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
        from .._tables.frames import fine_tuning_checkpoints_frame

        return fine_tuning_checkpoints_frame(
            self._paginate(f"{_job_path(job_id)}/checkpoints", page_size=PAGE_SIZE)
        )

    def delete_model(self, model_id: str) -> Record:
        """Delete a fine-tuned model (`ft:...`) of your organization; returns `{"id", "deleted": True}`."""
        return as_record(self._delete(f"models/{path_id(model_id, 'model_id')}"))

    @renamed_keywords(interval="poll_interval")
    def fine_tuning_events(
        self, job_id: str, *, follow: bool = False, poll_interval: float = FOLLOW_INTERVAL
    ) -> pd.DataFrame:
        """The job's events, oldest first: `created_at`, `level`, `message`, `type`, and metric
        columns (`step`, `train_loss`, ...) where the job reported them.

        With `follow=True` a live view (status line, training-loss plot, latest events)
        updates in place every `poll_interval` seconds until the job succeeds, fails or is
        cancelled. Interrupting the kernel stops following; the job itself goes on. A server
        whose events endpoint answers with an event stream instead of JSON is followed too:
        each event shows as it arrives.
        """
        from .._tables.frames import fine_tuning_events_frame
        from .._tuning import live_view
        from .._tuning.options import checked_poll_interval

        if not boolean(follow, "follow"):
            path = f"{_job_path(job_id)}/events"  # the ID is checked even when the interval is not used
            checked_poll_interval(poll_interval)
            return fine_tuning_events_frame(self._paginate(path, page_size=PAGE_SIZE))
        return live_view.follow(self.watch_fine_tuning(job_id, poll_interval=poll_interval), job_id)

    @renamed_keywords(interval="poll_interval")
    def watch_fine_tuning(
        self, job_id: str, *, poll_interval: float = FOLLOW_INTERVAL, stop: threading.Event | None = None
    ) -> Iterator[FineTuningUpdate]:
        """Look at a job every `poll_interval` seconds until it ends, yielding a `FineTuningUpdate`
        each time (`.job`, `.status`, `.done`, `.new_events`, `.frame()`).

        Only new events are fetched on each look. Setting `stop` (a threading.Event) ends
        the watch at once, even mid-wait (while an event stream is open: at its next event);
        the job is never touched. An events endpoint that streams (text/event-stream) gives
        an update per new event as it arrives, then the next look reconnects.
        """
        from .._tuning.options import checked_poll_interval

        return self._watch(_job_path(job_id), checked_poll_interval(poll_interval), stop)

    # -- helpers ---------------------------------------------------------------------

    def _watch(self, path: str, seconds: float, stop: threading.Event | None) -> Iterator[FineTuningUpdate]:
        from .._tuning import monitor as _ft_live
        from .._tuning.monitor import FineTuningUpdate

        events: list[dict[str, Any]] = []
        while True:
            job = as_record(self._get(path))
            for new in self._new_events(f"{path}/events", {_event_key(e) for e in events}, stop):
                events = _newest_first(new + events)
                update = FineTuningUpdate(job, new, events)
                yield update
            if update.done or _ft_live.pause(seconds, stop):
                return

    def _with_validated_grader(self, method: dict[str, Any]) -> dict[str, Any]:
        """The method with its grader as the graders API validated it (a 400 names what is wrong)."""
        settings = dict(method["reinforcement"])
        checked = self._post("fine_tuning/alpha/graders/validate", {"grader": settings["grader"]})
        if isinstance(checked, dict) and isinstance(checked.get("grader"), dict):
            settings["grader"] = checked["grader"]
        return {**method, "reinforcement": settings}

    def _file_id(self, given: Any, local: Any) -> str:
        """The ID to send: `given` itself, or the ID of `local` data once uploaded."""
        if local is None:
            return given.strip()
        return self.upload_file(local.content, "fine-tune", filename=local.filename)["id"]

    def _new_events(
        self, path: str, known: set[Any], stop: threading.Event | None
    ) -> Iterator[list[dict[str, Any]]]:
        """One look's new events, newest first: one list from a JSON list (possibly empty), or,
        from an event stream, a list of one per new event as it arrives (at least one list)."""
        answer = self._get_json_or_events(path, {"limit": PAGE_SIZE})
        if isinstance(answer, Generator):  # the events of a stream (see _get_json_or_events)
            yield from _streamed_events(answer, known, stop)
        else:
            yield self._events_since(path, known, answer)

    def _events_since(self, path: str, known: set[Any], first_page: Any) -> list[dict[str, Any]]:
        """Events newer than any in `known`, newest first: pages are read only until a known one.

        (`_paginate` would read every page on every look; a long job has thousands of events.)
        """
        fresh: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        page = first_page
        while True:
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise APIResponseValidationError(f"GET {path}: expected a list object with 'data'")
            for event in data:
                if _event_key(event) in known:
                    return fresh
                fresh.append(event)
            if not page.get("has_more") or not data:
                return fresh
            params["after"] = data[-1].get("id")
            page = self._get(path, params)


def _streamed_events(
    stream: Generator[Any, None, None], known: set[Any], stop: threading.Event | None
) -> Iterator[list[dict[str, Any]]]:
    """Each new event of an events stream as a list of one; always at least one (maybe empty) list.

    An event may also come as a list object of events (newest first, as the JSON answer). The
    stream ends cleanly, is cut, or goes quiet past the timeout: either way this look is over.
    """
    sent = False
    try:
        for payload in stream:
            items = payload.get("data") if payload.get("object") == "list" else [payload]
            for event in reversed(items if isinstance(items, list) else []):
                key = _event_key(event)
                if isinstance(event, dict) and key not in known:
                    known.add(key)
                    sent = True
                    yield [event]
            if stop is not None and stop.is_set():
                break
    except StreamInterruptedError:
        pass  # the next look reconnects
    finally:
        stream.close()
    if not sent:
        yield []


def _event_key(event: Any) -> Any:
    """What tells events apart: the ID, or (time, message) for a server that gives none."""
    if not isinstance(event, dict):
        return None
    return event.get("id") or (event.get("created_at"), event.get("message"))


def _newest_first(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events ordered newest first by time (stable, so events of the same second keep their order)."""
    if not all(isinstance(e.get("created_at"), (int, float)) for e in events):
        return events
    return sorted(events, key=lambda e: -e["created_at"])


def _job_options(suffix: Any, seed: Any, integrations: Any, metadata: Any) -> dict[str, Any]:
    """The job's optional fields, checked; those not given are left out."""
    from .._files.store_options import metadata_option
    from .._tuning.options import checked_integrations, checked_seed, checked_suffix

    options: dict[str, Any] = {}
    if suffix is not None:
        options["suffix"] = checked_suffix(suffix)
    if seed is not None:
        options["seed"] = checked_seed(seed)
    if integrations is not None:
        options["integrations"] = checked_integrations(integrations)
    if metadata is not None:
        options["metadata"] = metadata_option(metadata)
    return options


def _with_expanded_grader(method: dict[str, Any], where: str) -> dict[str, Any]:
    """A reinforcement method whose grader is in the API's form (short forms expanded, checked)."""
    from .._evals.criteria import grader as checked_grader

    settings = dict(method["reinforcement"])
    settings["grader"] = checked_grader(settings["grader"], where=where)
    return {**method, "reinforcement": settings}


def _grader_fields(method: dict[str, Any] | None) -> tuple[str, ...]:
    """The item fields a reinforcement grader reads, which every example must have."""
    from .._evals.criteria import referenced_columns

    if not method or method["type"] != "reinforcement":
        return ()
    return tuple(referenced_columns(method["reinforcement"]["grader"]))


def _job_path(job_id: str) -> str:
    return f"fine_tuning/jobs/{path_id(job_id, 'job_id')}"
