"""Fault injection: what can go wrong between a client and an OpenAI-compatible server.

Faults come from three places, checked in this order for every request:
1. the `X-Sandbox-Fault` request header (`kind` or `kind;key=value;...`), for one request;
2. one-shot faults queued with `Sandbox.inject(kind, path=..., times=...)`;
3. the server-wide settings: `latency`, `error_rates`, and the `rpm` / `tpm` limits.

Kinds: `status` (an error status, with optional `retry_after` / `retry_after_ms` /
`retry_after_date`), `latency` (`seconds`), `drop` (close the connection without an
answer), `reset` (send half the body, then reset the connection), `cut_stream` (`after`
events, then cut), `malformed` (truncated JSON with status 200), `html` (an HTML error
page from a "proxy", `status` 502 by default), `extra_field` (an undocumented field in
the answer), `missing_optional` (optional fields removed), `failed_response` (a Responses
API answer that ends with status "failed" and a server_error; streamed, as response.failed).
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Fault", "FaultSettings", "RateLimiter", "parse_fault_header"]

KINDS = {
    "status",
    "latency",
    "drop",
    "reset",
    "cut_stream",
    "malformed",
    "html",
    "extra_field",
    "missing_optional",
    "failed_response",
}

# Optional fields that `missing_optional` strips from answers (top level and list items).
OPTIONAL_FIELDS = (
    "system_fingerprint",
    "usage",
    "revised_prompt",
    "service_tier",
    "shutdown_date",
    "expires_at",
    "status_details",
    "logprobs",
    "estimated_finish",
    "metadata",
    "user_provided_suffix",
)


@dataclass
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # applies to requests whose path starts with this (None: all)
    method: str | None = None
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self.path is None or path.startswith(self.path)


def parse_fault_header(value: str) -> Fault:
    """`status;status=503;retry_after=2` -> Fault('status', {...})."""
    kind, *pairs = [part.strip() for part in value.split(";") if part.strip()]
    params: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        params[key.strip()] = _number(raw.strip())
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
    return Fault(kind, params)


def _number(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def retry_headers(params: dict[str, Any]) -> dict[str, str]:
    """The retry-after headers a `status` fault asks for."""
    headers = {}
    if "retry_after" in params:
        headers["retry-after"] = str(params["retry_after"])
    if "retry_after_ms" in params:
        headers["retry-after-ms"] = str(params["retry_after_ms"])
    if "retry_after_date" in params:
        moment = time.time() + float(params["retry_after_date"])
        headers["retry-after"] = email.utils.formatdate(moment, usegmt=True)
    if "should_retry" in params:
        headers["x-should-retry"] = str(params["should_retry"]).lower()
    return headers


@dataclass
class FaultSettings:
    """Server-wide faults; change them at any time with `Sandbox.configure(...)`."""

    latency: float = 0.0  # seconds added to every request
    jitter: float = 0.0  # up to this many seconds more, at random
    error_rates: dict[int, float] = field(default_factory=dict)  # status -> probability
    rpm: int | None = None  # requests per minute
    tpm: int | None = None  # tokens per minute
    burst_seconds: float = 1.0  # how many seconds of the rate may be spent at once
    stream_interval: float = 0.0  # seconds between streamed events
    seed: int = 0


class RateLimiter:
    """Token buckets for requests and tokens per minute, as OpenAI's limits behave.

    Each bucket holds `burst_seconds` worth of its per-minute rate and refills steadily,
    so a client that spreads its requests is never refused and one that bursts is told
    (with Retry-After) exactly when capacity returns.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._levels: dict[str, float] = {}
        self._stamp = time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()
            self._stamp = time.monotonic()

    def take(self, settings: FaultSettings, tokens: int) -> tuple[float, dict[str, str]]:
        """Take capacity for one request; returns (seconds to wait, rate-limit headers).

        A wait above 0 means refused: nothing was taken.
        """
        limits = {"requests": (settings.rpm, 1), "tokens": (settings.tpm, tokens)}
        with self._lock:
            now = time.monotonic()
            elapsed, self._stamp = now - self._stamp, now
            wait = 0.0
            for name, (per_minute, cost) in limits.items():
                if not per_minute:
                    continue
                rate = per_minute / 60.0
                capacity = max(rate * settings.burst_seconds, float(cost), 1.0)
                level = min(self._levels.get(name, capacity) + elapsed * rate, capacity)
                self._levels[name] = level
                if level < cost:
                    wait = max(wait, (cost - level) / rate)
            if wait == 0.0:
                for name, (per_minute, cost) in limits.items():
                    if per_minute:
                        self._levels[name] -= cost
            headers = self._headers(settings, limits)
        return wait, headers

    def _headers(self, settings: FaultSettings, limits: dict[str, tuple[int | None, int]]) -> dict[str, str]:
        headers = {}
        for name, (per_minute, _) in limits.items():
            if not per_minute:
                continue  # a limit that is not set is not announced (a client would slow down for it)
            limit = per_minute or 1_000_000
            level = self._levels.get(name, float(limit)) if per_minute else float(limit)
            missing = max((per_minute or 0) / 60.0 * settings.burst_seconds - level, 0.0)
            reset = missing / (limit / 60.0) if per_minute else 0.0
            headers[f"x-ratelimit-limit-{name}"] = str(limit)
            headers[f"x-ratelimit-remaining-{name}"] = str(max(int(level), 0))
            headers[f"x-ratelimit-reset-{name}"] = _duration(reset)
        return headers


def _duration(seconds: float) -> str:
    """OpenAI's reset format: `1s`, `6m0s`, `250ms`."""
    if seconds < 1:
        return f"{math.ceil(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:.3g}s" if minutes else f"{rest:.3g}s"


class FaultPlan:
    """Decides, per request, which fault (if any) applies."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self.limiter = RateLimiter()
        self._queued: list[Fault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(settings.seed)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._queued.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
        self.limiter.reset()

    def next_queued(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queued:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queued.remove(fault)
                    return fault
        return None

    def random_status(self) -> int | None:
        with self._lock:
            for status, rate in self.settings.error_rates.items():
                if self._rng.random() < rate:
                    return int(status)
        return None

    def delay(self) -> float:
        extra = self._rng.random() * self.settings.jitter if self.settings.jitter else 0.0
        return self.settings.latency + extra
