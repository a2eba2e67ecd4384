"""Several small asynchronous connection pools in parallel, for thousands of requests in flight.

httpcore's pool looks over every connection it holds each time a request starts or ends,
so one pool of a few hundred connections spends more CPU on its own bookkeeping than on
the requests (measured: two thirds of the client's time at 150 requests in flight). The
same connections split over lanes of `LANE_CONNECTIONS` each cost a small, constant
amount per request. Each request goes to the lane with the fewest answers still open,
and a new lane opens when every lane is full, up to `MAX_CONNECTIONS` connections in all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

from .constants import MAX_CONNECTIONS

__all__ = ["LANE_CONNECTIONS", "AsyncLanes"]

LANE_CONNECTIONS = 32


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
            response.stream = _Counted(response.stream, lambda: self._release(lane))
        return response

    def _pick(self) -> int:
        if self._lanes:
            lane = min(range(len(self._lanes)), key=self._open.__getitem__)
            if self._open[lane] < LANE_CONNECTIONS or len(self._lanes) * LANE_CONNECTIONS >= MAX_CONNECTIONS:
                return lane
        self._lanes.append(self._make_lane(LANE_CONNECTIONS))
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
                self._on_close, done = None, self._on_close
                done()
