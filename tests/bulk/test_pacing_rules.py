"""The rate governor's arithmetic, rule by rule: units, capacities, rates, the window's steps."""

from __future__ import annotations

import pytest

from openai_widgets.bulk import pacing
from openai_widgets.bulk.pacing import RateGovernor, TokenBucket, parse_duration


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1500us", 0.0015),
        ("1500US", 0.0015),  # headers are read case-blind
        ("1500\u00b5s", 0.0015),
        ("2000000ns", 0.002),
        ("0.5", 0.5),  # a bare number below a second stays what it is
        ("-2", 0.0),  # a reset in the past is now
    ],
)
def test_every_unit_and_bare_number(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds, abs=0)


def test_a_bucket_holds_the_capacity_it_is_given():
    bucket = TokenBucket(10.0, FakeClock(), capacity=5.0)
    assert (bucket.capacity, bucket.level) == (5.0, 5.0)


def test_a_bucket_holds_burst_seconds_of_its_rate(monkeypatch):
    monkeypatch.setattr(pacing, "BURST_SECONDS", 2.0)
    bucket = TokenBucket(10.0, FakeClock())
    assert bucket.capacity == 20.0
    bucket.set_rate(4.0)
    assert bucket.capacity == 8.0


def test_a_bucket_never_holds_less_than_one_unit():
    bucket = TokenBucket(0.25, FakeClock())
    assert bucket.capacity == 1.0
    bucket.set_rate(0.5)
    assert (bucket.rate, bucket.capacity) == (0.5, 1.0)


def test_a_full_bucket_lets_a_smaller_cost_go_at_once():
    assert TokenBucket(10.0, FakeClock()).wait_for(1) == 0.0


def test_a_governor_paces_at_its_per_minute_rate_and_follows_each_change():
    governor = RateGovernor(4, requests_per_minute=120, clock=FakeClock())
    bucket = governor.limits["requests"].bucket
    assert bucket.rate == pytest.approx(2.0)
    governor.on_rate_limited(0.0)  # the rate backs off by RATE_BACKOFF
    assert bucket.rate == pytest.approx(120 * pacing.RATE_BACKOFF / 60)
    governor.on_success({})  # and recovers by RECOVERY
    assert bucket.rate == pytest.approx(120 * pacing.RATE_BACKOFF * pacing.RECOVERY / 60)


def test_a_429_empties_the_buckets():
    clock = FakeClock()
    governor = RateGovernor(4, requests_per_minute=60, clock=clock)
    governor.on_rate_limited(0.0)  # 1 request a second backs off to 0.8, from an empty bucket
    assert governor.delay(0, in_flight=0) == pytest.approx(1 / pacing.RATE_BACKOFF)


def test_nothing_is_paused_at_the_start_whatever_the_clock_says():
    assert RateGovernor(4, clock=FakeClock(0.0)).delay(0, in_flight=0) == 0.0


def test_a_request_that_costs_no_tokens_does_not_wait_for_the_token_bucket():
    governor = RateGovernor(4, tokens_per_minute=60, clock=FakeClock())
    governor.on_success({"x-ratelimit-remaining-tokens": "-5"})  # overspent by someone else
    assert governor.delay(0, in_flight=0) == 0.0
    assert governor.delay(1, in_flight=0) == pytest.approx(6.0)


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


def test_a_server_limit_of_one_a_minute_is_learned():
    governor = RateGovernor(4, clock=FakeClock())
    governor.on_success({"x-ratelimit-limit-requests": "1"})
    assert governor.limits["requests"].bucket.rate == pytest.approx(1 / 60)


def test_an_unknown_limit_with_some_left_does_not_pause():
    governor = RateGovernor(4, clock=FakeClock())
    governor.on_success({"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "10s"})
    assert governor.delay(0, in_flight=0) == 0.0
    governor.on_success({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "10s"})
    assert governor.delay(0, in_flight=0) == pytest.approx(10.0)
