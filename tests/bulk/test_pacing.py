"""The rate governor: reset durations, buckets, the concurrency window, and learning from headers."""

from __future__ import annotations

import pytest

from openai_widgets.bulk import pacing
from openai_widgets.bulk.pacing import (
    HEADROOM,
    PACE,
    RateGovernor,
    TokenBucket,
    parse_duration,
    requested_tokens,
)
from tests.support.clock import FakeClock


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


EMBED_LIMITS = {  # what the benchmark's server (and OpenAI) sends with every answer, 429s too
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "7200000",
    "x-ratelimit-remaining-requests": "9980",
    "x-ratelimit-remaining-tokens": "7070000",
}


def test_429s_for_requests_sent_before_any_limit_was_known_teach_the_limit_but_cut_nothing():
    # An embed run: 15 requests of ~25,000 tokens go at once, blind; the server's 1 s window
    # takes 5 and refuses 10. The run must go on at the rate the limit allows, not a tenth of it.
    clock = FakeClock()
    governor = RateGovernor(clock=clock)
    sent_at = clock()
    for _ in range(15):
        governor.on_send(33_000)
    clock.advance(0.01)
    for _ in range(10):
        governor.on_rate_limited(0.07, EMBED_LIMITS, sent_at=sent_at)
    tokens = governor.limits["tokens"]
    assert tokens.per_minute() == pytest.approx(7_200_000 * PACE)  # learned, not cut
    # the 429 emptied the bucket; it refills at the full rate: 25,000 tokens in 0.21 s
    refill = 25_000 / (120_000 * PACE)
    assert governor.delay(25_000, in_flight=5) == pytest.approx(refill)
    clock.advance(0.07)
    assert governor.delay(25_000, in_flight=5) == pytest.approx(refill - 0.07)
    for _ in range(5):
        clock.advance(0.6)
        governor.on_success(EMBED_LIMITS, latency=0.6)
    # Little's law: 117,600 tokens/s over ~30,000-token requests x 0.6 s x HEADROOM, plus one
    assert governor.concurrency >= 3
    assert tokens.per_minute() == pytest.approx(7_200_000 * PACE)


def test_a_burst_of_429s_for_paced_requests_cuts_the_rate_once():
    clock = FakeClock()
    governor = RateGovernor(requests_per_minute=600, clock=clock)
    sent_at = clock()
    for _ in range(8):
        governor.on_send(0)
    clock.advance(0.05)
    for _ in range(8):  # all sent before the first of them was refused: one cut
        governor.on_rate_limited(0.1, sent_at=sent_at)
    assert governor.limits["requests"].per_minute() == pytest.approx(600 * 0.8 * PACE)
    clock.advance(0.2)
    governor.on_rate_limited(0.1, sent_at=clock())  # sent after the cut and still refused: cut again
    assert governor.limits["requests"].per_minute() == pytest.approx(600 * 0.8 * 0.8 * PACE)


def test_without_a_known_rate_a_burst_of_429s_halves_the_window_once():
    clock = FakeClock()
    governor = RateGovernor(32, clock=clock)
    sent_at = clock()
    clock.advance(0.05)
    for _ in range(6):
        governor.on_rate_limited(0.1, sent_at=sent_at)
    assert governor.concurrency == 16


def test_slow_start_stops_at_what_the_rate_needs_and_late_answers_raise_it_one_per_round_trip():
    # 12,000 RPM at 0.5 s an answer needs about 100 in flight. Answers that come back late
    # because the client is busy must not open the window to the hundreds.
    clock = FakeClock()
    governor = RateGovernor(clock=clock)
    limits = {"x-ratelimit-limit-requests": "12000", "x-ratelimit-limit-tokens": "10000000"}
    for _ in range(400):
        governor.on_send(30)
        governor.on_success(limits, latency=0.5)
    needed = 12_000 * PACE / 60 * 0.5 * HEADROOM
    assert needed <= governor.concurrency <= needed + 2
    assert not governor.slow_start
    for _ in range(400):  # two round trips' answers, each now taking 3 s
        governor.on_send(30)
        governor.on_success(limits, latency=3.0)
    assert governor.concurrency <= needed + 6  # a few more, not 6 x as many


@pytest.mark.parametrize(
    ("message", "tokens"),
    [
        (
            "Rate limit reached for text-embedding-3-small in organization org-x on tokens per min "
            "(TPM): Limit 1000000, Used 990000, Requested 25342. Please try again in 1.5s.",
            25342,
        ),
        (
            "Rate limit reached on tokens per min (TPM): Limit 7200000, Used 7190000, Requested 16431 "
            "(enforced over 1 s windows). Please try again in 80ms.",
            16431,
        ),
        ("Rate limit reached on requests per min (RPM): Limit 500, Used 500, Requested 1.", None),
        ("Rate limit reached on tokens per min (TPM).", None),
        ("", None),
    ],
)
def test_a_429_on_tokens_names_what_the_request_would_have_cost(message, tokens):
    assert requested_tokens(message) == tokens


def test_while_the_clients_own_loop_runs_late_the_window_does_not_grow():
    clock = FakeClock()
    governor = RateGovernor(clock=clock)
    for _ in range(10):
        governor.on_success({}, latency=0.5)
    assert governor.concurrency == 42  # slow start: one more per answer
    for _ in range(5):
        governor.on_loop_lag(0.3)  # the loop wakes 300 ms late: the client is the bottleneck
    assert governor.busy
    for _ in range(100):
        governor.on_success({}, latency=2.0)
    assert governor.concurrency == 42
    for _ in range(10):
        governor.on_loop_lag(0.001)
    assert not governor.busy  # (the lag may have been another program's: nothing is lost)
    for _ in range(10):
        governor.on_success({}, latency=0.5)
    assert governor.concurrency == 52  # slow start goes on where it stopped


def test_a_loop_lag_that_is_not_a_number_is_ignored():
    governor = RateGovernor(clock=FakeClock())
    governor.on_loop_lag(float("nan"))
    governor.on_loop_lag(-1.0)
    assert governor.loop_lag == 0.0
    assert not governor.busy


def test_the_limits_are_known_as_soon_as_an_answers_headers_arrive():
    governor = RateGovernor(clock=lambda: 100.0)
    assert governor.limits["tokens"].bucket is None
    governor.on_answer_started(
        {"x-ratelimit-limit-tokens": "7200000", "x-ratelimit-remaining-tokens": "7000000"}
    )  # a 16 MB body may take a second yet: the next requests are paced from now
    assert governor.limits["tokens"].bucket.rate == pytest.approx(7_200_000 * pacing.PACE / 60)
    # A wait beyond the cap is reported with the answer's batch (on_success), not here.
    governor.on_answer_started({"x-ratelimit-limit-requests": "0.5"})
    with pytest.raises(pacing.ServerWaitTooLong):
        governor.on_success({"x-ratelimit-limit-requests": "0.5"}, 0.1)
