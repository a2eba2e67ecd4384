"""What the bulk benchmarks share: the server in its own process, the chat job, floors, memory, reports.

`RatelimitedServer` starts benchmarks/ratelimited_server.py as a subprocess on a free
loopback port (the server binds port 0 and prints its address), reads its counters and
stops it. The rest is arithmetic the benchmarks print: the floor a rate limit sets on a
job, and the peak resident memory of this process.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from answers import chat_reply, prompt_tokens

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE / "ratelimited_server.py"
READY_TIMEOUT = 30.0  # seconds for the server to print its address
MIB = 1024 * 1024


class RatelimitedServer:
    """The benchmark server in a subprocess: `with RatelimitedServer(["--rpm", "12000"]) as server: ...`."""

    def __init__(self, arguments: Sequence[object]) -> None:
        self.arguments = [str(a) for a in arguments]
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.banner = ""

    def __enter__(self) -> RatelimitedServer:
        command = [sys.executable, str(SERVER_SCRIPT), "--port", "0", "--until-stdin-closes", *self.arguments]
        # Its errors go to our stderr: a pipe nobody reads could fill up and stall the server.
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.banner = self._first_line()
        found = re.search(r"http://\S+", self.banner)
        if found is None:
            self.stop()
            raise RuntimeError(f"the benchmark server did not start: {self.banner!r}")
        self.base_url = found.group(0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _first_line(self) -> str:
        assert self.process is not None
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(READY_TIMEOUT):
                return "(nothing printed in time)"
        line = self.process.stdout.readline().strip()
        if not line and self.process.wait(timeout=READY_TIMEOUT) is not None:
            return f"it exited with code {self.process.returncode} (its errors are above)"
        return line

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()  # --until-stdin-closes: the server stops by itself
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _call(self, method: str, path: str) -> dict[str, Any]:
        address = re.match(r"http://([^/:]+):(\d+)", self.base_url)
        assert address is not None
        connection = http.client.HTTPConnection(address.group(1), int(address.group(2)), timeout=10)
        try:
            connection.request(method, path)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def reset_stats(self) -> None:
        self._call("POST", "/stats/reset")


# --- the chat job ---------------------------------------------------------------------------

CHAT_MODEL = "gpt-4o-mini"
CHAT_TEMPLATE = "Summarise in ten words: {text}"
_TOPICS = [
    "a rainy week",
    "the new bakery",
    "train delays",
    "a jazz concert",
    "the school fair",
    "tea prices",
]


def chat_texts(rows: int) -> list[str]:
    """Short English reviews, all different (about 15 tokens a prompt)."""
    return [f"Review {i}: a few words on {_TOPICS[i % len(_TOPICS)]}, item {i % 997}." for i in range(rows)]


def chat_prompts(texts: Sequence[str]) -> list[str]:
    return [CHAT_TEMPLATE.format(text=text) for text in texts]


def chat_tokens(prompts: Sequence[str]) -> int:
    """Server-counted prompt tokens of the job (one user message a row)."""
    return sum(prompt_tokens([{"role": "user", "content": prompt}]) for prompt in prompts)


def check_chat_rows(answers: Any, prompts: Sequence[str], labels: Sequence[Any]) -> tuple[int, int]:
    """(wrong, missing): rows whose answer is not the server's reply to their prompt, rows with none.

    `answers` is a Series or a dict by label.
    """
    wrong = missing = 0
    for label, prompt in zip(labels, prompts, strict=True):
        got = answers.get(label)
        if not isinstance(got, str):
            missing += 1
        elif got != chat_reply([{"role": "user", "content": prompt}]):
            wrong += 1
    return wrong, missing


def chat_report(
    title: str, timing: Timing, rows: int, settings: Any, tokens: int, stats: dict[str, Any]
) -> float:
    """Print the chat figures (see bulk_chat.py); returns the floor in seconds."""
    by_requests = rate_floor(rows, settings.rpm, settings.burst, settings.latency, "requests")
    by_tokens = rate_floor(tokens, settings.tpm, settings.burst, settings.latency, "tokens")
    floor = max(by_requests, by_tokens, key=lambda f: f.seconds)
    wall = timing.wall
    print(f"\n{title}: {rows:,} rows, {settings.rpm:,.0f} RPM / {settings.tpm:,.0f} TPM")
    line("wall time", f"{wall:.2f} s   ({timing.describe()})")
    line("floor set by the rate limit", f"{floor.seconds:.2f} s   {floor.formula}")
    line("share of the budget used", f"{share(floor.seconds, wall)}   (floor / wall time)")
    line("requests answered by the server", f"{stats['answered']:,} ({stats['requests']:,} received)")
    line("429 answers", per_request(stats["rate_limited"], stats["answered"]))
    line(
        "peak in flight (server)",
        f"{stats['peak_in_flight']} requests, {stats['peak_connections']} connections",
    )
    line(
        "server-counted tokens",
        f"{stats['prompt_tokens']:,} prompt + {stats['completion_tokens']:,} completion",
    )
    line("server CPU time", f"{stats['cpu_seconds']:.2f} s")
    return floor.seconds


# --- floors -----------------------------------------------------------------------------------


@dataclass
class Floor:
    """The shortest time a rate limit allows for a job, with how it was worked out."""

    seconds: float
    formula: str


def rate_floor(amount: float, per_minute: float, burst: float, last_latency: float, unit: str) -> Floor:
    """(amount - burst allowance) / rate + the latency of the last request.

    The server lets `burst` seconds of its rate through at once and then `per_minute / 60`
    per second, so the last of `amount` units cannot be taken before
    (amount - rate * burst) / rate seconds, and its answer comes `last_latency` later.
    """
    rate = per_minute / 60.0
    allowance = min(rate * burst, amount)
    seconds = (amount - allowance) / rate + last_latency
    formula = (
        f"({amount:,.0f} {unit} - {allowance:,.0f} burst) / {rate:,.0f} {unit}/s "
        f"+ {last_latency:g} s last answer = {seconds:.2f} s"
    )
    return Floor(seconds, formula)


def token_floor(tokens: float, per_minute: float) -> Floor:
    """tokens / (TPM / 60): the time the token budget needs at its sustained rate."""
    rate = per_minute / 60.0
    seconds = tokens / rate
    return Floor(seconds, f"{tokens:,.0f} tokens / {rate:,.0f} tokens/s = {seconds:.2f} s")


# --- memory -----------------------------------------------------------------------------------


class PeakRSS:
    """Peak resident memory of this process from now on (Linux: VmHWM, reset through clear_refs).

    Where the high-water mark cannot be reset, the peak since the process started
    (ru_maxrss) is used instead, and `reset_worked` says so.
    """

    def __init__(self) -> None:
        self.reset_worked = _reset_high_water_mark()
        self.start_rss = _status_kib("VmRSS") * 1024
        self._start_peak = self.start_rss if self.reset_worked else _ru_maxrss()

    def increase(self) -> int:
        """Bytes the peak rose above the resident size at the start."""
        peak = _status_kib("VmHWM") * 1024 if self.reset_worked else _ru_maxrss()
        return max(peak - (self.start_rss if self.reset_worked else self._start_peak), 0)


def _reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_kib(field: str) -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _ru_maxrss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- reports ----------------------------------------------------------------------------------


class Timing:
    """Wall time and this process's CPU time of a block, and the machine's load around it.

    The machine may be shared: the 1-minute load average before and after says how busy
    the cores were besides this benchmark (on 2 cores, a load near 2 means no spare CPU).
    """

    def __enter__(self) -> Timing:
        self.load_before = os.getloadavg()[0]
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self.load_after = os.getloadavg()[0]

    def describe(self) -> str:
        return (
            f"client CPU {self.cpu:.2f} s; load average {self.load_before:.1f} -> {self.load_after:.1f} "
            f"on {os.cpu_count()} cores"
        )


def line(label: str, value: str) -> None:
    print(f"  {label:<34} {value}", flush=True)


def wait_for_refill(burst: float) -> None:
    """Let the server's short window fill again after a warm-up request."""
    time.sleep(burst + 0.2)


def per_request(count: float, requests: float) -> str:
    """A count and its ratio to the requests answered."""
    return f"{count:,.0f} ({count / requests:.3f} per request answered)" if requests else f"{count:,.0f}"


def share(floor: float, wall: float) -> str:
    return f"{floor / wall:.0%}" if wall > 0 and math.isfinite(wall) else "n/a"
