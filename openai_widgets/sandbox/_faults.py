"""Fault injection: what can go wrong between a client and an OpenAI-compatible server.

Faults come from three places, checked in this order for every request:
1. the `X-Sandbox-Fault` request header, for that request alone:
   `kind;key=value;...`, with `headers.NAME=value` for a response header
   (e.g. `status;status=429;headers.retry-after=nan`); a header the sandbox cannot read
   gets a 400 that says why;
2. one-shot faults queued with `Sandbox.inject(kind, path=..., times=..., **params)`;
3. the server-wide settings: `latency`, `error_rates`, and the `rpm` / `tpm` limits.

Kinds and their parameters (what each does is the table in `_fault_kinds`):
- `status`: an error status (`status`, default 500) with an OpenAI-style body, and
  optional `retry_after` / `retry_after_ms` (sent verbatim: "nan", "-1", "1h" go out as
  given), `retry_after_date` (seconds from now, as an HTTP date), `should_retry`;
- `latency` (`seconds`): wait before answering;
- `drop`: close the connection without an answer;
- `reset`: send half the body, then reset the connection;
- `cut_stream` (`after`, default 2): send that many stream events, then reset;
- `malformed`: a JSON body cut in half, with status 200;
- `html` (`status`, default 502): a proxy's HTML error page;
- `extra_field`: an undocumented field in the answer;
- `missing_optional` (`fields`, default the usual optional ones): those fields removed;
- `headers`: the normal answer, with the response headers given;
- `failed_response`: a Responses API answer that ends with status "failed" and a
  server_error (streamed as `response.failed`);
- `trickle` (`bytes`, default 1; `interval`, default 0.3): the answer's bytes sent a few
  at a time, `interval` seconds apart, for JSON answers and streams alike.

Every kind also takes `headers={name: value}`: response headers sent verbatim on its
answer, replacing the sandbox's own (None removes one), e.g.
`inject("headers", headers={"x-ratelimit-remaining-requests": "0"})` or
`inject("status", status=429, headers={"x-ratelimit-limit-tokens": "1"})`.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ._fault_kinds import BEHAVIOURS, PLAIN, Behaviour

__all__ = [
    "KINDS",
    "Fault",
    "FaultPlan",
    "FaultSettings",
    "RateLimiter",
    "behaviour_of",
    "make_fault",
    "parse_fault_header",
]

KINDS = frozenset(BEHAVIOURS)


@dataclass
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)  # every parameter of the kind, defaults filled in
    path: str | None = None  # applies to requests whose path starts with this (None: all)
    method: str | None = None
    times: int = 1

    @property
    def behaviour(self) -> Behaviour:
        return BEHAVIOURS[self.kind]

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self.path is None or path.startswith(self.path)


def behaviour_of(fault: Fault | None) -> Behaviour:
    """The hooks for a request's fault; the plain behaviour when there is none."""
    return PLAIN if fault is None else fault.behaviour


def make_fault(kind: str, params: dict[str, Any] | None = None) -> Fault:
    """A fault with its parameters checked and converted; ValueError says what to change."""
    behaviour = BEHAVIOURS.get(kind)
    if behaviour is None:
        raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(BEHAVIOURS)}")
    declared = behaviour.all_params()
    given = dict(params or {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(
            f"fault {kind!r} has no parameter {unknown[0]!r}; it takes {', '.join(sorted(declared))}"
        )
    converted = {}
    for name, param in declared.items():
        value = given.get(name)
        if value is None:
            converted[name] = param.default
            continue
        try:
            converted[name] = param.convert(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"fault {kind!r}: bad value for {name!r}: {exc}") from None
    return Fault(kind, converted)


def parse_fault_header(value: str) -> Fault:
    """`status;status=503;retry_after=2;headers.x-a=1` -> a checked Fault."""
    kind, *pairs = [part.strip() for part in value.split(";") if part.strip()] or [""]
    params: dict[str, Any] = {}
    for pair in pairs:
        key, equals, raw = pair.partition("=")
        key = key.strip()
        if not equals:
            raise ValueError(f"expected key=value after the kind, got {pair!r}")
        if key.startswith("headers."):
            params.setdefault("headers", {})[key[len("headers.") :]] = raw.strip()
        else:
            params[key] = raw.strip()
    return make_fault(kind, params)


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

    def fault_for(self, method: str, path: str, header: str | None = None) -> Fault | None:
        """The request's fault: its header's, else a queued one, else one of the error rates.

        Raises ValueError for a header that cannot be read.
        """
        if header:
            return parse_fault_header(header)
        return self._next_queued(method, path) or self._random_status()

    def _next_queued(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queued:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queued.remove(fault)
                    return fault
        return None

    def _random_status(self) -> Fault | None:
        with self._lock:
            for status, rate in self.settings.error_rates.items():
                if self._rng.random() < rate:
                    return make_fault("status", {"status": int(status)})
        return None

    def delay(self) -> float:
        extra = self._rng.random() * self.settings.jitter if self.settings.jitter else 0.0
        return self.settings.latency + extra
