"""The rate governor's parts one at a time: durations, buckets, calibration, headers, pauses, the window."""

from __future__ import annotations

import pytest

from openai_widgets.bulk import pacing
from openai_widgets.bulk.pacing import (
    PACE,
    Calibration,
    RateGovernor,
    ServerWaitTooLong,
    TokenBucket,
    parse_duration,
)
from tests.support.clock import FakeClock

# -- parse_duration and _duration ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20ms", 0.02),
        ("5us", 5e-6),
        ("5µs", 5e-6),
        ("5ns", 5e-9),
        ("0.5", 0.5),
        ("-3", 0.0),  # a bare negative number is no wait at all
        ("1H2M3.5S", 3723.5),
    ],
)
def test_durations_in_every_unit_parse_to_seconds(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["inf", "nan", "-inf"])
def test_a_bare_number_that_is_not_finite_is_no_duration(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (59.9, "59.9 s"),
        (60.0, "1 min"),
        (90.0, "1.5 min"),
        (3599.0, "60 min"),
        (3600.0, "1 h"),
        (21660.0, "6.02 h"),
    ],
)
def test_a_wait_is_written_in_seconds_minutes_or_hours(seconds, text):
    assert pacing._duration(seconds) == text


# -- TokenBucket --------------------------------------------------------------------


def test_a_bucket_with_more_than_needed_lets_it_go_now():
    bucket = TokenBucket(10.0, FakeClock())
    assert bucket.wait_for(4) == 0.0


def test_a_bucket_can_be_given_a_capacity_other_than_a_seconds_worth():
    clock = FakeClock()
    bucket = TokenBucket(10.0, clock, capacity=50.0)
    assert bucket.capacity == 50.0
    assert bucket.wait_for(50) == 0.0
    bucket.take(50)
    assert bucket.wait_for(50) == pytest.approx(5.0)


def test_a_new_rate_resizes_the_bucket_to_a_seconds_worth_but_never_below_one():
    bucket = TokenBucket(10.0, FakeClock())
    bucket.set_rate(1.5)
    assert (bucket.rate, bucket.capacity, bucket.level) == (1.5, 1.5, 1.5)
    bucket.set_rate(0.5)
    assert bucket.capacity == 1.0
    assert bucket.wait_for(1) == 0.0


# -- Calibration --------------------------------------------------------------------


def test_calibration_takes_the_first_answer_whole_and_then_moves_halfway():
    calibration = Calibration()
    assert (calibration.ratio, calibration.samples, calibration.tokens(100)) == (1.0, 0, 100)
    calibration.learn(100, 50)
    assert (calibration.ratio, calibration.samples, calibration.tokens(100)) == (0.5, 1, 50)
    calibration.learn(100, 150)
    assert (calibration.ratio, calibration.samples, calibration.tokens(100)) == (1.0, 2, 100)


def test_calibration_learns_from_an_estimate_of_one_token():
    calibration = Calibration()
    calibration.learn(1, 2)
    assert calibration.tokens(10) == 20


@pytest.mark.parametrize(
    ("counted", "ratio"),
    [(1000, 4.0), (1, 0.05), (0, 0.05)],
)
def test_calibration_keeps_one_odd_answer_within_bounds(counted, ratio):
    calibration = Calibration()
    calibration.learn(100, counted)
    assert calibration.ratio == ratio


@pytest.mark.parametrize(
    ("estimated", "counted"),
    [(100, None), (100, float("nan")), (100, float("inf")), (100, -1), (0, 50), (-10, 50)],
)
def test_calibration_ignores_what_cannot_be_a_count(estimated, counted):
    calibration = Calibration()
    calibration.learn(100, 50)
    calibration.learn(estimated, counted)
    assert (calibration.ratio, calibration.samples) == (0.5, 1)


# -- the pause and what it says --------------------------------------------------------


def test_waiting_says_how_long_everyone_is_held_back_and_by_what():
    clock = FakeClock()
    governor = RateGovernor(4, clock=clock)
    assert governor.waiting() == (0.0, "")
    governor.on_rate_limited(3.0)
    assert governor.waiting() == (3.0, "retry-after")
    clock.advance(1.0)
    assert governor.waiting() == (2.0, "retry-after")
    clock.advance(5.0)
    assert governor.waiting() == (0.0, "retry-after")


def test_a_pause_that_ends_no_later_keeps_the_reason_of_the_first():
    governor = RateGovernor(4, clock=FakeClock())
    governor.on_rate_limited(10.0)
    for reset in ("10s", "5s"):
        governor.learn({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": reset})
        assert governor.waiting() == (10.0, "retry-after")
    governor.learn({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s"})
    assert governor.waiting() == (20.0, "x-ratelimit-reset-requests")


def test_a_reset_of_exactly_the_longest_wait_pauses():
    governor = RateGovernor(4, clock=FakeClock())
    governor.learn({"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m"})
    assert governor.waiting() == (60.0, "x-ratelimit-reset-tokens")


def test_a_reset_beyond_the_longest_wait_is_reported_not_waited():
    governor = RateGovernor(4, clock=FakeClock())
    with pytest.raises(ServerWaitTooLong) as raised:
        governor.learn({"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s"})
    error = raised.value
    assert (error.header, error.value, error.seconds) == ("x-ratelimit-reset-tokens", "6m0s", 360.0)
    assert str(error) == (
        "the server's x-ratelimit-reset-tokens: 6m0s would hold requests back for 6 min, "
        "over the 60 s the package waits; try again later or ask for a higher limit"
    )
    assert governor.waiting() == (0.0, "")


# -- learning the limits ---------------------------------------------------------------


def test_a_limit_too_low_for_one_request_a_minute_is_reported():
    governor = RateGovernor(4, clock=FakeClock())
    with pytest.raises(ServerWaitTooLong) as raised:
        governor.learn({"x-ratelimit-limit-requests": "1"})
    error = raised.value
    assert (error.header, error.value) == ("x-ratelimit-limit-requests", "1")
    assert error.seconds == pytest.approx(60 / PACE)  # paced just under 1 a minute: 61.2 s each
    assert str(error) == (
        "the server's x-ratelimit-limit-requests: 1 would hold requests back for 1.02 min, "
        "over the 60 s the package waits; try again later or ask for a higher limit"
    )


def test_a_limit_that_paces_one_request_a_minute_exactly_is_accepted():
    governor = RateGovernor(4, clock=FakeClock())
    governor.learn({"x-ratelimit-limit-tokens": repr(1 / PACE)})
    assert governor.limits["tokens"].bucket.rate == pytest.approx(1 / 60)


@pytest.mark.parametrize("value", ["0", "-600", "nan", "inf", "lots"])
def test_a_limit_that_is_not_a_positive_number_is_ignored(value):
    governor = RateGovernor(4, clock=FakeClock())
    governor.learn({"x-ratelimit-limit-requests": "600"})
    governor.learn({"x-ratelimit-limit-requests": value})
    requests = governor.limits["requests"]
    assert requests.per_minute() == pytest.approx(600 * PACE)
    assert requests.bucket.rate == pytest.approx(10 * PACE)


def test_a_lower_server_limit_slows_the_bucket_that_paces_the_requests():
    clock = FakeClock()
    governor = RateGovernor(4, requests_per_minute=600, clock=clock)
    governor.learn({"x-ratelimit-limit-requests": "60"})
    assert governor.limits["requests"].bucket.rate == pytest.approx(PACE)
    governor.on_send(0)
    assert governor.delay(0, in_flight=0) == pytest.approx(1 / PACE)


# -- 429s --------------------------------------------------------------------------------


def test_a_429_slows_the_bucket_not_only_the_figure():
    governor = RateGovernor(4, requests_per_minute=600, clock=FakeClock())
    governor.on_rate_limited(0.0)
    assert governor.limits["requests"].bucket.rate == pytest.approx(8 * PACE)
    assert governor.delay(0, in_flight=0) == pytest.approx(1 / (8 * PACE))  # the 429 emptied it


def test_a_request_sent_at_the_moment_of_the_last_cut_cuts_again():
    governor = RateGovernor(4, requests_per_minute=600, clock=FakeClock())
    governor.on_rate_limited(0.0, sent_at=100.0)
    governor.on_rate_limited(0.0, sent_at=100.0)  # not sent before the cut: it was paced by it
    assert governor.limits["requests"].per_minute() == pytest.approx(600 * 0.8 * 0.8 * PACE)


def test_a_429_for_a_request_sent_before_the_last_cut_does_not_move_the_cut():
    clock = FakeClock()
    governor = RateGovernor(4, requests_per_minute=600, clock=clock)
    requests = governor.limits["requests"]
    clock.advance(1.0)
    governor.on_rate_limited(0.0, sent_at=101.0)  # cuts, at 101
    clock.advance(1.0)
    governor.on_rate_limited(0.0, sent_at=100.5)  # sent before that cut: changes nothing
    assert requests.per_minute() == pytest.approx(600 * 0.8 * PACE)
    clock.advance(1.0)
    governor.on_rate_limited(0.0, sent_at=101.5)  # sent after the cut at 101: cuts again
    assert requests.per_minute() == pytest.approx(600 * 0.8 * 0.8 * PACE)


def test_a_request_that_costs_no_tokens_is_not_held_back_by_the_token_bucket():
    governor = RateGovernor(4, tokens_per_minute=600, clock=FakeClock())  # 9.8 tokens at once
    governor.on_send(8)
    governor.on_send(8)  # overdrawn
    assert governor.delay(8, in_flight=0) > 0
    assert governor.delay(0, in_flight=0) == 0.0


# -- the window -------------------------------------------------------------------------


def test_the_latency_is_the_median_of_the_last_32_answers():
    governor = RateGovernor(clock=FakeClock())
    assert governor.latency is None
    for _ in range(32):
        governor.on_success({}, latency=10.0)
    for _ in range(32):
        governor.on_success({}, latency=1.0)
    assert governor.latency == 1.0


@pytest.mark.parametrize(
    ("latency", "learned"), [(0.0, 0.0), (None, None), (-1.0, None), (float("inf"), None)]
)
def test_an_answers_latency_counts_when_it_is_a_time(latency, learned):
    governor = RateGovernor(clock=FakeClock())
    governor.on_success({}, latency=latency)
    assert governor.latency == learned


def test_the_mean_cost_starts_at_the_first_request_and_then_moves_a_tenth_of_the_way():
    governor = RateGovernor(clock=FakeClock())
    governor.on_send(100)
    assert governor.mean_cost == 100
    governor.on_send(200)
    assert governor.mean_cost == pytest.approx(110)


@pytest.mark.parametrize(
    ("requests_per_minute", "tokens_per_minute", "cost"),
    [
        (600, None, 100),  # 9.8 requests a second
        (None, 600, 1),  # 9.8 tokens a second, a token a request
        (None, 60_000, 98),  # 980 tokens a second, 98 a request
        (6000, 60_000, 98),  # 98 requests a second allowed, but the tokens allow 10
    ],
)
def test_in_flight_is_what_the_tighter_rate_keeps_busy_for_one_answers_time(
    requests_per_minute, tokens_per_minute, cost
):
    governor = RateGovernor(
        requests_per_minute=requests_per_minute, tokens_per_minute=tokens_per_minute, clock=FakeClock()
    )
    governor.on_send(cost)
    governor.on_success({}, latency=1.0)
    assert governor.concurrency == 14  # ~10 a second x 1 s x HEADROOM 1.25 = 12.5, rounded up, plus one


def test_before_any_request_is_sent_the_token_rate_does_not_limit_the_window():
    governor = RateGovernor(tokens_per_minute=600, clock=FakeClock())
    governor.on_success({}, latency=1.0)
    assert governor.concurrency == 33  # slow start, with no cost per request to divide by


def test_answers_that_take_no_time_need_one_in_flight():
    governor = RateGovernor(requests_per_minute=600, clock=FakeClock())
    governor.on_success({}, latency=0.0)
    assert (governor.window, governor.concurrency) == (1.0, 1)


def test_slow_start_ends_when_the_window_reaches_the_rates_figure_exactly():
    governor = RateGovernor(requests_per_minute=600, clock=FakeClock())
    governor.on_success({}, latency=2.6)  # window 33; 9.8/s x 2.6 s x 1.25 = 31.85 -> 32 + 1 = 33
    assert governor.window == 33.0
    assert not governor.slow_start
    governor.on_success({}, latency=10.0)  # the figure jumps to 79: the window grows by 1/33, not 1
    assert governor.window == pytest.approx(33 + 1 / 33)
    assert governor.concurrency == 33


def test_after_an_error_the_window_grows_by_one_per_round_trip():
    governor = RateGovernor(64, clock=FakeClock())
    governor.on_error()
    assert governor.window == 24.0
    governor.on_success({})
    assert governor.window == pytest.approx(24 + 1 / 24)


def test_the_loop_lag_is_smoothed_so_one_late_wake_does_not_make_the_client_busy():
    governor = RateGovernor(clock=FakeClock())
    governor.on_loop_lag(0.1)
    assert governor.loop_lag == pytest.approx(0.03)
    assert not governor.busy
