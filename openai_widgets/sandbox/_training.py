"""Simulated fine-tuning jobs: a fixed timeline over `job_seconds`, read off the clock.

A job's state is computed from the time elapsed since it was created, so every read
is consistent and the whole run is deterministic apart from the clock:

    0 - 10%    validating_files   (fails here when the training data is invalid)
    10 - 20%   queued
    20 - 95%   running            one `metrics` event per step, a checkpoint per epoch
    100%       succeeded          the fine-tuned model appears in /models

Cancelling freezes the timeline at the moment of the cancel. Pausing stops the clock
(status "paused", as OpenAI shows it, although the spec's status list lacks it) until
the job is resumed; everything after the pause happens that much later.

Each method reports its own metrics, step by step in the events and at each checkpoint
(with `valid_*` twins when a validation file is given):
- supervised: `train_loss` and `train_mean_token_accuracy` (the loss falls from ~2.2);
- dpo: `train_loss` (the preference loss, falling from ln 2), `train_reward_margin`
  (chosen minus rejected reward, rising) and `train_preference_accuracy`;
- reinforcement: `train_reward_mean` (the grader's mean reward, rising from ~0.3) and
  `train_reward_std`; its metric events also hold `scores`: the mean reward per grader
  (the sub-graders of a multi grader, each by name).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TERMINAL", "Job", "check_training_data", "grader_names"]

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
    pauses: list[list[float | None]] = field(default_factory=list)  # [paused at, resumed at or None]
    settled: bool = False  # the model and result file exist

    @property
    def method(self) -> str:
        return (self.public.get("method") or {}).get("type", "supervised")

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

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
        """Seconds of the timeline that have happened (frozen at a cancel, stopped while paused)."""
        moment = time.time() if now is None else now
        if self.cancelled_at is not None:
            moment = min(moment, self.cancelled_at)
        held = sum(
            min(end if end is not None else moment, moment) - begin for begin, end in self._pauses(moment)
        )
        return max(moment - self.started - held, 0.0)

    def _pauses(self, moment: float) -> list[tuple[float, float | None]]:
        return [(begin, end) for begin, end in self.pauses if begin is not None and begin < moment]

    def wall(self, seconds: float) -> float:
        """The clock time at which the job's timeline reached `seconds` (pauses push it later)."""
        moment = self.started + seconds
        for begin, end in self.pauses:
            if begin is not None and begin < moment:
                moment += (end if end is not None else math.inf) - begin
        return moment

    def status(self, now: float | None = None) -> str:
        done = self.elapsed(now) / self.seconds if self.seconds > 0 else math.inf
        if self.problem is not None and done >= _VALIDATED_AT:
            return "failed"
        if self.cancelled_at is not None:
            return "cancelled"
        if done >= 1:
            return "succeeded"
        moment = time.time() if now is None else now
        if any(
            begin is not None and begin <= moment and (end is None or moment < end)
            for begin, end in self.pauses
        ):
            return "paused"
        if done >= _STARTED_AT:
            return "running"
        return "queued" if done >= _VALIDATED_AT else "validating_files"

    def finished_at(self, now: float | None = None) -> int | None:
        status = self.status(now)
        if status == "cancelled" and self.cancelled_at is not None:
            return int(self.cancelled_at)
        if status == "failed":
            return int(self.wall(_VALIDATED_AT * self.seconds))
        if status == "succeeded":
            return int(self.wall(self.seconds))
        return None

    # -- what the API shows ----------------------------------------------------------

    def as_api(self, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now  # one moment for every field
        status = self.status(now)
        body = dict(self.public)
        body.update(
            status=status,
            finished_at=self.finished_at(now),
            fine_tuned_model=self.fine_tuned_model if status == "succeeded" else None,
            trained_tokens=self.examples * self.epochs * 120 if status == "succeeded" else None,
            estimated_finish=None if status in TERMINAL or self.paused else int(self.wall(self.seconds)),
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
        moment = time.time() if now is None else now
        elapsed = self.elapsed(moment)
        happened = [
            (at * self.seconds, self.wall(at * self.seconds), event)
            for at, event in self._timeline()
            if at * self.seconds <= elapsed
        ]
        happened += self._pause_events(moment)
        if self.status(moment) == "cancelled" and self.cancelled_at is not None:
            happened.append((elapsed, self.cancelled_at, _event("info", "Fine-tuning job cancelled")))
        happened.sort(key=lambda entry: (entry[0], entry[1]))  # stable: timeline order within a moment
        listed = []
        for index, (_, at, event) in enumerate(happened):
            digest = hashlib.sha256(f"{self.id}:event:{index}".encode()).hexdigest()[:24]
            listed.append(
                {"object": "fine_tuning.job.event", "id": f"ftevent-{digest}", "created_at": int(at), **event}
            )
        return listed[::-1]

    def _pause_events(self, moment: float) -> list[tuple[float, float, dict[str, Any]]]:
        """(timeline seconds, clock time, event) of each pause and resume that has happened."""
        found = []
        for begin, end in self._pauses(moment + 1e-9):
            at = self.elapsed(begin)
            found.append((at, begin, _event("info", "Fine-tuning job paused")))
            if end is not None and end <= moment:
                found.append((at, end, _event("info", "Fine-tuning job resumed")))
        return found

    def checkpoints(self, now: float | None = None) -> list[dict[str, Any]]:
        """Checkpoints reached so far (the last epochs'), newest first."""
        if self.problem is not None:
            return []
        elapsed = self.elapsed(now)
        made = []
        for step in self._checkpoint_steps():
            if self._step_time(step) * self.seconds > elapsed:
                break
            made.append(
                {
                    "object": "fine_tuning.job.checkpoint",
                    "id": f"ftckpt_{hashlib.sha256(f'{self.id}:{step}'.encode()).hexdigest()[:24]}",
                    "created_at": int(self.wall(self._step_time(step) * self.seconds)),
                    "fine_tuned_model_checkpoint": f"{self.fine_tuned_model}:ckpt-step-{step}",
                    "fine_tuning_job_id": self.id,
                    "metrics": {"step": step, **self._metrics(step), **self._full_valid(step)},
                    "step_number": step,
                }
            )
        return made[::-1]

    def _checkpoint_steps(self) -> list[int]:
        """The steps that end the last `_KEPT_CHECKPOINTS` epochs."""
        per_epoch = self.steps / self.epochs
        first_kept = max(self.epochs - _KEPT_CHECKPOINTS, 0) + 1
        return [math.ceil(epoch * per_epoch) for epoch in range(first_kept, self.epochs + 1)]

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
        checkpoint_steps = set(self._checkpoint_steps())
        for step in range(1, self.steps + 1):
            metrics = self._metrics(step)
            data = {"step": step, **metrics, **self._scores(step), "total_steps": self.steps}
            timeline.append(
                (self._step_time(step), _event("info", self._step_message(step), "metrics", data))
            )
            if step in checkpoint_steps:
                timeline.append((self._step_time(step), _event("info", f"Checkpoint created at step {step}")))
        return [
            *timeline,
            (1.0, _event("info", f"New fine-tuned model created: {self.fine_tuned_model}")),
            (1.0, _event("info", "The job has successfully completed")),
        ]

    def _step_time(self, step: int) -> float:
        return _STARTED_AT + (_TRAINED_AT - _STARTED_AT) * step / self.steps

    def _step_message(self, step: int) -> str:
        metrics = self._metrics(step)
        if self.method == "reinforcement":
            return f"Step {step}/{self.steps}: mean reward={metrics['train_reward_mean']:.2f}"
        return f"Step {step}/{self.steps}: training loss={metrics['train_loss']:.2f}"

    def _metrics(self, step: int) -> dict[str, float]:
        """The method's metrics at `step`: smooth curves with a little deterministic wobble."""
        progress, wobble = step / self.steps, math.sin(step * 1.7)
        validation = bool(self.public.get("validation_file"))
        if self.method == "dpo":
            return _dpo_metrics(progress, wobble, validation)
        if self.method == "reinforcement":
            return _reinforcement_metrics(progress, wobble, validation)
        return _supervised_metrics(progress, wobble, validation)

    def _full_valid(self, step: int) -> dict[str, float]:
        """At a checkpoint, the whole validation file's figures (supervised and dpo)."""
        metrics = self._metrics(step)
        if self.method == "reinforcement":
            return (
                {"full_valid_reward_mean": metrics["valid_reward_mean"]}
                if "valid_reward_mean" in metrics
                else {}
            )
        if "valid_loss" not in metrics:
            return {}
        full = {"full_valid_loss": round(metrics["valid_loss"] * 0.98, 4)}
        if "valid_mean_token_accuracy" in metrics:
            full["full_valid_mean_token_accuracy"] = metrics["valid_mean_token_accuracy"]
        return full

    def _scores(self, step: int) -> dict[str, Any]:
        """Reinforcement only: the mean reward of each grader at `step`."""
        if self.method != "reinforcement":
            return {}
        reward = self._metrics(step)["train_reward_mean"]
        names = grader_names(self.public["method"]["reinforcement"]["grader"])
        return {
            "scores": {
                name: round(min(1.0, max(0.0, reward + 0.05 * math.sin(step + index))), 4)
                for index, name in enumerate(names)
            }
        }


def _supervised_metrics(progress: float, wobble: float, validation: bool) -> dict[str, float]:
    loss = 0.12 + 2.1 * math.exp(-4.0 * progress) + 0.04 * wobble
    metrics = {
        "train_loss": round(loss, 4),
        "train_mean_token_accuracy": round(min(0.99, 1.0 - loss / 3.0), 4),
    }
    if validation:
        metrics["valid_loss"] = round(loss * 1.08 + 0.05, 4)
        metrics["valid_mean_token_accuracy"] = round(min(0.99, 1.0 - (loss * 1.08 + 0.05) / 3.0), 4)
    return metrics


def _dpo_metrics(progress: float, wobble: float, validation: bool) -> dict[str, float]:
    loss = 0.12 + (math.log(2) - 0.12) * math.exp(-3.0 * progress) + 0.01 * wobble
    margin = 2.4 * (1 - math.exp(-3.0 * progress)) + 0.03 * wobble
    metrics = {
        "train_loss": round(loss, 4),
        "train_reward_margin": round(margin, 4),
        "train_preference_accuracy": round(min(0.99, 0.5 + 0.45 * (1 - math.exp(-3.5 * progress))), 4),
    }
    if validation:
        metrics["valid_loss"] = round(loss * 1.05 + 0.02, 4)
        metrics["valid_reward_margin"] = round(margin * 0.9, 4)
        metrics["valid_preference_accuracy"] = round(metrics["train_preference_accuracy"] * 0.95, 4)
    return metrics


def _reinforcement_metrics(progress: float, wobble: float, validation: bool) -> dict[str, float]:
    reward = 0.3 + 0.55 * (1 - math.exp(-3.0 * progress)) + 0.02 * wobble
    metrics = {
        "train_reward_mean": round(reward, 4),
        "train_reward_std": round(0.25 * math.exp(-1.5 * progress) + 0.05, 4),
    }
    if validation:
        metrics["valid_reward_mean"] = round(reward * 0.95, 4)
    return metrics


def grader_names(grader: dict[str, Any]) -> list[str]:
    """The graders a reinforcement job reports scores for: a multi grader's parts, else itself."""
    if grader.get("type") != "multi":
        return [grader.get("name") or grader.get("type", "grader")]
    parts = grader.get("graders") or {}
    if "type" in parts:
        return [parts.get("name") or parts["type"]]
    return list(parts)


def _event(level: str, message: str, kind: str = "message", data: dict | None = None) -> dict[str, Any]:
    return {"level": level, "message": message, "type": kind, "data": data or {}}


_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def check_training_data(
    content: bytes, method: str, required_fields: tuple[str, ...] = ()
) -> tuple[int, str | None]:
    """(number of examples, the first problem or None), as the server's file validation finds them.

    `required_fields`: for reinforcement, the item fields the grader references, which
    every line must have beside its messages.
    """
    try:
        lines = [line for line in content.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return 0, "The file is not UTF-8 text."
    for number, line in enumerate(lines, start=1):
        try:
            example = json.loads(line)
        except ValueError:
            return len(lines), f"Line {number} is not valid JSON."
        problem = _example_problem(example, method, required_fields)
        if problem:
            return len(lines), f"Line {number}: {problem}"
    if len(lines) < 10:
        return len(lines), f"Training file has {len(lines)} example(s), but must have at least 10 examples."
    return len(lines), None


def _example_problem(example: Any, method: str, required_fields: tuple[str, ...]) -> str | None:
    if not isinstance(example, dict):
        return "each line must be a JSON object."
    if method == "dpo":
        return _preference_problem(example)
    problem = _messages_problem(example.get("messages"), "'messages'")
    if problem:
        return problem
    if method != "reinforcement" and "assistant" not in [m.get("role") for m in example["messages"]]:
        return "no assistant message."
    missing = [name for name in required_fields if name not in example]
    if missing:
        shown = ", ".join(f"'{name}'" for name in missing)
        return f"missing {shown}, which the grader references as {{{{item.{missing[0]}}}}}."
    return None


def _preference_problem(example: dict[str, Any]) -> str | None:
    """A DPO line: input.messages, and preferred and non-preferred assistant outputs."""
    missing = [k for k in ("input", "preferred_output", "non_preferred_output") if k not in example]
    if missing:
        return f"missing {', '.join(missing)}."
    given = example["input"]
    if not isinstance(given, dict):
        return "'input' must be an object with a 'messages' list."
    problem = _messages_problem(given.get("messages"), "'input.messages'")
    if problem:
        return problem
    for name in ("preferred_output", "non_preferred_output"):
        output = example[name]
        if not isinstance(output, list) or not output:
            return f"'{name}' must be a non-empty list of assistant messages."
        if any(not isinstance(m, dict) or m.get("role") != "assistant" for m in output):
            return f"'{name}' must hold only assistant messages."
    return None


def _messages_problem(messages: Any, name: str) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "missing 'messages' list." if name == "'messages'" else f"missing {name} list."
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    if any(role not in _ROLES for role in roles):
        return "invalid role in messages."
    return None
