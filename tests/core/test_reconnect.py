"""Reconnecting closes the default client it replaces (no `ResourceWarning: unclosed socket`),
but only one the package made, and a closed client still works for whoever holds it."""

from __future__ import annotations

import gc
import warnings

import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY


@pytest.fixture
def no_default():
    ow.set_client(None)
    yield
    ow.set_client(None)


def socket_warnings(action) -> list[str]:
    """The ResourceWarnings raised while `action` runs and its garbage is collected."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        action()
        gc.collect()
    return [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)]


def test_a_dropped_client_with_open_connections_warns(sandbox):
    def use_and_drop():
        ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url).models()

    assert any("unclosed" in message for message in socket_warnings(use_and_drop)), "the check can fail"


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_reconnecting_closes_the_client_it_replaces(sandbox, no_default):
    def reconnect_three_times():
        for _ in range(3):
            ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)
            ow.models()

    assert socket_warnings(reconnect_three_times) == []
    current = ow.get_client()
    ow.set_client(None)
    assert current.closed  # forgetting the default closes one the package made


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_a_replaced_client_still_works_for_whoever_holds_it(sandbox, no_default):
    first = ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)
    first.models()
    second = ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)
    assert first.closed and not second.closed
    assert len(first.models()) >= 19  # reopens its connections
    assert not first.closed
    faster = first.with_options(timeout=5)  # copies share the reopened connections
    assert len(faster.models()) >= 19
    first.close()
    assert faster.closed


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_a_client_given_to_set_client_is_never_closed_for_its_owner(sandbox, no_default):
    mine = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    ow.set_client(mine)
    ow.models()
    ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)
    assert not mine.closed
    ow.set_client(None)
    assert len(mine.models()) >= 19
    mine.close()


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_the_magic_and_the_credential_form_reconnect_cleanly(ip, sandbox, no_default, capsys):
    from openai_widgets.widgets import CredentialWidget

    def connect_both_ways():
        for _ in range(2):
            ip.run_line_magic("openai", "connect --sandbox")
            form = CredentialWidget()
            form.key.value, form.base_url.value = TEST_KEY, sandbox.base_url
            form.connect_button.click()
            assert form.client is ow.get_client()

    assert socket_warnings(connect_both_ways) == []
