"""Results of a bulk job kept by input position, with resume from a stopped run's partial result.

`moderate()` over a Series and `chat_map()` run one request per batch of rows on the bulk
engine. What they have finished when a run stops is returned as the error's `partial`
(the finished rows, indexed like the input); that object carries, in its `attrs`, the
raw results by position, so `resume=partial` (or `resume=True`, see `bulk.resume`) sends
only the rows still missing. A partial result is taken only by a run with the same inputs
and the same settings that shape an answer (model, system prompt, template, sampling...):
answers of another model are never mixed into a result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .. import bulk
from .._core.arguments import type_error
from .._core.errors import InvalidInputError
from . import resume as memory

__all__ = ["RowResults", "assemble", "keep_partial"]

R = TypeVar("R")

_KEY = "openai_widgets_resume"


class RowResults:
    """One slot per input; `resume` (a partial result of the same job, or True) fills finished ones."""

    def __init__(
        self,
        inputs: Sequence[str],
        job: str,
        resume: Any = None,
        *,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.inputs = inputs
        self.job = job
        self.settings = _plain(settings or {})
        self.values: list[Any] = [None] * len(inputs)
        self.finished = [False] * len(inputs)
        self.resumed_from = memory.resumed(job, resume)
        if self.resumed_from is not None:
            self._reuse(self.resumed_from)

    def store(self, positions: Sequence[int], values: Sequence[Any]) -> None:
        for position, value in zip(positions, values, strict=True):
            self.values[int(position)] = value
            self.finished[int(position)] = True

    @property
    def skip(self) -> list[int]:
        return [position for position, done in enumerate(self.finished) if done]

    def resume_state(self) -> dict[str, Any]:
        """What a partial result keeps so that `resume=` can pick it up."""
        done = self.skip
        return {
            "job": self.job,
            "total": len(self.inputs),
            "positions": done,
            "values": [self.values[p] for p in done],
            "fingerprint": _fingerprint(self.inputs),
            "settings": self.settings,
        }

    def _reuse(self, partial: Any) -> None:
        state = getattr(partial, "attrs", {}).get(_KEY) if hasattr(partial, "attrs") else None
        if state is None:
            raise type_error(
                "resume",
                f"True or the `partial` of an error raised by {self.job}() (it keeps what finished)",
                partial,
            )
        if state["job"] != self.job:
            raise InvalidInputError(f"resume holds a partial result of {state['job']}(), not {self.job}()")
        if state["total"] != len(self.inputs) or state["fingerprint"] != _fingerprint(self.inputs):
            raise InvalidInputError(
                f"resume holds a partial result for other inputs; call {self.job}() with the same inputs "
                "as the run that stopped"
            )
        theirs = state.get("settings", {})
        if theirs != self.settings:
            changed = sorted(set(theirs) | set(self.settings), key=str)
            differences = ", ".join(
                f"{name} {theirs.get(name)!r}, not {self.settings.get(name)!r}"
                for name in changed
                if theirs.get(name) != self.settings.get(name)
            )
            raise InvalidInputError(
                f"resume holds a partial result made with other settings ({differences[:300]}); call "
                f"{self.job}() with the settings of the run that stopped, or leave out resume= to start again"
            )
        self.store(state["positions"], state["values"])

    def done(self) -> None:
        """The run finished: the partial result it resumed from is no longer needed."""
        memory.forget(self.job, self.resumed_from)


def keep_partial(
    error: bulk.BulkError | bulk.BulkInterrupted, make: Callable[[], Any], rows: RowResults, *, what: str
) -> None:
    """Put the finished rows on the error, with what `resume=` needs, and say so in its message.

    `make()` builds the partial result from `rows`; it runs when `error.partial` is first
    read (or `resume=True` needs it). The error is remembered for `resume=True`.
    """
    state = rows.resume_state()

    def build() -> Any:
        partial = make()
        partial.attrs[_KEY] = state
        return partial

    memory.remember(rows.job, error)
    kept = len(state["positions"])
    note = (
        f"{kept} of {len(rows.inputs)} {what} and kept in the error's `partial`; run the "
        "same call with resume=True (or resume=error.partial) to do only the rest."
        if kept
        else ""
    )
    bulk.attach_partial(error, build, note)


def assemble(build: Callable[[], R], rows: RowResults, stats: bulk.BulkStats, *, what: str) -> R:
    """`build()` the finished result; Ctrl-C meanwhile keeps everything, as a BulkInterrupted.

    Every row is paid for by then: the error's `partial` is the whole result (made when it
    is read), and `resume=True` gives it back without sending anything.
    """
    try:
        return build()
    except KeyboardInterrupt:
        total = len(rows.inputs)
        error = bulk.BulkInterrupted(
            f"interrupted while the result was assembled: all {total} {what.split()[0]} are done.",
            done=list(range(total)),
            total=total,
            stats=stats,
        )
        keep_partial(error, build, rows, what=what)
        raise error from None


def _fingerprint(inputs: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text in inputs:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _plain(settings: Mapping[str, Any]) -> dict[str, Any]:
    """`settings` as plain JSON values, so that equal settings compare equal whatever their types."""
    return json.loads(json.dumps(dict(settings), sort_keys=True, default=repr))
