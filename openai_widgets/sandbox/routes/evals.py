"""Evals: create, list, retrieve, update (name, metadata) and delete; runs live in `eval_runs`.

An eval is a data source config and testing criteria. The config says what an item
looks like: `custom` (an `item_schema`, and with `include_sample_schema` a sample from a
model), or `logs` / `stored_completions` (items made from stored chat completions).
The answer shows the full JSON schema of the grading namespace (`item`, `sample`).
Testing criteria are graders (string_check, text_similarity with pass_threshold,
label_model, score_model, python), checked as the graders API checks them; their
templates may only name properties of the item schema, and `sample.*` only when there
are samples.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

from .._grader_checks import EVAL_TYPES, Scope, check_grader
from .._http import ApiError, JSONResponse, Request
from ._checks import check_metadata
from ._eval_sources import STORED_ITEM_SCHEMA
from ._lists import page
from ._registry import route

__all__ = ["StoredEval", "stored_eval"]

SAMPLE_SCHEMA = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "object"}},
        "output_text": {"type": "string"},
        "output_json": {"type": "object"},
        "output_tools": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["model", "choices"],
}


@dataclass
class StoredEval:
    """An eval as the sandbox keeps it: the public object and what its runs need to know."""

    public: dict[str, Any]
    item_schema: dict[str, Any]
    has_sample: bool
    updated_at: float

    @property
    def id(self) -> str:
        return self.public["id"]

    @property
    def item_fields(self) -> frozenset[str] | None:
        properties = self.item_schema.get("properties")
        return frozenset(properties) if isinstance(properties, dict) else None


@route("POST", "/evals")
def create_eval(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    state = sandbox.state
    config, item_schema, has_sample = _data_source_config(body.get("data_source_config"))
    criteria = body.get("testing_criteria")
    if criteria is None:
        raise _missing("testing_criteria")
    if not isinstance(criteria, list) or not criteria:
        raise ApiError(
            400,
            "Invalid 'testing_criteria': expected a non-empty array of graders.",
            param="testing_criteria",
        )
    fields = StoredEval({}, item_schema, has_sample, 0).item_fields
    scope = Scope(EVAL_TYPES, fields, has_sample, thresholds=True, models=state.models)
    for index, criterion in enumerate(criteria):
        check_grader(criterion, f"testing_criteria[{index}]", scope)
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError(400, "Invalid 'name': expected a string.", param="name")
    metadata = check_metadata(body.get("metadata"))
    with state.lock:
        created = state.now()
        public = {
            "object": "eval",
            "id": state.new_id("eval", "_"),
            "name": name or f"Eval {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(created))}",
            "data_source_config": config,
            "testing_criteria": copy.deepcopy(criteria),
            "created_at": created,
            "metadata": metadata or {},
        }
        state.evals[public["id"]] = StoredEval(public, item_schema, has_sample, time.time())
    return JSONResponse(copy.deepcopy(public), 201)


@route("GET", "/evals")
def list_evals(request: Request, sandbox) -> JSONResponse:
    order, order_by = request.arg("order", "asc"), request.arg("order_by", "created_at")
    if order not in {"asc", "desc"}:
        raise ApiError(400, "Invalid 'order': expected 'asc' or 'desc'.", param="order")
    if order_by not in {"created_at", "updated_at"}:
        raise ApiError(400, "Invalid 'order_by': expected 'created_at' or 'updated_at'.", param="order_by")
    with sandbox.state.lock:
        evals = list(sandbox.state.evals.values())  # creation order breaks ties
    if order_by == "updated_at":
        evals.sort(key=lambda stored: stored.updated_at)
    items = [copy.deepcopy(stored.public) for stored in evals]
    items = items if order == "asc" else items[::-1]
    return JSONResponse(page(request, items, default_limit=20, first_last=True))


@route("GET", "/evals/{eval_id}")
def retrieve_eval(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(copy.deepcopy(stored_eval(sandbox, request.params["eval_id"]).public))


@route("POST", "/evals/{eval_id}")
def update_eval(request: Request, sandbox) -> JSONResponse:
    stored = stored_eval(sandbox, request.params["eval_id"])
    body = request.json_object()
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise ApiError(400, "Invalid 'name': expected a non-empty string.", param="name")
    metadata = check_metadata(body.get("metadata"))
    with sandbox.state.lock:
        if name is not None:
            stored.public["name"] = name
        if "metadata" in body:
            stored.public["metadata"] = metadata or {}
        stored.updated_at = time.time()
        return JSONResponse(copy.deepcopy(stored.public))


@route("DELETE", "/evals/{eval_id}")
def delete_eval(request: Request, sandbox) -> JSONResponse:
    stored = stored_eval(sandbox, request.params["eval_id"])
    state = sandbox.state
    with state.lock:
        state.evals.pop(stored.id, None)
        for run_id in [i for i, run in state.eval_runs.items() if run.public["eval_id"] == stored.id]:
            state.eval_runs.pop(run_id)
    return JSONResponse({"object": "eval.deleted", "deleted": True, "eval_id": stored.id})


def stored_eval(sandbox, eval_id: str) -> StoredEval:
    with sandbox.state.lock:
        stored = sandbox.state.evals.get(eval_id)
    if stored is None:
        raise ApiError(404, f"Eval with id '{eval_id}' not found.", param="eval_id")
    return stored


# -- the data source config ---------------------------------------------------------------


def _data_source_config(config: Any) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(the config the eval shows, the item schema, whether items come with samples)."""
    if config is None:
        raise _missing("data_source_config")
    if not isinstance(config, dict):
        raise ApiError(400, "Invalid 'data_source_config': expected an object.", param="data_source_config")
    kind = config.get("type")
    if kind == "custom":
        item_schema = config.get("item_schema")
        if item_schema is None:
            raise _missing("data_source_config.item_schema")
        if not isinstance(item_schema, dict):
            raise ApiError(
                400,
                "Invalid 'data_source_config.item_schema': expected a JSON schema object.",
                param="data_source_config.item_schema",
            )
        include = config.get("include_sample_schema", False)
        if not isinstance(include, bool):
            raise ApiError(
                400,
                "Invalid 'data_source_config.include_sample_schema': expected a boolean.",
                param="data_source_config.include_sample_schema",
            )
        return {"type": "custom", "schema": _namespace_schema(item_schema, include)}, item_schema, include
    if kind in {"logs", "stored_completions"}:
        metadata = check_metadata(config.get("metadata"), "data_source_config.metadata")
        shown = {"type": kind, "metadata": metadata, "schema": _namespace_schema(STORED_ITEM_SCHEMA, True)}
        return shown, STORED_ITEM_SCHEMA, True
    raise ApiError(
        400,
        f"Invalid 'data_source_config.type': {kind!r}; expected 'custom', 'logs' or 'stored_completions'.",
        param="data_source_config.type",
    )


def _namespace_schema(item_schema: dict[str, Any], with_sample: bool) -> dict[str, Any]:
    """The JSON schema of what graders see: `item`, and `sample` when there is one."""
    properties = {"item": copy.deepcopy(item_schema)}
    required = ["item"]
    if with_sample:
        properties["sample"] = copy.deepcopy(SAMPLE_SCHEMA)
        required.append("sample")
    return {"type": "object", "properties": properties, "required": required}


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )
