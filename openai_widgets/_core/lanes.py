"""Several small asynchronous connection pools in parallel, for thousands of requests in flight.

httpcore's pool looks over every connection it holds each time a request starts or ends,
so one pool of a few hundred connections spends more CPU on its own bookkeeping than on
the requests (measured: two thirds of the client's time at 150 requests in flight). The
same connections split over lanes of `LANE_CONNECTIONS` each cost a small, constant
amount per request. Each request goes to the lane with the fewest answers still open,
and a new lane opens when every lane is full, up to `MAX_CONNECTIONS` connections in all.

Even at 32 connections httpcore 1.0's bookkeeping is costly: for every connection it
counts the idle ones again (a square of the pool's size, three times a request) and asks
each whether it has expired (a system call each, to see whether the server closed it).
`_LeanPool` keeps the same rules in one pass: a connection is asked whether it expired
when it is about to be reused, and every idle one at most once every `SWEEP_SECONDS`
(so idle connections past their keep-alive still close); a connection already handed to
a request is not handed to another before that one is done with it. A lane's pool becomes one when
it is httpcore's own HTTP/1.1 pool (a transport given for tests is left as it is).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import cast

import httpcore
import httpx

from .constants import MAX_CONNECTIONS

__all__ = ["LANE_CONNECTIONS", "AsyncLanes"]

LANE_CONNECTIONS = 32
SWEEP_SECONDS = 1.0  # how often a pool looks at all its idle connections for expired ones


class AsyncLanes:
    """Sends requests on the least busy of several `httpx.AsyncClient`s made by `make_lane(size)`."""

    def __init__(self, make_lane: Callable[[int], httpx.AsyncClient]) -> None:
        self._make_lane = make_lane
        self._lanes: list[httpx.AsyncClient] = []
        self._open: list[int] = []  # answers not yet closed, per lane

    async def send(self, request: httpx.Request) -> httpx.Response:
        """`AsyncClient.send(request, stream=True)` on a lane; closing the answer frees its place."""
        lane = self._pick()
        self._open[lane] += 1
        try:
            response = await self._lanes[lane].send(request, stream=True)
        except BaseException:
            self._open[lane] -= 1
            raise
        if response.is_closed:  # an answer read before it was handed over (a test transport's)
            self._release(lane)
        else:
            # An AsyncClient's answers always stream asynchronously (httpx asserts it on receipt).
            stream = cast(httpx.AsyncByteStream, response.stream)
            response.stream = _Counted(stream, lambda: self._release(lane))
        return response

    def _pick(self) -> int:
        if self._lanes:
            lane = min(range(len(self._lanes)), key=self._open.__getitem__)
            if self._open[lane] < LANE_CONNECTIONS or len(self._lanes) * LANE_CONNECTIONS >= MAX_CONNECTIONS:
                return lane
        self._lanes.append(_lean(self._make_lane(LANE_CONNECTIONS)))
        self._open.append(0)
        return len(self._lanes) - 1

    def _release(self, lane: int) -> None:
        self._open[lane] -= 1

    @property
    def lanes(self) -> int:
        return len(self._lanes)

    async def aclose(self) -> None:
        for lane in self._lanes:
            await lane.aclose()
        self._lanes.clear()
        self._open.clear()


class _Counted(httpx.AsyncByteStream):
    """An answer's body stream that tells its lane once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._on_close is not None:
                done, self._on_close = self._on_close, None
                done()


def _lean(lane: httpx.AsyncClient) -> httpx.AsyncClient:
    """The lane, its pool made a `_LeanPool` when it is httpcore's own HTTP/1.1 pool."""
    pool = getattr(getattr(lane, "_transport", None), "_pool", None)
    if (
        type(pool) is httpcore.AsyncConnectionPool
        and not getattr(pool, "_http2", True)
        and all(hasattr(pool, name) for name in _POOL_STATE)
    ):
        pool.__class__ = _LeanPool
    return lane


_POOL_STATE = ("_connections", "_requests", "_max_connections", "_max_keepalive_connections")


class _LeanPool(httpcore.AsyncConnectionPool):
    """httpcore's HTTP/1.1 pool, its bookkeeping in one pass (see the module docstring)."""

    def _assign_requests_to_connections(self) -> list:  # same contract as httpcore's
        closing = []
        kept = []
        idle = 0
        now = time.monotonic()
        sweep = now >= getattr(self, "_next_sweep", 0.0)
        if sweep:
            self._next_sweep = now + SWEEP_SECONDS
        for held in self._connections:
            if held.is_closed():
                continue  # removed, as httpcore does
            if held.is_idle():  # an HTTP/1.1 connection can only expire while idle
                if (sweep and held.has_expired()) or idle >= self._max_keepalive_connections:
                    closing.append(held)
                    continue
                idle += 1
            kept.append(held)
        self._connections[:] = kept

        # HTTP/1.1: one request a connection. A connection handed to a request that has not
        # started on it yet still looks idle; handing it out again makes one of the two
        # fail with ConnectionNotAvailable and start over (httpcore does: 6 tries a request
        # were measured at 100 in flight).
        given = {id(r.connection) for r in self._requests if r.connection is not None}
        for pool_request in self._requests:
            if not pool_request.is_queued():
                continue
            origin = pool_request.request.url.origin
            connection = self._reusable(origin, given, closing)
            if connection is None:
                if len(self._connections) >= self._max_connections:
                    spare = next((c for c in self._connections if id(c) not in given and c.is_idle()), None)
                    if spare is None:
                        continue  # stays queued until a connection is free
                    self._connections.remove(spare)  # an idle connection to another origin makes room
                    closing.append(spare)
                connection = self.create_connection(origin)
                self._connections.append(connection)
            given.add(id(connection))
            pool_request.assign_to_connection(connection)
        return closing

    def _reusable(
        self, origin: httpcore.Origin, given: set[int], closing: list[httpcore.AsyncConnectionInterface]
    ) -> httpcore.AsyncConnectionInterface | None:
        """An available connection to `origin` not given a request yet; expired ones found are closed."""
        for connection in list(self._connections):
            if id(connection) in given or not connection.can_handle_request(origin):
                continue
            if not connection.is_available():
                continue
            if connection.has_expired():  # the server closed it, or its keep-alive ran out
                self._connections.remove(connection)
                closing.append(connection)
                continue
            return connection
        return None
