"""A small thread pool for uploads that stops cleanly.

Uploads are few and large, so a handful of threads send them (threads, not asyncio: a
notebook's event loop is already running). On the first failure, on Ctrl-C (which lands
in the waiting main thread), or when a `parent` event is set, the other tasks are told to
stop through the event they were given, the tasks not started are dropped, and the running
ones are waited for: their readers raise `Stopped` within one chunk, so no thread is left
sending when `run_tasks` returns. What finished is kept, to resume from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .parts import Stopped

__all__ = ["Outcome", "run_tasks"]

_WAKE = 0.2  # seconds; the waiting thread looks at the parent event this often


@dataclass
class Outcome:
    """Results by task index, and what stopped the run (None when every task finished)."""

    results: dict[int, Any] = field(default_factory=dict)
    error: BaseException | None = None


def run_tasks(
    count: int,
    work: Callable[[int, threading.Event], Any],
    *,
    workers: int,
    parent: threading.Event | None = None,
    name: str = "openai-upload",
) -> Outcome:
    """Run `work(index, stop)` for each index below `count` on at most `workers` threads."""
    outcome = Outcome()
    if count == 0:
        return outcome
    stop = threading.Event()

    def guarded(index: int) -> Any:
        if stop.is_set():  # a task that did not start before the stop never starts
            raise Stopped("the uploads were stopped")
        try:
            return work(index, stop)
        except BaseException:
            stop.set()  # at once, not when the waiting thread wakes: no further task starts
            raise

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, count)), thread_name_prefix=name)
    futures = {pool.submit(guarded, index): index for index in range(count)}
    try:
        pending = set(futures)
        while pending and outcome.error is None:
            done, pending = wait(pending, timeout=_WAKE, return_when=FIRST_COMPLETED)
            for future in done:
                _collect(future, futures[future], outcome)
            if parent is not None and parent.is_set() and outcome.error is None:
                outcome.error = Stopped("the uploads were stopped")
    except KeyboardInterrupt as interrupt:
        outcome.error = interrupt
    finally:
        if outcome.error is not None:
            stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    for future, index in futures.items():  # tasks that ended while the others were stopping
        if future.done() and not future.cancelled() and index not in outcome.results:
            _collect(future, index, outcome)
    return outcome


def _collect(future: Future, index: int, outcome: Outcome) -> None:
    error = future.exception()
    if error is None:
        outcome.results[index] = future.result()
    elif outcome.error is None or (isinstance(outcome.error, Stopped) and not isinstance(error, Stopped)):
        outcome.error = error  # the first real failure, not the stops it caused
