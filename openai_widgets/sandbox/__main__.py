"""`python -m openai_widgets.sandbox --port 8765`: serve the sandbox until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import time

from ._server import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m openai_widgets.sandbox",
        description="A local OpenAI-compatible server (sandbox output, no key needed).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help="accept only this key (repeatable); by default any bearer key works",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--rpm", type=int, help="requests per minute before 429")
    parser.add_argument("--tpm", type=int, help="tokens per minute before 429")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of requests that get a 500")
    parser.add_argument(
        "--stream-interval", type=float, default=0.02, help="seconds between streamed tokens (default 0.02)"
    )
    parser.add_argument("--job-seconds", type=float, default=3.0, help="how long a fine-tuning job runs")
    parser.add_argument(
        "--index-seconds",
        type=float,
        default=0.5,
        help="how long a vector store takes to index the files added in one request",
    )
    parser.add_argument(
        "--background-seconds", type=float, default=0.5, help="how long a background response takes"
    )
    parser.add_argument("--eval-seconds", type=float, default=2.0, help="how long an eval run takes")
    args = parser.parse_args(argv)
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        api_keys=args.api_keys,
        latency=args.latency,
        rpm=args.rpm,
        tpm=args.tpm,
        stream_interval=args.stream_interval,
        error_rates={500: args.error_rate} if args.error_rate else None,
        job_seconds=args.job_seconds,
        index_seconds=args.index_seconds,
        background_seconds=args.background_seconds,
        eval_seconds=args.eval_seconds,
    )
    sandbox.start()
    print(f"openai_widgets sandbox on {sandbox.base_url} (Ctrl-C stops it)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
