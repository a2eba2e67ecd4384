"""Graders: check one (`validate_grader`) or run it on one answer (`run_grader`).

The same grader dicts as eval criteria and reinforcement fine-tuning, in the API's form or
the short form (`{column}` for the item's field, `{output}` for the answer); see
`_evals.criteria`. The graders API takes string_check, text_similarity, python,
score_model and multi graders at the top level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.arguments import type_error
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

__all__ = ["GradersAPI"]


class GradersAPI(BaseClient):
    def run_grader(self, grader: Mapping[str, Any], item: Any, sample: Any) -> Record:
        """Grade `sample` (the model's answer: a text, or a ChatResult) for `item` (a dict or a
        DataFrame row); returns the API's answer: `reward`, `metadata` (errors, scores, token
        usage), `sub_rewards`, `model_grader_token_usage_per_model`."""
        from .._evals.criteria import grader as checked_grader

        fields = _item(item)
        made = checked_grader(grader, list(fields))
        body = {"grader": made, "item": fields, "model_sample": _sample(sample)}
        return as_record(self._post("fine_tuning/alpha/graders/run", body))

    def validate_grader(self, grader: Mapping[str, Any]) -> Record:
        """Have the API check a grader; returns `{"grader": ...}` as the API will use it (a short
        form comes back expanded), or raises BadRequestError naming the field at fault."""
        from .._evals.criteria import grader as checked_grader

        made = checked_grader(grader)
        return as_record(self._post("fine_tuning/alpha/graders/validate", {"grader": made}))


def _item(item: Any) -> dict[str, Any]:
    if type(item).__name__ == "Series" and type(item).__module__.startswith("pandas"):
        from .._tables.jsonl import rows_of

        return rows_of(item.to_frame().T, "item")[0]
    if not isinstance(item, Mapping):
        raise type_error("item", "a dict of the item's fields or a DataFrame row", item)
    return dict(item)


def _sample(sample: Any) -> str:
    text = getattr(sample, "text", sample)  # a ChatResult is graded by its text
    if not isinstance(text, str):
        raise type_error("sample", "the model's answer as a string", sample)
    return text
