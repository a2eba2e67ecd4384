"""One event loop in a background thread, for work that keeps many requests in flight.

Inside Jupyter an event loop already runs in the kernel's thread, so `asyncio.run()` in a
cell fails. Work that wants asyncio (the bulk engine's thousands of requests in flight
on one connection pool) runs its coroutines here instead: one loop per process, in a
daemon thread of its own, started on first use. The calling thread waits on the
`concurrent.futures.Future` that `submit` returns, so Ctrl-C reaches the caller, which
decides what to stop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["background_loop", "run", "submit"]

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_threads: list[threading.Thread] = []
_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    """The process's background loop, running (started on first use)."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed() or not _thread_alive():
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            thread = threading.Thread(target=serve, name="openai-widgets-loop", daemon=True)
            thread.start()
            ready.wait()
            _loop, _threads[:] = loop, [thread]
        return _loop


def _thread_alive() -> bool:
    """Whether the loop's thread still runs (an exception that escaped a task would end it)."""
    return bool(_threads) and _threads[0].is_alive()


def submit(coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule `coroutine` on the background loop; its future, for the calling thread."""
    return asyncio.run_coroutine_threadsafe(coroutine, background_loop())


def run(coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run `coroutine` on the background loop and wait for its result (no interrupt handling)."""
    return submit(coroutine).result(timeout)


def in_background_loop() -> bool:
    """Whether the caller runs on the background loop (where blocking on it would deadlock)."""
    try:
        return asyncio.get_running_loop() is _loop
    except RuntimeError:
        return False
