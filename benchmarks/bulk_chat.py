"""`chat_map` over many rows against a rate-limited OpenAI-compatible server: the share of RPM it uses.

    python benchmarks/bulk_chat.py                        # 2,000 rows, 500 ms ±20 %, 12,000 RPM
    python benchmarks/bulk_chat.py --rows 200 --rpm 60000 --latency 0.05   # a quick run

The server (ratelimited_server.py) runs in its own process on a free loopback port and
enforces requests and tokens per minute over a 1 s window, answering 429 + retry-after
when the client is too fast. The job is what a user writes, with the package's default
settings: `client.chat_map(df, "Summarise in ten words: {text}")`.

Printed from one run:
- wall time of the `chat_map` call;
- the floor the rate limit sets: (rows - burst allowance) / (RPM / 60) + one answer's
  mean latency, where the burst allowance is the RPM / 60 * burst requests the server lets
  through at once (the tokens limit gives the same formula in tokens; the larger floor counts);
- share of the budget used: floor / wall time;
- 429 answers per row, and the largest number of requests the server had in flight;
- wrong and missing rows: every answer is checked against the server's deterministic reply.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the package, in a checkout

import pandas as pd
from harness import (
    CHAT_TEMPLATE,
    RatelimitedServer,
    Timing,
    chat_prompts,
    chat_report,
    chat_texts,
    chat_tokens,
    check_chat_rows,
    line,
    wait_for_refill,
)

import openai_widgets as ow

API_KEY = "sk-benchmark-not-a-real-key"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rpm", type=float, default=12_000, help="requests per minute the server allows")
    parser.add_argument("--tpm", type=float, default=10_000_000, help="tokens per minute the server allows")
    parser.add_argument("--burst", type=float, default=1.0, help="seconds of the rate the server lets burst")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per answer (mean)")
    parser.add_argument("--jitter", type=float, default=0.2, help="± fraction of the latency")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--server-log", help="the server's --log file: a JSON line per request")
    args = parser.parse_args(argv)

    frame = pd.DataFrame({"text": chat_texts(args.rows)})
    prompts = chat_prompts(frame["text"])
    server_args = ["--rpm", args.rpm, "--tpm", args.tpm, "--burst", args.burst]
    server_args += ["--log", args.server_log] if args.server_log else []
    server_args += ["--latency", args.latency, "--jitter", args.jitter]

    with (
        RatelimitedServer(server_args) as server,
        ow.Client(api_key=API_KEY, base_url=server.base_url) as client,
    ):
        print(f"server: {server.banner}")
        client.chat_map(frame.head(1), CHAT_TEMPLATE, progress=False)  # imports and one connection
        wait_for_refill(args.burst)
        server.reset_stats()

        with Timing() as timing:
            answers = client.chat_map(frame, CHAT_TEMPLATE)
        stats = server.stats()

    floor = chat_report("chat_map, default settings", timing, args.rows, args, chat_tokens(prompts), stats)
    wrong, missing = check_chat_rows(answers, prompts, frame.index)
    line("wrong / missing rows", f"{wrong} / {missing}")
    met = [
        ("share >= 90 %", floor / timing.wall >= 0.90),
        (
            "<= 1 429 per 10 requests",
            stats["rate_limited"] * 10 <= max(stats["requests"] - stats["rate_limited"], 1),
        ),
        ("0 wrong rows", wrong == 0 and missing == 0),
    ]
    line("targets", "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in met))
    figures = {
        "rows": args.rows,
        "wall_seconds": timing.wall,
        "floor_seconds": floor,
        "share": floor / timing.wall,
        "requests": stats["requests"],
        "rate_limited": stats["rate_limited"],
        "peak_in_flight": stats["peak_in_flight"],
        "wrong_rows": wrong,
        "missing_rows": missing,
    }
    if args.json:
        print(json.dumps({"benchmark": "bulk_chat", **figures}))
    return figures


if __name__ == "__main__":
    main()
