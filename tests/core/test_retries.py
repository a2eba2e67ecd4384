"""The retry policy, from a table of statuses and headers."""

from __future__ import annotations

import email.utils
import random

import pytest

from openai_widgets._core.constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY
from openai_widgets._core.retries import backoff_delay, retry_after_seconds, retry_delay, should_retry

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (500, {}, True),
        (502, {}, True),
        (503, {}, True),
        (504, {}, True),
        (400, {}, False),
        (401, {}, False),
        (403, {}, False),
        (404, {}, False),
        (422, {}, False),
        (400, {"x-should-retry": "true"}, True),  # the server's word wins
        (503, {"x-should-retry": "false"}, False),
        (429, {"x-should-retry": "FALSE"}, False),
        (500, {"x-should-retry": "maybe"}, True),  # nonsense is ignored
    ],
)
def test_should_retry(status, headers, expected):
    assert should_retry(status, headers) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms is more precise: it wins
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),
        ({"retry-after": email.utils.formatdate(NOW + 7, usegmt=True)}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),  # a date passed
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "whenever"}, None),
    ],
)
def test_retry_after_seconds(headers, expected):
    assert (
        retry_after_seconds(headers, now=NOW) == pytest.approx(expected)
        if expected is not None
        else retry_after_seconds(headers, now=NOW) is None
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": str(MAX_RETRY_AFTER)}, MAX_RETRY_AFTER),
        ({"retry-after": str(MAX_RETRY_AFTER + 1)}, None),  # too long: the caller raises
        ({"retry-after": email.utils.formatdate(NOW + 600, usegmt=True)}, None),
    ],
)
def test_retry_delay_honours_the_server_within_the_cap(headers, expected):
    assert retry_delay(0, headers, now=NOW) == expected


@pytest.mark.parametrize("attempt", range(8))
def test_backoff_is_exponential_capped_and_jittered(attempt):
    rng = random.Random(attempt)
    ceiling = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
    delays = [backoff_delay(attempt, rng=rng) for _ in range(200)]
    assert all(0.75 * ceiling <= d <= ceiling for d in delays)
    assert len(set(delays)) > 1  # jitter: clients do not retry in step


def test_zero_retry_after_falls_back_to_backoff():
    delay = retry_delay(1, {"retry-after": "0"}, rng=random.Random(0))
    assert 0.75 <= delay <= 1.0
