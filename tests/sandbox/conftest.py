"""Fixtures for the sandbox's vector store and upload tests: an HTTP client that checks the spec."""

from __future__ import annotations

import pytest

from .stores import Api


@pytest.fixture
def api(sandbox, spec):
    """httpx on the sandbox, requests and answers checked against the spec; indexing takes 0.1 s."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.1
    with Api(sandbox, spec) as made:
        yield made
    sandbox.index_seconds = before
