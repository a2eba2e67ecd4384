"""`resume=True`: the partial result of the last stopped run of each bulk function, in memory.

When a bulk run stops (an error after retries, or Ctrl-C), its job puts the finished part
on the error (`error.partial`) and `remember`s it (or the error, whose partial result is
made when first needed) here under the function's name. A later
call with `resume=True` continues from it, as `resume=error.partial` does; the job then
checks that the partial result belongs to the same inputs. A run that finishes after
resuming `forget`s what it resumed from, so a stale partial result is not picked up again.
"""

from __future__ import annotations

from typing import Any

from .._core.errors import InvalidInputError
from .errors import _Partial

__all__ = ["forget", "last_partial", "remember", "resumed"]

_LAST: dict[str, Any] = {}  # function name -> partial result of its last stopped run


def remember(job: str, partial: Any) -> None:
    _LAST[job] = partial


def forget(job: str, partial: Any) -> None:
    """Drop the remembered partial result of `job` if it is `partial`."""
    if partial is not None and last_partial(job) is partial:
        del _LAST[job]


def last_partial(job: str) -> Any:
    """The partial result remembered for `job` (an error's, made now if it was not yet)."""
    remembered = _LAST.get(job)
    return remembered.partial if isinstance(remembered, _Partial) else remembered


def resumed(job: str, resume: Any) -> Any:
    """What `resume=` names: None (nothing to continue from) or a partial result to check and reuse."""
    if resume is None or resume is False:
        return None
    if resume is True:
        partial = last_partial(job)
        if partial is None:
            raise InvalidInputError(
                f"resume=True, but no {job}() call stopped in this session; pass the error's "
                "partial result instead (resume=error.partial)"
            )
        return partial
    return resume
