"""The bulk engine: many requests in flight, paced by the rate limits, resumable.

`embed()` runs on it, and so can any "one request per batch of items" job (moderation of
a Series, one chat completion per row). The engine is generic over the work items; a job
plugs in with two small functions:

    from openai_widgets import bulk

    flagged = [None] * len(texts)

    def send(sender: bulk.Sender, batch: list[str]) -> list[dict]:
        # in a worker thread: one request for one batch
        body = {"input": batch, "model": "omni-moderation-latest"}
        return sender.post("moderations", body)["results"]

    def collect(positions, results: list[dict]) -> None:
        # in the calling thread, as batches finish (in any order)
        for position, result in zip(positions, results):
            flagged[position] = result["flagged"]

    stats = bulk.run(texts, send, collect, client=client, max_items=32)

A chat completion per row is the same with `max_items=1` and
`sender.post("chat/completions", ...)`.

`run(items, send, collect, ...)`:
- splits the positions of `items` (any sequence: texts, row numbers, request bodies) into
  batches of at most `max_items` items and at most `max_cost` summed `costs` (tokens,
  when given), in input order (`plan_batches`);
- calls `send(sender, batch_items)` in worker threads on the client's one connection
  pool (threads, not asyncio: it works inside Jupyter's running event loop).
  `sender.post(path, body)` / `sender.get(path)` make ONE attempt and return the decoded
  JSON, `sender.fetch(...)` the raw body; an answer's body is read while the sender holds
  one of a few reading slots, so only a couple of answers sit in memory at once. `send`
  may set `sender.cost` to what the batch really cost (tokens), which corrects the
  estimates used for token pacing;
- calls `collect(positions, result)` in the calling thread for every finished batch
  (`positions`: a numpy array of indexes into `items`), so `collect` can write into
  preallocated arrays without locks. Batches finish in any order; writing by position
  keeps the output in input order, with nothing repeated or dropped;
- skips the positions in `skip` (done already: resumed from a partial result, or served
  from a cache), so a resumed job pays only for what is missing;
- shows a tqdm.auto progress bar (inputs done, rate, ETA) when there is more than one
  batch, or as `progress` says; returns `BulkStats`.

Retries and rate limits belong to the engine, not to the client's own retry loop:
requests go out with `max_retries=0`, so a 429 or a 5xx comes straight back to the
engine, which (see `_pacing.RateGovernor`)
- on a 429 holds every worker back for the server's `Retry-After` (or an exponential
  backoff when it names none), lowers the known rate a little (or halves the concurrency
  window when no rate is known), and puts the batch back in line;
- on a 5xx, 408, 409, a timeout or a dropped connection backs off and retries the batch;
- reads `x-ratelimit-limit/remaining/reset-requests|tokens` on every answer to pace
  requests just under the limits, and recovers speed as answers succeed;
- gives up on a batch after `max_retries` retries of errors (default: the client's
  `max_retries`), on any other error (400, 401...), on a `Retry-After` above a minute,
  when the quota is used up, or after `MAX_RATE_LIMIT_WAITS` rate-limit waits in all.
  Waiting out a 429 is pacing, not a failure: it does not count as a retry.
Waits with nothing in flight go through the client's `sleep`, like the client's own
retry waits (so a test client that records instead of sleeping is not slowed down).

Nothing finished is lost. A failure stops new requests, waits for the ones in flight,
and raises `BulkError` (also an instance of the failed request's error class, e.g.
`RateLimitError`); Ctrl-C stops at once and raises `BulkInterrupted` (a
KeyboardInterrupt). Both carry `done` (positions finished, skipped ones included),
`missing`, `stats` and `cause`; the job that called `run` sets `partial` to its own
partial result (for `embed()`: a DataFrame of the finished rows) and takes it back
(`resume=`) to finish only what is missing.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import heapq
import itertools
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypeVar

import httpx

from .._core.arguments import positive_number, whole_number
from .._core.constants import MAX_RETRY_AFTER
from .._core.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    OpenAIError,
    RateLimitError,
    StreamInterruptedError,
)
from .._core.retries import backoff_delay
from .._core.transport import BaseClient
from .pacing import RateGovernor

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "MAX_RATE_LIMIT_WAITS",
    "BulkError",
    "BulkInterrupted",
    "BulkStats",
    "Sender",
    "attach_partial",
    "bulk_error",
    "plan_batches",
    "run",
]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_MAX_CONCURRENCY = 16
# Rate-limit waits per batch before giving up: they are not retries (a 429 says "not
# yet", not "failed"), but a server that never lets a batch through must not hang the run.
MAX_RATE_LIMIT_WAITS = 32
MAX_CONCURRENCY = 64  # the client's connection pool holds 64 connections
_IDLE_WAKE = 0.25  # seconds; the coordinator looks around at least this often
READING_SLOTS = 2  # answers read and decoded at once (decoding holds the GIL anyway)


@dataclass
class BulkStats:
    """What a bulk run did: items done and skipped, requests sent, retries, 429s, seconds."""

    items: int = 0
    skipped: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    seconds: float = 0.0


class _Partial:
    """What a stopped run leaves: the finished positions and the job's partial result."""

    def _init_partial(
        self, done: list[int], total: int, stats: BulkStats, cause: BaseException | None
    ) -> None:
        self.done = done
        self.total = total
        self.missing = sorted(set(range(total)).difference(done))
        self.stats = stats
        self.cause = cause
        self.partial: Any = None  # set by the job (embed() puts a DataFrame of finished rows here)


def attach_partial(error: BulkError | BulkInterrupted, partial: Any, note: str) -> None:
    """Put a job's partial result on the error and add `note` (how to resume) to its message."""
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


_ERROR_CLASSES: dict[type, type] = {}


def bulk_error(
    message: str, *, done: list[int], total: int, stats: BulkStats, cause: BaseException | None
) -> BulkError:
    """A BulkError that is also of the cause's API error class, carrying the cause's details."""
    if not isinstance(cause, APIError) or isinstance(cause, BulkError):
        return BulkError(message, done=done, total=total, stats=stats, cause=cause)
    base = type(cause)
    cls = _ERROR_CLASSES.get(base)
    if cls is None:
        cls = type(
            f"Bulk{base.__name__}", (BulkError, base), {"__module__": __name__, "__doc__": BulkError.__doc__}
        )
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


class Sender:
    """Sends one attempt of a request for a batch and keeps the answer's headers for pacing.

    An answer's body is read only once the sender holds one of the engine's few reading
    slots, and the slot is kept until the batch's `send` returns: the bodies waiting
    meanwhile stay in the socket, so memory holds a couple of answers being decoded,
    not every answer in flight.

    `send` may set `sender.cost` to what the batch really cost (e.g. `usage.total_tokens`):
    the engine then corrects its estimates of the next batches' costs for token pacing.
    """

    def __init__(
        self, client: BaseClient, slots: threading.Semaphore | None = None, key: str | None = None
    ) -> None:
        self.client = client
        self.headers: Mapping[str, str] = {}
        self.cost: float | None = None
        self._slots = slots
        self._holding = False
        self._key = key  # the batch's Idempotency-Key, the same for every attempt at it

    def post(self, path: str, body: Any) -> Any:
        """POST `body` as JSON; the answer's decoded JSON."""
        return _json_of(self.fetch("POST", path, json=body), f"POST {path}")

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json_of(self.fetch("GET", path, params=params), f"GET {path}")

    def fetch(self, method: str, path: str, **kwargs: Any) -> bytes:
        """One attempt; the answer's body as bytes (for a caller that parses it itself)."""
        if self._key and method != "GET":
            kwargs["headers"] = {"Idempotency-Key": self._key, **(kwargs.get("headers") or {})}
        response = self.client.send_once(method, path, **kwargs)
        try:
            if self._slots is not None and not self._holding:
                self._slots.acquire()
                self._holding = True
            content = _read_body(response)
        except httpx.TimeoutException:
            raise APITimeoutError(f"{method} {path}: the answer stopped arriving in time") from None
        except httpx.TransportError as exc:  # the connection broke mid-answer: retried like any drop
            broke = f"{type(exc).__name__}: {exc}"
            raise APIConnectionError(f"{method} {path}: the connection broke mid-answer ({broke})") from None
        finally:
            response.close()
        self.headers = response.headers
        return content

    def release(self) -> None:
        if self._holding and self._slots is not None:
            self._slots.release()
            self._holding = False


class _Clock:
    """Monotonic time plus the waits the client's `sleep` skipped.

    The engine waits through `client.sleep` when it has nothing in flight. A client whose
    `sleep` records waits instead of sleeping (as tests do) moves the clock on by the
    wait, so the engine's schedule behaves as if the time had passed.
    """

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    def sleep(self, seconds: float) -> None:
        started = time.monotonic()
        self._sleep(seconds)
        self.skipped += max(seconds - (time.monotonic() - started), 0.0)


@dataclass
class Batch:
    """Positions sent in one request, their summed cost, and how often they were tried."""

    number: int
    positions: Any  # an integer numpy array of positions in `items`
    cost: float = 0.0
    attempts: int = 0
    rate_limited: int = 0  # attempts answered 429: waited out, not counted against max_retries
    # One key for every attempt: a server that honours it runs a retried request once,
    # even when the first answer was lost on the way back.
    key: str = field(default_factory=lambda: f"ow-bulk-{uuid.uuid4().hex}")


def plan_batches(
    positions: Sequence[int],
    *,
    max_items: int,
    costs: Sequence[float] | None = None,
    max_cost: float | None = None,
) -> list[Batch]:
    """Greedy batches in input order: at most `max_items` positions and `max_cost` summed cost.

    `costs[position]` is a position's cost; an item costing more than `max_cost` alone
    gets a batch of its own (the caller refuses such items earlier if they cannot go).
    """
    import numpy as np

    order = np.asarray(positions, dtype=np.int64)
    spent = np.cumsum(np.asarray(costs, dtype=np.float64)[order]) if costs is not None else None
    batches: list[Batch] = []
    start = 0
    while start < len(order):
        end = min(start + max_items, len(order))
        if spent is not None and max_cost is not None:
            before = spent[start - 1] if start else 0.0
            fits = int(np.searchsorted(spent, before + max_cost, side="right"))
            end = max(min(end, fits), start + 1)  # at least one item, however costly
        cost = float(spent[end - 1] - (spent[start - 1] if start else 0.0)) if spent is not None else 0.0
        batches.append(Batch(len(batches), order[start:end], cost))
        start = end
    return batches


def run(
    items: Sequence[T],
    send: Callable[[Sender, list[T]], R],
    collect: Callable[[list[int], R], None],
    *,
    client: BaseClient,
    max_items: int = 1,
    costs: Sequence[float] | None = None,
    max_cost: float | None = None,
    skip: Collection[int] = (),
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
    max_retries: int | None = None,
    progress: bool | None = None,
    description: str = "",
    unit: str = "input",
) -> BulkStats:
    """Run `send` over batches of `items` and `collect` the results (see the module docstring).

    `costs` (tokens per item) feed `max_cost` per request and the `tokens_per_minute`
    pacing. `max_retries` None means the client's. `progress=None` shows a progress bar
    when there is more than one batch.
    """
    if max_retries is None:
        max_retries = client.max_retries
    check_settings(max_concurrency, requests_per_minute, tokens_per_minute, max_retries)
    import numpy as np

    finished = np.zeros(len(items), dtype=bool)  # what is done, skipped positions included
    skipped = [p for p in skip if 0 <= p < len(items)]
    finished[skipped] = True
    batches = plan_batches(np.flatnonzero(~finished), max_items=max_items, costs=costs, max_cost=max_cost)
    clock = _Clock(client.sleep)
    job = _Run(
        items,
        send,
        collect,
        client=client,
        batches=batches,
        governor=RateGovernor(max_concurrency, requests_per_minute, tokens_per_minute, clock=clock),
        clock=clock,
        max_retries=max_retries,
        finished=finished,
    )
    show = len(batches) > 1 if progress is None else progress
    with _progress_bar(show, len(items), int(finished.sum()), description, unit) as bar:
        job.bar = bar
        return job.execute()


def check_settings(
    max_concurrency: Any, requests_per_minute: Any, tokens_per_minute: Any, max_retries: Any
) -> None:
    """Refuse settings the engine cannot use, before anything is sent (None: the default)."""
    whole_number(max_concurrency, "max_concurrency", minimum=1, maximum=MAX_CONCURRENCY)
    positive_number(requests_per_minute, "requests_per_minute", optional=True)
    positive_number(tokens_per_minute, "tokens_per_minute", optional=True)
    whole_number(max_retries, "max_retries", minimum=0, optional=True)


@dataclass
class _Run(Generic[T, R]):
    """One execution of `run`: the coordinator loop in the calling thread."""

    items: Sequence[T]
    send: Callable[[Sender, list[T]], R]
    collect: Callable[[list[int], R], None]
    client: BaseClient
    batches: list[Batch]
    governor: RateGovernor
    clock: _Clock
    max_retries: int
    finished: Any  # a boolean array: which positions are done
    bar: Any = None
    cost_scale: float = 1.0  # what batches really cost / what was estimated
    stats: BulkStats = field(default_factory=BulkStats)
    _fresh: deque = field(default_factory=deque)
    _retry_heap: list = field(default_factory=list)  # (ready at, tie-breaker, batch)
    _in_flight: dict = field(default_factory=dict)  # future -> batch
    _order: Any = field(default_factory=itertools.count)
    _slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(READING_SLOTS))

    def execute(self) -> BulkStats:
        self._fresh.extend(self.batches)
        self.stats.skipped = self._done_count()
        started = time.monotonic()
        pool = futures.ThreadPoolExecutor(self.governor.max_concurrency, thread_name_prefix="openai-bulk")
        try:
            self._loop(pool)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)  # answers still on the way are dropped
            self.stats.seconds = time.monotonic() - started
            raise self._interrupted() from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        self.stats.seconds = time.monotonic() - started
        self.stats.items = self._done_count()
        return self.stats

    # -- the loop --------------------------------------------------------------------

    def _loop(self, pool: futures.ThreadPoolExecutor) -> None:
        while self._fresh or self._retry_heap or self._in_flight:
            wake = self._dispatch(pool)
            if self._in_flight:
                finished, _ = futures.wait(
                    list(self._in_flight), timeout=min(wake, _IDLE_WAKE), return_when=futures.FIRST_COMPLETED
                )
                for future in finished:
                    self._finish(future)
            elif wake > 0:
                self.clock.sleep(math.ceil(wake * 1000) / 1000)  # whole ms: a Retry-After is waited as said

    def _dispatch(self, pool: futures.ThreadPoolExecutor) -> float:
        """Send what may go now; return seconds until something else may (inf: a completion)."""
        while True:
            batch, ready_in = self._next_batch()
            if batch is None:
                return ready_in
            cost = batch.cost * self.cost_scale
            delay = self.governor.delay(cost, len(self._in_flight))
            if delay is None:
                return float("inf")
            if delay > 0:
                return delay
            self._take(batch)
            self.governor.on_send(cost)
            batch.attempts += 1
            self.stats.requests += 1
            future = pool.submit(self._attempt, batch)
            self._in_flight[future] = batch

    def _next_batch(self) -> tuple[Batch | None, float]:
        """The batch to send next (retries first, once their wait is over) and seconds until ready."""
        now = self.clock()
        if self._retry_heap and self._retry_heap[0][0] <= now:
            return self._retry_heap[0][2], 0.0
        if self._fresh:
            return self._fresh[0], 0.0
        if self._retry_heap:
            return None, self._retry_heap[0][0] - now
        return None, float("inf")

    def _take(self, batch: Batch) -> None:
        if self._retry_heap and self._retry_heap[0][2] is batch:
            heapq.heappop(self._retry_heap)
        else:
            self._fresh.popleft()

    def _attempt(self, batch: Batch) -> tuple[R, Sender]:
        """In a worker thread: one attempt at one batch."""
        sender = Sender(self.client, self._slots, batch.key)
        try:
            result = self.send(sender, [self.items[p] for p in batch.positions])
        finally:
            sender.release()
        return result, sender

    # -- outcomes --------------------------------------------------------------------

    def _finish(self, future: futures.Future) -> None:
        batch = self._in_flight.pop(future)
        error = future.exception()
        if error is None:
            try:
                self._succeeded(batch, *future.result())
            except Exception as exc:  # `collect` failed: stop, keeping what is done
                self._fail(exc, batch)
            return
        delay = self._retry_delay(batch, error)
        if delay is None:
            self._fail(error, batch)
        self.stats.retries += 1
        heapq.heappush(self._retry_heap, (self.clock() + delay, next(self._order), batch))

    def _succeeded(self, batch: Batch, result: R, sender: Sender) -> None:
        if sender.cost is not None and batch.cost > 0:
            ratio = min(max(float(sender.cost) / batch.cost, 0.05), 4.0)
            self.cost_scale = 0.5 * self.cost_scale + 0.5 * ratio
        self.governor.on_success(sender.headers)
        self.collect(batch.positions, result)
        self.finished[batch.positions] = True
        if self.bar is not None:
            self.bar.update(len(batch.positions))
            self.bar.set_postfix_str(self._postfix(), refresh=False)

    def _retry_delay(self, batch: Batch, error: BaseException) -> float | None:
        """Seconds before this batch goes again, or None when it must not.

        A 429 is waited out without counting against `max_retries` (up to
        MAX_RATE_LIMIT_WAITS times); other failures count.
        """
        if isinstance(error, RateLimitError):
            if error.code == "insufficient_quota" or batch.rate_limited >= MAX_RATE_LIMIT_WAITS:
                return None
            batch.rate_limited += 1
            wait = error.retry_after
            if wait is None:
                wait = backoff_delay(batch.rate_limited - 1)
            if wait > MAX_RETRY_AFTER:
                return None
            self.stats.rate_limited += 1
            self.governor.on_rate_limited(wait)
            return wait
        failures = batch.attempts - batch.rate_limited
        if failures > self.max_retries:
            return None
        if isinstance(error, APIStatusError):
            if not (error.status_code in {408, 409} or error.status_code >= 500):
                return None
            self.governor.on_error()
            wait = error.retry_after
            return wait if wait is not None and wait <= MAX_RETRY_AFTER else backoff_delay(failures - 1)
        if isinstance(error, APIConnectionError) and not isinstance(error, StreamInterruptedError):
            self.governor.on_error()
            return backoff_delay(failures - 1)
        return None

    def _fail(self, error: BaseException, batch: Batch) -> NoReturn:
        """Stop sending, keep what finishes meanwhile, and raise BulkError."""
        self._fresh.clear()
        self._retry_heap.clear()
        while self._in_flight:
            finished, _ = futures.wait(list(self._in_flight), return_when=futures.FIRST_COMPLETED)
            for future in finished:
                other = self._in_flight.pop(future)
                if future.exception() is None:
                    with contextlib.suppress(Exception):  # a batch that cannot be kept stays missing
                        self._succeeded(other, *future.result())
        total = len(self.items)
        tries = f" after {batch.attempts} attempts" if batch.attempts > 1 else ""
        done = self._done_count()
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
            f"interrupted: {self._done_count()} of {total} {self._unit()}s done.",
            done=self._done_list(),
            total=total,
            stats=self.stats,
        )

    def _done_count(self) -> int:
        return int(self.finished.sum())

    def _done_list(self) -> list[int]:
        return [int(p) for p in self.finished.nonzero()[0]]

    def _unit(self) -> str:
        return getattr(self.bar, "unit", None) or "item"

    def _postfix(self) -> str:
        text = f"{len(self._in_flight)} in flight"
        if self.stats.rate_limited:
            text += f", {self.stats.rate_limited} rate-limited"
        return text


def _read_body(response: Any) -> bytes:
    """The body, read into one buffer of its announced size when it has one.

    Read into our own buffer, not onto the response: a streamed httpx response sits in a
    reference cycle, so a body kept on it would stay in memory until the garbage collector
    runs. With a Content-Length and no compression, chunks go straight into place (no list
    of chunks, then a joined copy).
    """
    if hasattr(response, "_content"):  # already read (a transport that answers from memory)
        return response.content
    length = response.headers.get("content-length")
    if (
        not length
        or not length.isdigit()
        or response.headers.get("content-encoding", "identity") != "identity"
    ):
        return b"".join(response.iter_bytes())
    buffer = bytearray(int(length))
    view = memoryview(buffer)
    filled = 0
    for chunk in response.iter_raw():
        view[filled : filled + len(chunk)] = chunk
        filled += len(chunk)
    view.release()
    if filled != len(buffer):
        del buffer[filled:]  # a body shorter than announced: what arrived, for the parser to judge
    return buffer


def _json_of(content: bytes, what: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise APIResponseValidationError(
            f"{what}: the server sent a body that is not valid JSON ({len(content)} bytes): {content[:120]!r}"
        ) from None


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if text.endswith((".", ")")) else text + "."


class _NoBar:
    unit = "item"

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def update(self, n: int) -> None:
        pass

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def _progress_bar(show: bool, total: int, initial: int, description: str, unit: str) -> Any:
    """A tqdm.auto bar (a widget in Jupyter, text in a terminal) with count, rate and ETA."""
    if not show:
        return _NoBar(unit)
    from tqdm.auto import tqdm

    big = total >= 10_000  # "100k/100k" reads better than "100000/100000"; "6/6" better than "6.00/6.00"
    return tqdm(total=total, initial=initial, desc=description or None, unit=unit, unit_scale=big)
