"""The key never shows: not in reprs, errors, tracebacks (plain or verbose), nor logs."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.secrets import RedactingFilter, Secret, mask, redact, redact_data, register
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


# -- redaction, rule by rule -----------------------------------------------------------------------


@pytest.fixture
def known(monkeypatch):
    """An empty set of registered keys for this test (keys registered elsewhere are left out)."""
    from openai_widgets._core import secrets as _secrets

    fresh: set[str] = set()
    monkeypatch.setattr(_secrets, "_known", fresh)
    return fresh


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("abcdefghijk", "***"),  # 11 characters: too short to show any of it
        ("abcdefghijkl", "...ijkl"),  # 12: the last four
        ("sk-abcdefghi", "sk-...fghi"),
        ("SK-abcdefghi", "...fghi"),  # the prefix is shown only as keys really start
        (None, "(none)"),
    ],
)
def test_mask_boundaries(key, shown):
    assert mask(key) == shown


def test_a_key_of_eight_characters_is_registered_and_redacted(known):
    Secret("k3y-8chr")
    assert known == {"k3y-8chr"}
    assert redact("is k3y-8chr here") == "is *** here"


@pytest.mark.parametrize("key", ["", "seven77"])
def test_shorter_keys_are_not_registered_they_would_redact_ordinary_words(known, key):
    register(key)
    assert known == set()


def test_redact_leaves_text_alone_when_no_key_is_known(known):
    assert redact("nothing to hide sk-whatever-0000") == "nothing to hide sk-whatever-0000"


def test_redact_leaves_what_is_not_text_alone(known):
    register("sk-registered-key-000000002")
    assert redact(None) is None
    assert redact(42) == 42
    assert redact(b"sk-registered-key-000000002") == b"sk-registered-key-000000002"


def test_redact_replaces_every_occurrence_of_every_key_longest_first(known):
    register("sk-abcdefghijkl")
    register("sk-abcdefghijkl-longer-0099")
    text = "a sk-abcdefghijkl-longer-0099 b sk-abcdefghijkl c sk-abcdefghijkl"
    assert redact(text) == "a sk-...0099 b sk-...ijkl c sk-...ijkl"


def test_a_key_inside_a_longer_key_never_leaves_a_piece_of_the_longer_one(known):
    register("sk-key-12345678")  # sorts after the longer key, yet is replaced after it
    register("ask-key-12345678-tail")
    assert redact("ask-key-12345678-tail and sk-key-12345678") == "...tail and sk-...5678"


def test_redact_data_reaches_every_string_of_a_json_value(known):
    register("sk-nested-key-00000000042")
    key = "sk-nested-key-00000000042"
    value = {"error": {"message": f"bad {key}", key: [1, 2.5, None, True, (f"x{key}", "y")]}, "n": 3}
    assert redact_data(value) == {
        "error": {"message": "bad sk-...0042", "sk-...0042": [1, 2.5, None, True, ("xsk-...0042", "y")]},
        "n": 3,
    }
    assert type(redact_data((key,))) is tuple and type(redact_data([key])) is list
    assert redact_data(key) == "sk-...0042" and redact_data(7) == 7 and redact_data(None) is None


def test_a_secret_compares_hashes_and_tests_by_its_value(known):
    a, b, c = Secret("sk-same-value-000001"), Secret("sk-same-value-000001"), Secret("sk-other-value-00002")
    assert a == b and a != c and hash(a) == hash(b) == hash("sk-same-value-000001") != hash(c)
    assert a != "sk-same-value-000001"  # never equal to the plain text
    assert len({a, b, c}) == 2
    assert bool(a) is True and bool(Secret("")) is False
    assert known == {"sk-same-value-000001", "sk-other-value-00002"}


def test_a_secret_shows_itself_masked_and_refuses_pickling_saying_why():
    secret = Secret(TEST_KEY)
    assert repr(secret) == str(secret) == f"Secret('sk-...{TEST_KEY[-4:]}')" == f"{secret}"
    assert secret.masked == f"sk-...{TEST_KEY[-4:]}"
    with pytest.raises(TypeError) as info:
        secret.__reduce__()
    assert str(info.value) == "an API key is not pickled; connect again in the new process"


def test_the_log_filter_passes_every_record_with_keys_masked(known):
    register("sk-logged-key-00000000777")
    handler_saw = []

    class Keep(logging.Handler):
        def emit(self, record):
            handler_saw.append(record.getMessage())

    logger = logging.getLogger("openai_widgets.test_filter")
    logger.addFilter(RedactingFilter())
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.info("key %s in %s", "sk-logged-key-00000000777", "a message")
        logger.info("no key %d", 5)
        logger.info("sk-logged-key-00000000777 straight in the message")
    finally:
        logger.handlers.clear()
        logger.filters.clear()
    assert handler_saw == [
        "key sk-...0777 in a message",
        "no key 5",
        "sk-...0777 straight in the message",
    ]


def test_the_log_filter_keeps_a_clean_record_as_it_was(known):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", ("plain",), None)
    assert RedactingFilter().filter(record) is True
    assert (record.msg, record.args) == ("value %s", ("plain",))
    register("sk-filter-key-000000000888")
    dirty = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "value %s", ("sk-filter-key-000000000888",), None
    )
    assert RedactingFilter().filter(dirty) is True
    assert (dirty.msg, dirty.args) == ("value sk-...0888", None)
