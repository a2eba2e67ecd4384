"""How an eval run "runs the model" over its items, deterministically, and grades the answers.

The sandbox is not a model, so it imitates one that knows some answers. Each model has a
skill, the share of items it knows (a small table: larger models know more; a fine-tuned
model 0.15 more than its base; other models 0.5). Whether a model knows an item is a
hash of the model and the item: the same every time, different between models, so two
models' pass rates differ. A known item is answered with its expected answer: the item
field a string_check or text_similarity criterion compares with (its `reference` is
exactly `{{item.<field>}}`). Any other item gets the sandbox's usual labelled chat reply
to the rendered messages, which names no answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .._eval_runs import Outcome
from .._grader_checks import message_texts
from .._grading import grade, make_sample
from .._templates import MissingVariable, lookup, render
from ._replies import count_tokens, pieces
from .chat import reply_text

__all__ = ["SKILLS", "answer_and_grade", "knows", "render_messages", "skill"]

# The share of items each model knows (sandbox figures, for demos: not measurements).
SKILLS = {
    "gpt-4o": 0.85,
    "o4-mini": 0.85,
    "o4-mini-2025-04-16": 0.85,
    "o3-mini": 0.8,
    "gpt-4.1-mini": 0.75,
    "gpt-4o-mini": 0.6,
    "gpt-4o-mini-2024-07-18": 0.6,
    "gpt-3.5-turbo": 0.4,
}
_REFERENCE = re.compile(r"^\{\{\s*item\.([\w.]+)\s*\}\}$")


def skill(model: str) -> float:
    if model.startswith("ft:") and model.count(":") >= 2:
        return min(SKILLS.get(model.split(":")[1], 0.5) + 0.15, 0.95)
    return SKILLS.get(model, 0.5)


def knows(model: str, item: dict[str, Any]) -> bool:
    key = json.dumps(item, sort_keys=True, default=str)
    digest = hashlib.sha256(f"knows\x1f{model}\x1f{key}".encode()).hexdigest()
    return int(digest[:13], 16) / 16**13 < skill(model)


def expected_answer(criteria: list[dict[str, Any]], item: dict[str, Any]) -> str | None:
    """The item's expected answer: the field a string_check or text_similarity compares with."""
    for criterion in criteria:
        if criterion.get("type") not in {"string_check", "text_similarity"}:
            continue
        match = _REFERENCE.match(criterion.get("reference") or "")
        if match:
            try:
                value = lookup({"item": item}, f"item.{match.group(1)}")
            except MissingVariable:
                continue
            return value if isinstance(value, str) else json.dumps(value)
    return None


def answer_and_grade(
    criteria: list[dict[str, Any]],
    item: dict[str, Any],
    given: dict[str, Any] | None,
    *,
    model: str | None,
    messages: list[dict[str, str]] | None,
    sampling: dict[str, Any],
) -> Outcome:
    """One item: the model's answer (or the sample the data brought), graded by every criterion."""
    namespace_sample: dict[str, Any] | None
    if model and messages is not None:
        sample, namespace_sample, usage = _generated(criteria, item, model, messages, sampling)
    else:
        sample, namespace_sample, usage = _given(given, sampling)
    grades = [grade(criterion, item, namespace_sample) for criterion in criteria]
    for verdict in grades:
        for grader_model, tokens in verdict.usage.items():
            usage[grader_model] = _plus(usage.get(grader_model), {**tokens, "invocations": 1})
    return Outcome(item, sample, grades, usage)


def _generated(
    criteria: list[dict[str, Any]],
    item: dict[str, Any],
    model: str,
    messages: list[dict[str, str]],
    sampling: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, int]]]:
    expected = expected_answer(criteria, item)
    if expected is not None and knows(model, item):
        text = expected
    else:
        text = reply_text(messages, sampling.get("response_format"))
    tokens, finish = pieces(text), "stop"
    limit = sampling.get("max_completion_tokens")
    if isinstance(limit, int) and 0 < limit < len(tokens):
        tokens, finish = tokens[:limit], "length"
    text = "".join(tokens)
    prompt = 3 + sum(3 + count_tokens(m["content"]) for m in messages)
    usage = {
        "total_tokens": prompt + len(tokens),
        "completion_tokens": len(tokens),
        "prompt_tokens": prompt,
        "cached_tokens": 0,
    }
    sample = {
        "input": messages,
        "output": [{"role": "assistant", "content": text}],
        "finish_reason": finish,
        "model": model,
        "usage": usage,
        **_settings(sampling),
    }
    return sample, make_sample(text, model), {model: {**usage, "invocations": 1}}


def _given(
    given: dict[str, Any] | None, sampling: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, dict[str, int]]]:
    """The sample a jsonl line (or a stored completion) brought; None when it brought none."""
    zero = {"total_tokens": 0, "completion_tokens": 0, "prompt_tokens": 0, "cached_tokens": 0}
    if given is None:
        sample: dict[str, Any] = {"input": [], "output": [], "finish_reason": "", "model": "", "usage": zero}
        return {**sample, **_settings(sampling)}, None, {}
    text = given.get("output_text")
    if not isinstance(text, str):
        outputs = given.get("output")
        listed = outputs if isinstance(outputs, list) else []
        text = " ".join(str(m.get("content", "")) for m in listed if isinstance(m, dict))
    model = str(given.get("model") or "")
    sample = {
        "input": [],
        "output": [{"role": "assistant", "content": text}],
        "finish_reason": "stop",
        "model": model,
        "usage": zero,
        **_settings(sampling),
    }
    return sample, {**make_sample(text, model), **given}, {}


def _settings(sampling: dict[str, Any]) -> dict[str, Any]:
    return {
        "temperature": float(sampling.get("temperature", 1.0)),
        "max_completion_tokens": int(sampling.get("max_completion_tokens", 2048)),
        "top_p": float(sampling.get("top_p", 1.0)),
        "seed": int(sampling.get("seed", 42)),
    }


def _plus(total: dict[str, int] | None, more: dict[str, int]) -> dict[str, int]:
    return {key: (total or {}).get(key, 0) + value for key, value in more.items()}


def render_messages(template: list[dict[str, Any]], item: dict[str, Any]) -> list[dict[str, str]]:
    """The template's messages with `{{item.x}}` filled in (raises MissingVariable)."""
    namespace = {"item": item}
    return [
        {
            "role": m["role"],
            "content": " ".join(render(t, namespace) for t in message_texts(m.get("content"))),
        }
        for m in template
    ]
