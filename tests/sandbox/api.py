"""A spec-checking HTTP client for the sandbox tests: requests and answers both fit the spec.

`SpecClient.call` validates the JSON body it sends against the operation's request
schema (unless told the request is meant to be wrong), checks the status, and validates
the answer against the response schema of that status (errors against ErrorResponse).
Where the sandbox answers as OpenAI does instead of as the spec's schema says, the
difference is listed in `DEVIATIONS`, one narrow rule each; anything else fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema


@dataclass(frozen=True)
class Deviation:
    """An answer field whose value OpenAI sends although the spec's schema forbids it."""

    why: str
    templates: tuple[str, ...]  # the spec paths it applies to
    field: str  # the last key of the field's path
    validator: str  # the JSON-schema keyword it breaks
    allows: Callable[[Any], bool]  # the values it lets through

    def covers(self, template: str, error: jsonschema.ValidationError) -> bool:
        path = list(error.absolute_path)
        return (
            template in self.templates
            and bool(path)
            and path[-1] == self.field
            and error.validator == self.validator
            and self.allows(error.instance)
        )


_RUNS = (
    "/evals/{eval_id}/runs",
    "/evals/{eval_id}/runs/{run_id}",
)
_ITEMS = (
    "/evals/{eval_id}/runs/{run_id}/output_items",
    "/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}",
)
_JOBS = (
    "/fine_tuning/jobs",
    "/fine_tuning/jobs/{fine_tuning_job_id}",
    "/fine_tuning/jobs/{fine_tuning_job_id}/pause",
    "/fine_tuning/jobs/{fine_tuning_job_id}/resume",
    "/fine_tuning/jobs/{fine_tuning_job_id}/cancel",
)
DEVIATIONS = (
    Deviation(
        "A run without an error has error: null, as the spec's own EvalRun example shows.",
        _RUNS,
        "error",
        "type",
        lambda value: value is None,
    ),
    Deviation(
        "A sample without an error has error: null, as the spec's EvalRunOutputItem example shows.",
        _ITEMS,
        "error",
        "type",
        lambda value: value is None,
    ),
    Deviation(
        "Stored messages keep their request roles; the spec's example shows role 'user'.",
        ("/chat/completions/{completion_id}/messages",),
        "role",
        "enum",
        lambda value: value in {"user", "system", "developer", "tool"},
    ),
    Deviation(
        "A paused job's status is 'paused', which OpenAI sends and the spec's enum lacks.",
        _JOBS,
        "status",
        "enum",
        lambda value: value == "paused",
    ),
)


class SpecClient:
    """httpx on the sandbox, every exchange checked against the spec."""

    def __init__(self, http: httpx.Client, spec) -> None:
        self.http, self.spec = http, spec
        self.deviations_seen: list[str] = []

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        status: int = 200,
        valid_request: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any:
        if json is not None and valid_request:
            self.spec.validate_request(method, path, json)
        response = self.http.request(method, path, json=json, params=params, headers=headers)
        assert response.status_code == status, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        if not response.headers["content-type"].startswith("application/json"):
            return response.content  # audio and the like: the caller checks the bytes
        body = response.json()
        if status >= 400:
            self.spec.validate_schema("ErrorResponse", body)
        else:
            self.check_answer(method, path, body, status)
        return body

    def get(self, path: str, **options: Any) -> Any:
        return self.call("GET", path, **options)

    def post(self, path: str, json: Any = None, **options: Any) -> Any:
        return self.call("POST", path, json=json, **options)

    def delete(self, path: str, **options: Any) -> Any:
        return self.call("DELETE", path, **options)

    def check_answer(self, method: str, path: str, body: Any, status: int = 200) -> None:
        """Fail on every schema error no deviation covers."""
        template = self.spec.template(path)
        errors = self.spec.response_errors(method, path, body, status)
        for error in errors:
            covering = next((d for d in DEVIATIONS if d.covers(template, error)), None)
            if covering is None:
                raise error
            self.deviations_seen.append(covering.field)

    def error(self, method: str, path: str, status: int, **options: Any) -> dict[str, Any]:
        """The error object of a request that must fail with `status`."""
        return self.call(method, path, status=status, valid_request=False, **options)["error"]


def wait_for(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], timeout: float = 5.0
) -> dict:
    """Poll `read` until `done` says so (the sandbox's timelines run in fractions of a second)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout}s: {value}")
        time.sleep(0.02)
