"""Graders score a sample deterministically (`_grader_checks` first checks them as OpenAI does).

Used by evals (testing criteria), /fine_tuning/alpha/graders (run, validate) and
reinforcement fine-tuning. What each grader type does in the sandbox:

- `string_check`: evaluated for real on the rendered `input` and `reference`:
  `eq`, `ne`, `like` (reference is a substring), `ilike` (the same, ignoring case). 1 or 0.
- `text_similarity`: computed for real with the metric named (see `_similarity`).
- `label_model`, `score_model`: no model is asked. The "grader model" picks its label, or
  its score within `range`, from a hash of the grader model and the rendered messages; as
  those contain the sample, different answers get different grades, the same answer
  always the same grade.
- `python`: the source is parsed (it must define `grade(sample, item)`) but NEVER run:
  the score is a hash of the source, the item and the sample. Running submitted code is
  not something a local demo server should do.
- `multi`: its sub-graders' scores combined by `calculate_output`, a formula of
  numbers, the sub-graders' names, + - * / ** % and min, max, abs, floor, ceil, exp,
  sqrt, log; parsed with `ast` and evaluated by walking the tree (never `eval`).

`passed`: string_check scores 1; label_model's label is one of `passing_labels`; the
others reach `pass_threshold` (score_model without one: the middle of its range;
python and text_similarity without one: 0.5).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._formulas import evaluate, formula_names, parse_formula
from ._grader_checks import message_texts, sub_graders
from ._similarity import similarity
from ._templates import MissingVariable, render
from .routes._replies import count_tokens

__all__ = ["Grade", "grade", "make_sample"]


@dataclass
class Grade:
    """One grader's verdict on one sample."""

    name: str
    type: str
    score: float
    passed: bool
    error: str | None = None  # the run-error flag that went up, e.g. "invalid_variable_error"
    detail: str | None = None
    sub_scores: dict[str, float] = field(default_factory=dict)
    usage: dict[str, dict[str, int]] = field(default_factory=dict)  # grader model -> token counts
    sample: dict[str, Any] | None = None  # what a model grader answered


def make_sample(output_text: str, model: str = "") -> dict[str, Any]:
    """The `sample` namespace of a model's answer: output_text, output_json (when JSON), ..."""
    try:
        parsed = json.loads(output_text)
    except ValueError:
        parsed = None
    return {
        "output_text": output_text,
        "output_json": parsed if isinstance(parsed, (dict, list)) else None,
        "output_tools": [],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": output_text}}],
        "model": model,
    }


def grade(grader: dict[str, Any], item: dict[str, Any], sample: dict[str, Any] | None) -> Grade:
    """Score `sample` for `item` with a valid grader (see the module docstring for how)."""
    namespace = {"item": item or {}, "sample": sample or {}}
    kind = grader["type"]
    try:
        return _GRADERS[kind](grader, namespace)
    except MissingVariable as missing:
        parse = missing.name.startswith("sample.output_json") and sample and sample.get("output_json") is None
        flag = "sample_parse_error" if parse else "invalid_variable_error"
        detail = f"the template variable {{{{{missing.name}}}}} has no value for this item and sample."
        return Grade(grader["name"], kind, 0.0, False, flag, detail)


def _string_check(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    given, reference = render(grader["input"], namespace), render(grader["reference"], namespace)
    operation = grader["operation"]
    if operation == "eq":
        hit = given == reference
    elif operation == "ne":
        hit = given != reference
    elif operation == "like":
        hit = reference in given
    else:
        hit = reference.lower() in given.lower()
    return Grade(grader["name"], "string_check", float(hit), hit)


def _text_similarity(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    given, reference = render(grader["input"], namespace), render(grader["reference"], namespace)
    score = similarity(grader["evaluation_metric"], given, reference)
    return Grade(grader["name"], "text_similarity", score, score >= grader.get("pass_threshold", 0.5))


def _python(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    sample = namespace["sample"].get("output_text", "")
    score = round(_fraction("python", grader["source"], _canonical(namespace["item"]), sample), 4)
    return Grade(grader["name"], "python", score, score >= grader.get("pass_threshold", 0.5))


def _score_model(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    messages = _rendered(grader["input"], namespace)
    low, high = grader.get("range") or (0.0, 1.0)
    score = round(low + (high - low) * _fraction("score", grader["model"], _canonical(messages)), 4)
    threshold = grader.get("pass_threshold", (low + high) / 2)
    return _model_grade(grader, messages, score, score >= threshold, str(score))


def _label_model(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    messages = _rendered(grader["input"], namespace)
    labels = grader["labels"]
    label = labels[int(_fraction("label", grader["model"], _canonical(messages)) * len(labels))]
    passed = label in grader["passing_labels"]
    return _model_grade(grader, messages, float(passed), passed, label)


def _multi(grader: dict[str, Any], namespace: dict[str, Any]) -> Grade:
    parts = sub_graders(grader)
    grades = {key: grade(sub, namespace["item"], namespace["sample"]) for key, sub in parts}
    names = formula_names(parts)
    values = {name: grades[key].score for name, key in names.items()}
    usage: dict[str, dict[str, int]] = {}
    for one in grades.values():
        for model, tokens in one.usage.items():
            usage[model] = _add_tokens(usage.get(model), tokens)
    scores = {key: one.score for key, one in grades.items()}
    failed = next((one for one in grades.values() if one.error), None)
    if failed is not None:
        return Grade(grader["name"], "multi", 0.0, False, failed.error, failed.detail, scores, usage)
    try:
        reward = evaluate(parse_formula(grader["calculate_output"], names), values)
    except (ArithmeticError, ValueError) as exc:
        detail = f"calculate_output failed: {type(exc).__name__}"
        return Grade(grader["name"], "multi", 0.0, False, "formula_parse_error", detail, scores, usage)
    reward = round(reward, 6)
    return Grade(grader["name"], "multi", reward, reward >= 0.5, sub_scores=scores, usage=usage)


_GRADERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], Grade]] = {
    "string_check": _string_check,
    "text_similarity": _text_similarity,
    "python": _python,
    "score_model": _score_model,
    "label_model": _label_model,
    "multi": _multi,
}


def _model_grade(
    grader: dict[str, Any], messages: list[dict[str, str]], score: float, passed: bool, said: str
) -> Grade:
    """A model grader's verdict, with the tokens its (imagined) grader model used."""
    prompt = 3 + sum(3 + count_tokens(m["content"]) for m in messages)
    completion = count_tokens(said)
    tokens = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cached_tokens": 0,
    }
    sample = {
        "input": messages,
        "output": [{"role": "assistant", "content": said}],
        "model": grader["model"],
        "usage": tokens,
        "finish_reason": "stop",
    }
    return Grade(
        grader["name"], grader["type"], score, passed, usage={grader["model"]: tokens}, sample=sample
    )


def _rendered(messages: list[dict[str, Any]], namespace: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "role": m["role"],
            "content": " ".join(render(t, namespace) for t in message_texts(m.get("content"))),
        }
        for m in messages
    ]


def _add_tokens(total: dict[str, int] | None, more: dict[str, int]) -> dict[str, int]:
    return {key: (total or {}).get(key, 0) + value for key, value in more.items()}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _fraction(*parts: str) -> float:
    """A number in [0, 1) that depends only on `parts`."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return int(digest[:13], 16) / 16**13
