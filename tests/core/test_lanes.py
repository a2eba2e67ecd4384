"""Lanes of connection pools: the lean pool keeps httpcore's rules (reuse, limits, expiry) at less cost."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time

import httpcore
import httpx
import pytest

from openai_widgets._core import aio, lanes


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    idle_timeout: float | None = None  # seconds an idle connection stays open on the server's side

    def setup(self) -> None:
        super().setup()
        if self.idle_timeout is not None:
            self.connection.settimeout(self.idle_timeout)
        with self.server.lock:
            self.server.connections += 1
            self.server.open_now += 1
            self.server.peak_open = max(self.server.peak_open, self.server.open_now)

    def finish(self) -> None:
        with self.server.lock:
            self.server.open_now -= 1
        super().finish()

    def do_GET(self) -> None:
        time.sleep(self.server.delay)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(request):
    """A keep-alive HTTP/1.1 server on 127.0.0.1 counting the connections it accepts."""
    handler = type("Handler", (_Handler,), {"idle_timeout": getattr(request, "param", None)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    httpd.connections = httpd.open_now = httpd.peak_open = 0
    httpd.delay = 0.0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def make_lanes(connections: int = lanes.LANE_CONNECTIONS) -> lanes.AsyncLanes:
    def lane(size: int) -> httpx.AsyncClient:
        size = min(size, connections)
        return httpx.AsyncClient(limits=httpx.Limits(max_connections=size, max_keepalive_connections=size))

    return lanes.AsyncLanes(lane)


def get_many(pool: lanes.AsyncLanes, url: str, count: int) -> list[int]:
    async def one() -> int:
        response = await pool.send(httpx.Request("GET", url))
        try:
            await response.aread()
            return response.status_code
        finally:
            await response.aclose()

    async def many() -> list[int]:
        return list(await asyncio.gather(*(one() for _ in range(count))))

    return aio.run(many(), timeout=30)


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def test_a_lane_runs_on_the_lean_pool_and_reuses_its_connections(server):
    pool = make_lanes()
    try:
        for _ in range(10):  # ten rounds of eight at once
            assert get_many(pool, url_of(server), 8) == [200] * 8
        [lane] = pool._lanes
        assert type(lane._transport._pool).__name__ == "_LeanPool"
        assert server.connections <= 8  # every round found the connections of the last one
        assert pool._open == [0]
    finally:
        aio.run(pool.aclose(), timeout=10)


def test_more_requests_than_a_lane_has_connections_wait_for_one(server):
    server.delay = 0.05
    pool = make_lanes(connections=3)
    try:
        assert get_many(pool, url_of(server), 12) == [200] * 12  # one lane (12 < 32), 3 connections
        assert pool.lanes == 1
        assert server.peak_open <= 3
        assert server.connections == 3
    finally:
        aio.run(pool.aclose(), timeout=10)


@pytest.mark.parametrize("server", [0.2], indirect=True)
def test_a_connection_the_server_closed_while_idle_is_not_reused(server):
    pool = make_lanes()
    try:
        assert get_many(pool, url_of(server), 4) == [200] * 4
        deadline = time.monotonic() + 5
        while server.open_now and time.monotonic() < deadline:  # the server drops its idle ends
            time.sleep(0.05)
        assert server.open_now == 0
        assert get_many(pool, url_of(server), 4) == [200] * 4  # new connections, no error
        assert server.connections == 8
    finally:
        aio.run(pool.aclose(), timeout=10)


@pytest.fixture
def other_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    httpd.connections = httpd.open_now = httpd.peak_open = 0
    httpd.delay = 0.0
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_idle_connections_past_their_keep_alive_close_at_the_next_sweep(server, other_server, monkeypatch):
    monkeypatch.setattr(lanes, "SWEEP_SECONDS", 0.0)

    def lane(size: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=size, keepalive_expiry=0.05)
        return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(limits=limits))

    pool = lanes.AsyncLanes(lane)
    try:
        assert get_many(pool, url_of(server), 4) == [200] * 4
        time.sleep(0.2)
        # a request elsewhere never looks at those four to reuse them: the sweep closes them
        assert get_many(pool, url_of(other_server), 1) == [200]
        [client] = pool._lanes
        assert type(client._transport._pool).__name__ == "_LeanPool"
        assert len(client._transport._pool.connections) == 1
        deadline = time.monotonic() + 5
        while server.open_now and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.open_now == 0
    finally:
        aio.run(pool.aclose(), timeout=10)


def test_a_connection_is_handed_one_request_at_a_time(server, monkeypatch):
    # httpcore hands an idle connection to every request queued until one starts on it; all
    # but one then fail with ConnectionNotAvailable and start over, a few times a request.
    server.delay = 0.01
    tries = []
    start = httpcore.AsyncHTTPConnection.handle_async_request

    async def counted(self, request):
        tries.append(request)
        return await start(self, request)

    monkeypatch.setattr(httpcore.AsyncHTTPConnection, "handle_async_request", counted)
    pool = make_lanes(connections=8)
    try:
        for _ in range(3):
            assert get_many(pool, url_of(server), 30) == [200] * 30
        assert len(tries) == 90  # one try a request
        assert server.connections == 8
    finally:
        aio.run(pool.aclose(), timeout=10)
