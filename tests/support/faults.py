"""The fault suite's vocabulary: what can go wrong (cases), what is called (targets), and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai_widgets as ow


@dataclass(frozen=True)
class Case:
    """A fault injected into the next `times` matching requests; `expect` None means the call succeeds."""

    name: str
    kind: str
    params: dict[str, Any]
    times: int
    expect: type[Exception] | None


CASES = [
    Case("added latency", "latency", {"seconds": 0.05}, 1, None),
    Case("timeout once", "latency", {"seconds": 0.5}, 1, None),
    Case("timeout every attempt", "latency", {"seconds": 0.5}, 3, ow.APITimeoutError),
    Case("429 Retry-After seconds", "status", {"status": 429, "retry_after": 1}, 1, None),
    Case("429 Retry-After HTTP date", "status", {"status": 429, "retry_after_date": 2}, 1, None),
    Case("429 retry-after-ms", "status", {"status": 429, "retry_after_ms": 250}, 1, None),
    Case("429 without Retry-After", "status", {"status": 429}, 1, None),
    Case("429 beyond the wait cap", "status", {"status": 429, "retry_after": 3600}, 1, ow.RateLimitError),
    Case("429 storm", "status", {"status": 429, "retry_after": 1}, 3, ow.RateLimitError),
    Case("500", "status", {"status": 500}, 1, None),
    Case("502", "status", {"status": 502}, 1, None),
    Case("503", "status", {"status": 503}, 1, None),
    Case("504", "status", {"status": 504}, 1, None),
    Case("503 on every attempt", "status", {"status": 503}, 3, ow.InternalServerError),
    Case("reset before the response", "drop", {}, 1, None),
    Case("reset on every attempt", "drop", {}, 3, ow.APIConnectionError),
    Case("reset during the response", "reset", {}, 1, None),
    Case("malformed JSON", "malformed", {}, 1, ow.APIResponseValidationError),
    Case("HTML page from a proxy", "html", {"status": 502}, 1, None),
    Case("HTML page on every attempt", "html", {"status": 502}, 3, ow.InternalServerError),
    Case("unexpected extra field", "extra_field", {}, 1, None),
    Case("missing optional field", "missing_optional", {}, 1, None),
]


@dataclass(frozen=True)
class Target:
    """A public function under test: how to call it and where its requests go."""

    name: str
    call: Callable[[Any, Any], Any]  # (client, sandbox) -> result
    path: str  # faults hit requests whose path starts with this
    method: str | None = None
    check: Callable[[Any], None] | None = None  # asserts a successful result is right
    setup: str | None = None  # what to make first (a file, a job...), before faults are injected
    stream: bool = False  # answers as server-sent events
    binary: bool = False  # answers with bytes (audio, file content), not JSON
    engine: bool = False  # runs on the bulk engine, which has its own retries
    rows: list[Any] | None = None  # a long job's input labels, to count rows lost or duplicated
    responses: bool = False  # creates responses: also tried with a response that ends "failed"


@dataclass
class Report:
    rows: list[tuple[str, str, str, int]] = field(default_factory=list)  # target, case, outcome, lost rows

    def add(self, target: str, case: str, outcome: str, lost: int = 0) -> None:
        self.rows.append((target, case, outcome, lost))

    def table(self) -> str:
        if not self.rows:
            return ""
        survived = sum(1 for row in self.rows if row[2] != "FAILED")
        lost = sum(row[3] for row in self.rows)
        width = max(len(row[0]) for row in self.rows)
        lines = [f"{'function':<{width}}  {'fault':<28} outcome"]
        lines += [
            f"{t:<{width}}  {c:<28} {o}" + (f" (lost {n} rows)" if n else "") for t, c, o, n in self.rows
        ]
        lines.append(f"cases tried: {len(self.rows)}, survived: {survived}, lost rows: {lost}")
        return "\n".join(lines)


REPORT = Report()
