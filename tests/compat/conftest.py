"""The second OpenAI-compatible server (LLMock, from PyPI), run on loopback for the compatibility suite."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

STARTUP_SECONDS = 60.0  # a cold start imports FastAPI and ten provider routers


@dataclass(frozen=True)
class SecondServer:
    """A running server: where it listens and where its log goes."""

    url: str
    log_path: str

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def llmock_server(*options: str) -> Iterator[SecondServer]:
    """`llmock serve` as a subprocess on a free loopback port; stopped (and reaped) on exit."""
    port = free_port()
    handle, log_path = tempfile.mkstemp(prefix="llmock-", suffix=".log")
    server = SecondServer(f"http://127.0.0.1:{port}", log_path)
    # Only this process's own settings reach the server: no LLMOCK_* from the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOCK_")}
    command = [sys.executable, "-m", "llmock.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    try:
        with os.fdopen(handle, "wb") as log:
            process = subprocess.Popen(
                [*command, "--log-level", "warning", *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
            try:
                _wait_until_ready(process, server)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
    finally:
        os.unlink(log_path)


def _wait_until_ready(process: subprocess.Popen, server: SecondServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llmock exited with {process.returncode} while starting:\n{server.log()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"llmock did not answer /health within {STARTUP_SECONDS:.0f} s:\n{server.log()}")


@pytest.fixture(scope="session")
def second_server() -> Iterator[SecondServer]:
    """LLMock answering in its `echo` style: each reply quotes the last user message."""
    with llmock_server("--response-style", "echo") as server:
        yield server


# -- the official SDK on the sandbox ------------------------------------------------------------


@pytest.fixture
def sdk(sandbox):
    """The official client on the sandbox; no retries, so every failure shows at once."""
    import openai

    from tests.conftest import TEST_KEY

    with openai.OpenAI(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0, timeout=30) as made:
        yield made


@pytest.fixture(autouse=True)
def _claimed_routes_are_reached(request, sandbox):
    """A test named in its module's ROUTES must really call each route it claims, and get a 2xx."""
    yield
    claimed = {
        route
        for route, test in getattr(request.module, "ROUTES", {}).items()
        if test == request.node.originalname
    }
    if not claimed:
        return
    from openai_widgets.sandbox.routes import find_route

    from .sdk_routes import route_name

    reached = set()
    for logged in sandbox.requests:
        found = find_route(logged.method, logged.path)
        if found and logged.status is not None and 200 <= logged.status < 300:
            reached.add(route_name(found[0]))
    assert claimed <= reached, f"claimed but never answered with 2xx: {sorted(claimed - reached)}"
