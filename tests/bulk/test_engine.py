"""The bulk engine on its own: batching, order, concurrency, retries, failures, interrupts, timeouts."""

from __future__ import annotations

import _thread
import asyncio
import json
import threading
import time

import httpx
import numpy as np
import pytest

import openai_widgets as ow
from openai_widgets import bulk
from tests.conftest import TEST_KEY


def echo_client(handler, **options):
    """A client whose server doubles numbers: POST /double {"items": [...]} -> {"results": [...]}."""
    client = ow.Client(
        api_key=TEST_KEY, base_url="https://bulk.test/v1", transport=httpx.MockTransport(handler), **options
    )
    client.sleeps = []
    client.sleep = client.sleeps.append
    return client


def doubling(request: httpx.Request) -> httpx.Response:
    items = json.loads(request.content)["items"]
    return httpx.Response(
        200, json={"results": [2 * x for x in items], "usage": {"total_tokens": len(items)}}
    )


class Doubling:
    """The job: one POST /double per batch; results written by position."""

    path = "double"

    def __init__(self, count, fail_collect_at=None):
        self.out = [None] * count
        self.order = []
        self.fail_collect_at = fail_collect_at
        self.sent = []

    def body(self, items):
        self.sent.extend(items)
        return {"items": items}

    def reader(self, positions):
        return bulk.JSONReader("POST double", lambda answer: answer["results"])

    def collect(self, positions, results):
        if self.fail_collect_at is not None and positions[0] == self.fail_collect_at:
            raise ValueError("cannot store this")
        self.order.append(int(positions[0]))
        for position, value in zip(positions, results, strict=True):
            assert self.out[position] is None, "a row arrived twice"
            self.out[position] = value


def run_doubling(client, count, job=None, **options):
    job = job or Doubling(count)
    options.setdefault("progress", False)
    stats = bulk.run(list(range(count)), job, client=client, **options)
    return job.out, job.order, stats


# -- planning --------------------------------------------------------------------------


def test_batches_hold_at_most_max_items_in_input_order():
    batches = bulk.plan_batches(range(4097), max_items=2048)
    assert [len(b.positions) for b in batches] == [2048, 2048, 1]
    assert [int(p) for b in batches for p in b.positions] == list(range(4097))


def test_batches_keep_under_the_cost_budget_and_a_costly_item_goes_alone():
    costs = [100, 100, 100, 350, 50, 50]
    batches = bulk.plan_batches(range(6), max_items=10, costs=costs, max_cost=300)
    assert [b.positions.tolist() for b in batches] == [[0, 1, 2], [3], [4, 5]]
    assert [b.cost for b in batches] == [300, 350, 100]


def test_skipped_positions_are_not_planned_again():
    job = Doubling(10)
    bulk.run(list(range(10)), job, client=echo_client(doubling), max_items=3, skip={0, 1, 5}, progress=False)
    assert sorted(job.sent) == [2, 3, 4, 6, 7, 8, 9]
    assert {p: v for p, v in enumerate(job.out) if v is not None} == {p: 2 * p for p in job.sent}


# -- order and concurrency ---------------------------------------------------------------


def test_output_order_equals_input_order_when_answers_arrive_out_of_order():
    async def slow_first(request):
        items = json.loads(request.content)["items"]
        await asyncio.sleep(0.08 if items[0] == 0 else 0.01 * (items[0] % 3))
        return doubling(request)

    out, order, stats = run_doubling(echo_client(slow_first), 40, max_items=4, max_concurrency=8)
    assert out == [2 * i for i in range(40)]
    assert order != sorted(order), "the first batch finished last, yet rows are in input order"
    assert stats.requests == 10
    assert stats.items == 40


def concurrency_probe(seconds):
    """A slow server that records how many requests it holds at once."""
    state = {"active": 0, "peak": 0}

    async def slow(request):
        state["active"] += 1
        state["peak"] = max(state["peak"], state["active"])
        await asyncio.sleep(seconds)
        state["active"] -= 1
        return doubling(request)

    return slow, state


def test_requests_run_concurrently_up_to_max_concurrency():
    handler, state = concurrency_probe(0.05)
    started = time.monotonic()
    out, _, stats = run_doubling(echo_client(handler), 16, max_items=2, max_concurrency=8)
    assert time.monotonic() - started < 0.5  # 8 requests of 50 ms, not one after another
    assert state["peak"] == stats.peak_in_flight == 8
    assert out == [2 * i for i in range(16)]


def test_without_a_known_rate_the_window_starts_small_and_grows_with_answers():
    handler, state = concurrency_probe(0.05)
    run_doubling(echo_client(handler), 400, max_items=1)
    # slow start: 32 at first, then one more per answer (so it doubles each round trip)
    assert 32 < state["peak"] <= 400
    first = bulk.pacing.RateGovernor()
    assert first.concurrency == bulk.pacing.INITIAL_WINDOW == 32


def test_a_known_rate_sets_how_many_are_in_flight():
    """Little's law: 12,000 a minute at 0.1 s an answer keeps about 20 busy, never hundreds."""

    async def limited(request):
        await asyncio.sleep(0.1)
        response = doubling(request)
        response.headers["x-ratelimit-limit-requests"] = "12000"
        return response

    handler_state = {"active": 0, "peak_late": 0, "done": 0}

    async def probe(request):
        handler_state["active"] += 1
        if handler_state["done"] > 100:  # after the rate and latency are known
            handler_state["peak_late"] = max(handler_state["peak_late"], handler_state["active"])
        try:
            return await limited(request)
        finally:
            handler_state["active"] -= 1
            handler_state["done"] += 1

    client = echo_client(probe)
    client.sleep = lambda seconds: None
    run_doubling(client, 300, max_items=1)
    # 200 a second x ~0.1 s x 1.25 headroom is about 26; the measured latency includes this
    # busy machine's own delays, so allow some more, but never the hundreds the window alone allows
    assert 10 <= handler_state["peak_late"] <= 80


# -- reading answers ------------------------------------------------------------------------


def test_a_garbled_answer_is_retried_and_counts_as_a_retry():
    calls = []

    def garbled_once(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(200, content=b'{"results": [0, 2')
        return doubling(request)

    out, _, stats = run_doubling(echo_client(garbled_once), 2, max_items=2)
    assert out == [0, 2]
    assert (stats.requests, stats.retries) == (2, 1)


def test_the_whole_answer_must_arrive_within_the_clients_timeout():
    async def trickle():
        for _ in range(100):
            await asyncio.sleep(0.05)
            yield b" "
        yield b'{"results": [0]}'

    def slow_body(request):
        return httpx.Response(200, content=trickle())

    client = echo_client(slow_body, timeout=0.3, max_retries=0)
    started = time.monotonic()
    with pytest.raises(ow.APITimeoutError, match="within 0.3 s"):
        run_doubling(client, 1)
    assert time.monotonic() - started < 2


def test_calibration_learns_the_servers_count_from_usage():
    calibration = bulk.pacing.Calibration()
    assert calibration.tokens(100) == 100  # the safe-side estimate until an answer says otherwise
    calibration.learn(100, 75)
    assert calibration.tokens(100) == pytest.approx(75)
    calibration.learn(100, 75)
    assert calibration.tokens(1000) == pytest.approx(750)
    calibration.learn(100, float("nan"))
    calibration.learn(0, 50)
    assert calibration.tokens(1000) == pytest.approx(750)  # nonsense is ignored


def test_the_engine_paces_by_the_tokens_the_server_counts():
    job = Doubling(20)
    job.counted_tokens = lambda results: 1.0 * len(results)  # the server counts a tenth of the estimate
    client = echo_client(doubling)
    stats = bulk.run(
        list(range(20)),
        job,
        client=client,
        max_items=1,
        costs=[10.0] * 20,
        tokens_per_minute=6000,
        progress=False,
    )
    # 100 tokens a second: at the estimate (10 a request) 20 requests take ~1 s of waits;
    # once calibrated (1 a request) almost none
    assert stats.items == 20
    assert sum(client.sleeps) < 0.5


# -- retries -------------------------------------------------------------------------------


def flaky(statuses, headers=None):
    """A server answering `statuses` in turn (then success), recording what it saw."""
    queue = list(statuses)
    seen = []

    def handler(request):
        seen.append(json.loads(request.content)["items"])
        if queue:
            status = queue.pop(0)
            body = {"error": {"message": f"status {status}", "type": "server_error", "code": None}}
            return httpx.Response(status, json=body, headers=headers or {})
        return doubling(request)

    handler.seen = seen
    return handler


def test_a_429_storm_is_waited_out_honouring_retry_after():
    handler = flaky([429] * 5, headers={"retry-after-ms": "250"})
    client = echo_client(handler)
    out, _, stats = run_doubling(client, 6, max_items=2, max_concurrency=1)
    assert out == [2 * i for i in range(6)]
    assert stats.rate_limited == 5
    assert stats.retries == 0  # waits, not failures
    assert stats.requests == 8
    waits = [s for s in client.sleeps if s >= 0.15]
    assert len(waits) >= 5 and all(0.15 <= s <= 0.25 for s in waits[:5])  # 250 ms asked, less the time gone


def test_rate_limit_waits_do_not_count_as_retries():
    handler = flaky([429, 429, 429, 500], headers={"retry-after-ms": "10"})
    out, _, stats = run_doubling(echo_client(handler), 2, max_items=2, max_retries=1)
    assert out == [0, 2]
    assert (stats.requests, stats.rate_limited, stats.retries) == (5, 3, 1)

    handler = flaky([429, 500, 500], headers={"retry-after-ms": "10"})
    with pytest.raises(ow.InternalServerError) as info:
        run_doubling(echo_client(handler), 2, max_items=2, max_retries=1)
    assert len(handler.seen) == 3  # the 429's wait, then one retry of the 500
    assert "after 3 attempts" in str(info.value)


def test_a_429_teaches_the_limits_in_its_headers():
    handler = flaky([429], headers={"retry-after-ms": "10", "x-ratelimit-limit-requests": "600"})
    client = echo_client(handler)
    run_doubling(client, 4, max_items=1)
    # 600 a minute = 10 a second: the four requests are paced by the limit the 429 named
    assert sum(client.sleeps) > 0.1


def test_a_batch_rate_limited_without_end_stops_after_max_rate_limit_waits():
    handler = flaky([429] * (bulk.MAX_RATE_LIMIT_WAITS + 5), headers={"retry-after-ms": "10"})
    with pytest.raises(ow.RateLimitError) as info:
        run_doubling(echo_client(handler), 1, max_items=1, max_retries=0)
    assert len(handler.seen) == bulk.MAX_RATE_LIMIT_WAITS + 1
    assert info.value.stats.rate_limited == bulk.MAX_RATE_LIMIT_WAITS


@pytest.mark.parametrize(("client_retries", "attempts"), [(0, 1), (1, 2), (2, 3)])
def test_max_retries_defaults_to_the_clients(client_retries, attempts):
    handler = flaky([503] * 5)
    client = echo_client(handler).with_options(max_retries=client_retries)
    with pytest.raises(ow.InternalServerError):
        run_doubling(client, 1, max_items=1)
    assert len(handler.seen) == attempts
    handler = flaky([503] * 5)
    with pytest.raises(ow.InternalServerError):  # given explicitly, max_retries wins over the client's
        run_doubling(
            echo_client(handler).with_options(max_retries=5), 1, max_items=1, max_retries=client_retries
        )
    assert len(handler.seen) == attempts


def test_server_errors_are_retried_with_backoff_and_nothing_is_lost():
    handler = flaky([500, 502, 503, 504])
    client = echo_client(handler)
    out, _, stats = run_doubling(client, 6, max_items=6, max_retries=4)
    assert out == [2 * i for i in range(6)]
    assert stats.retries == 4
    assert handler.seen == [list(range(6))] * 5
    waits = [s for s in client.sleeps if s > 0.1]
    assert len(waits) == 4 and waits == sorted(waits)
    assert 0.3 < waits[0] <= 0.5 < 3 < waits[3] <= 4


def test_connection_errors_are_retried():
    calls = []

    def dropping(request):
        calls.append(1)
        if len(calls) <= 2:
            raise httpx.ConnectError("connection refused", request=request)
        return doubling(request)

    out, _, stats = run_doubling(echo_client(dropping), 4, max_items=4)
    assert out == [0, 2, 4, 6]
    assert stats.retries == 2


def failing_on(value, status=400, code=None, headers=None):
    def handler(request):
        items = json.loads(request.content)["items"]
        if value in items:
            body = {
                "error": {"message": f"item {value} is bad", "type": "invalid_request_error", "code": code}
            }
            return httpx.Response(status, json=body, headers=headers or {})
        return doubling(request)

    return handler


def test_a_failure_keeps_every_finished_batch_and_names_the_cause():
    client = echo_client(failing_on(7))
    with pytest.raises(bulk.BulkError) as info:
        run_doubling(client, 12, max_items=3, max_concurrency=1)
    error = info.value
    assert isinstance(error, ow.BadRequestError)
    assert error.status_code == 400
    assert isinstance(error.cause, ow.BadRequestError)
    assert error.done == [0, 1, 2, 3, 4, 5]
    assert error.missing == [6, 7, 8, 9, 10, 11]
    assert "6 of 12 inputs done" in str(error)
    assert "position 6" in str(error)
    assert "item 7 is bad" in str(error)
    assert "\n" not in str(error)


def test_a_failure_lets_the_requests_in_flight_finish_and_keeps_them():
    async def handler(request):
        items = json.loads(request.content)["items"]
        if items == [0]:
            return failing_on(0)(request)
        await asyncio.sleep(0.1)
        return doubling(request)

    with pytest.raises(bulk.BulkError) as info:
        run_doubling(echo_client(handler), 6, max_items=1, max_concurrency=6)
    assert info.value.done == [1, 2, 3, 4, 5]  # in flight when 0 failed: finished and kept


def test_retries_give_up_after_max_retries():
    client = echo_client(failing_on(1, status=503))
    with pytest.raises(ow.InternalServerError) as info:
        run_doubling(client, 2, max_items=1, max_concurrency=1, max_retries=3)
    assert isinstance(info.value, bulk.BulkError)
    assert "after 4 attempts" in str(info.value)
    assert info.value.done == [0]


def test_used_up_quota_and_long_waits_are_not_retried():
    client = echo_client(failing_on(0, status=429, code="insufficient_quota"))
    with pytest.raises(ow.RateLimitError) as info:
        run_doubling(client, 1)
    assert info.value.stats.requests == 1
    assert "quota" in str(info.value)

    client = echo_client(failing_on(0, status=429, headers={"retry-after": "3600"}))
    with pytest.raises(ow.RateLimitError) as info:
        run_doubling(client, 1)
    assert info.value.stats.requests == 1
    assert "3600" in str(info.value)


def test_an_error_in_collect_stops_the_run_and_keeps_what_was_collected():
    job = Doubling(8, fail_collect_at=4)
    with pytest.raises(bulk.BulkError) as info:
        run_doubling(echo_client(doubling), 8, job=job, max_items=2, max_concurrency=1)
    assert info.value.done == [0, 1, 2, 3]
    assert "cannot store this" in str(info.value)


# -- hostile headers: every wait a server asks for is bounded ----------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "nan"},
        {"retry-after-ms": "nan"},
        {"retry-after": "-5"},
        {"retry-after": "inf"},
    ],
)
def test_a_nonsense_retry_after_is_a_short_backoff_not_a_hang(headers):
    handler = flaky([429, 429], headers=headers)
    client = echo_client(handler)
    started = time.process_time()
    out, _, stats = run_doubling(client, 2, max_items=2)
    assert out == [0, 2] and stats.rate_limited == 2
    assert all(0 <= s <= 8 for s in client.sleeps)
    assert time.process_time() - started < 2  # no spinning


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (
            {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1h"},
            "x-ratelimit-reset-requests",
        ),
        ({"x-ratelimit-limit-requests": "0.001"}, "x-ratelimit-limit-requests"),
        ({"x-ratelimit-limit-tokens": "1"}, "x-ratelimit-limit-tokens"),
    ],
)
def test_a_wait_over_a_minute_asked_by_headers_stops_with_the_header_named(headers, named):
    def handler(request):
        response = doubling(request)
        response.headers.update(headers)
        return response

    with pytest.raises(ow.RateLimitError, match=named) as info:
        run_doubling(echo_client(handler), 4, max_items=1, max_concurrency=1)
    assert info.value.done  # the answer that carried the header was kept


def test_a_negative_remaining_count_does_not_stall_the_run():
    def handler(request):
        response = doubling(request)
        response.headers.update(
            {"x-ratelimit-remaining-requests": "-1000000", "x-ratelimit-limit-requests": "6000"}
        )
        return response

    client = echo_client(handler)
    out, _, _ = run_doubling(client, 5, max_items=1)
    assert out == [0, 2, 4, 6, 8]
    assert sum(client.sleeps) < 5


# -- interrupts -----------------------------------------------------------------------------


def interrupt_after(seconds):
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    return timer


def test_ctrl_c_lets_the_requests_in_flight_finish_and_keeps_them():
    async def slow(request):
        await asyncio.sleep(0.4)
        return doubling(request)

    job = Doubling(40)
    timer = interrupt_after(0.2)
    with pytest.raises(KeyboardInterrupt) as info:
        run_doubling(echo_client(slow), 40, job=job, max_items=1, max_concurrency=8)
    timer.cancel()
    error = info.value
    assert isinstance(error, bulk.BulkInterrupted)
    assert error.done == list(range(8))  # the eight in flight finished and are kept
    assert error.missing == list(range(8, 40))
    assert job.out[:8] == [2 * i for i in range(8)]
    assert "interrupted: 8 of 40" in str(error)


def test_a_second_ctrl_c_abandons_the_requests_in_flight():
    async def very_slow(request):
        await asyncio.sleep(30)
        return doubling(request)

    timers = [interrupt_after(0.2), interrupt_after(0.6)]
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as info:
        run_doubling(echo_client(very_slow), 10, max_items=1, max_concurrency=4)
    for timer in timers:
        timer.cancel()
    assert time.monotonic() - started < 5
    assert info.value.done == []


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"max_concurrency": 0}, ow.InvalidInputError, "between 1 and 2048"),
        ({"max_concurrency": 2049}, ow.InvalidInputError, "between 1 and 2048"),
        ({"max_concurrency": 2.5}, ow.InvalidTypeError, "whole number"),
        ({"requests_per_minute": 0}, ow.InvalidInputError, "more than 0"),
        ({"requests_per_minute": float("nan")}, ow.InvalidInputError, "more than 0"),
        ({"tokens_per_minute": "fast"}, ow.InvalidTypeError, "number or None"),
        ({"max_retries": -1}, ow.InvalidInputError, "0 or more"),
    ],
)
def test_settings_are_checked_before_anything_is_sent(options, error, words):
    calls = []
    client = echo_client(lambda request: calls.append(1) or doubling(request))
    with pytest.raises(error, match=words):
        run_doubling(client, 3, **options)
    assert not calls


def test_a_progress_bar_counts_inputs(capsys):
    run_doubling(echo_client(doubling), 6, max_items=2, progress=True, description="double")
    err = capsys.readouterr().err
    assert "double" in err
    assert "6/6" in err


def test_many_requests_in_flight_use_a_few_small_pools():
    handler, state = concurrency_probe(0.2)
    client = echo_client(handler)
    run_doubling(client, 300, max_items=1, max_concurrency=300)
    lanes = client._async_http()
    assert state["peak"] > 64  # more in flight than one lane holds...
    assert 2 <= lanes.lanes <= 300 // 32 + 1  # ...spread over lanes of 32
    assert np.all(np.asarray(lanes._open) == 0)  # every answer gave its place back
