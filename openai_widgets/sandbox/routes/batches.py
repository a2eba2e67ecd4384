"""The Batch API: create, list, retrieve, cancel. Lines run through the sandbox's own routes.

A batch's requests are answered when it is created (by whichever route serves its
endpoint, so any endpoint the sandbox has works), but what the batch shows follows the
clock: `validating`, then `in_progress` with request counts rising, `finalizing`, and
`completed` once `sandbox.batch_seconds` have passed, when its output and error files
appear. A cancelled batch keeps the answers done by then.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from .._http import ApiError, BytesResponse, JSONResponse, Request
from .._usage import record_answer
from ._lists import page
from ._registry import find_route, route
from .files import store_file

ENDPOINTS = {
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
}
MAX_REQUESTS = 50_000
MAX_EMBEDDING_INPUTS = 50_000
ACTIVE = {"validating", "in_progress", "finalizing"}
# Shares of `batch_seconds` at which a batch starts processing and starts finalizing.
STARTS, FINALIZES = 0.1, 0.8


@route("POST", "/batches")
def create_batch(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    file_id = body.get("input_file_id")
    endpoint = body.get("endpoint")
    if not isinstance(file_id, str) or not file_id:
        raise ApiError(400, "Missing required parameter: 'input_file_id'.", param="input_file_id")
    if endpoint not in ENDPOINTS:
        raise ApiError(
            400,
            f"Invalid value for 'endpoint': {endpoint!r}. Supported: {', '.join(sorted(ENDPOINTS))}.",
            param="endpoint",
        )
    if body.get("completion_window") != "24h":
        raise ApiError(
            400, "Invalid value for 'completion_window': only '24h' is supported.", param="completion_window"
        )
    state = sandbox.state
    with state.lock:
        upload = state.files.get(file_id)
        content = state.file_contents.get(file_id)
    if upload is None:
        raise ApiError(404, f"No such File object: {file_id}", param="input_file_id")
    if upload["purpose"] != "batch":
        raise ApiError(
            400,
            f"File {file_id} has purpose {upload['purpose']!r}; batches need purpose 'batch'.",
            param="input_file_id",
        )
    lines, errors = _read_lines(content or b"", endpoint)
    now = time.time()
    record: dict[str, Any] = {
        "id": "batch_" + state.new_id("batch").split("-", 1)[1],  # OpenAI's shape: batch_abc123
        "object": "batch",
        "endpoint": endpoint,
        "input_file_id": file_id,
        "completion_window": "24h",
        "status": "validating",
        "created_at": int(now),
        "expires_at": int(now) + 86400,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "metadata": body.get("metadata"),
    }
    model = next(
        (line["body"].get("model") for line in lines if isinstance(line["body"].get("model"), str)), None
    )
    if model:
        record["model"] = model
    entry = {"record": record, "started": now, "errors": errors, "answers": [], "cancelled": None}
    if not errors:
        entry["answers"] = [_answer(sandbox, line, endpoint, request.headers) for line in lines]
    with state.lock:
        state.batches[record["id"]] = entry
    return JSONResponse(_public(record))


@route("GET", "/batches")
def list_batches(request: Request, sandbox) -> JSONResponse:
    with sandbox.state.lock:
        entries = list(sandbox.state.batches.values())
    records = [_refresh(sandbox, entry) for entry in reversed(entries)]  # newest first
    return JSONResponse(page(request, records, first_last=True))


@route("GET", "/batches/{batch_id}")
def retrieve_batch(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(_refresh(sandbox, _entry(sandbox, request.params["batch_id"])))


@route("POST", "/batches/{batch_id}/cancel")
def cancel_batch(request: Request, sandbox) -> JSONResponse:
    entry = _entry(sandbox, request.params["batch_id"])
    record = _refresh(sandbox, entry)
    if record["status"] not in ACTIVE:
        raise ApiError(400, f"Cannot cancel a batch with status '{record['status']}'.")
    with sandbox.state.lock:
        entry["cancelled"] = time.time()
        entry["record"]["status"] = "cancelling"
        entry["record"]["cancelling_at"] = int(entry["cancelled"])
    return JSONResponse(_public(entry["record"]))


# -- reading the input file ----------------------------------------------------------------


def _read_lines(content: bytes, endpoint: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The request lines, and the validation errors that fail the batch (as OpenAI reports them)."""
    lines: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(content.splitlines(), 1):
        if not raw.strip():
            continue
        problem = _line_problem(raw, endpoint, seen)
        if isinstance(problem, str):
            errors.append({"code": "invalid_request", "message": problem, "param": None, "line": number})
        else:
            lines.append(problem)
            seen.add(problem["custom_id"])
    if not lines and not errors:
        errors.append(
            {"code": "empty_file", "message": "The input file has no requests.", "param": None, "line": None}
        )
    if len(lines) > MAX_REQUESTS:
        errors.append(
            {
                "code": "too_many_requests",
                "message": f"A batch holds at most {MAX_REQUESTS} requests.",
                "param": None,
                "line": None,
            }
        )
    if endpoint == "/v1/embeddings":
        inputs = sum(_input_count(line["body"].get("input")) for line in lines)
        if inputs > MAX_EMBEDDING_INPUTS:
            errors.append(
                {
                    "code": "too_many_inputs",
                    "message": (
                        f"An embeddings batch holds at most {MAX_EMBEDDING_INPUTS} inputs; "
                        f"this one has {inputs}."
                    ),
                    "param": None,
                    "line": None,
                }
            )
    return lines, errors


def _line_problem(raw: bytes, endpoint: str, seen: set[str]) -> dict[str, Any] | str:
    try:
        line = json.loads(raw)
    except ValueError:
        return "This line is not valid JSON."
    if not isinstance(line, dict):
        return "Each line must be a JSON object."
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return "Missing 'custom_id'."
    if custom_id in seen:
        return f"The custom_id {custom_id!r} is used more than once; custom IDs must be unique."
    if line.get("method") != "POST":
        return "Only the POST method is supported."
    if line.get("url") != endpoint:
        return f"The url {line.get('url')!r} does not match the batch's endpoint {endpoint}."
    if not isinstance(line.get("body"), dict):
        return "Missing 'body' (a JSON object)."
    return line


def _input_count(value: Any) -> int:
    if isinstance(value, list) and value and not all(isinstance(v, int) for v in value):
        return len(value)
    return 1


# -- answering the requests ----------------------------------------------------------------


def _answer(sandbox, line: dict[str, Any], endpoint: str, headers: dict[str, str]) -> dict[str, Any]:
    """One request answered by the sandbox's own route for the endpoint (and billed as batch usage)."""
    path = endpoint[3:]
    billed = {k: v for k, v in headers.items() if k in {"authorization", "openai-project"}}
    request = Request(
        "POST", path, {}, {**billed, "content-type": "application/json"}, json.dumps(line["body"]).encode()
    )
    found = find_route("POST", path)
    if found is None:
        status, body = 404, _error(f"The sandbox does not serve {endpoint}.")
    else:
        handler, request.params = found[0].handler, found[1]
        try:
            response = handler(request, sandbox)
        except ApiError as exc:
            status, body = exc.status, exc.body
        else:
            record_answer(sandbox, request, response, batch=True)
            if isinstance(response, JSONResponse):
                status, body = response.status, response.body
            elif isinstance(response, BytesResponse) and response.content_type == "application/json":
                status, body = response.status, json.loads(response.content)
            else:
                status, body = 400, _error("Streaming and binary answers are not available in a batch.")
    return {
        "id": f"batch_req_{uuid.uuid4().hex[:24]}",
        "custom_id": line["custom_id"],
        "response": {"status_code": status, "request_id": request.request_id, "body": body},
        "error": None,
    }


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


# -- the clock ------------------------------------------------------------------------------


def _entry(sandbox, batch_id: str) -> dict[str, Any]:
    with sandbox.state.lock:
        entry = sandbox.state.batches.get(batch_id)
    if entry is None:
        raise ApiError(404, f"No batch found with id '{batch_id}'.", param="batch_id")
    return entry


def _refresh(sandbox, entry: dict[str, Any]) -> dict[str, Any]:
    """Bring the batch's record up to the present, and return its public form."""
    with sandbox.state.lock:
        record = entry["record"]
        if record["status"] in ACTIVE or record["status"] == "cancelling":
            _advance(sandbox, entry, time.time())
        return _public(record)


def _advance(sandbox, entry: dict[str, Any], now: float) -> None:
    record = entry["record"]
    if entry["errors"]:
        record.update(status="failed", failed_at=int(now), errors={"object": "list", "data": entry["errors"]})
        return
    seconds = max(sandbox.batch_seconds, 1e-6)
    elapsed = (now - entry["started"]) / seconds
    answers = entry["answers"]
    if entry["cancelled"] is not None:
        done = _done_by(answers, (entry["cancelled"] - entry["started"]) / seconds)
        _finish(sandbox, entry, answers[:done], now, "cancelled")
        return
    if elapsed >= 1.0:
        _finish(sandbox, entry, answers, now, "completed")
        return
    if elapsed >= STARTS:
        record.setdefault("in_progress_at", int(entry["started"] + STARTS * seconds))
        record["status"] = "in_progress"
        _count(record, answers[: _done_by(answers, elapsed)], total=len(answers))
    if elapsed >= FINALIZES:
        record["status"] = "finalizing"
        record.setdefault("finalizing_at", int(now))


def _done_by(answers: list[dict[str, Any]], elapsed: float) -> int:
    """How many requests are answered at this share of the batch's time."""
    share = (elapsed - STARTS) / (FINALIZES - STARTS)
    return max(0, min(len(answers), int(len(answers) * share)))


def _finish(sandbox, entry: dict[str, Any], answers: list[dict[str, Any]], now: float, status: str) -> None:
    record = entry["record"]
    good = [a for a in answers if a["response"]["status_code"] < 400]
    bad = [a for a in answers if a["response"]["status_code"] >= 400]
    for key, rows in (("output_file_id", good), ("error_file_id", bad)):
        if rows:
            content = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows).encode()
            name = f"{record['id']}_{'output' if key == 'output_file_id' else 'error'}.jsonl"
            record[key] = store_file(sandbox, name, "batch_output", content)["id"]
    _count(record, answers, total=len(entry["answers"]))
    record["status"] = status
    record[f"{status}_at"] = int(now)
    if status == "completed":
        record.setdefault("in_progress_at", int(entry["started"]))
        record.setdefault("finalizing_at", int(now))


def _count(record: dict[str, Any], answers: list[dict[str, Any]], *, total: int) -> None:
    failed = sum(1 for a in answers if a["response"]["status_code"] >= 400)
    record["request_counts"] = {"total": total, "completed": len(answers) - failed, "failed": failed}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the API shows it: fields that are not set yet are left out."""
    return {k: v for k, v in record.items() if v is not None}
