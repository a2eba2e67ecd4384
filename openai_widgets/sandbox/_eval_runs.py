"""Simulated eval runs: every item is answered and graded at creation, then revealed on a clock.

Like fine-tuning jobs (`_training`), what a run shows is read off the time elapsed since
it was created, over `Sandbox.eval_seconds`:

    0 - 10%    queued
    10 - 100%  in_progress   items finish one by one: output items appear, counts rise
    100%       completed

A cancel freezes the clock ("canceled", as the Evals API spells it); the items finished
by then keep their results. An output item's status is "pass" when every grader passed,
"fail" when one did not, and "error" when a grader could not grade (a template variable
the item or sample lacks); errored items count as `errored`, not `failed`.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from ._grading import Grade

__all__ = ["TERMINAL", "EvalRun", "Outcome"]

TERMINAL = ("completed", "failed", "canceled")
_STARTED_AT = 0.1  # share of the run's duration spent queued


@dataclass
class Outcome:
    """One data source item: the answer (the output item's `sample`) and its grades."""

    item: dict[str, Any]
    sample: dict[str, Any]
    grades: list[Grade]
    usage: dict[str, dict[str, int]] = field(default_factory=dict)  # model -> tokens, invocations

    @property
    def status(self) -> str:
        if any(grade.error for grade in self.grades):
            return "error"
        return "pass" if all(grade.passed for grade in self.grades) else "fail"


@dataclass
class EvalRun:
    """One run; `public` holds the fields that do not change with time."""

    public: dict[str, Any]
    outcomes: list[Outcome]
    criteria: list[str]  # the testing criteria's names, in order
    seconds: float
    started: float = field(default_factory=time.time)
    cancelled_at: float | None = None

    @property
    def id(self) -> str:
        return self.public["id"]

    # -- the clock -------------------------------------------------------------------

    def elapsed(self, now: float | None = None) -> float:
        moment = time.time() if now is None else now
        if self.cancelled_at is not None:
            moment = min(moment, self.cancelled_at)
        return max(moment - self.started, 0.0)

    def _finish_time(self, index: int) -> float:
        """When item `index` is done, as a share of the run's duration."""
        return _STARTED_AT + (1 - _STARTED_AT) * (index + 1) / max(len(self.outcomes), 1)

    def done(self, now: float | None = None) -> int:
        """How many items are finished (they finish in order)."""
        if self.seconds <= 0:
            return len(self.outcomes) if self.cancelled_at is None else 0
        share = self.elapsed(now) / self.seconds
        return sum(1 for index in range(len(self.outcomes)) if self._finish_time(index) <= share)

    def status(self, now: float | None = None) -> str:
        share = self.elapsed(now) / self.seconds if self.seconds > 0 else math.inf
        if self.cancelled_at is not None:
            return "canceled"
        if share >= 1:
            return "completed"
        return "in_progress" if share >= _STARTED_AT else "queued"

    # -- what the API shows ----------------------------------------------------------

    def as_api(self, now: float | None = None) -> dict[str, Any]:
        # One moment for the counts and the status: read twice, the clock could say
        # "completed" with the last item not yet counted.
        now = time.time() if now is None else now
        finished = self.outcomes[: self.done(now)]
        statuses = [outcome.status for outcome in finished]
        body = dict(self.public)
        body.update(
            status=self.status(now),
            result_counts={
                "total": len(finished),
                "errored": statuses.count("error"),
                "failed": statuses.count("fail"),
                "passed": statuses.count("pass"),
            },
            per_model_usage=_model_usage(finished),
            per_testing_criteria_results=[
                {
                    "testing_criteria": name,
                    "passed": sum(1 for o in finished if o.grades[index].passed),
                    "failed": sum(1 for o in finished if not o.grades[index].passed),
                }
                for index, name in enumerate(self.criteria)
            ],
        )
        return body

    def output_items(self, now: float | None = None) -> list[dict[str, Any]]:
        """The finished items as `eval.run.output_item` objects, in data source order."""
        return [self._output_item(index) for index in range(self.done(now))]

    def _output_item(self, index: int) -> dict[str, Any]:
        outcome = self.outcomes[index]
        digest = hashlib.sha256(f"{self.id}:item:{index}".encode()).hexdigest()[:32]
        return {
            "object": "eval.run.output_item",
            "id": f"outputitem_{digest}",
            "run_id": self.id,
            "eval_id": self.public["eval_id"],
            "created_at": int(self.started + self._finish_time(index) * self.seconds),
            "status": outcome.status,
            "datasource_item_id": index,
            "datasource_item": outcome.item,
            "results": [
                {
                    "name": grade.name,
                    "type": grade.type,
                    "score": grade.score,
                    "passed": grade.passed,
                    "sample": grade.sample,
                }
                for grade in outcome.grades
            ],
            "sample": _with_error(outcome),
        }


def _with_error(outcome: Outcome) -> dict[str, Any]:
    """The sample, its `error` naming the first grader that could not grade (or null)."""
    failed = next((grade for grade in outcome.grades if grade.error), None)
    error = None if failed is None else {"code": failed.error, "message": f"{failed.name}: {failed.detail}"}
    return {**outcome.sample, "error": error}


def _model_usage(finished: list[Outcome]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, int]] = {}
    for outcome in finished:
        for model, tokens in outcome.usage.items():
            total = totals.setdefault(model, {})
            for key, value in tokens.items():
                total[key] = total.get(key, 0) + value
    return [
        {
            "model_name": model,
            "invocation_count": total.get("invocations", 0),
            "prompt_tokens": total.get("prompt_tokens", 0),
            "completion_tokens": total.get("completion_tokens", 0),
            "total_tokens": total.get("total_tokens", 0),
            "cached_tokens": total.get("cached_tokens", 0),
        }
        for model, total in totals.items()
    ]
