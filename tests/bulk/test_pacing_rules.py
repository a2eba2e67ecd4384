"""The rate governor's arithmetic, rule by rule: units, capacities, rates, the window's steps."""

from __future__ import annotations

import pytest

from openai_widgets.bulk.pacing import RateGovernor
from tests.support.clock import FakeClock


def test_nothing_is_paused_at_the_start_whatever_the_clock_says():
    assert RateGovernor(4, clock=FakeClock(0.0)).delay(0, in_flight=0) == 0.0


def test_the_window_grows_by_one_over_its_size_per_success():
    governor = RateGovernor(8, clock=FakeClock())
    governor.on_rate_limited(0.0)
    assert governor.window == 4.0
    governor.on_success({})
    assert governor.window == 4.25
    for _ in range(3):
        governor.on_rate_limited(0.0)
    assert governor.window == 1.0
    governor.on_success({})
    assert governor.window == 2.0


def test_the_window_halves_down_to_one_request():
    governor = RateGovernor(2, clock=FakeClock())
    governor.on_rate_limited(0.0)
    assert (governor.window, governor.concurrency) == (1.0, 1)


def test_an_error_shrinks_the_window_by_a_quarter_down_to_one():
    governor = RateGovernor(8, clock=FakeClock())
    governor.on_error()
    assert (governor.window, governor.concurrency) == (6.0, 6)
    governor.on_error()
    assert governor.window == 4.5
    for _ in range(10):
        governor.on_error()
    assert (governor.window, governor.concurrency) == (1.0, 1)


def test_an_unknown_limit_with_some_left_does_not_pause():
    governor = RateGovernor(4, clock=FakeClock())
    governor.on_success({"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "10s"})
    assert governor.delay(0, in_flight=0) == 0.0
    governor.on_success({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "10s"})
    assert governor.delay(0, in_flight=0) == pytest.approx(10.0)
