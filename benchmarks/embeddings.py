"""Embedding N short texts against the sandbox: the bulk engine versus one batch after another.

    python benchmarks/embeddings.py                  # N = 20,000 and 100,000
    python benchmarks/embeddings.py --n 5000 --rpm 3000

The sandbox runs in a separate process (so its memory and CPU are not the client's),
with a fixed latency added to every request and a requests-per-minute limit enforced
with 429 + Retry-After (a token bucket holding `--burst` seconds of the rate). For each
N it prints, from one run:

- wall time of `embed()` (the engine) and of the sequential baseline (batches of 2048
  sent one after another, the way common client libraries do, 429s retried by the
  client's own retry loop);
- the theoretical minimum max(requests * latency / concurrency, requests / RPM) and the
  ratio of the engine's time to it (target <= 1.15);
- the speed-up of the engine over the baseline (target >= 8x at 100 ms latency);
- peak memory of `embed()` measured with tracemalloc (Python objects and numpy
  buffers; a separate pass, so tracing does not slow the timed run) against the raw
  float32 size of the result (target <= 1.5x);
- rows lost or duplicated (must be 0), checked row by row against the baseline.

Vectors have 256 dimensions (`dimensions=256`, as text-embedding-3 models allow), which
keeps 100,000 rows at 102 MB; `--dimensions` changes it.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai_widgets as ow

BATCH = 2048
MODEL = "text-embedding-3-small"

SERVER = """
import sys, time
from openai_widgets.sandbox import Sandbox
latency, rpm, burst = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sandbox = Sandbox(latency=latency, rpm=rpm, burst_seconds=burst).start()
print(sandbox.base_url, flush=True)
sys.stdin.read()  # runs until the benchmark closes our stdin
"""


def start_sandbox(latency: float, rpm: int, burst: float) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(latency), str(rpm), str(burst)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    return process, process.stdout.readline().strip()


def texts_for(n: int) -> list[str]:
    topics = ["cats", "dogs", "markets", "rain", "football", "jazz", "python", "tea"]
    return [f"note {i}: a short text about {topics[i % len(topics)]} and item {i % 997}" for i in range(n)]


def sequential(
    client: ow.Client, texts: list[str], dimensions: int
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """One request of 2048 after another, decoded with numpy (what common libraries do).

    Also returns, per request, (seconds the client waited in all, seconds the server said it
    took from `openai-processing-ms`), to tell the sandbox's work from the client's.
    """
    from openai_widgets._core.transport import decode_json
    from openai_widgets._embeddings.vectors import decode_embeddings

    parts, timings = [], []
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        body = {"input": chunk, "model": MODEL, "encoding_format": "base64", "dimensions": dimensions}
        began = time.perf_counter()
        response = client._request("POST", "embeddings", json=body)
        parts.append(decode_embeddings(decode_json(response)["data"], len(chunk)))
        server = float(response.headers.get("openai-processing-ms", "nan")) / 1000
        timings.append((time.perf_counter() - began, server))
    return np.concatenate(parts), timings


def engine(client: ow.Client, texts: list[str], dimensions: int, concurrency: int):
    return client.embed(texts, MODEL, dimensions=dimensions, max_concurrency=concurrency, progress=False)


def peak_memory(client: ow.Client, texts: list[str], dimensions: int, concurrency: int) -> int:
    tracemalloc.start()
    try:
        frame = engine(client, texts, dimensions, concurrency)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del frame
    return peak


def lost_and_duplicated(frame, texts: list[str], reference: np.ndarray) -> tuple[int, int]:
    """Rows missing or repeated, by index and by vector (each row must equal the baseline's)."""
    labels = frame.index.to_numpy()
    duplicated = len(labels) - len(set(labels.tolist()))
    lost = len(texts) - len(set(labels.tolist()) & set(range(len(texts))))
    if list(frame["input"]) != texts:
        lost = max(lost, sum(a != b for a, b in zip(frame["input"], texts, strict=True)) or 1)
    matrix = ow.as_matrix(frame)
    lost = max(lost, int((~np.all(matrix == reference, axis=1)).sum()))
    return lost, duplicated


def run(n: int, args: argparse.Namespace, client: ow.Client) -> None:
    texts = texts_for(n)
    requests = math.ceil(n / BATCH)
    minimum = max(requests * args.latency / args.concurrency, requests / (args.rpm / 60.0))

    time.sleep(args.burst + 0.5)  # let the server's rate bucket refill between runs
    started = time.perf_counter()
    reference, timings = sequential(client, texts, args.dimensions)
    baseline = time.perf_counter() - started

    time.sleep(args.burst + 0.5)
    started = time.perf_counter()
    frame = engine(client, texts, args.dimensions, args.concurrency)
    wall = time.perf_counter() - started

    time.sleep(args.burst + 0.5)
    peak = peak_memory(client, texts, args.dimensions, args.concurrency)
    raw = n * args.dimensions * 4
    lost, duplicated = lost_and_duplicated(frame, texts, reference)

    print(f"\nN = {n:,} texts, {requests} requests of up to {BATCH}, dimensions={args.dimensions}")
    print(
        f"  embed() wall time            {wall:8.3f} s   ({frame.attrs['requests']} requests sent, "
        f"{frame.attrs['rate_limited']} answered 429)"
    )
    print(
        f"  theoretical minimum          {minimum:8.3f} s   max({requests} x {args.latency:g} s / "
        f"{args.concurrency}, {requests} / {args.rpm} RPM)"
    )
    print(f"  ratio to the minimum         {wall / minimum:8.2f}     (target <= 1.15)")
    print(f"  sequential baseline          {baseline:8.3f} s")
    print(f"  speed-up over the baseline   {baseline / wall:8.1f} x   (target >= 8)")
    print(
        f"  peak memory (tracemalloc)    {peak / 1e6:8.1f} MB  = {peak / raw:.2f} x the raw float32 result "
        f"of {raw / 1e6:.1f} MB (target <= 1.5)"
    )
    print(f"  rows lost / duplicated       {lost} / {duplicated}")
    # What one request costs besides the latency, measured in the sequential run: the sandbox's
    # own work (its processing time minus the injected latency) and the client's (the rest:
    # sending, reading, decoding). Each runs in one process, so neither can go faster than one
    # request per its cost, whatever the concurrency: a floor the formula above leaves out.
    server_cpu = float(np.median([served for _, served in timings])) - args.latency
    client_cpu = float(np.median([total - served for total, served in timings]))
    floor = max(minimum, requests * max(server_cpu, client_cpu))
    print(
        f"  per request besides latency  sandbox {server_cpu * 1000:.0f} ms, client "
        f"{client_cpu * 1000:.0f} ms (sequential run): floor on this machine {floor:.3f} s, "
        f"ratio to it {wall / floor:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[20_000, 100_000], help="numbers of texts")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every request")
    parser.add_argument("--rpm", type=int, default=4000, help="requests per minute the sandbox allows")
    parser.add_argument(
        "--burst", type=float, default=0.25, help="seconds of the rate the sandbox lets burst"
    )
    parser.add_argument("--dimensions", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=16, help="embed(max_concurrency=...)")
    args = parser.parse_args()

    server, base_url = start_sandbox(args.latency, args.rpm, args.burst)
    try:
        print(
            f"sandbox in process {server.pid} at {base_url}: latency {args.latency:g} s, "
            f"{args.rpm} requests/minute (burst {args.burst:g} s), enforced with 429 + Retry-After"
        )
        with ow.Client(api_key="sk-benchmark", base_url=base_url) as client:
            engine(client, texts_for(50), args.dimensions, args.concurrency)  # warm up: imports, connections
            for n in args.n:
                run(n, args, client)
    finally:
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
