"""The options every bulk call takes, with one name and one meaning: `BulkOptions`.

`embed()`, `moderate()` and `chat_map()` take these keywords and pass them here; their
docstrings point to this one description:

    max_concurrency      at most this many requests in flight, 1 to 2048; None (the default):
                         as many as the rate limit keeps busy for one answer's time, learned
                         while running
    requests_per_minute  pace requests to this rate; None: follow the server's
                         x-ratelimit-* headers (and its 429s)
    tokens_per_minute    pace tokens (estimated per request, corrected by the answers'
                         usage) to this rate; None: follow the server's headers
    max_retries          retries of a request after a 5xx, 408, 409, a timeout or a dropped
                         connection; None (the default): the client's own max_retries
                         (`Client(max_retries=...)`, `client.with_options(max_retries=...)`).
                         Waiting out a 429 is pacing, not a retry, and does not count
    progress             a progress bar: None shows one when there is more than one request
    resume               continue a run that stopped: the stopped run's error `.partial`,
                         or True for the last stopped run of the same function in this
                         session; only what is missing is sent
    max_cost             refuse to start (InvalidInputError, nothing sent) when the call's
                         estimated cost in USD may exceed this (see `ow.estimate_cost`);
                         None: no limit, but `%config OpenAIMagics.confirm_cost_above`
                         makes a notebook ask first above that amount

Settings are checked when the options are made, so a mistake is reported before anything
is sent: a wrong type raises InvalidTypeError, a wrong value InvalidInputError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._core.arguments import boolean, number
from .._costs import guard
from .engine import check_settings

if TYPE_CHECKING:
    from .._core.transport import BaseClient
    from .._costs.estimate import CostEstimate

__all__ = ["BulkOptions"]


@dataclass(frozen=True)
class BulkOptions:
    """How a bulk call runs (see the module docstring for each option)."""

    max_concurrency: int | None = None
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    max_retries: int | None = None
    progress: bool | None = None
    resume: Any = None
    max_cost: float | None = None

    def __post_init__(self) -> None:
        check_settings(
            self.max_concurrency, self.requests_per_minute, self.tokens_per_minute, self.max_retries
        )
        if self.progress is not None:
            boolean(self.progress, "progress")
        number(self.max_cost, "max_cost", minimum=0, optional=True, unit="USD")
        # `resume` is checked by the job it belongs to: only it knows its partial results.

    def check_cost(self, call: str, estimate: Callable[[], CostEstimate]) -> CostEstimate | None:
        """Before sending: refuse above `max_cost`, or ask above the notebook's threshold (`_costs.guard`).

        `estimate()` plans the call's cost; it runs only when a limit or a threshold is set.
        """
        return guard.check(call, estimate, max_cost=self.max_cost)

    def engine_settings(self, client: BaseClient) -> dict[str, Any]:
        """Keywords for `bulk.run`, with `max_retries` None made the client's setting.

        `max_cost` is not one of them: the engine's own `max_cost` is tokens per request.
        """
        return {
            "max_concurrency": self.max_concurrency,
            "requests_per_minute": self.requests_per_minute,
            "tokens_per_minute": self.tokens_per_minute,
            "max_retries": client.max_retries if self.max_retries is None else self.max_retries,
            "progress": self.progress,
        }
