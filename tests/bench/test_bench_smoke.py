"""Smoke tests of benchmarks/: the rate-limited server answers and limits as OpenAI does, and each
benchmark runs at a small size, prints its figures and finds every row right.

Not timed: no assertion is made on a wall time, floor or share, which depend on the machine.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bulk_embed  # noqa: E402
from answers import chat_reply, count_tokens, expected_matrix  # noqa: E402
from harness import RatelimitedServer, check_chat_rows  # noqa: E402

AUTH = {"Authorization": "Bearer sk-benchmark"}


def run_benchmark(script: str, *arguments: str) -> tuple[str, dict]:
    """Run a benchmark with --json; its printed text and the figures of its last line."""
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments, "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, json.loads(done.stdout.strip().splitlines()[-1])


def figure_lines(text: str) -> dict[str, str]:
    """The report's `label   value` lines, by label."""
    lines = [line.strip() for line in text.splitlines() if line.startswith("  ")]
    return {line[:34].strip(): line[34:].strip() for line in lines}


def post(server: RatelimitedServer, path: str, body: dict) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, headers=AUTH, trust_env=False, timeout=10) as http:
        return http.post(path, json=body)


# --- the server -------------------------------------------------------------------------------


def test_server_answers_chat_in_openai_shape_with_a_checkable_reply(spec):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarise: rain"}]
    with RatelimitedServer(["--latency", "0.01", "--jitter", "0"]) as server:
        response = post(server, "/chat/completions", {"model": "gpt-4o-mini", "messages": messages})
        cut = post(server, "/chat/completions", {"model": "m", "messages": messages, "max_tokens": 2})
        stats = server.stats()

    assert response.status_code == 200
    answer = response.json()
    spec.validate_response("POST", "/chat/completions", answer)
    assert answer["choices"][0]["message"]["content"] == chat_reply(messages)
    assert answer["usage"]["prompt_tokens"] == 3 + (3 + 3) + (3 + 4)  # priming, then 3 + ceil(len / 4) each
    assert answer["usage"]["completion_tokens"] == count_tokens(chat_reply(messages))
    assert response.headers["x-ratelimit-limit-requests"] == "12000"
    assert response.headers["x-ratelimit-remaining-requests"] == "11999"
    assert cut.json()["choices"][0]["message"]["content"] == chat_reply(messages)[:8]
    assert cut.json()["choices"][0]["finish_reason"] == "length"
    assert (stats["requests"], stats["answered"], stats["chat_requests"]) == (2, 2, 2)


def test_server_embeds_deterministically_in_float_and_base64(spec):
    texts = ["a short note", "another one", "a short note"]
    with RatelimitedServer([]) as server:
        floats = post(
            server, "/embeddings", {"model": "text-embedding-3-small", "input": texts, "dimensions": 64}
        )
        packed = post(
            server,
            "/embeddings",
            {"model": "text-embedding-3-small", "input": texts, "encoding_format": "base64"},
        )
        empty = post(server, "/embeddings", {"model": "text-embedding-3-small", "input": ["ok", ""]})

    spec.validate_response("POST", "/embeddings", floats.json())
    as_floats = np.array([row["embedding"] for row in floats.json()["data"]], dtype=np.float32)
    as_bytes = np.stack(
        [np.frombuffer(base64.b64decode(row["embedding"]), dtype="<f4") for row in packed.json()["data"]]
    )
    assert np.array_equal(as_floats, expected_matrix(texts, 64))
    assert as_bytes.shape == (3, 1536)
    assert np.array_equal(as_bytes, expected_matrix(texts, 1536))
    assert not np.array_equal(as_bytes[0], as_bytes[1])
    assert floats.json()["usage"]["prompt_tokens"] == sum(count_tokens(t) for t in texts) == 9
    assert empty.status_code == 400
    assert "input[1] is empty" in empty.json()["error"]["message"]


def test_server_answers_429_with_retry_after_and_rate_headers_when_over_the_window():
    # 60 RPM over a 1 s window: one request at once, then one a second.
    with RatelimitedServer(["--rpm", "60", "--tpm", "1000", "--latency", "0.01"]) as server:
        body = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}
        first, second = post(server, "/chat/completions", body), post(server, "/chat/completions", body)
        too_large = post(server, "/chat/completions", {**body, "max_tokens": 5000})
        stats = server.stats()

    assert first.status_code == 200
    assert second.status_code == 429
    error = second.json()["error"]
    assert (error["code"], error["type"]) == ("rate_limit_exceeded", "requests")
    assert "Limit 60" in error["message"]
    assert second.headers["retry-after"] == "1"
    assert 0 < int(second.headers["retry-after-ms"]) <= 1000
    for name in ("requests", "tokens"):
        for kind in ("limit", "remaining", "reset"):
            assert f"x-ratelimit-{kind}-{name}" in second.headers
    assert second.headers["x-ratelimit-limit-tokens"] == "1000"
    assert too_large.status_code == 429
    assert too_large.json()["error"]["type"] == "tokens"
    assert "retry-after" not in too_large.headers  # it can never pass
    assert (stats["answered"], stats["rate_limited"]) == (1, 2)


def test_server_refuses_a_request_without_a_key():
    with RatelimitedServer([]) as server, httpx.Client(base_url=server.base_url, trust_env=False) as http:
        response = http.post("/embeddings", json={"model": "m", "input": "x"})
    assert response.status_code == 401
    assert "x-ratelimit-limit-requests" in response.headers


# --- the row checks -----------------------------------------------------------------------------


def test_chat_row_check_counts_wrong_and_missing_answers():
    prompts = ["a", "b", "c", "d"]
    answers = pd.Series(
        [chat_reply([{"role": "user", "content": p}]) for p in prompts], index=[10, 11, 12, 13]
    )
    assert check_chat_rows(answers, prompts, answers.index) == (0, 0)
    answers[11] = answers[12]
    answers[13] = None
    assert check_chat_rows(answers.drop(10), prompts, [10, 11, 12, 13]) == (1, 2)


def test_embed_row_check_counts_swapped_and_missing_rows():
    import openai_widgets as ow

    texts = bulk_embed.embed_texts(50)
    with (
        RatelimitedServer([]) as server,
        ow.Client(api_key="sk-benchmark", base_url=server.base_url) as client,
    ):
        frame = bulk_embed.run_embed(client, texts, 32, progress=False)
    assert bulk_embed.check_rows(frame, texts, 32) == (0, 0)
    swapped = frame.copy()
    swapped["embedding"] = list(ow.as_matrix(frame)[[1, 0, *range(2, 50)]])
    assert bulk_embed.check_rows(swapped, texts, 32) == (2, 0)
    assert bulk_embed.check_rows(frame.drop(index=[7, 8, 9]), texts, 32) == (0, 3)


# --- the benchmarks at a small size ---------------------------------------------------------------


CHAT_LABELS = [
    "wall time",
    "floor set by the rate limit",
    "share of the budget used",
    "429 answers",
    "peak in flight (server)",
    "wrong / missing rows",
]


def test_bulk_chat_runs_and_every_row_is_right(tmp_path):
    log = tmp_path / "server.jsonl"
    text, figures = run_benchmark(
        "bulk_chat.py", "--rows", "40", "--rpm", "60000", "--latency", "0.02", "--burst", "0.2",
        "--server-log", str(log),
    )  # fmt: skip
    printed = figure_lines(text)
    for label in CHAT_LABELS:
        assert label in printed, label
    assert printed["wrong / missing rows"] == "0 / 0"
    assert (figures["rows"], figures["wrong_rows"], figures["missing_rows"]) == (40, 0, 0)
    assert figures["requests"] >= 40
    assert 1 <= figures["peak_in_flight"] <= 40
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    timed = events[events.index("reset") + 1 :]  # after the warm-up
    assert timed.count("answered") == 40
    assert timed.count("taken") == 40
    assert timed.count("refused") == figures["rate_limited"]


def test_reference_threads_runs_and_every_row_is_right():
    text, figures = run_benchmark(
        "reference_threads.py",
        "--rows",
        "40",
        "--threads",
        "8",
        "--rpm",
        "60000",
        "--latency",
        "0.02",
        "--burst",
        "0.2",
    )
    printed = figure_lines(text)
    for label in CHAT_LABELS:
        assert label in printed, label
    assert (figures["wrong_rows"], figures["missing_rows"]) == (0, 0)
    assert 1 <= figures["peak_in_flight"] <= 8


def test_bulk_embed_runs_and_every_row_is_right():
    text, figures = run_benchmark("bulk_embed.py", "--rows", "300", "--dimensions", "256", "--burst", "0.2")
    printed = figure_lines(text)
    for label in [
        "wall time",
        "floor set by the token budget",
        "share of the token budget used",
        "429 answers",
        "raw float32 result",
        "peak RSS rise (VmHWM)",
        "peak traced (tracemalloc)",
        "wrong / missing rows",
    ]:
        assert label in printed, label
    assert printed["wrong / missing rows"] == "0 / 0"
    tokens = sum(count_tokens(t) for t in bulk_embed.embed_texts(300))
    assert printed["server-counted tokens"] == f"{tokens:,} answered ({tokens:,} in the texts)"
    assert figures["raw_bytes"] == 300 * 256 * 4
    assert figures["peak_traced_bytes"] > 0
    assert (figures["wrong_rows"], figures["missing_rows"]) == (0, 0)
