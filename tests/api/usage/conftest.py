"""Fixtures of the usage tests: a private sandbox (an empty usage ledger) and an admin client on it."""

from __future__ import annotations

import pytest

import openai_widgets as ow
from openai_widgets.sandbox import SANDBOX_ADMIN_KEY, Sandbox
from tests.conftest import TEST_KEY


@pytest.fixture
def org():
    """(server, client): the client holds an API key and the sandbox's admin key."""
    with (
        Sandbox() as server,
        ow.Client(api_key=TEST_KEY, base_url=server.base_url, admin_key=SANDBOX_ADMIN_KEY) as client,
    ):
        client.sleep = lambda seconds: None
        yield server, client
