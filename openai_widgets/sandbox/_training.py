"""Simulated fine-tuning jobs: a fixed timeline over `job_seconds`, read off the clock.

A job's state is computed from the time elapsed since it was created, so every read
is consistent and the whole run is deterministic apart from the clock:

    0 - 10%    validating_files   (fails here when the training data is invalid)
    10 - 20%   queued
    20 - 95%   running            one `metrics` event per step, a checkpoint per epoch
    100%       succeeded          the fine-tuned model appears in /models

Cancelling freezes the timeline at the moment of the cancel.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TERMINAL", "Job", "check_training_data"]

TERMINAL = ("succeeded", "failed", "cancelled")
_VALIDATED_AT, _STARTED_AT, _TRAINED_AT = 0.1, 0.2, 0.95  # fractions of the job's duration
_MAX_STEPS = 60  # keeps event lists short whatever the data size
_KEPT_CHECKPOINTS = 3  # OpenAI keeps the checkpoints of the last three epochs


@dataclass
class Job:
    """One simulated job; `public` holds the fields that do not change with time."""

    public: dict[str, Any]
    seconds: float
    examples: int
    epochs: int
    batch_size: int
    problem: str | None = None  # why the training data is invalid (the job will fail)
    started: float = field(default_factory=time.time)
    cancelled_at: float | None = None
    settled: bool = False  # the model and result file exist

    @property
    def id(self) -> str:
        return self.public["id"]

    @property
    def steps(self) -> int:
        return max(1, min(_MAX_STEPS, math.ceil(self.examples / self.batch_size) * self.epochs))

    @property
    def fine_tuned_model(self) -> str:
        base, suffix = self.public["model"], self.public.get("user_provided_suffix") or ""
        return f"ft:{base}:sandbox:{suffix}:{self.id[-8:]}"

    # -- the clock -------------------------------------------------------------------

    def elapsed(self, now: float | None = None) -> float:
        """Seconds of the timeline that have happened (frozen at a cancel)."""
        moment = time.time() if now is None else now
        if self.cancelled_at is not None:
            moment = min(moment, self.cancelled_at)
        return max(moment - self.started, 0.0)

    def status(self, now: float | None = None) -> str:
        done = self.elapsed(now) / self.seconds if self.seconds > 0 else math.inf
        if self.problem is not None and done >= _VALIDATED_AT:
            return "failed"
        if self.cancelled_at is not None:
            return "cancelled"
        if done >= 1:
            return "succeeded"
        if done >= _STARTED_AT:
            return "running"
        return "queued" if done >= _VALIDATED_AT else "validating_files"

    def finished_at(self, now: float | None = None) -> int | None:
        status = self.status(now)
        if status == "cancelled":
            return int(self.cancelled_at)
        if status == "failed":
            return int(self.started + _VALIDATED_AT * self.seconds)
        if status == "succeeded":
            return int(self.started + self.seconds)
        return None

    # -- what the API shows ----------------------------------------------------------

    def as_api(self, now: float | None = None) -> dict[str, Any]:
        status = self.status(now)
        body = dict(self.public)
        body.update(
            status=status,
            finished_at=self.finished_at(now),
            fine_tuned_model=self.fine_tuned_model if status == "succeeded" else None,
            trained_tokens=self.examples * self.epochs * 120 if status == "succeeded" else None,
            estimated_finish=int(self.started + self.seconds) if status not in TERMINAL else None,
        )
        if status == "failed":
            body["error"] = {
                "code": "invalid_training_file",
                "message": self.problem,
                "param": "training_file",
            }
        return body

    def events(self, now: float | None = None) -> list[dict[str, Any]]:
        """The events that have happened, newest first (as the API lists them)."""
        elapsed = self.elapsed(now)
        happened = [(at, event) for at, event in self._timeline() if at * self.seconds <= elapsed]
        if self.status(now) == "cancelled":
            happened.append((elapsed / self.seconds, _event("info", "Fine-tuning job cancelled")))
        listed = []
        for index, (at, event) in enumerate(happened):
            digest = hashlib.sha256(f"{self.id}:event:{index}".encode()).hexdigest()[:24]
            listed.append(
                {
                    "object": "fine_tuning.job.event",
                    "id": f"ftevent-{digest}",
                    "created_at": int(self.started + at * self.seconds),
                    **event,
                }
            )
        return listed[::-1]

    def checkpoints(self, now: float | None = None) -> list[dict[str, Any]]:
        """Checkpoints reached so far (the last epochs'), newest first."""
        if self.problem is not None:
            return []
        elapsed, per_epoch = self.elapsed(now), self.steps / self.epochs
        first_kept = max(self.epochs - _KEPT_CHECKPOINTS, 0) + 1
        made = []
        for epoch in range(first_kept, self.epochs + 1):
            step = math.ceil(epoch * per_epoch)
            if self._step_time(step) * self.seconds > elapsed:
                break
            made.append(
                {
                    "object": "fine_tuning.job.checkpoint",
                    "id": f"ftckpt_{hashlib.sha256(f'{self.id}:{step}'.encode()).hexdigest()[:24]}",
                    "created_at": int(self.started + self._step_time(step) * self.seconds),
                    "fine_tuned_model_checkpoint": f"{self.fine_tuned_model}:ckpt-step-{step}",
                    "fine_tuning_job_id": self.id,
                    "metrics": {"step": step, **self._metrics(step)},
                    "step_number": step,
                }
            )
        return made[::-1]

    def results_csv(self) -> bytes:
        """The result file's content: step metrics as CSV, base64-encoded as OpenAI sends it."""
        names = ["step", *self._metrics(1)]
        lines = [",".join(names)]
        for step in range(1, self.steps + 1):
            lines.append(",".join(str(v) for v in [step, *self._metrics(step).values()]))
        return base64.b64encode(("\n".join(lines) + "\n").encode())

    # -- the timeline ----------------------------------------------------------------

    def _timeline(self) -> list[tuple[float, dict[str, Any]]]:
        files = f"Validating training file: {self.public['training_file']}"
        if self.public.get("validation_file"):
            files += f" and validation file: {self.public['validation_file']}"
        timeline = [
            (0.0, _event("info", f"[sandbox] Created fine-tuning job: {self.id}")),
            (0.0, _event("info", files)),
        ]
        if self.problem is not None:
            message = f"The job failed due to an invalid training file. {self.problem}"
            return [*timeline, (_VALIDATED_AT, _event("error", message))]
        timeline += [
            (_VALIDATED_AT, _event("info", "Files validated, moving job to queued state")),
            (_STARTED_AT, _event("info", "Fine-tuning job started")),
        ]
        checkpoint_steps = {c["step_number"] for c in self.checkpoints(now=math.inf)}
        for step in range(1, self.steps + 1):
            metrics = self._metrics(step)
            message = f"Step {step}/{self.steps}: training loss={metrics['train_loss']:.2f}"
            data = {"step": step, **metrics, "total_steps": self.steps}
            timeline.append((self._step_time(step), _event("info", message, "metrics", data)))
            if step in checkpoint_steps:
                timeline.append((self._step_time(step), _event("info", f"Checkpoint created at step {step}")))
        return [
            *timeline,
            (1.0, _event("info", f"New fine-tuned model created: {self.fine_tuned_model}")),
            (1.0, _event("info", "The job has successfully completed")),
        ]

    def _step_time(self, step: int) -> float:
        return _STARTED_AT + (_TRAINED_AT - _STARTED_AT) * step / self.steps

    def _metrics(self, step: int) -> dict[str, float]:
        """A smooth, falling loss with a little deterministic wobble."""
        progress = step / self.steps
        loss = 0.12 + 2.1 * math.exp(-4.0 * progress) + 0.04 * math.sin(step * 1.7)
        metrics = {
            "train_loss": round(loss, 4),
            "train_mean_token_accuracy": round(min(0.99, 1.0 - loss / 3.0), 4),
        }
        if self.public.get("validation_file"):
            metrics["valid_loss"] = round(loss * 1.08 + 0.05, 4)
            metrics["valid_mean_token_accuracy"] = round(min(0.99, 1.0 - (loss * 1.08 + 0.05) / 3.0), 4)
        return metrics


def _event(level: str, message: str, kind: str = "message", data: dict | None = None) -> dict[str, Any]:
    return {"level": level, "message": message, "type": kind, "data": data or {}}


_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def check_training_data(content: bytes, method: str) -> tuple[int, str | None]:
    """(number of examples, the first problem or None), as the server's file validation finds them."""
    try:
        lines = [line for line in content.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return 0, "The file is not UTF-8 text."
    for number, line in enumerate(lines, start=1):
        try:
            example = json.loads(line)
        except ValueError:
            return len(lines), f"Line {number} is not valid JSON."
        problem = _example_problem(example, method)
        if problem:
            return len(lines), f"Line {number}: {problem}"
    if len(lines) < 10:
        return len(lines), f"Training file has {len(lines)} example(s), but must have at least 10 examples."
    return len(lines), None


def _example_problem(example: Any, method: str) -> str | None:
    if not isinstance(example, dict):
        return "each line must be a JSON object."
    if method == "dpo":
        missing = [k for k in ("input", "preferred_output", "non_preferred_output") if k not in example]
        return f"missing {', '.join(missing)}." if missing else None
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return "missing 'messages' list."
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    if any(role not in _ROLES for role in roles):
        return "invalid role in messages."
    if method != "reinforcement" and "assistant" not in roles:
        return "no assistant message."
    return None
