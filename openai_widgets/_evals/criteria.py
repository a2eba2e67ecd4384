"""Graders as the API takes them, from the API's dicts or a short form, checked before sending.

The same dicts serve eval criteria (`create_eval`), the graders API (`run_grader`,
`validate_grader`) and reinforcement fine-tuning. A short form may leave out what has an
obvious value, and write data columns as `{column}`:

- `{column}` becomes `{{item.column}}`, `{output}` becomes `{{sample.output_text}}`;
  the API's own `{{...}}` variables are left as they are;
- `name` defaults to a description (`answer equals`), numbered when two would clash;
- string_check and text_similarity: `input` defaults to `{{sample.output_text}}`;
  text_similarity: `evaluation_metric` to "fuzzy_match" and, in evals, `pass_threshold` to 0.8;
- label_model and score_model: `input` may be one text (a user message), `model` defaults
  to gpt-4o-mini;
- multi: `graders` maps names to graders, each in either form.

    {"type": "string_check", "reference": "{answer}", "operation": "eq"}
    -> {"type": "string_check", "name": "answer equals", "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}", "operation": "eq"}

A mistake is refused with the criterion's position and what to write.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from .._core.constants import DEFAULT_MODELS
from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = [
    "EVAL_TYPES",
    "GRADER_TYPES",
    "OUTPUT",
    "eval_message",
    "expand",
    "grader",
    "referenced_columns",
    "testing_criteria",
]

EVAL_TYPES = ("string_check", "text_similarity", "label_model", "score_model", "python")
GRADER_TYPES = ("string_check", "text_similarity", "python", "score_model", "multi")  # graders API, RFT
OPERATIONS = {"eq": "equals", "ne": "differs from", "like": "contained", "ilike": "contained (any case)"}
METRICS = (
    "cosine",
    "fuzzy_match",
    "bleu",
    "gleu",
    "meteor",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
)
OUTPUT = "{{sample.output_text}}"
DEFAULT_THRESHOLD = 0.8  # text_similarity in evals, where the API requires one
_REQUIRED = {
    "string_check": ("reference", "operation"),
    "text_similarity": ("reference",),
    "python": ("source",),
    "score_model": ("input",),
    "label_model": ("input", "labels", "passing_labels"),
    "multi": ("graders", "calculate_output"),
}
_EXAMPLES = {
    "reference": "'{answer}'",
    "operation": "'eq'",
    "source": "'def grade(sample, item): ...'",
    "input": "'Is {output} a good answer to {question}? Answer good or bad.'",
    "labels": "['good', 'bad']",
    "passing_labels": "['good']",
    "graders": "{'exact': {...}, 'close': {...}}",
    "calculate_output": "'0.5 * exact + 0.5 * close'",
}
# `{name}` not part of `{{...}}`: a column, or `output` (the model's answer)
_SHORT = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
_API = re.compile(r"\{\{\s*item\.([^.}\s]+)[^}]*\}\}")


def expand(text: str, where: str, columns: Collection[str] | None) -> str:
    """A template with `{column}` and `{output}` written as the API's `{{item.column}}` variables.

    With `columns` known, a `{name}` that is not one of them is refused.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "output":
            return OUTPUT
        if columns is not None and name not in columns:
            listed = ", ".join(str(c) for c in columns) or "none"
            raise InvalidInputError(
                f"{where} names the column {name!r}, which the data does not have (columns: {listed}); "
                "write {output} for the model's answer"
            )
        return "{{item." + name + "}}"

    return _SHORT.sub(replace, text)


def referenced_columns(value: Any) -> list[str]:
    """The item fields a grader (or template) uses through `{{item.x}}`, in order, once each."""
    found: list[str] = []
    for text in _texts(value):
        for name in _API.findall(text):
            if name not in found:
                found.append(name)
    return found


def testing_criteria(criteria: Any, columns: Collection[str] | None) -> list[dict[str, Any]]:
    """Eval criteria: one grader or a list, each expanded and checked; names made unique."""
    if isinstance(criteria, Mapping):
        criteria = [criteria]
    if not isinstance(criteria, (list, tuple)):
        raise InvalidTypeError(
            f"criteria must be a grader dict or a list of them, not {type(criteria).__name__}"
        )
    if not criteria:
        raise InvalidInputError(
            "criteria is empty; give at least one grader, e.g. "
            "{'type': 'string_check', 'reference': '{answer}', 'operation': 'eq'}"
        )
    made = [_one(c, f"criteria[{n}]", columns, EVAL_TYPES, evals=True) for n, c in enumerate(criteria)]
    return _unique_names(made)


def grader(value: Any, columns: Collection[str] | None = None, *, where: str = "grader") -> dict[str, Any]:
    """A grader for the graders API or reinforcement fine-tuning, expanded and checked."""
    return _one(value, where, columns, GRADER_TYPES, evals=False)


# -- one grader ----------------------------------------------------------------------------


def _one(
    value: Any, where: str, columns: Collection[str] | None, allowed: tuple[str, ...], *, evals: bool
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError(f"{where} must be a grader dict, not {type(value).__name__}")
    made = dict(value)
    kind = made.get("type")
    if kind not in allowed:
        raise InvalidInputError(f"{where} has type {kind!r}; use one of {', '.join(allowed)}")
    for name in _REQUIRED[kind]:
        if made.get(name) is None:
            raise InvalidInputError(f"{where} ({kind}) needs {name!r}, e.g. {_EXAMPLES[name]}")
    _texts_checked(made, where)
    if kind in {"string_check", "text_similarity"}:
        made.setdefault("input", OUTPUT)
        for field in ("input", "reference"):
            made[field] = expand(made[field], f"{where}.{field}", columns)
    if kind == "string_check":
        _check_operation(made, where)
    if kind == "text_similarity":
        _similarity_defaults(made, where, evals=evals)
    if kind in {"score_model", "label_model"}:
        _model_grader(made, where, columns)
    if kind == "multi":
        _multi(made, where, columns)
    made.setdefault("name", _default_name(made))
    if not isinstance(made["name"], str) or not made["name"].strip():
        raise InvalidInputError(f"{where}.name must be a non-empty string, got {made['name']!r}")
    return {"type": kind, "name": made.pop("name"), **{k: v for k, v in made.items() if k != "type"}}


def _texts_checked(grader: dict[str, Any], where: str) -> None:
    for field in ("input", "reference", "source", "calculate_output"):
        value = grader.get(field)
        allowed = (str, list) if field == "input" else (str,)
        if value is not None and not isinstance(value, allowed):
            raise InvalidTypeError(f"{where}.{field} must be a string, not {type(value).__name__}")


def _check_operation(grader: dict[str, Any], where: str) -> None:
    if grader["operation"] not in OPERATIONS:
        raise InvalidInputError(
            f"{where}.operation {grader['operation']!r} is not one of {', '.join(OPERATIONS)} "
            "(eq equals, ne differs, like contains, ilike contains ignoring case)"
        )


def _similarity_defaults(grader: dict[str, Any], where: str, *, evals: bool) -> None:
    grader.setdefault("evaluation_metric", "fuzzy_match")
    if grader["evaluation_metric"] not in METRICS:
        raise InvalidInputError(
            f"{where}.evaluation_metric {grader['evaluation_metric']!r} is not one of {', '.join(METRICS)}"
        )
    if evals:
        grader.setdefault("pass_threshold", DEFAULT_THRESHOLD)
    threshold = grader.get("pass_threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
        raise InvalidTypeError(f"{where}.pass_threshold must be a number, not {type(threshold).__name__}")


def _model_grader(grader: dict[str, Any], where: str, columns: Collection[str] | None) -> None:
    grader.setdefault("model", DEFAULT_MODELS["chat"])
    messages = grader["input"]
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not messages:
        raise InvalidInputError(f"{where}.input is empty; give a text or a list of messages")
    grader["input"] = [_message(m, f"{where}.input[{n}]", columns) for n, m in enumerate(messages)]
    if grader["type"] == "label_model":
        labels, passing = grader["labels"], grader["passing_labels"]
        for field, value in (("labels", labels), ("passing_labels", passing)):
            texts = isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value)
            if not texts or not value:
                raise InvalidInputError(f"{where}.{field} must be a non-empty list of strings, got {value!r}")
        strangers = [label for label in passing if label not in labels]
        if strangers:
            raise InvalidInputError(f"{where}.passing_labels has {strangers[0]!r}, which is not a label")
        grader["labels"], grader["passing_labels"] = list(labels), list(passing)


def _message(message: Any, where: str, columns: Collection[str] | None) -> dict[str, Any]:
    if not isinstance(message, Mapping) or "role" not in message or "content" not in message:
        raise InvalidInputError(f"{where} must be a message dict with 'role' and 'content'")
    made = dict(message)
    if isinstance(made["content"], str):
        text = expand(made["content"], f"{where}.content", columns)
        return {**eval_message(str(made["role"]), text), **{k: v for k, v in made.items() if k != "content"}}
    return made


def eval_message(role: str, text: str) -> dict[str, Any]:
    """A message in the form the eval APIs read without doubt (an `EvalItem`, its text typed)."""
    kind = "output_text" if role == "assistant" else "input_text"
    return {"type": "message", "role": role, "content": {"type": kind, "text": text}}


def _multi(grader: dict[str, Any], where: str, columns: Collection[str] | None) -> None:
    parts = grader["graders"]
    if not isinstance(parts, Mapping) or not parts:
        raise InvalidInputError(f"{where}.graders must map names to graders, e.g. {_EXAMPLES['graders']}")
    if "type" in parts:  # one grader, the spec's own shape
        grader["graders"] = _one(parts, f"{where}.graders", columns, EVAL_TYPES, evals=False)
        return
    grader["graders"] = {
        str(key): {**_one(sub, f"{where}.graders.{key}", columns, EVAL_TYPES, evals=False), "name": str(key)}
        for key, sub in parts.items()
    }


# -- names -----------------------------------------------------------------------------------


def _default_name(grader: dict[str, Any]) -> str:
    kind = grader["type"]
    columns = referenced_columns(grader.get("reference") or "")
    subject = columns[0] if columns else "reference"
    if kind == "string_check":
        return f"{subject} {OPERATIONS[grader['operation']]}"
    if kind == "text_similarity":
        return f"{subject} similar ({grader['evaluation_metric']})"
    return {"label_model": "label", "score_model": "score"}.get(kind, kind)


def _unique_names(graders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    for made in graders:
        name = made["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            made["name"] = f"{name} {seen[name]}"
    return graders


def _texts(value: Any) -> list[str]:
    """Every string inside `value` (a grader, a template, a list of messages)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    return []
