"""Fixtures of the evals tests: a client whose eval runs take a fifth of a second."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def evals_client(sandbox, client):
    """`client`, with eval runs of 0.2 s on the sandbox and real (short) waits between looks."""
    before = sandbox.eval_seconds
    sandbox.eval_seconds = 0.2
    client.sleep = time.sleep
    yield client
    sandbox.eval_seconds = before
