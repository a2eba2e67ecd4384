"""`embed` of many texts against a rate-limited OpenAI-compatible server: share of the token budget, memory.

    python benchmarks/bulk_embed.py                       # 30,000 texts, 1,536 dimensions, 7.2 M TPM
    python benchmarks/bulk_embed.py --rows 2000 --no-tracemalloc   # a quick run

The server (ratelimited_server.py) runs in its own process on a free loopback port,
answers an embeddings request in 100 ms + 20 µs per input token, and enforces 7.2 M tokens
per minute (and a high requests-per-minute limit) over a 1 s window, answering 429 +
retry-after when the client is too fast. The job is what a user writes, with the package's
default settings: `client.embed(texts, "text-embedding-3-small")` (1,536 dimensions).

Printed from one run:
- wall time of the `embed` call;
- the floor the token budget sets: total server-counted tokens / (TPM / 60). The server
  takes tokens at TPM / 60 per second; its 1 s burst allowance could save up to 1 s of
  that and the last answer's latency adds some back, so the strict bound
  (tokens - burst) / rate + 100 ms is printed too;
- share of the token budget used: floor / wall time;
- 429 answers;
- peak memory of this process during the call over the raw float32 result (rows x
  dimensions x 4 bytes): the rise of peak resident memory (VmHWM, what a user sees) in the
  timed run, and the peak traced by tracemalloc (Python objects and numpy buffers) in a
  second, untimed run (tracing slows allocation down);
- wrong and missing rows: every vector is checked against the server's deterministic one.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the package, in a checkout

import numpy as np
import pandas as pd
from answers import count_tokens, expected_matrix
from harness import (
    MIB,
    PeakRSS,
    RatelimitedServer,
    Timing,
    line,
    per_request,
    rate_floor,
    share,
    token_floor,
    wait_for_refill,
)

import openai_widgets as ow

API_KEY = "sk-benchmark-not-a-real-key"
MODEL = "text-embedding-3-small"
NATIVE_DIMENSIONS = 1536
_TOPICS = ["cats", "dogs", "markets", "rain", "football", "jazz", "python", "tea"]


def embed_texts(rows: int) -> list[str]:
    """Short English notes, all different (about 12 tokens each)."""
    return [
        f"note {i}: a short text about {_TOPICS[i % len(_TOPICS)]} and item {i % 997}" for i in range(rows)
    ]


def check_rows(frame: pd.DataFrame, texts: list[str], dimensions: int) -> tuple[int, int]:
    """(wrong, missing): rows whose input or vector is not the expected one, positions with no row."""
    present = frame.index.intersection(pd.RangeIndex(len(texts)))
    missing = len(texts) - len(present)
    rows = frame.loc[present]
    matrix = ow.as_matrix(rows)
    positions = present.to_numpy()
    wrong = 0
    for start in range(
        0, len(positions), 4096
    ):  # a slice at a time: the expected matrix is as big as the result
        chunk = positions[start : start + 4096]
        expected = expected_matrix([texts[p] for p in chunk], dimensions)
        got = matrix[start : start + len(chunk)]
        bad = ~np.all(got == expected, axis=1) if got.shape == expected.shape else np.ones(len(chunk), bool)
        bad |= rows["input"].iloc[start : start + len(chunk)].to_numpy() != np.asarray(
            [texts[p] for p in chunk]
        )
        wrong += int(bad.sum())
    return wrong, missing


def run_embed(
    client: ow.Client, texts: list[str], dimensions: int, progress: bool | None = None
) -> pd.DataFrame:
    extra = {} if dimensions == NATIVE_DIMENSIONS else {"dimensions": dimensions}
    return client.embed(texts, MODEL, progress=progress, **extra)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--dimensions", type=int, default=NATIVE_DIMENSIONS)
    parser.add_argument("--rpm", type=float, default=10_000, help="requests per minute the server allows")
    parser.add_argument("--tpm", type=float, default=7_200_000, help="tokens per minute the server allows")
    parser.add_argument("--burst", type=float, default=1.0, help="seconds of the rate the server lets burst")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--token-latency", type=float, default=20e-6, help="seconds per input token")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the second, traced run")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--server-log", help="the server's --log file: a JSON line per request")
    args = parser.parse_args(argv)

    texts = embed_texts(args.rows)
    tokens = sum(count_tokens(text) for text in texts)
    raw = args.rows * args.dimensions * 4
    server_args = ["--rpm", args.rpm, "--tpm", args.tpm, "--burst", args.burst]
    server_args += ["--log", args.server_log] if args.server_log else []
    server_args += ["--embed-latency", args.latency, "--embed-token-latency", args.token_latency]

    with (
        RatelimitedServer(server_args) as server,
        ow.Client(api_key=API_KEY, base_url=server.base_url) as client,
    ):
        print(f"server: {server.banner}")
        run_embed(client, ["warm-up"], args.dimensions, progress=False)  # imports and one connection
        wait_for_refill(args.burst)
        server.reset_stats()
        gc.collect()

        memory = PeakRSS()
        with Timing() as timing:
            frame = run_embed(client, texts, args.dimensions)
        rss_rise = memory.increase()
        stats = server.stats()
        wrong, missing = check_rows(frame, texts, args.dimensions)

        traced = None
        if not args.no_tracemalloc:
            del frame
            gc.collect()
            wait_for_refill(args.burst)
            tracemalloc.start()
            try:
                again = run_embed(client, texts, args.dimensions, progress=False)
                traced = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            del again

    floor = token_floor(tokens, args.tpm)
    strict = rate_floor(tokens, args.tpm, args.burst, args.latency, "tokens")
    print(
        f"\nembed of {args.rows:,} texts, {args.dimensions:,} dimensions, default settings, "
        f"{args.tpm:,.0f} TPM / {args.rpm:,.0f} RPM"
    )
    wall = timing.wall
    line("wall time", f"{wall:.2f} s   ({timing.describe()})")
    line("floor set by the token budget", f"{floor.seconds:.2f} s   {floor.formula}")
    line("strict bound (burst, latency)", f"{strict.seconds:.2f} s   {strict.formula}")
    line("share of the token budget used", f"{share(floor.seconds, wall)}   (floor / wall time)")
    line("server-counted tokens", f"{stats['prompt_tokens']:,} answered ({tokens:,} in the texts)")
    line("requests answered by the server", f"{stats['answered']:,} ({stats['requests']:,} received)")
    line("429 answers", per_request(stats["rate_limited"], stats["answered"]))
    line(
        "peak in flight (server)",
        f"{stats['peak_in_flight']} requests, {stats['peak_connections']} connections",
    )
    line("server CPU time", f"{stats['cpu_seconds']:.2f} s")
    line("raw float32 result", f"{raw / MIB:.0f} MiB ({args.rows:,} x {args.dimensions:,} x 4 bytes)")
    how = "VmHWM" if memory.reset_worked else "ru_maxrss"
    line(f"peak RSS rise ({how})", f"+{rss_rise / MIB:.0f} MiB = {rss_rise / raw:.2f} x the raw result")
    if traced is not None:
        line("peak traced (tracemalloc)", f"{traced / MIB:.0f} MiB = {traced / raw:.2f} x the raw result")
    line("wrong / missing rows", f"{wrong} / {missing}")
    met = [
        ("share >= 90 %", floor.seconds / wall >= 0.90),
        ("peak <= 1.5 x raw + 64 MiB", rss_rise <= 1.5 * raw + 64 * MIB),
        ("0 wrong rows", wrong == 0 and missing == 0),
    ]
    line("targets", "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in met))
    figures = {
        "rows": args.rows,
        "wall_seconds": wall,
        "floor_seconds": floor.seconds,
        "share": floor.seconds / wall,
        "tokens": tokens,
        "requests": stats["requests"],
        "rate_limited": stats["rate_limited"],
        "raw_bytes": raw,
        "peak_rss_rise_bytes": rss_rise,
        "peak_traced_bytes": traced,
        "wrong_rows": wrong,
        "missing_rows": missing,
    }
    if args.json:
        print(json.dumps({"benchmark": "bulk_embed", **figures}))
    return figures


if __name__ == "__main__":
    main()
