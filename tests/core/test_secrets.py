"""The key never shows: not in reprs, errors, tracebacks (plain or verbose), nor logs."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.secrets import Secret, mask, redact
from tests.conftest import TEST_KEY


def make_client(base_url):
    return ow.Client(api_key=TEST_KEY, base_url=base_url, max_retries=0)


def failures(sandbox):
    """Ways a call can fail with the key in play; the calling lines themselves never name the key."""
    client = make_client(sandbox.base_url)
    unreachable = make_client("http://127.0.0.1:9/v1")
    sandbox.api_keys = {"sk-another-key-entirely"}
    yield lambda: client.models()  # 401: the server echoes part of the key
    sandbox.api_keys = None
    yield lambda: client.model("missing")
    yield lambda: unreachable.models()
    sandbox.inject("reset")
    yield lambda: client.models()
    sandbox.inject("status", status=429, retry_after=3600)
    yield lambda: client.models()
    yield lambda: client.org_usage("completions", "1d")  # an admin route, and no admin key


def test_errors_and_their_tracebacks_never_hold_the_key(sandbox):
    from IPython.core.ultratb import VerboseTB

    for fail in failures(sandbox):
        with pytest.raises(ow.OpenAIError) as info:
            fail()
        error = info.value
        assert TEST_KEY not in str(error) and TEST_KEY not in repr(error)
        assert TEST_KEY not in "".join(traceback.format_exception(error))
        verbose = VerboseTB(include_vars=True).text(type(error), error, error.__traceback__)
        assert TEST_KEY not in verbose, "the key is in a verbose traceback (which shows every frame's locals)"


def test_a_key_pasted_into_a_path_is_redacted_from_the_error():
    client = make_client("http://127.0.0.1:9/v1")
    with pytest.raises(ow.APIConnectionError) as info:
        client.request("GET", f"models/{TEST_KEY}")
    assert TEST_KEY not in str(info.value)


def test_logs_at_every_level_never_hold_the_key(sandbox, caplog):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=1)
    client.sleep = lambda s: None
    with caplog.at_level(logging.DEBUG):
        for name in ("openai_widgets", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        sandbox.inject("status", status=503)
        client.models()
        logging.getLogger("openai_widgets").debug("a careless message with %s", TEST_KEY)
    assert caplog.records, "expected log records to inspect"
    for record in caplog.records:
        assert TEST_KEY not in record.getMessage()


def test_secret_objects_do_not_show_their_value():
    secret = Secret(TEST_KEY)
    assert TEST_KEY not in repr(secret) and TEST_KEY not in str(secret) and TEST_KEY not in f"{secret}"
    assert secret.reveal() == TEST_KEY
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        (TEST_KEY, f"sk-...{TEST_KEY[-4:]}"),
        ("sk-proj-abcdefghijklmnop", "sk-...mnop"),
        ("short", "***"),
        ("", "(none)"),
        ("abcdefghijklmnopqrs", "...pqrs"),
    ],
)
def test_mask(key, shown):
    assert mask(key) == shown


def test_redact_removes_every_registered_key():
    Secret("sk-registered-key-000000001")
    assert redact("a sk-registered-key-000000001 b") == "a sk-...0001 b"


def test_httpx_request_reprs_do_not_show_the_key(sandbox):
    seen = []
    client = ow.Client(
        api_key=TEST_KEY,
        transport=httpx.MockTransport(
            lambda r: seen.append(r) or httpx.Response(200, json={"object": "list", "data": []})
        ),
    )
    client.models()
    assert TEST_KEY not in repr(seen[0]) and TEST_KEY not in repr(seen[0].headers)
