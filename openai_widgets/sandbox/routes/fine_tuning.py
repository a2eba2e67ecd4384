"""Fine-tuning jobs (create, list, get, cancel, pause, resume, events, checkpoints), DELETE /models/{id}.

Jobs follow the timeline of `_training.Job`. When a job has succeeded, the first read
that notices it "settles" it: the fine-tuned model joins /models and the result file
(step metrics) joins /files. `settle_jobs()` is also called by the /models routes, so the
model shows there even if nobody looked at the job.

Methods: `supervised` (the default, also what top-level `hyperparameters` mean), `dpo`
and `reinforcement` (with a grader, checked as /fine_tuning/alpha/graders/validate does;
on o4-mini as with OpenAI, or on the chat models, which OpenAI refuses there).
Hyperparameters may sit in `method.<type>.hyperparameters` or, the older way, at the
top level. Supervised data is checked while the job validates its
files (a bad file makes the job fail); DPO and reinforcement data is checked at once
and refused with a 400 naming the line, since its shape depends on the method.
"""

from __future__ import annotations

import time
from typing import Any

from .._grader_checks import TOP_TYPES, Scope, check_grader, referenced
from .._http import ApiError, JSONResponse, Request
from .._training import TERMINAL, Job, check_training_data
from ._lists import page
from ._registry import route
from .files import store_file

__all__ = ["settle_jobs"]

# Base models the sandbox fine-tunes (fine-tuned models can be trained further too).
TUNABLE = {"gpt-4o-mini-2024-07-18", "gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-3.5-turbo"}
REASONING_TUNABLE = {"o4-mini-2025-04-16", "o4-mini"}  # for reinforcement fine-tuning
# name: (low, high) for numbers; an exclusive low of 0 is checked as "not 0".
_HYPERPARAMETERS = {"n_epochs": (1, 50), "batch_size": (1, 256), "learning_rate_multiplier": (0, None)}
_METHOD_HYPERPARAMETERS: dict[str, dict[str, tuple[float, float | None]]] = {
    "supervised": {},
    "dpo": {"beta": (0, 2)},
    "reinforcement": {
        "compute_multiplier": (0.00001, 10),
        "eval_interval": (1, None),
        "eval_samples": (1, None),
    },
}
_INTEGERS = {"n_epochs", "batch_size", "eval_interval", "eval_samples"}
_REASONING_EFFORTS = ("default", "low", "medium", "high")
_SEED_MAX = 2147483647


@route("POST", "/fine_tuning/jobs")
def create_job(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    state = sandbox.state
    model = state.model(body.get("model"))["id"]
    method = _method(body)
    _check_model(model, method["type"])
    if method["type"] == "reinforcement":
        scope = Scope(TOP_TYPES, models=state.models)
        check_grader(method["settings"]["grader"], "method.reinforcement.grader", scope)
    training = _training_file(sandbox, body.get("training_file"), "training_file")
    validation = body.get("validation_file")
    if validation is not None:
        _training_file(sandbox, validation, "validation_file")
    suffix = _suffix(body.get("suffix"))
    seed = _seed(body.get("seed"))
    hyperparameters = _hyperparameters(method)
    examples, problem = _checked_data(sandbox, method, training, "training_file")
    if validation is not None:
        _checked_data(sandbox, method, validation, "validation_file")
    with state.lock:
        job_id = state.new_id("ftjob")
        public = {
            "object": "fine_tuning.job",
            "id": job_id,
            "model": model,
            "created_at": state.now(),
            "error": None,
            "organization_id": request.headers.get("openai-organization", "org-sandbox"),
            "result_files": [],
            "training_file": training,
            "validation_file": validation,
            "hyperparameters": hyperparameters,
            "seed": seed if seed is not None else 42,
            "user_provided_suffix": suffix,
            "integrations": [],
            "method": {
                "type": method["type"],
                method["type"]: {**method["settings"], "hyperparameters": hyperparameters},
            },
            "metadata": body.get("metadata"),
        }
        job = Job(
            public,
            seconds=float(sandbox.job_seconds),
            examples=max(examples, 1),
            epochs=hyperparameters["n_epochs"],
            batch_size=hyperparameters["batch_size"],
            problem=problem,
        )
        state.fine_tuning_jobs[job_id] = job
    return JSONResponse(job.as_api())


@route("GET", "/fine_tuning/jobs")
def list_jobs(request: Request, sandbox) -> JSONResponse:
    settle_jobs(sandbox)
    with sandbox.state.lock:
        jobs = list(sandbox.state.fine_tuning_jobs.values())
    items = [job.as_api() for job in reversed(jobs)]  # newest first
    return JSONResponse(page(request, items, default_limit=20, max_limit=100))


@route("GET", "/fine_tuning/jobs/{job_id}")
def retrieve_job(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(_settled(sandbox, request.params["job_id"]).as_api())


@route("POST", "/fine_tuning/jobs/{job_id}/cancel")
def cancel_job(request: Request, sandbox) -> JSONResponse:
    job = _settled(sandbox, request.params["job_id"])
    with sandbox.state.lock:
        status = job.status()
        if status in TERMINAL:
            raise ApiError(400, f"Job {job.id} has already {status} and cannot be cancelled.", param="job_id")
        job.cancelled_at = max(job.started, time.time())
    return JSONResponse(job.as_api())


@route("POST", "/fine_tuning/jobs/{job_id}/pause")
def pause_job(request: Request, sandbox) -> JSONResponse:
    job = _settled(sandbox, request.params["job_id"])
    with sandbox.state.lock:
        status = job.status()
        if status not in {"validating_files", "queued", "running"}:
            raise ApiError(400, f"Job {job.id} is {status} and cannot be paused.", param="job_id")
        job.pauses.append([time.time(), None])
    return JSONResponse(job.as_api())


@route("POST", "/fine_tuning/jobs/{job_id}/resume")
def resume_job(request: Request, sandbox) -> JSONResponse:
    job = _settled(sandbox, request.params["job_id"])
    with sandbox.state.lock:
        if not job.paused or job.status() != "paused":
            raise ApiError(
                400,
                f"Job {job.id} is {job.status()}, not paused: only a paused job can resume.",
                param="job_id",
            )
        job.pauses[-1][1] = time.time()
    return JSONResponse(job.as_api())


@route("GET", "/fine_tuning/jobs/{job_id}/events")
def list_events(request: Request, sandbox) -> JSONResponse:
    job = _settled(sandbox, request.params["job_id"])
    return JSONResponse(page(request, job.events(), default_limit=20, max_limit=100))


@route("GET", "/fine_tuning/jobs/{job_id}/checkpoints")
def list_checkpoints(request: Request, sandbox) -> JSONResponse:
    job = _settled(sandbox, request.params["job_id"])
    return JSONResponse(page(request, job.checkpoints(), default_limit=10, max_limit=100, first_last=True))


@route("DELETE", "/models/{model}")
def delete_model(request: Request, sandbox) -> JSONResponse:
    settle_jobs(sandbox)
    state = sandbox.state
    model = state.model(request.params["model"])["id"]
    if not model.startswith("ft:"):
        raise ApiError(
            403,
            f"You cannot delete the model {model}: only fine-tuned models of your organization "
            "can be deleted.",
            param="model",
            code="model_not_deletable",
        )
    with state.lock:
        state.models.pop(model, None)
    return JSONResponse({"id": model, "object": "model", "deleted": True})


def settle_jobs(sandbox) -> None:
    """Give every job that has succeeded its model and result file (once)."""
    with sandbox.state.lock:
        jobs = list(sandbox.state.fine_tuning_jobs.values())
    for job in jobs:
        _settle(sandbox, job)


# -- helpers ---------------------------------------------------------------------------


def _settled(sandbox, job_id: str) -> Job:
    with sandbox.state.lock:
        job = sandbox.state.fine_tuning_jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"Could not find fine-tuning job {job_id}.", param="fine_tuning_job_id")
    _settle(sandbox, job)
    return job


def _settle(sandbox, job: Job) -> None:
    state = sandbox.state
    with state.lock:
        if job.settled or job.status() != "succeeded":
            return
        job.settled = True
        result = store_file(sandbox, "step_metrics.csv", "fine-tune-results", job.results_csv())
        job.public["result_files"] = [result["id"]]
        state.models[job.fine_tuned_model] = {
            "id": job.fine_tuned_model,
            "object": "model",
            "created": job.finished_at(),
            "owned_by": job.public["organization_id"],
        }


def _training_file(sandbox, file_id: Any, param: str) -> str:
    if not file_id or not isinstance(file_id, str):
        raise ApiError(400, f"Missing required parameter: '{param}'.", param=param)
    with sandbox.state.lock:
        record = sandbox.state.files.get(file_id)
    if record is None:
        raise ApiError(400, f"invalid {param}: {file_id}", param=param, code="invalid_file")
    if record["purpose"] != "fine-tune":
        raise ApiError(
            400,
            f"File {file_id} has purpose {record['purpose']!r}; upload it with purpose 'fine-tune'.",
            param=param,
        )
    return file_id


def _method(body: dict[str, Any]) -> dict[str, Any]:
    """The method type and its settings; legacy top-level `hyperparameters` mean supervised."""
    method = body.get("method")
    if method is None:
        return {"type": "supervised", "settings": {}, "hyperparameters": body.get("hyperparameters") or {}}
    if not isinstance(method, dict) or method.get("type") not in {"supervised", "dpo", "reinforcement"}:
        raise ApiError(
            400, "Invalid 'method.type': expected supervised, dpo or reinforcement.", param="method"
        )
    kind = method["type"]
    if not isinstance(method.get(kind) or {}, dict):
        raise ApiError(400, f"Invalid 'method.{kind}': expected an object.", param=f"method.{kind}")
    settings = dict(method.get(kind) or {})
    if kind == "reinforcement" and "grader" not in settings:
        raise ApiError(400, "Missing required parameter: 'method.reinforcement.grader'.", param="method")
    hyperparameters = settings.pop("hyperparameters", None) or body.get("hyperparameters") or {}
    return {"type": kind, "settings": settings, "hyperparameters": hyperparameters}


def _hyperparameters(method: dict[str, Any]) -> dict[str, Any]:
    """The values the job runs with: "auto" resolved to the sandbox's choices."""
    given, kind = method["hyperparameters"], method["type"]
    if not isinstance(given, dict):
        raise ApiError(400, "Invalid 'hyperparameters': expected an object.", param="hyperparameters")
    resolved: dict[str, Any] = {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.8}
    if kind == "dpo":
        resolved["beta"] = 0.1
    if kind == "reinforcement":
        resolved.update(reasoning_effort="medium", compute_multiplier=1.0, eval_interval=1, eval_samples=1)
    limits = {**_HYPERPARAMETERS, **_METHOD_HYPERPARAMETERS[kind]}
    for name, value in given.items():
        if name not in limits and not (name == "reasoning_effort" and kind == "reinforcement"):
            raise ApiError(400, f"Unknown hyperparameter: '{name}'.", param=f"hyperparameters.{name}")
        if value == "auto" or (name == "reasoning_effort" and value == "default"):
            continue
        if name == "reasoning_effort":
            if value not in _REASONING_EFFORTS:
                raise ApiError(
                    400,
                    f"Invalid value for 'reasoning_effort': {value!r}; expected one of "
                    f"{', '.join(_REASONING_EFFORTS)}.",
                    param="hyperparameters.reasoning_effort",
                )
            resolved[name] = value
            continue
        low, high = limits[name]
        number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if name in _INTEGERS:
            number_ok = number_ok and isinstance(value, int)
        if not number_ok or value < low or (high is not None and value > high) or value == 0:
            raise ApiError(400, f"Invalid value for '{name}': {value!r}.", param=f"hyperparameters.{name}")
        resolved[name] = value
    return resolved


def _check_model(model: str, kind: str) -> None:
    """Supervised and DPO tune the chat models; reinforcement tunes the reasoning models too.

    OpenAI runs reinforcement fine-tuning on reasoning models only; the sandbox also takes
    its chat models there, so clients whose default model is a chat model still work.
    """
    if model.startswith("ft:"):
        return  # fine-tuned models can be trained further
    if kind == "reinforcement" and model not in TUNABLE | REASONING_TUNABLE:
        raise ApiError(
            400, f"Model {model} is not available for reinforcement fine-tuning; use o4-mini.", param="model"
        )
    if kind != "reinforcement" and model not in TUNABLE:
        raise ApiError(
            400, f"Model {model} is not available for fine-tuning or does not exist.", param="model"
        )


def _checked_data(sandbox, method: dict[str, Any], file_id: str, param: str) -> tuple[int, str | None]:
    """(examples, problem) of a file; DPO and reinforcement problems are refused at once."""
    kind = method["type"]
    fields = tuple(referenced(method["settings"]["grader"])) if kind == "reinforcement" else ()
    with sandbox.state.lock:
        content = sandbox.state.file_contents.get(file_id, b"")
    examples, problem = check_training_data(content, kind, fields)
    if problem is not None and kind != "supervised":
        raise ApiError(
            400,
            f"Invalid {param} {file_id} for {kind} fine-tuning: {problem}",
            param=param,
            code="invalid_training_file",
        )
    return examples, problem


def _suffix(suffix: Any) -> str | None:
    if suffix is None:
        return None
    if not isinstance(suffix, str) or not 1 <= len(suffix) <= 64:
        raise ApiError(400, "Invalid 'suffix': expected a string of 1 to 64 characters.", param="suffix")
    return suffix


def _seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= _SEED_MAX:
        raise ApiError(400, f"Invalid 'seed': expected an integer from 0 to {_SEED_MAX}.", param="seed")
    return seed
