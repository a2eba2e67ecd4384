"""The rate governor: reset durations, buckets, the concurrency window, and learning from headers."""

from __future__ import annotations

import pytest

from openai_widgets.bulk.pacing import PACE, RateGovernor, TokenBucket, parse_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("250ms", 0.25),
        ("1h2m3.5s", 3723.5),
        ("0s", 0.0),
        ("17ms", 0.017),
        ("2m59.56s", 179.56),
        ("1d", 86400.0),
        ("2.5", 2.5),
        ("", None),
        (None, None),
        ("soon", None),
        ("1m30", None),
        ("s", None),
    ],
)
def test_reset_durations_parse_as_openai_writes_them(text, seconds):
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_a_bucket_refills_at_its_rate_up_to_its_capacity():
    clock = FakeClock()
    bucket = TokenBucket(10.0, clock)  # 10 a second, a second's worth at once
    assert bucket.capacity == 10
    assert bucket.wait_for(10) == 0
    bucket.take(10)
    assert bucket.wait_for(1) == pytest.approx(0.1)
    clock.advance(0.05)
    assert bucket.wait_for(1) == pytest.approx(0.05)
    clock.advance(100)
    assert bucket.wait_for(50) == 0  # more than capacity waits for a full bucket, no longer


def test_the_window_bounds_requests_in_flight_and_halves_on_a_429_when_no_rate_is_known():
    clock = FakeClock()
    governor = RateGovernor(8, clock=clock)
    assert governor.delay(0, in_flight=7) == 0
    assert governor.delay(0, in_flight=8) is None
    governor.on_rate_limited(2.0)
    assert governor.concurrency == 4
    assert governor.delay(0, in_flight=0) == pytest.approx(2.0)  # everyone waits the Retry-After
    clock.advance(2.0)
    assert governor.delay(0, in_flight=0) == 0
    for _ in range(12):
        governor.on_send(0)
        governor.on_success({})
    assert governor.concurrency > 4  # speed comes back as answers succeed
    for _ in range(200):
        governor.on_send(0)
        governor.on_success({})
    assert governor.concurrency == 8


def test_requests_per_minute_paces_requests_evenly():
    clock = FakeClock()
    governor = RateGovernor(16, requests_per_minute=60, clock=clock)
    assert governor.delay(0, 0) == 0
    governor.on_send(0)
    assert governor.delay(0, 1) == pytest.approx(1.0 / PACE)  # paced a little under the limit
    clock.advance(1.0 / PACE)
    assert governor.delay(0, 1) == pytest.approx(0, abs=1e-9)


def test_tokens_per_minute_paces_by_cost():
    clock = FakeClock()
    governor = RateGovernor(16, tokens_per_minute=600, clock=clock)  # 10 tokens a second, paced at 9.8
    governor.on_send(8)
    assert governor.delay(5, 1) == pytest.approx((5 - (10 * PACE - 8)) / (10 * PACE))
    assert governor.delay(1, 1) == 0


def test_the_server_limits_are_learned_and_what_is_left_caps_the_bucket():
    clock = FakeClock()
    governor = RateGovernor(16, clock=clock)
    assert governor.limits["requests"].bucket is None  # nothing known yet: only the window holds back
    governor.on_send(1)
    governor.on_success({"x-ratelimit-limit-requests": "600", "x-ratelimit-remaining-requests": "2"})
    assert governor.limits["requests"].per_minute() == 600 * PACE  # 10 a second, paced just under
    assert governor.delay(0, 0) == 0
    governor.on_send(1)
    governor.on_send(1)
    one = 1 / (10 * PACE)
    assert governor.delay(0, 2) == pytest.approx(one)  # the 2 left are spent: one more in ~0.1 s
    governor.on_success({"x-ratelimit-remaining-requests": "500"})  # more than we believe: ignored
    assert governor.delay(0, 1) == pytest.approx(one)


def test_remaining_tokens_lower_the_bucket_and_a_user_limit_below_the_server_wins():
    clock = FakeClock()
    governor = RateGovernor(16, tokens_per_minute=60_000, clock=clock)  # 1000 a second
    headers = {"x-ratelimit-limit-tokens": "600000", "x-ratelimit-remaining-tokens": "100"}
    governor.on_success(headers)
    assert governor.limits["tokens"].per_minute() == 60_000 * PACE
    assert governor.delay(600, 0) == pytest.approx(500 / (1000 * PACE))


def test_an_unknown_limit_at_zero_pauses_until_its_reset():
    clock = FakeClock()
    governor = RateGovernor(4, clock=clock)
    governor.on_success({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "250ms"})
    assert governor.delay(0, 0) == pytest.approx(0.25)


def test_a_429_lowers_a_known_rate_which_then_recovers():
    clock = FakeClock()
    governor = RateGovernor(4, requests_per_minute=600, clock=clock)
    governor.on_rate_limited(0.5)
    assert governor.limits["requests"].per_minute() == pytest.approx(480 * PACE)
    assert governor.concurrency == 4  # the bucket paces; the window stays
    assert governor.delay(0, 0) == pytest.approx(0.5)
    for _ in range(30):
        governor.on_send(0)
        governor.on_success({})
    assert governor.limits["requests"].per_minute() == pytest.approx(600 * PACE)
