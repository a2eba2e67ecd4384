"""The bulk engine on its own: batching, order, concurrency, retries, failures, interrupts."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

import openai_widgets as ow
from openai_widgets import bulk
from tests.conftest import TEST_KEY


def echo_client(handler, **options):
    """A client whose server doubles numbers: POST /double {"items": [...]} -> {"results": [...]}."""
    client = ow.Client(
        api_key=TEST_KEY, base_url="https://bulk.test/v1", transport=httpx.MockTransport(handler)
    )
    client.sleeps = []
    client.sleep = client.sleeps.append
    return client


def doubling(request: httpx.Request) -> httpx.Response:
    items = json.loads(request.content)["items"]
    return httpx.Response(200, json={"results": [2 * x for x in items]})


def send(sender, items):
    return sender.post("double", {"items": items})["results"]


def run_doubling(client, count, **options):
    out = [None] * count
    order = []

    def collect(positions, results):
        order.append(positions[0])
        for position, value in zip(positions, results, strict=True):
            assert out[position] is None, "a row arrived twice"
            out[position] = value

    options.setdefault("progress", False)
    stats = bulk.run(list(range(count)), send, collect, client=client, **options)
    return out, order, stats


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
    client = echo_client(doubling)
    seen = []

    def counting_send(sender, items):
        seen.extend(items)
        return send(sender, items)

    out = {}
    bulk.run(
        list(range(10)),
        counting_send,
        lambda positions, results: out.update(zip(positions, results, strict=True)),
        client=client,
        max_items=3,
        skip={0, 1, 5},
        progress=False,
    )
    assert sorted(seen) == [2, 3, 4, 6, 7, 8, 9]
    assert out == {p: 2 * p for p in seen}


# -- order and concurrency ---------------------------------------------------------------


def test_output_order_equals_input_order_when_answers_arrive_out_of_order():
    def slow_first(request):
        items = json.loads(request.content)["items"]
        time.sleep(0.08 if items[0] == 0 else 0.01 * (items[0] % 3))
        return doubling(request)

    out, order, stats = run_doubling(echo_client(slow_first), 40, max_items=4, max_concurrency=8)
    assert out == [2 * i for i in range(40)]
    assert order != sorted(order), "the first batch finished last, yet rows are in input order"
    assert stats.requests == 10
    assert stats.items == 40


def test_requests_run_concurrently_on_one_client():
    active, peak = [0], [0]
    lock = threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return doubling(request)

    started = time.monotonic()
    out, _, _ = run_doubling(echo_client(slow), 16, max_items=2, max_concurrency=8)
    assert time.monotonic() - started < 0.3  # 8 requests of 50 ms, not one after another
    assert peak[0] == 8
    assert out == [2 * i for i in range(16)]


def test_only_a_few_answers_are_read_and_decoded_at_once():
    decoding, peak = [0], [0]
    lock = threading.Lock()

    def slow_decode(sender, items):
        answer = sender.post("double", {"items": items})
        with lock:
            decoding[0] += 1
            peak[0] = max(peak[0], decoding[0])
        time.sleep(0.02)
        with lock:
            decoding[0] -= 1
        return answer["results"]

    out = [None] * 20
    bulk.run(
        list(range(20)),
        slow_decode,
        lambda positions, results: [out.__setitem__(p, r) for p, r in zip(positions, results, strict=True)],
        client=echo_client(doubling),
        max_items=1,
        max_concurrency=10,
        progress=False,
    )
    assert peak[0] <= bulk.READING_SLOTS
    assert out == [2 * i for i in range(20)]


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
    assert stats.retries == 5
    assert stats.requests == 8
    assert client.sleeps[:5] == pytest.approx([0.25] * 5)  # the server's wait, through the client's sleep


def test_rate_limit_waits_do_not_count_as_retries():
    handler = flaky([429, 429, 429, 500], headers={"retry-after-ms": "10"})
    out, _, stats = run_doubling(echo_client(handler), 2, max_items=2, max_retries=1)
    assert out == [0, 2]
    assert (stats.requests, stats.rate_limited, stats.retries) == (5, 3, 4)

    handler = flaky([429, 500, 500], headers={"retry-after-ms": "10"})
    with pytest.raises(ow.InternalServerError) as info:
        run_doubling(echo_client(handler), 2, max_items=2, max_retries=1)
    assert len(handler.seen) == 3  # the 429's wait, then one retry of the 500
    assert "after 3 attempts" in str(info.value)


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
    assert len(client.sleeps) == 4
    assert client.sleeps == sorted(client.sleeps)
    assert 0.3 < client.sleeps[0] <= 0.5 < 3 < client.sleeps[3] <= 4


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
    def collect(positions, results):
        if positions[0] == 4:
            raise ValueError("cannot store this")

    with pytest.raises(bulk.BulkError) as info:
        bulk.run(list(range(8)), send, collect, client=echo_client(doubling), max_items=2, max_concurrency=1)
    assert info.value.done == [0, 1, 2, 3]
    assert "cannot store this" in str(info.value)


# -- interrupts -----------------------------------------------------------------------------


def test_an_interrupt_raises_bulk_interrupted_with_the_finished_positions():
    collected = []

    def collect(positions, results):
        if len(collected) == 2:
            raise KeyboardInterrupt
        collected.append(positions)

    with pytest.raises(KeyboardInterrupt) as info:
        bulk.run(list(range(10)), send, collect, client=echo_client(doubling), max_items=2, max_concurrency=1)
    error = info.value
    assert isinstance(error, bulk.BulkInterrupted)
    assert error.done == [0, 1, 2, 3]
    assert error.missing == [4, 5, 6, 7, 8, 9]
    assert "interrupted: 4 of 10" in str(error)


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"max_concurrency": 0}, ow.InvalidInputError, "between 1 and 64"),
        ({"max_concurrency": 65}, ow.InvalidInputError, "between 1 and 64"),
        ({"max_concurrency": 2.5}, ow.InvalidTypeError, "whole number"),
        ({"requests_per_minute": 0}, ow.InvalidInputError, "more than 0"),
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
