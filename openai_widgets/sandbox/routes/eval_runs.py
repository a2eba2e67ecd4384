"""Eval runs: create, list, retrieve, cancel, delete; their output items; a small HTML report.

A run's data source is `jsonl` (items, each with the sample it brings, if any),
`completions` or `responses` (a model answers each item from `input_messages`,
with `sampling_params`). The items are answered and graded when the run is created
(`_eval_samples`) and revealed over `Sandbox.eval_seconds` (`_eval_runs`). The model
calls and grader-model calls a run makes count in the organization usage report.
`report_url` points at a page the sandbox serves with the run's counts.
"""

from __future__ import annotations

import html
import time
from typing import Any

from .._eval_runs import TERMINAL, EvalRun
from .._http import ApiError, BytesResponse, JSONResponse, Request
from .._templates import MissingVariable
from .._usage import record_tokens
from ._checks import check_metadata, is_chat_model
from ._eval_samples import answer_and_grade
from ._eval_sources import check_input_messages, check_items, messages_for, read_items
from ._lists import ordered, page
from ._registry import route
from .evals import StoredEval, stored_eval

_KINDS = ("jsonl", "completions", "responses")
_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")


@route("POST", "/evals/{eval_id}/runs")
def create_run(request: Request, sandbox) -> JSONResponse:
    stored = stored_eval(sandbox, request.params["eval_id"])
    body = request.json_object()
    source = body.get("data_source")
    if source is None:
        raise _missing("data_source")
    if not isinstance(source, dict) or source.get("type") not in _KINDS:
        raise ApiError(
            400,
            "Invalid 'data_source.type': expected 'jsonl', 'completions' or 'responses'.",
            param="data_source",
        )
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError(400, "Invalid 'name': expected a string.", param="name")
    metadata = check_metadata(body.get("metadata"))
    model, input_messages, sampling = _generation(sandbox, source, stored)
    lines = read_items(sandbox, source.get("source"), "data_source.source")
    check_items(lines, stored.item_schema, "data_source.source.content")
    criteria = stored.public["testing_criteria"]
    outcomes = []
    for item, given in lines:
        messages = _messages(input_messages, item) if model else None
        outcomes.append(
            answer_and_grade(criteria, item, given, model=model, messages=messages, sampling=sampling)
        )
    for outcome in outcomes:
        for used, tokens in outcome.usage.items():
            record_tokens(sandbox, request.headers, used, tokens, tokens.get("invocations", 1))
    state = sandbox.state
    with state.lock:
        run_id = state.new_id("evalrun", "_")
        public = {
            "object": "eval.run",
            "id": run_id,
            "eval_id": stored.id,
            "model": model or "",
            "name": name or model or f"{source['type']}-run",
            "created_at": state.now(),
            "report_url": f"{sandbox.base_url}/sandbox/evals/{stored.id}/runs/{run_id}",
            "data_source": source,
            "metadata": metadata or {},
            "error": None,
        }
        names = [criterion["name"] for criterion in criteria]
        run = EvalRun(public, outcomes, names, seconds=float(sandbox.eval_seconds))
        state.eval_runs[run_id] = run
    return JSONResponse(run.as_api(), 201)


@route("GET", "/evals/{eval_id}/runs")
def list_runs(request: Request, sandbox) -> JSONResponse:
    stored = stored_eval(sandbox, request.params["eval_id"])
    status = request.arg("status")
    if status is not None and status not in _STATUSES:
        raise ApiError(400, f"Invalid 'status': expected one of {', '.join(_STATUSES)}.", param="status")
    with sandbox.state.lock:
        runs = [run for run in sandbox.state.eval_runs.values() if run.public["eval_id"] == stored.id]
    now = time.time()
    items = [run.as_api(now) for run in runs]
    items = [item for item in items if status is None or item["status"] == status]
    return JSONResponse(
        page(request, ordered(request, items, default="asc"), default_limit=20, first_last=True)
    )


@route("GET", "/evals/{eval_id}/runs/{run_id}")
def retrieve_run(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(_run(sandbox, request).as_api())


@route("POST", "/evals/{eval_id}/runs/{run_id}")
@route("POST", "/evals/{eval_id}/runs/{run_id}/cancel")  # the path the official SDK uses
def cancel_run(request: Request, sandbox) -> JSONResponse:
    run = _run(sandbox, request)
    with sandbox.state.lock:
        status = run.status()
        if status in TERMINAL:
            raise ApiError(400, f"Run {run.id} is already {status} and cannot be canceled.", param="run_id")
        run.cancelled_at = max(run.started, time.time())
    return JSONResponse(run.as_api())


@route("DELETE", "/evals/{eval_id}/runs/{run_id}")
def delete_run(request: Request, sandbox) -> JSONResponse:
    run = _run(sandbox, request)
    with sandbox.state.lock:
        sandbox.state.eval_runs.pop(run.id, None)
    return JSONResponse({"object": "eval.run.deleted", "deleted": True, "run_id": run.id})


@route("GET", "/evals/{eval_id}/runs/{run_id}/output_items")
def list_output_items(request: Request, sandbox) -> JSONResponse:
    run = _run(sandbox, request)
    status = request.arg("status")
    if status is not None and status not in {"pass", "fail"}:
        raise ApiError(400, "Invalid 'status': expected 'pass' or 'fail'.", param="status")
    items = [item for item in run.output_items() if status is None or item["status"] == status]
    return JSONResponse(
        page(request, ordered(request, items, default="asc"), default_limit=20, first_last=True)
    )


@route("GET", "/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}")
def retrieve_output_item(request: Request, sandbox) -> JSONResponse:
    run = _run(sandbox, request)
    wanted = request.params["output_item_id"]
    found = next((item for item in run.output_items() if item["id"] == wanted), None)
    if found is None:
        raise ApiError(
            404, f"Output item with id '{wanted}' not found in run {run.id}.", param="output_item_id"
        )
    return JSONResponse(found)


@route("GET", "/sandbox/evals/{eval_id}/runs/{run_id}", auth=False)
def report(request: Request, sandbox) -> BytesResponse:
    """The run's report page (what `report_url` opens): counts per criterion and per item."""
    body = _run(sandbox, request).as_api()
    counts = body["result_counts"]
    rows = "".join(
        f"<tr><td>{html.escape(r['testing_criteria'])}</td><td>{r['passed']}</td><td>{r['failed']}</td></tr>"
        for r in body["per_testing_criteria_results"]
    )
    page_text = (
        f"<!doctype html><title>{html.escape(body['name'])}</title>"
        f"<h1>{html.escape(body['name'])} (sandbox eval run)</h1>"
        f"<p>Status: {body['status']}. Items: {counts['total']}, passed {counts['passed']}, "
        f"failed {counts['failed']}, errored {counts['errored']}.</p>"
        f"<table><tr><th>criterion</th><th>passed</th><th>failed</th></tr>{rows}</table>"
    )
    return BytesResponse(page_text.encode(), "text/html; charset=utf-8")


# -- helpers ---------------------------------------------------------------------------


def _generation(
    sandbox, source: dict[str, Any], stored: StoredEval
) -> tuple[str | None, Any, dict[str, Any]]:
    """(model, input messages, sampling params) of a completions or responses data source."""
    if source["type"] == "jsonl":
        return None, None, {}
    sampling = source.get("sampling_params") or {}
    if not isinstance(sampling, dict):
        raise ApiError(400, "Invalid 'data_source.sampling_params': expected an object.", param="data_source")
    model = source.get("model")
    stored_answers = (source.get("source") or {}).get("type") == "stored_completions"
    if model is None and stored_answers:
        return None, None, sampling  # grade the stored answers as they are
    if model is None:
        raise _missing("data_source.model")
    model = sandbox.state.model(model, param="data_source.model")["id"]
    if not is_chat_model(model):
        raise ApiError(
            400, f"Invalid 'data_source.model': {model} is not a chat model.", param="data_source.model"
        )
    given = source.get("input_messages")
    if given is None and stored_answers:
        given = {"type": "item_reference", "item_reference": "item.input"}
    return model, check_input_messages(given, "data_source.input_messages", stored.item_fields), sampling


def _messages(input_messages: dict[str, Any], item: dict[str, Any]) -> list[dict[str, str]]:
    try:
        return messages_for(input_messages, item)
    except MissingVariable as missing:
        raise ApiError(
            400,
            f"Invalid 'data_source.input_messages': an item has no value for {{{{{missing.name}}}}}.",
            param="data_source.input_messages",
        ) from None


def _run(sandbox, request: Request) -> EvalRun:
    eval_id, run_id = stored_eval(sandbox, request.params["eval_id"]).id, request.params["run_id"]
    with sandbox.state.lock:
        run = sandbox.state.eval_runs.get(run_id)
    if run is None or run.public["eval_id"] != eval_id:
        raise ApiError(404, f"Run with id '{run_id}' not found for eval '{eval_id}'.", param="run_id")
    return run


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )
