"""Eval runs: a model answers an eval's items and its criteria grade the answers.

`run_eval` uploads a DataFrame's rows as JSONL (purpose "evals"), starts a run with a
`completions` data source (the prompt `template`, the model, `text_format`), follows it
with a progress line and returns the graded items as a DataFrame. Runs over stored chat
completions read them on the server instead. The runs of an eval can be listed, read,
cancelled and deleted, and their graded items collected (`eval_results`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import boolean, model_argument, one_of, positive_number, text
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record
from .evals import eval_path

if TYPE_CHECKING:
    import pandas as pd

    from .._files.parts import UploadPartial

__all__ = ["EvalRunsAPI", "PreparedRun"]

PAGE_SIZE = 100
FIRST_POLL = 0.25  # seconds; looks then slow down by half each time, up to MAX_POLL
MAX_POLL = 5.0
RUN_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")


@dataclass
class PreparedRun:
    """A run's data source, checked, and the items still to upload (None for stored completions)."""

    source: dict[str, Any]
    items: bytes | None
    index: Any = None  # the DataFrame's index, to label the results with
    count: int | None = None


class EvalRunsAPI(BaseClient):
    if TYPE_CHECKING:  # borrowed from EvalsAPI and FilesAPI (see Client)

        def eval(self, eval_id: str) -> Record: ...

        def upload_file(
            self,
            file: Any,
            purpose: str,
            *,
            filename: str | None = None,
            method: str | None = None,
            resume: UploadPartial | None = None,
        ) -> Record: ...

    @overload
    def run_eval(
        self,
        eval_id: str,
        data: Any,
        model: str | None = None,
        *,
        template: Any = None,
        text_format: Any = None,
        name: str | None = None,
        wait: Literal[True] = True,
        metadata: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame: ...

    @overload
    def run_eval(
        self,
        eval_id: str,
        data: Any,
        model: str | None = None,
        *,
        template: Any = None,
        text_format: Any = None,
        name: str | None = None,
        wait: Literal[False],
        metadata: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> Record: ...

    @overload
    def run_eval(
        self,
        eval_id: str,
        data: Any,
        model: str | None = None,
        *,
        template: Any = None,
        text_format: Any = None,
        name: str | None = None,
        wait: bool = True,
        metadata: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame | Record: ...

    def run_eval(
        self,
        eval_id: str,
        data: Any,
        model: str | None = None,
        *,
        template: Any = None,
        text_format: Any = None,
        name: str | None = None,
        wait: bool = True,
        metadata: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame | Record:
        """Run `model` over `data` and grade the answers with the eval's criteria.

        `data` is a DataFrame (its rows are uploaded as JSONL) or a stored completions
        source, `{"type": "stored_completions", "metadata": {...}}`. `template` is the
        prompt: a text (one user message) or a list of messages, `{column}` filled from
        each row; `text_format` (a Pydantic model, dataclass, TypedDict or JSON schema)
        asks for JSON answers. `model` defaults to gpt-4o-mini; over stored completions,
        no model grades the stored answers as they are, and a model answers their input
        again. With `wait` (the default) the run is followed with a progress line and the
        graded items come back as the DataFrame of `eval_results`, indexed like `data`
        (`.attrs["run"]` holds the run's record); `wait=False` returns the run's record.
        """
        path = eval_path(eval_id)
        wait = boolean(wait, "wait")
        interval = positive_number(poll_interval, "poll_interval", unit="seconds", optional=True)
        prepared = self._prepare_run(data, model, template, text_format)
        body = _run_body(name, metadata)
        file_id = self._upload_items(prepared)
        run = self._start_run(path, prepared, body, file_id)
        if not wait:
            return run
        label = run.get("model") or run.get("name") or run["id"]
        ((final, _),) = self._follow_runs(path, {label: run}, prepared.count, interval, progress).values()
        _warn_if_unfinished(final)
        results = self.eval_results(eval_id, run["id"])
        if prepared.index is not None and len(prepared.index) == len(results):
            results.index = prepared.index
        results.attrs.update(run=final, eval_id=final.get("eval_id"), run_id=final["id"])
        return results

    def eval_runs(self, eval_id: str, *, status: str | None = None) -> pd.DataFrame:
        """An eval's runs (all pages), oldest first: `id`, `name`, `status`, `model`,
        `created_at`, the item counts `total`, `passed`, `failed`, `errored`, `pass_rate`,
        `report_url`; `status` keeps runs in that state only."""
        from .._tables.eval_frames import eval_runs_frame

        path = f"{eval_path(eval_id)}/runs"
        params = {"status": one_of(status, "status", RUN_STATUSES, optional=True)}
        return eval_runs_frame(self._paginate(path, params, page_size=PAGE_SIZE))

    def eval_run(self, eval_id: str, run_id: str) -> Record:
        """One run's record: `status`, `result_counts`, `per_testing_criteria_results`,
        `per_model_usage`, `report_url`, ..."""
        return as_record(self._get(_run_path(eval_id, run_id)))

    def cancel_eval_run(self, eval_id: str, run_id: str) -> Record:
        """Stop a run that has not finished; the items graded so far keep their results."""
        return as_record(self._post(_run_path(eval_id, run_id)))

    def delete_eval_run(self, eval_id: str, run_id: str) -> Record:
        """Delete a run; returns `{"run_id", "deleted": True}`."""
        return as_record(self._delete(_run_path(eval_id, run_id)))

    def eval_results(self, eval_id: str, run_id: str, *, status: str | None = None) -> pd.DataFrame:
        """A run's graded items (all pages), one row each in data order: the item's fields,
        `output` (the model's answer), `status` (pass, fail, error), `error`, and per criterion
        `<name>_passed` and `<name>_score`; `status="fail"` keeps the failures only."""
        from .._evals.results import criterion_names, results_frame

        path = f"{_run_path(eval_id, run_id)}/output_items"
        params = {"status": one_of(status, "status", ("pass", "fail"), optional=True)}
        record = self.eval(eval_id)
        items = self._paginate(path, params, page_size=PAGE_SIZE)
        return results_frame(items, criterion_names(record), _item_fields(record))

    # -- helpers for run_eval and compare_models --------------------------------------------

    def _prepare_run(self, data: Any, model: Any, template: Any, text_format: Any) -> PreparedRun:
        """The run's data source, every argument checked before anything is sent."""
        from .._evals.data import check_frame, input_messages, items_jsonl, stored_source
        from .._evals.output_format import response_format

        stored = stored_source(data)
        sampling = {"response_format": response_format(text_format)} if text_format is not None else {}
        if stored is not None:
            source: dict[str, Any] = {"type": "completions", "source": stored}
            if model is not None:
                source["model"] = model_argument(model, "chat")
                source["input_messages"] = (
                    input_messages(template, None)
                    if template is not None
                    else {"type": "item_reference", "item_reference": "item.input"}
                )
            if sampling:
                source["sampling_params"] = sampling
            return PreparedRun(source, None)
        frame = check_frame(data)
        if template is None:
            raise InvalidInputError(
                "template is needed: the prompt for each row, e.g. template='Answer briefly: {question}'"
            )
        source = {
            "type": "completions",
            "model": model_argument(model, "chat"),
            "input_messages": input_messages(template, list(frame.columns)),
        }
        if sampling:
            source["sampling_params"] = sampling
        return PreparedRun(source, items_jsonl(frame), frame.index, len(frame))

    def _upload_items(self, prepared: PreparedRun) -> str | None:
        if prepared.items is None:
            return None
        return self.upload_file(prepared.items, "evals", filename="eval-items.jsonl")["id"]

    def _start_run(
        self, path: str, prepared: PreparedRun, body: dict[str, Any], file_id: str | None
    ) -> Record:
        source = dict(prepared.source)
        if file_id is not None:
            source["source"] = {"type": "file_id", "id": file_id}
        return as_record(self._post(f"{path}/runs", {**body, "data_source": source}))

    def _follow_runs(
        self,
        path: str,
        runs: dict[str, Record],
        total: int | None,
        poll_interval: float | None,
        progress: bool | None,
    ) -> dict[str, tuple[Record, float]]:
        """Look at the runs until each has ended: {label: (last record, seconds until it ended)}."""
        from .._evals.progress import TERMINAL, RunProgress

        started = time.monotonic()
        lines = {label: RunProgress(label, total, show=progress) for label in runs}
        current = dict(runs)
        ended: dict[str, float] = {}
        interval = poll_interval or FIRST_POLL
        try:
            while True:
                for label, run in current.items():
                    lines[label].show(run)
                    if run.get("status") in TERMINAL:
                        ended.setdefault(label, time.monotonic() - started)
                if len(ended) == len(current):
                    return {label: (current[label], ended[label]) for label in current}
                self.sleep(interval)
                if poll_interval is None:
                    interval = min(interval * 1.5, MAX_POLL)
                for label, run in current.items():
                    if label not in ended:
                        current[label] = as_record(self._get(f"{path}/runs/{path_id(run['id'], 'run_id')}"))
        except KeyboardInterrupt:
            listed = ", ".join(run["id"] for run in current.values())
            raise KeyboardInterrupt(
                f"stopped following; the runs go on on the server ({listed}): read them with "
                "ow.eval_run(eval_id, run_id) and ow.eval_results(eval_id, run_id)"
            ) from None
        finally:
            for line in lines.values():
                line.close()


def _run_body(name: Any, metadata: Any) -> dict[str, Any]:
    from .._files.store_options import metadata_option

    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = text(name, "name", hint="name the run, or leave name out")
    if metadata is not None:
        body["metadata"] = metadata_option(metadata)
    return body


def _run_path(eval_id: Any, run_id: Any) -> str:
    return f"{eval_path(eval_id)}/runs/{path_id(run_id, 'run_id')}"


def _item_fields(record: Mapping[str, Any]) -> list[str]:
    """The item schema's properties, from the eval's data source config."""
    schema = (record.get("data_source_config") or {}).get("schema") or {}
    item = ((schema.get("properties") or {}).get("item")) or {}
    properties = item.get("properties")
    return list(properties) if isinstance(properties, Mapping) else []


def _warn_if_unfinished(run: Mapping[str, Any]) -> None:
    status = run.get("status")
    if status == "completed":
        return
    error = run.get("error") or {}
    reason = f": {error.get('message')}" if isinstance(error, Mapping) and error.get("message") else ""
    message = f"eval run {run.get('id')} ended {status}{reason}; its results may be partial"
    warnings.warn(message, stacklevel=3)
