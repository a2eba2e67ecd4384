"""Grader checks: the 400 OpenAI gives for a grader, naming the parameter and what to change.

Every grader type has its required fields; templates may only name `item.<field>` (a
property of the eval's item schema, when there is one) and `sample.<field>` (when the
data source has samples); a python grader's source must parse and define
`grade(sample, item)` (it is parsed, never run); a multi grader's formula must only use
its sub-graders' names (see `_formulas`).
"""

from __future__ import annotations

import ast
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from ._formulas import formula_names, parse_formula
from ._http import ApiError
from ._similarity import METRICS
from ._templates import variables

__all__ = [
    "ALL_TYPES",
    "EVAL_TYPES",
    "SUB_TYPES",
    "TOP_TYPES",
    "Scope",
    "check_grader",
    "message_texts",
    "referenced",
    "sub_graders",
]

TOP_TYPES = ("string_check", "text_similarity", "python", "score_model", "multi")  # graders API, RFT
EVAL_TYPES = ("string_check", "text_similarity", "label_model", "score_model", "python")
SUB_TYPES = ("string_check", "text_similarity", "python", "score_model", "label_model")
ALL_TYPES = ("string_check", "text_similarity", "python", "score_model", "label_model", "multi")
OPERATIONS = ("eq", "ne", "like", "ilike")
SAMPLE_FIELDS = ("output_text", "output_json", "output_tools", "choices", "model")
ROLES = ("user", "assistant", "system", "developer")
_REQUIRED = {
    "string_check": ("name", "input", "reference", "operation"),
    "text_similarity": ("name", "input", "reference", "evaluation_metric"),
    "python": ("name", "source"),
    "score_model": ("name", "input", "model"),
    "label_model": ("name", "input", "model", "labels", "passing_labels"),
    "multi": ("name", "graders", "calculate_output"),
}


@dataclass(frozen=True)
class Scope:
    """Where a grader is used: which types it may have and what its templates may name."""

    allowed: tuple[str, ...] = TOP_TYPES
    item_fields: frozenset[str] | None = None  # the item schema's properties; None: any
    sample: bool = True  # whether {{sample.*}} exists here
    thresholds: bool = False  # evals: text_similarity needs a pass_threshold
    models: Container[str] | None = None  # model IDs a model grader may use; None: any


# -- validation ----------------------------------------------------------------------------


def check_grader(grader: Any, where: str, scope: Scope) -> None:
    """Raise OpenAI's 400, naming the parameter, for the first thing wrong with `grader`."""
    if not isinstance(grader, dict):
        raise ApiError(400, f"Invalid '{where}': expected a grader object.", param=where)
    kind = grader.get("type")
    if kind is None:
        raise _missing(f"{where}.type")
    if kind not in ALL_TYPES:
        raise ApiError(
            400,
            f"Invalid '{where}.type': unknown grader type {kind!r}. Supported: {', '.join(scope.allowed)}.",
            param=f"{where}.type",
            code="invalid_value",
        )
    if kind not in scope.allowed:
        raise ApiError(
            400,
            f"Invalid '{where}.type': {kind} graders cannot be used here; "
            f"use one of {', '.join(scope.allowed)}.",
            param=f"{where}.type",
            code="invalid_value",
        )
    for name in _REQUIRED[kind]:
        if grader.get(name) is None:
            raise _missing(f"{where}.{name}")
    _check_string(grader, "name", where)
    {
        "string_check": _check_string_check,
        "text_similarity": _check_text_similarity,
        "python": _check_python,
        "score_model": _check_score_model,
        "label_model": _check_label_model,
        "multi": _check_multi,
    }[kind](grader, where, scope)
    for name, text in _templates_of(grader):
        _check_variables(text, f"{where}.{name}", scope)


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def _invalid(param: str, problem: str) -> ApiError:
    return ApiError(400, f"Invalid '{param}': {problem}", param=param, code="invalid_value")


def _check_string(grader: dict[str, Any], name: str, where: str) -> None:
    if name in grader and not isinstance(grader[name], str):
        raise _invalid(f"{where}.{name}", "expected a string.")


def _check_threshold(grader: dict[str, Any], where: str, *, required: bool) -> None:
    value = grader.get("pass_threshold")
    if value is None:
        if required:
            raise _missing(f"{where}.pass_threshold")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(f"{where}.pass_threshold", "expected a number.")


def _check_string_check(grader: dict[str, Any], where: str, scope: Scope) -> None:
    _check_string(grader, "input", where)
    _check_string(grader, "reference", where)
    if grader["operation"] not in OPERATIONS:
        raise _invalid(
            f"{where}.operation",
            f"{grader['operation']!r} is not an operation. "
            "Supported values are: 'eq', 'ne', 'like' and 'ilike'.",
        )


def _check_text_similarity(grader: dict[str, Any], where: str, scope: Scope) -> None:
    _check_string(grader, "input", where)
    _check_string(grader, "reference", where)
    metric = grader["evaluation_metric"]
    if not isinstance(metric, str) or metric not in METRICS:
        raise _invalid(
            f"{where}.evaluation_metric",
            f"{grader['evaluation_metric']!r} is not a metric. Supported values are: {', '.join(METRICS)}.",
        )
    _check_threshold(grader, where, required=scope.thresholds)


def _check_python(grader: dict[str, Any], where: str, scope: Scope) -> None:
    _check_string(grader, "source", where)
    _check_string(grader, "image_tag", where)
    try:
        tree = ast.parse(grader["source"])  # parsing runs nothing
    except SyntaxError as exc:
        raise _invalid(
            f"{where}.source", f"the Python source does not parse (line {exc.lineno}: {exc.msg})."
        ) from None
    defines = any(isinstance(node, ast.FunctionDef) and node.name == "grade" for node in tree.body)
    if not defines:
        raise _invalid(f"{where}.source", "define a function grade(sample, item) that returns a float.")
    _check_threshold(grader, where, required=False)


def _check_messages(grader: dict[str, Any], where: str, scope: Scope) -> None:
    messages = grader["input"]
    if not isinstance(messages, list) or not messages:
        raise _invalid(f"{where}.input", "expected a non-empty array of messages.")
    for index, message in enumerate(messages):
        here = f"{where}.input[{index}]"
        if not isinstance(message, dict):
            raise _invalid(here, "expected a message object with role and content.")
        if message.get("role") not in ROLES:
            raise _invalid(f"{here}.role", f"{message.get('role')!r}; expected one of {', '.join(ROLES)}.")
        if message.get("content") is None:
            raise _missing(f"{here}.content")
    model = grader["model"]
    if not isinstance(model, str) or (scope.models is not None and model not in scope.models):
        raise _invalid(f"{where}.model", f"the model {model!r} does not exist or cannot grade.")


def _check_score_model(grader: dict[str, Any], where: str, scope: Scope) -> None:
    _check_messages(grader, where, scope)
    bounds = grader.get("range")
    if bounds is not None:
        numbers = isinstance(bounds, list) and len(bounds) == 2
        numbers = numbers and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        if not numbers or bounds[0] >= bounds[1]:
            raise _invalid(f"{where}.range", "expected two numbers [low, high] with low < high.")
    if grader.get("sampling_params") is not None and not isinstance(grader["sampling_params"], dict):
        raise _invalid(f"{where}.sampling_params", "expected an object.")
    _check_threshold(grader, where, required=False)


def _check_label_model(grader: dict[str, Any], where: str, scope: Scope) -> None:
    _check_messages(grader, where, scope)
    labels, passing = grader["labels"], grader["passing_labels"]
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise _invalid(f"{where}.labels", "expected a non-empty array of strings.")
    if not isinstance(passing, list) or not passing or not all(isinstance(x, str) for x in passing):
        raise _invalid(f"{where}.passing_labels", "expected a non-empty array of strings.")
    strangers = [label for label in passing if label not in labels]
    if strangers:
        raise _invalid(f"{where}.passing_labels", f"{strangers[0]!r} is not one of the labels.")


def _check_multi(grader: dict[str, Any], where: str, scope: Scope) -> None:
    parts = sub_graders(grader)
    if not parts:
        raise _invalid(f"{where}.graders", "expected a grader, or an object of named graders.")
    inner = Scope(SUB_TYPES, scope.item_fields, scope.sample, False, scope.models)
    single = "type" in grader["graders"]
    for key, sub in parts:
        check_grader(sub, f"{where}.graders" if single else f"{where}.graders.{key}", inner)
    try:
        parse_formula(grader["calculate_output"], formula_names(parts))
    except ValueError as exc:
        raise _invalid(f"{where}.calculate_output", str(exc)) from None


def _templates_of(grader: dict[str, Any]) -> list[tuple[str, str]]:
    """(parameter, template) for every text of a grader that may hold {{variables}}."""
    found = [(name, grader[name]) for name in ("input", "reference") if isinstance(grader.get(name), str)]
    if isinstance(grader.get("input"), list):
        for index, message in enumerate(grader["input"]):
            for text in message_texts(message.get("content") if isinstance(message, dict) else None):
                found.append((f"input[{index}].content", text))
    return found


def _check_variables(text: str, param: str, scope: Scope) -> None:
    for name in variables(text):
        space, _, rest = name.partition(".")
        top = rest.split(".")[0]
        if space == "sample" and scope.sample and top in SAMPLE_FIELDS:
            continue
        if space == "item" and top and (scope.item_fields is None or top in scope.item_fields):
            continue
        raise _invalid(param, _variable_problem(name, space, top, scope))


def _variable_problem(name: str, space: str, top: str, scope: Scope) -> str:
    shown = "{{" + name + "}}"
    if space == "sample" and not scope.sample:
        return (
            f"the template variable {shown} refers to a sample, but this data source config has "
            "none (set include_sample_schema: true)."
        )
    if space == "item" and top and scope.item_fields is not None:
        known = ", ".join(sorted(scope.item_fields)) or "none"
        return f"the template variable {shown} is not a property of the item schema (properties: {known})."
    fields = ", ".join(f"sample.{f}" for f in SAMPLE_FIELDS)
    return f"unknown template variable {shown}; use item.<field> or one of {fields}."


def referenced(grader: dict[str, Any]) -> list[str]:
    """The item fields (top-level names) a grader's templates use, in order, without repeats."""
    names: list[str] = []
    graders = (
        [grader] + [sub for _, sub in sub_graders(grader)] if grader.get("type") == "multi" else [grader]
    )
    for one in graders:
        for _, text in _templates_of(one):
            for name in variables(text):
                space, _, rest = name.partition(".")
                top = rest.split(".")[0]
                if space == "item" and top and top not in names:
                    names.append(top)
    return names


def sub_graders(grader: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A multi grader's (name, grader) pairs: one grader (the spec's shape) or an object of them."""
    graders = grader.get("graders")
    if not isinstance(graders, dict) or not graders:
        return []
    if "type" in graders:
        return [(str(graders.get("name") or "grader"), graders)]
    return [(str(key), sub) for key, sub in graders.items()]


def message_texts(content: Any) -> list[str]:
    """The text pieces of a message's content: a string, a text part or a list of parts."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, dict):
        return [content["text"]] if isinstance(content.get("text"), str) else []
    if isinstance(content, list):
        return [text for part in content for text in message_texts(part)]
    return []
