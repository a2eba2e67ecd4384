"""Fixtures of the sandbox tests: spec-checking HTTP clients (a normal key, an admin key, stores)."""

from __future__ import annotations

import httpx
import pytest

from openai_widgets.sandbox import SANDBOX_ADMIN_KEY

from ..conftest import TEST_KEY
from .api import SpecClient
from .stores import Api


@pytest.fixture
def api(sandbox, spec):
    """A spec-checking client with an ordinary key; eval runs take 0.2 s."""
    before = sandbox.eval_seconds
    sandbox.eval_seconds = 0.2
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"}, timeout=10
    ) as http:
        yield SpecClient(http, spec)
    sandbox.eval_seconds = before


@pytest.fixture
def admin(sandbox, spec):
    """A spec-checking client with an admin key (the sandbox's rule: it starts with sk-admin-)."""
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": f"Bearer {SANDBOX_ADMIN_KEY}"}, timeout=10
    ) as http:
        yield SpecClient(http, spec)


@pytest.fixture
def store_api(sandbox, spec):
    """httpx on the sandbox for vector stores and uploads, checked against the spec; indexing takes 0.1 s."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.1
    with Api(sandbox, spec) as made:
        yield made
    sandbox.index_seconds = before
