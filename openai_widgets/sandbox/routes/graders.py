"""POST /fine_tuning/alpha/graders/run and /validate: a grader checked, or run on one sample.

Validation answers the grader back, or a 400 naming the parameter and the problem
(unknown type, missing field, bad operation or metric, unknown template variable, a
python source that does not parse, a formula that names no grader). Running grades
`model_sample` for `item` as `_grading` describes (python graders are never executed),
and reports the reward with OpenAI's metadata: the error flags, per-grader scores of a
multi grader, and the tokens model graders used.
"""

from __future__ import annotations

import time
from typing import Any

from .._grader_checks import TOP_TYPES, Scope, check_grader
from .._grading import grade, make_sample
from .._http import ApiError, JSONResponse, Request
from .._usage import record_tokens
from ._checks import type_name
from ._registry import route

ERROR_FLAGS = (
    "formula_parse_error",
    "sample_parse_error",
    "truncated_observation_error",
    "unresponsive_reward_error",
    "invalid_variable_error",
    "other_error",
    "python_grader_server_error",
    "python_grader_runtime_error",
    "model_grader_server_error",
    "model_grader_refusal_error",
    "model_grader_parse_error",
)
_DETAILS = (
    "python_grader_server_error_type",
    "python_grader_runtime_error_details",
    "model_grader_server_error_details",
)


@route("POST", "/fine_tuning/alpha/graders/validate")
def validate_grader(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    grader = _grader(body, sandbox)
    return JSONResponse({"grader": grader})


@route("POST", "/fine_tuning/alpha/graders/run")
def run_grader(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    grader = _grader(body, sandbox)
    sample_text = body.get("model_sample")
    if sample_text is None:
        raise ApiError(
            400,
            "Missing required parameter: 'model_sample'.",
            param="model_sample",
            code="missing_required_parameter",
        )
    if not isinstance(sample_text, str):
        raise _invalid_type("model_sample", "a string", sample_text)
    item = body.get("item", {})
    if not isinstance(item, dict):
        raise _invalid_type("item", "an object", item)
    began = time.perf_counter()
    verdict = grade(grader, item, make_sample(sample_text))
    for model, tokens in verdict.usage.items():
        record_tokens(sandbox, request.headers, model, tokens)
    errors: dict[str, Any] = {flag: flag == verdict.error for flag in ERROR_FLAGS}
    errors.update(dict.fromkeys(_DETAILS))
    total = sum(tokens["total_tokens"] for tokens in verdict.usage.values()) if verdict.usage else None
    return JSONResponse(
        {
            "reward": verdict.score,
            "metadata": {
                "name": grader["name"],
                "type": grader["type"],
                "errors": errors,
                "execution_time": round(time.perf_counter() - began, 6),
                "scores": verdict.sub_scores,
                "token_usage": total,
                "sampled_model_name": next(iter(verdict.usage), None),
            },
            "sub_rewards": verdict.sub_scores,
            "model_grader_token_usage_per_model": verdict.usage,
        }
    )


def _grader(body: dict[str, Any], sandbox) -> dict[str, Any]:
    if "grader" not in body:
        raise ApiError(
            400, "Missing required parameter: 'grader'.", param="grader", code="missing_required_parameter"
        )
    check_grader(body["grader"], "grader", Scope(TOP_TYPES, models=sandbox.state.models))
    return body["grader"]


def _invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )
