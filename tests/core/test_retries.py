"""The retry policy, from a table of statuses and headers."""

from __future__ import annotations

import email.utils
import math
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        ({"retry-after": "nan"}, None),  # not a number of seconds: ignored, never NaN
        ({"retry-after": "NaN"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "-inf"}, None),
        ({"retry-after": "1e400"}, None),  # overflows to infinity
        ({"retry-after-ms": "nan", "retry-after": "3"}, 3.0),  # the other header still counts
        ({"retry-after-ms": "inf"}, None),
        ({"retry-after-ms": "-250"}, 0.0),
        ({"retry-after-ms": "nan", "retry-after": "nan"}, None),
        ({"retry-after": "Mon, 01 Jan 99999 00:00:00 GMT"}, None),  # no such moment
        ({"retry-after": "Fri, 31 Dec 1999 23:59:59 GMT"}, 0.0),
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


@pytest.mark.parametrize("value", ["nan", "-nan", "inf", "-inf", "1e400", "-1", "-0", "0"])
@pytest.mark.parametrize("header", ["retry-after", "retry-after-ms"])
def test_nonsense_waits_fall_back_to_our_own_backoff(header, value):
    delay = retry_delay(2, {header: value}, rng=random.Random(0))
    ceiling = INITIAL_RETRY_DELAY * 4
    assert 0.75 * ceiling <= delay <= ceiling


@settings(max_examples=300, deadline=None)
@given(
    milliseconds=st.one_of(st.none(), st.text(max_size=12), st.floats().map(repr)),
    seconds=st.one_of(st.none(), st.text(max_size=30), st.floats().map(repr)),
    attempt=st.integers(0, 20),
)
def test_any_header_gives_a_finite_bounded_wait_or_a_refusal(milliseconds, seconds, attempt):
    headers = {
        name: value
        for name, value in (("retry-after-ms", milliseconds), ("retry-after", seconds))
        if value is not None
    }
    asked = retry_after_seconds(headers, now=NOW)
    assert asked is None or (math.isfinite(asked) and asked >= 0)
    delay = retry_delay(attempt, headers, rng=random.Random(attempt), now=NOW)
    assert delay is None or (math.isfinite(delay) and 0 < delay <= MAX_RETRY_AFTER)
    if delay is None:  # refused only when the server asked for more than the cap
        assert asked is not None and asked > MAX_RETRY_AFTER


def test_a_date_is_measured_from_the_clock_when_no_moment_is_given():
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_after_seconds({"retry-after": soon}) <= 30


def test_backoff_without_a_generator_of_its_own_is_still_jittered_within_bounds():
    delays = [backoff_delay(0) for _ in range(50)]
    assert all(0.75 * INITIAL_RETRY_DELAY <= d <= INITIAL_RETRY_DELAY for d in delays)
    assert retry_delay(0) == pytest.approx(INITIAL_RETRY_DELAY, rel=0.25)  # no headers at all


def test_the_backoff_uses_the_generator_it_is_given():
    assert retry_delay(3, {}, rng=random.Random(5)) == backoff_delay(3, rng=random.Random(5))
    assert retry_delay(3, None, rng=random.Random(5)) == backoff_delay(3, rng=random.Random(5))


def test_a_wait_under_a_second_is_honoured_as_asked():
    assert retry_delay(4, {"retry-after-ms": "500"}) == 0.5
    assert retry_delay(4, {"retry-after": "0.01"}) == 0.01
