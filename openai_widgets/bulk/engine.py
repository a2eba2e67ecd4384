"""The bulk engine: as many requests in flight as the rate limit allows, resumable.

`embed()`, `moderate()`, `chat_map()` and `respond_map()` run on it. A job says what one
request is and what to do with its answer (the `Job` protocol):

    class Moderation:
        path = "moderations"

        def body(self, texts):                    # one request for one batch of items
            return {"model": "omni-moderation-latest", "input": texts}

        def reader(self, positions):              # how its answer is read (see `reading`)
            return JSONReader("POST /moderations", lambda answer: answer["results"])

        def collect(self, positions, results):    # where the results go (by position)
            for position, result in zip(positions, results):
                flagged[position] = result["flagged"]

    stats = bulk.run(texts, Moderation(), client=client, max_items=32)

`run(items, job, ...)`:
- splits the positions of `items` into batches of at most `max_items` items and at most
  `max_cost` summed `costs` (tokens, estimated on the safe side), in input order;
- sends them from an asyncio loop running in a thread of its own (`_core.aio`), on the
  client's asynchronous connection pool, so thousands of requests can be in flight on two
  cores, inside Jupyter's own running loop too. How many may be in flight, and when the
  next may go, is the `pacing.RateGovernor`'s answer: the rate the limits allow times the
  time an answer takes (Little's law), learned while running, with token costs corrected
  by what the server counted (`pacing.Calibration`, from the answers' usage);
- reads each answer's body chunk by chunk into the job's reader, within the client's
  `timeout` for the whole answer, and calls `collect(positions, result)` in the loop's
  thread as each batch finishes (in any order: writing by position keeps the output in
  input order, with nothing repeated or dropped);
- skips the positions in `skip` (done already: resumed, or served from a cache);
- shows a progress bar (inputs done, rate, ETA, requests in flight, waits) in the calling
  thread when there is more than one batch, or as `progress` says; returns `BulkStats`.

Retries follow one policy with the client's single calls (`max_retries`, default the
client's): a 5xx, 408, 409, a timeout, a dropped connection or a body that cannot be read
is retried after a backoff and counts; a 429 is waited out for as long as `Retry-After`
says (every request holds back meanwhile) and does not count, since it is pacing, not a
failure, but a batch gives up after `MAX_RATE_LIMIT_WAITS` of them, and any wait a server
asks for beyond a minute, in `Retry-After` or in `x-ratelimit-*` headers, stops the run
with an error naming the header. A used-up quota (`insufficient_quota`), 400, 401 and the
like stop at once. Every attempt at a batch carries the same Idempotency-Key.

Nothing paid for is lost. A failure stops new requests and lets those in flight finish
(and keeps them), then raises `BulkError`. Ctrl-C does the same and raises
`BulkInterrupted`; a second Ctrl-C abandons the requests still in flight. Both carry the
finished positions (see `errors`); the job puts its partial result on them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, Protocol, TypeVar

import httpx

from .._core import aio, usage
from .._core.arguments import type_error, whole_number
from .._core.constants import MAX_RETRY_AFTER
from .._core.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InvalidInputError,
    RateLimitError,
    StreamInterruptedError,
)
from .._core.retries import backoff_delay
from .._core.transport import BaseClient
from .errors import BulkInterrupted, BulkStats, bulk_error
from .pacing import SAFETY_CAP, Calibration, RateGovernor, ServerWaitTooLong, requested_tokens
from .planning import Batch, plan_batches
from .progress import progress_bar
from .reading import Reader

__all__ = [
    "MAX_RATE_LIMIT_WAITS",
    "SAFETY_CAP",
    "Job",
    "check_settings",
    "run",
]

T = TypeVar("T")
R = TypeVar("R")

# Rate-limit waits per batch before giving up: they are not retries (a 429 says "not
# yet", not "failed"), but a server that never lets a batch through must not hang the run.
MAX_RATE_LIMIT_WAITS = 32
_TICK = 0.1  # seconds between the calling thread's looks at the progress (and at Ctrl-C)
_LAG_PROBE = 0.02  # seconds between looks at how late the loop runs (the client's own load)


class Job(Protocol[T, R]):
    """What a bulk job tells the engine (see the module docstring)."""

    path: str

    def body(self, items: list[T]) -> dict[str, Any]:
        """The JSON body of one request for these items (called again for each attempt)."""

    def reader(self, positions: Any) -> Reader[R]:
        """A fresh reader for one answer to the batch at `positions`."""

    def collect(self, positions: Any, result: R) -> None:
        """Store a finished batch's result (in the engine's thread, one batch at a time)."""

    # Optional, looked up with getattr:
    #   counted_tokens(result) -> float | None: the tokens the server counted for this answer
    #       (its usage), so pacing learns how its estimates compare;
    #   adapt(error) -> bool: True if the job changed what it sends because of `error` (a
    #       server refusing base64 embeddings, say); the batch then goes again at once;
    #   spent(result) -> (model, usage): what the answer reports, for the session's usage
    #       ledger (`_costs.ledger`), filed under the answer's request ID.


def run(
    items: Sequence[T],
    job: Job[T, R],
    *,
    client: BaseClient,
    max_items: int = 1,
    costs: Sequence[float] | None = None,
    max_cost: float | None = None,
    skip: Collection[int] = (),
    max_concurrency: int | None = None,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
    max_retries: int | None = None,
    progress: bool | None = None,
    description: str = "",
    unit: str = "input",
) -> BulkStats:
    """Run `job` over batches of `items` (see the module docstring).

    `costs` (tokens per item, on the safe side) size the requests (`max_cost`) and pace
    `tokens_per_minute`. `max_retries=None` is the client's own setting.
    """
    check_settings(max_concurrency, requests_per_minute, tokens_per_minute, max_retries)
    import numpy as np

    finished = np.zeros(len(items), dtype=bool)  # what is done, skipped positions included
    skipped = [p for p in skip if 0 <= p < len(items)]
    finished[skipped] = True
    batches = plan_batches(np.flatnonzero(~finished), max_items=max_items, costs=costs, max_cost=max_cost)
    clock = _Clock(client)
    state = _Run(
        items,
        job,
        client=client,
        batches=batches,
        governor=RateGovernor(max_concurrency, requests_per_minute, tokens_per_minute, clock=clock),
        clock=clock,
        max_retries=client.max_retries if max_retries is None else max_retries,
        finished=finished,
        unit=unit,
    )
    show = len(batches) > 1 if progress is None else progress
    with progress_bar(show, len(items), int(finished.sum()), description, unit) as bar:
        return state.execute(bar)


def check_settings(
    max_concurrency: Any, requests_per_minute: Any, tokens_per_minute: Any, max_retries: Any
) -> None:
    """Refuse settings the engine cannot use, before anything is sent."""
    whole_number(max_concurrency, "max_concurrency", minimum=1, maximum=SAFETY_CAP, optional=True)
    for name, value in (
        ("requests_per_minute", requests_per_minute),
        ("tokens_per_minute", tokens_per_minute),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise type_error(name, "a number or None", value)
        if not (value > 0 and math.isfinite(value)):
            raise InvalidInputError(f"{name} must be more than 0, got {value}")
    whole_number(max_retries, "max_retries", minimum=0, optional=True)


class _Clock:
    """Monotonic time, plus the waits a client's replaced `sleep` skipped.

    The engine waits in its loop. A client whose `sleep` was replaced (tests record waits
    instead of sleeping: `client.sleep = waits.append`) gets the wait handed to its
    `sleep` instead, and the clock moves on by it, so the schedule behaves as if the time
    had passed.
    """

    def __init__(self, client: BaseClient) -> None:
        self._replaced = "sleep" in vars(client) or type(client).sleep is not BaseClient.sleep
        self._sleep = client.sleep
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    async def wait(self, seconds: float, wake: asyncio.Event) -> None:
        """Wait `seconds`, or until `wake` is set."""
        if self._replaced and math.isfinite(seconds):
            self._sleep(seconds)
            self.skipped += seconds
            await asyncio.sleep(0)
            return
        timeout = None if not math.isfinite(seconds) else max(seconds, 0.0)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout)


@dataclass
class _Run(Generic[T, R]):
    """One execution of `run`: a coordinator on the background loop, watched from the caller."""

    items: Sequence[T]
    job: Job[T, R]
    client: BaseClient
    batches: list[Batch]
    governor: RateGovernor
    clock: _Clock
    max_retries: int
    finished: Any  # a boolean array: which positions are done
    unit: str = "item"
    stats: BulkStats = field(default_factory=BulkStats)
    calibration: Calibration = field(default_factory=Calibration)
    failure: tuple[BaseException, Batch] | None = None
    stopping: bool = False
    interrupted: bool = False  # a job's code raised KeyboardInterrupt in the loop's thread
    _fresh: deque = field(default_factory=deque)
    _retry_heap: list = field(default_factory=list)  # (ready at, tie-breaker, batch)
    _in_flight: dict = field(default_factory=dict)  # task -> batch
    _order: Any = field(default_factory=itertools.count)
    _wake: asyncio.Event | None = None
    _done_count: int = 0

    # -- in the calling thread -----------------------------------------------------------

    def execute(self, bar: Any) -> BulkStats:
        self._fresh.extend(self.batches)
        self._done_count = self.stats.skipped = int(self.finished.sum())
        started = time.monotonic()
        future = aio.submit(self._main())
        try:
            try:
                self._watch(future, bar)
            except KeyboardInterrupt:
                self._stop_in_loop(abandon=False)
                self._note(
                    bar,
                    f"stopping: {len(self._in_flight)} requests in flight finish first "
                    "(Ctrl-C again to abandon them)",
                )
                try:
                    self._watch(future, bar)
                except KeyboardInterrupt:
                    self._stop_in_loop(abandon=True)
                    _wait_quietly(future)
                raise self._interrupted() from None
        finally:
            self.stats.seconds = time.monotonic() - started
            self.stats.items = int(self.finished.sum())
            self._show(bar)
        if self.interrupted:
            raise self._interrupted()
        if self.failure is not None:
            self._raise_failure()
        if self.stats.items != len(self.items):  # never return with rows silently missing
            lost = len(self.items) - self.stats.items
            self.failure = (
                APIError(f"the bulk run ended with {lost} {self.unit}s not done"),
                self.batches[0],
            )
            self._raise_failure()
        return self.stats

    def _watch(self, future: concurrent.futures.Future, bar: Any) -> None:
        loop = aio.background_loop()
        while True:
            try:
                future.result(timeout=_TICK)
                return
            except concurrent.futures.TimeoutError:
                if not loop.is_running():  # never wait on a loop that died
                    raise RuntimeError("the bulk engine's event loop stopped unexpectedly") from None
                self._show(bar)

    def _stop_in_loop(self, *, abandon: bool) -> None:
        def stop() -> None:
            self.stopping = True
            if abandon:
                for task in list(self._in_flight):
                    task.cancel()
            if self._wake is not None:
                self._wake.set()

        aio.background_loop().call_soon_threadsafe(stop)

    def _show(self, bar: Any) -> None:
        done = self._done_count
        if done > bar.n:
            bar.update(done - bar.n)
        text = f"{len(self._in_flight)} in flight"
        if self.stats.rate_limited:
            text += f", {self.stats.rate_limited} rate-limited"
        waiting, why = self.governor.waiting()
        if waiting >= 1.0:
            text += f", waiting {waiting:.0f} s ({why})"
        bar.set_postfix_str(text, refresh=False)

    @staticmethod
    def _note(bar: Any, text: str) -> None:
        bar.set_postfix_str(text, refresh=True)

    # -- the coordinator, on the background loop -------------------------------------------

    async def _main(self) -> None:
        self._wake = asyncio.Event()
        probe = asyncio.get_running_loop().create_task(self._probe_lag())
        try:
            # A request in flight may still come back for a retry: the run ends when nothing is.
            while (
                (self._fresh or self._retry_heap or self._in_flight)
                and not self.stopping
                and not self.failure
            ):
                self._wake.clear()
                wait = self._dispatch()
                if wait is not None:
                    await self.clock.wait(wait, self._wake)
            while self._in_flight:  # stopping or failed: what is in flight finishes and is kept
                self._wake.clear()
                await self.clock.wait(math.inf, self._wake)
        finally:
            probe.cancel()
            for task in list(self._in_flight):  # cancelled from outside: let the tasks end
                task.cancel()

    async def _probe_lag(self) -> None:
        """Tell the governor how late this loop wakes up: a late loop is a client that is busy."""
        while True:
            before = time.monotonic()
            await asyncio.sleep(_LAG_PROBE)
            self.governor.on_loop_lag(time.monotonic() - before - _LAG_PROBE)

    def _work_left(self) -> bool:
        return bool(self._fresh or self._retry_heap or self._in_flight)

    def _dispatch(self) -> float | None:
        """Send what may go now; None when something went, else seconds to wait (inf: an answer)."""
        batch, ready_in = self._next_batch()
        if batch is None:
            return ready_in
        cost = self.calibration.tokens(batch.cost)
        delay = self.governor.delay(cost, len(self._in_flight))
        if delay is None:
            return math.inf
        if delay > 0:
            return delay
        self._take(batch)
        self.governor.on_send(cost)
        batch.attempts += 1
        self.stats.requests += 1
        task = asyncio.get_running_loop().create_task(self._attempt(batch))
        self._in_flight[task] = batch
        self.stats.peak_in_flight = max(self.stats.peak_in_flight, len(self._in_flight))
        return None

    def _next_batch(self) -> tuple[Batch | None, float]:
        """The batch to send next (retries first, once their wait is over) and seconds until ready."""
        now = self.clock()
        if self._retry_heap and self._retry_heap[0][0] <= now:
            return self._retry_heap[0][2], 0.0
        if self._fresh:
            return self._fresh[0], 0.0
        if self._retry_heap:
            return None, self._retry_heap[0][0] - now
        return None, math.inf

    def _take(self, batch: Batch) -> None:
        if self._retry_heap and self._retry_heap[0][2] is batch:
            heapq.heappop(self._retry_heap)
        else:
            self._fresh.popleft()

    async def _attempt(self, batch: Batch) -> None:
        """One attempt at one batch, and what follows from it."""
        task = asyncio.current_task()
        started = time.monotonic()
        sent_at = self.clock()  # on the governor's clock: which 429s it has reacted to already
        try:
            result, headers = await asyncio.wait_for(self._fetch(batch), self.client.timeout)
        except asyncio.CancelledError:
            raise
        except asyncio.TimeoutError:
            self._failed(
                batch,
                APITimeoutError(
                    f"POST {self.job.path}: the whole answer did not arrive within {self.client.timeout:g} s"
                ),
                sent_at,
            )
        except Exception as exc:
            self._failed(batch, exc, sent_at)
        else:
            self._succeeded(batch, result, headers, time.monotonic() - started)
        finally:
            self._in_flight.pop(task, None)
            if self._wake is not None:
                self._wake.set()

    async def _fetch(self, batch: Batch) -> tuple[R, Mapping[str, str]]:
        body = self.job.body([self.items[p] for p in batch.positions])
        response = await self.client.send_once_async(
            "POST", self.job.path, json=body, headers={"Idempotency-Key": batch.key}
        )
        self.governor.on_answer_started(response.headers)  # a big body may take a while yet
        try:
            reader = self.job.reader(batch.positions)
            async for chunk in response.aiter_bytes():
                reader.feed(chunk)
            return reader.finish(), response.headers
        except httpx.TransportError as exc:  # the connection broke mid-answer: retried like any drop
            broke = f"{type(exc).__name__}: {exc}"
            raise APIConnectionError(
                f"POST {self.job.path}: the connection broke mid-answer ({broke})"
            ) from None
        finally:
            await response.aclose()

    # -- outcomes ----------------------------------------------------------------------

    def _succeeded(self, batch: Batch, result: R, headers: Mapping[str, str], latency: float) -> None:
        try:
            counted = getattr(self.job, "counted_tokens", None)
            if counted is not None:
                self.calibration.learn(batch.cost, counted(result))
            self.job.collect(batch.positions, result)
        except KeyboardInterrupt:  # raised by a job's own code: stop as Ctrl-C would
            self.stopping = self.interrupted = True
            return
        except Exception as exc:  # `collect` failed: stop, keeping what is done
            self._fail(exc, batch)
            return
        self.finished[batch.positions] = True
        self._done_count += len(batch.positions)
        spent = getattr(self.job, "spent", None)
        if spent is not None:
            model, used = spent(result)
            usage.report(self.client, self.job.path, model, used, request_id=headers.get("x-request-id"))
        try:
            self.governor.on_success(headers, latency)
        except ServerWaitTooLong as exc:
            self._fail(_too_long(exc), batch)

    def _failed(self, batch: Batch, error: BaseException, sent_at: float | None = None) -> None:
        try:
            delay = self._retry_delay(batch, error, sent_at)
        except ServerWaitTooLong as exc:
            self._fail(_too_long(exc), batch)
            return
        if delay is None:
            self._fail(error, batch)
            return
        heapq.heappush(self._retry_heap, (self.clock() + delay, next(self._order), batch))

    def _retry_delay(self, batch: Batch, error: BaseException, sent_at: float | None = None) -> float | None:
        """Seconds before this batch goes again, or None when it must not."""
        adapt = getattr(self.job, "adapt", None)
        if adapt is not None and batch.adapted < 2 and adapt(error):
            batch.adapted += 1  # the job changed its request: this was not a failure
            batch.attempts -= 1
            return 0.0
        if isinstance(error, RateLimitError):
            return self._rate_limit_wait(batch, error, sent_at)
        retryable = (
            isinstance(error, APIResponseValidationError)
            or (
                isinstance(error, APIStatusError)
                and (error.status_code in {408, 409} or error.status_code >= 500)
            )
            or (isinstance(error, APIConnectionError) and not isinstance(error, StreamInterruptedError))
        )
        if not retryable:
            return None
        batch.failures += 1
        if batch.failures > self.max_retries:
            return None
        self.stats.retries += 1
        self.governor.on_error()
        wait = getattr(error, "retry_after", None)
        if wait is not None and math.isfinite(wait) and 0 <= wait <= MAX_RETRY_AFTER:
            return wait
        return backoff_delay(batch.failures - 1)

    def _rate_limit_wait(
        self, batch: Batch, error: RateLimitError, sent_at: float | None = None
    ) -> float | None:
        if error.code == "insufficient_quota":
            return None
        batch.rate_limited += 1
        if batch.rate_limited > MAX_RATE_LIMIT_WAITS:
            return None
        wait = error.retry_after
        if wait is None or not math.isfinite(wait) or wait < 0:
            wait = backoff_delay(min(batch.rate_limited - 1, 6))
        if wait > MAX_RETRY_AFTER:
            return None
        self.stats.rate_limited += 1
        self.stats.waited += wait
        # the refusal names the server's count of this request: pacing learns it now
        self.calibration.learn(batch.cost, requested_tokens(str(error)))
        self.governor.on_rate_limited(wait, error.rate_limits, sent_at=sent_at)
        return wait

    def _fail(self, error: BaseException, batch: Batch) -> None:
        """Stop sending; the requests in flight finish and are kept."""
        if self.failure is None:
            self.failure = (error, batch)
        self._fresh.clear()
        self._retry_heap.clear()

    def _raise_failure(self) -> NoReturn:
        assert self.failure is not None
        error, batch = self.failure
        total = len(self.items)
        tries = f" after {batch.attempts} attempts" if batch.attempts > 1 else ""
        done = int(self.finished.sum())
        if done:
            message = (
                f"{done} of {total} {self._unit()}s done; the request for the batch starting at "
                f"position {min(batch.positions)} failed{tries}: {_describe(error)}"
            )
        else:
            message = f"{_describe(error)}{f' (failed{tries})' if tries else ''}"
        raise bulk_error(
            message, done=self._done_list(), total=total, stats=self.stats, cause=error
        ) from error

    def _interrupted(self) -> BulkInterrupted:
        total = len(self.items)
        return BulkInterrupted(
            f"interrupted: {int(self.finished.sum())} of {total} {self._unit()}s done.",
            done=self._done_list(),
            total=total,
            stats=self.stats,
        )

    def _done_list(self) -> list[int]:
        return [int(p) for p in self.finished.nonzero()[0]]

    def _unit(self) -> str:
        return self.unit


def _retryable(error: BaseException) -> bool:
    """A failure worth another attempt: the server or the way to it failed, not the request."""
    if isinstance(error, APIResponseValidationError):  # a body cut short or garbled on the way
        return True
    if isinstance(error, APIStatusError):
        return error.status_code in {408, 409} or error.status_code >= 500
    return isinstance(error, APIConnectionError) and not isinstance(error, StreamInterruptedError)


def _too_long(exc: ServerWaitTooLong) -> RateLimitError:
    return RateLimitError(str(exc), status_code=429, retry_after=exc.seconds)


def _wait_quietly(future: concurrent.futures.Future) -> None:
    """Wait for the abandoned run to wind down; further Ctrl-Cs are ignored for that short while."""
    while True:
        try:
            future.result(timeout=_TICK)
            return
        except concurrent.futures.TimeoutError:
            continue
        except KeyboardInterrupt:
            continue
        except Exception:
            return


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if text.endswith((".", ")")) else text + "."
