"""A plain reference client for the chat job: httpx, N threads, paced at the request rate.

    python benchmarks/reference_threads.py                # 2,000 rows, 160 threads, 12,000 RPM
    python benchmarks/reference_threads.py --rows 200 --rpm 60000 --latency 0.05

It does what bulk_chat.py asks of `chat_map` (one chat completion per row, the same prompts,
the same server settings) with nothing of the package: a shared pacer hands out request
slots at --pace x RPM / 60 per second with --client-burst seconds of them up front, and
--threads threads (a keep-alive connection each) take a row, wait for a slot and POST it; a 429 waits its
retry-after-ms and asks again. It shows what this machine reaches with a straightforward
client, as a yardstick for the bulk engine. The figures are bulk_chat.py's.
"""

from __future__ import annotations

import argparse
import json
import queue
import ssl
import threading
import time

import httpx
from harness import (
    CHAT_MODEL,
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

API_KEY = "sk-benchmark-not-a-real-key"


class Pacer:
    """Request slots at `rate` per second, `capacity` of them available at once; starts full."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, max(capacity, 1.0)
        self.level, self.stamp = self.capacity, time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = time.monotonic()
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate) - 1.0
            self.stamp = now
            wait = -self.level / self.rate if self.level < 0 else 0.0  # the slot is ours; wait for its time
        if wait:
            time.sleep(wait)


def run_rows(base_url: str, prompts: list[str], threads: int, pacer: Pacer) -> dict[int, str]:
    """Every prompt answered (position -> reply), by `threads` threads with a keep-alive connection each.

    One httpx.Client per thread: a single client shared by a hundred threads spends more
    CPU managing its connection pool than sending requests. They share one TLS context
    (unused on plain http, but each client would otherwise load the CA bundle again).
    """
    todo: queue.Queue[int] = queue.Queue()
    for position in range(len(prompts)):
        todo.put(position)
    answers: dict[int, str] = {}
    failures: list[BaseException] = []
    headers = {"Authorization": f"Bearer {API_KEY}"}
    tls = ssl.create_default_context()

    def worker() -> None:
        with httpx.Client(
            base_url=base_url, headers=headers, timeout=60, trust_env=False, verify=tls
        ) as http:
            while not failures:
                try:
                    position = todo.get_nowait()
                except queue.Empty:
                    return
                body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": prompts[position]}]}
                try:
                    answers[position] = ask(http, body, pacer)
                except (httpx.HTTPError, KeyError, ValueError) as error:
                    failures.append(error)

    pool = [threading.Thread(target=worker, name=f"reference-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise RuntimeError(f"the reference client failed: {failures[0]!r}")
    return answers


def ask(http: httpx.Client, body: dict, pacer: Pacer) -> str:
    """One chat completion, waiting for a slot first and asking again after a 429's retry-after-ms."""
    while True:
        pacer.acquire()
        response = http.post("/chat/completions", json=body)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("retry-after-ms", "1000")) / 1000)
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=160, help="requests in flight at most")
    parser.add_argument("--pace", type=float, default=0.98, help="fraction of the RPM the pacer allows")
    parser.add_argument(
        "--client-burst", type=float, default=0.9, help="seconds of slots the pacer starts with"
    )
    parser.add_argument("--rpm", type=float, default=12_000, help="requests per minute the server allows")
    parser.add_argument("--tpm", type=float, default=10_000_000, help="tokens per minute the server allows")
    parser.add_argument("--burst", type=float, default=1.0, help="seconds of the rate the server lets burst")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per answer (mean)")
    parser.add_argument("--jitter", type=float, default=0.2, help="± fraction of the latency")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args(argv)

    prompts = chat_prompts(chat_texts(args.rows))
    server_args = ["--rpm", args.rpm, "--tpm", args.tpm, "--burst", args.burst]
    server_args += ["--latency", args.latency, "--jitter", args.jitter]
    rate = args.pace * args.rpm / 60.0

    with RatelimitedServer(server_args) as server:
        print(f"server: {server.banner}")
        run_rows(server.base_url, prompts[:1], 1, Pacer(rate, 1))  # imports
        wait_for_refill(args.burst)
        server.reset_stats()

        with Timing() as timing:
            answers = run_rows(server.base_url, prompts, args.threads, Pacer(rate, rate * args.client_burst))
        stats = server.stats()

    title = f"reference client, {args.threads} threads paced at {args.pace:g} x RPM"
    floor = chat_report(title, timing, args.rows, args, chat_tokens(prompts), stats)
    wrong, missing = check_chat_rows(answers, prompts, range(args.rows))
    line("wrong / missing rows", f"{wrong} / {missing}")
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
        print(json.dumps({"benchmark": "reference_threads", **figures}))
    return figures


if __name__ == "__main__":
    main()
