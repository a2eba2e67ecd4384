"""What a bulk run leaves when it stops: `BulkError` and `BulkInterrupted`, with the finished part.

Nothing finished is lost. Both errors carry `done` (positions finished, skipped ones
included), `missing`, `stats` and `cause`; the job that called `run` puts its own partial
result in `partial` (for `embed()`: a DataFrame of the finished rows) and takes it back
(`resume=`) to finish only what is missing. A `BulkError` whose cause is an API error is
also an instance of the cause's class (a `BulkError` that is a `RateLimitError`, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from .._core.errors import APIError, OpenAIError

__all__ = ["BulkError", "BulkInterrupted", "BulkStats", "attach_partial", "bulk_error"]


@dataclass
class BulkStats:
    """What a bulk run did: items done and skipped, requests, retries, 429s, seconds, peak in flight."""

    items: int = 0
    skipped: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    seconds: float = 0.0
    peak_in_flight: int = 0
    waited: float = 0.0  # seconds every request was held back by a server's rate limit


class _Partial:
    """What a stopped run leaves: the finished positions and the job's partial result.

    `partial` may be made only when first read: a run stopped while its result was being
    assembled gives the error at once, and the (complete) result is built if asked for.
    """

    _partial_value: Any = None
    _partial_factory: Callable[[], Any] | None = None

    def _init_partial(
        self, done: list[int], total: int, stats: BulkStats, cause: BaseException | None
    ) -> None:
        self.done = done
        self.total = total
        self.missing = sorted(set(range(total)).difference(done))
        self.stats = stats
        self.cause = cause

    @property
    def partial(self) -> Any:
        """The job's partial result (for `embed()`: a DataFrame of the finished rows)."""
        if self._partial_factory is not None:
            self._partial_value, self._partial_factory = self._partial_factory(), None
        return self._partial_value

    @partial.setter
    def partial(self, value: Any) -> None:
        self._partial_value, self._partial_factory = value, None


def attach_partial(error: BulkError | BulkInterrupted, partial: Any, note: str) -> None:
    """Put a job's partial result on the error and add `note` (how to resume) to its message.

    `partial` may be a function that makes it: it then runs when `error.partial` is first read.
    """
    if callable(partial):
        error._partial_value, error._partial_factory = None, partial
    else:
        error.partial = partial
    message = f"{error} {note}" if note else str(error)
    error.args = (message,)
    error.message = message


class BulkError(APIError, _Partial):
    """A bulk run stopped on an error; `partial` holds what finished, `cause` the error.

    When the cause is an API error, the raised error is also an instance of the cause's
    class (a `BulkError` that is a `RateLimitError`, say) with its status, code and
    request id, so `except ow.RateLimitError` catches a bulk run stopped by a 429 too.
    """

    def __init__(
        self,
        message: str,
        *,
        done: list[int],
        total: int,
        stats: BulkStats,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self._init_partial(done, total, stats, cause)


_ERROR_CLASSES: dict[type[APIError], type[BulkError]] = {}


def bulk_error(
    message: str, *, done: list[int], total: int, stats: BulkStats, cause: BaseException | None
) -> BulkError:
    """A BulkError that is also of the cause's API error class, carrying the cause's details."""
    if not isinstance(cause, APIError) or isinstance(cause, BulkError):
        return BulkError(message, done=done, total=total, stats=stats, cause=cause)
    base = type(cause)
    cls = _ERROR_CLASSES.get(base)
    if cls is None:
        made = type(
            f"Bulk{base.__name__}", (BulkError, base), {"__module__": __name__, "__doc__": BulkError.__doc__}
        )
        cls = cast("type[BulkError]", made)  # type() cannot say what the class made derives from
        _ERROR_CLASSES[base] = cls
    error = cls.__new__(cls)
    error.__dict__.update(vars(cause))  # status_code, type, code, request_id, retry_after, body...
    OpenAIError.__init__(error, message)
    error._init_partial(done, total, stats, cause)
    return error


class BulkInterrupted(KeyboardInterrupt, _Partial):
    """Ctrl-C stopped a bulk run; `partial` holds what finished (it is still a KeyboardInterrupt)."""

    def __init__(self, message: str, *, done: list[int], total: int, stats: BulkStats) -> None:
        super().__init__(message)
        self.message = message
        self._init_partial(done, total, stats, None)
