"""How fast bulk work may go: a concurrency window and rate buckets, steered by the server.

`RateGovernor` answers one question for the bulk engine: may the next request (costing
`cost` tokens) go now, and if not, how long until it may? It combines:

1. a concurrency window (how many requests may be in flight), which starts at the
   caller's `max_concurrency`, halves on a 429 when no rate is known to pace by, and
   grows back by one per window of successes (AIMD, as TCP does);
2. a request bucket and a token bucket that refill at the per-minute limits, set by the
   caller (`requests_per_minute`, `tokens_per_minute`) or learned from the server's
   `x-ratelimit-limit-*` headers (the lower of the two wins);
3. the server's `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` headers: a bucket never
   holds more than the server says is left, which slows us down when someone else spends
   the same key. (What is left is counted when the server takes a request in, so an
   answer's figure already includes most requests sent after it; a 429 covers the rest.);
4. a pause that holds every request back after a 429, for as long as `Retry-After` says.

Everything here is arithmetic over a clock; no thread sleeps in this module.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["RateGovernor", "TokenBucket", "parse_duration"]

# How many seconds of its rate a bucket may spend at once. OpenAI enforces per-minute
# limits over short windows ("60,000 RPM may be enforced as 1,000 requests per second").
BURST_SECONDS = 1.0
# After a 429 the learned rate is multiplied by this, then recovers by RECOVERY per success.
RATE_BACKOFF = 0.8
RECOVERY = 1.02

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s|d)")


def parse_duration(text: str | None) -> float | None:
    """OpenAI's reset durations in seconds: `1s`, `6m0s`, `250ms`, `1h2m3.5s`; a bare number is seconds."""
    if text is None:
        return None
    value = text.strip().lower()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    scale = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    total, end = 0.0, 0
    for match in _DURATION_PART.finditer(value):
        if match.start() != end:
            return None
        total += float(match.group(1)) * scale[match.group(2)]
        end = match.end()
    return total if end == len(value) and end else None


class TokenBucket:
    """Capacity that refills at `rate` units per second up to `capacity`; starts full."""

    def __init__(self, rate: float, clock: Callable[[], float], capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = max(capacity if capacity is not None else rate * BURST_SECONDS, 1.0)
        self.level = self.capacity
        self._clock = clock
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` units are there (a cost above capacity waits for a full bucket)."""
        self._refill()
        needed = min(cost, self.capacity)
        return 0.0 if self.level >= needed else (needed - self.level) / self.rate

    def take(self, cost: float) -> None:
        self._refill()
        self.level -= min(cost, self.capacity)

    def lower_to(self, level: float) -> None:
        """What the server says is left, when that is less than we believed."""
        self._refill()
        self.level = min(self.level, level)

    def set_rate(self, rate: float) -> None:
        self._refill()
        self.rate = rate
        self.capacity = max(rate * BURST_SECONDS, 1.0)
        self.level = min(self.level, self.capacity)


@dataclass
class _Limit:
    """One of the two limits (requests or tokens) as the caller and the server set it."""

    name: str
    user_per_minute: float | None
    server_per_minute: float | None = None
    factor: float = 1.0  # below 1 after a 429, recovering with successes
    bucket: TokenBucket | None = None

    def per_minute(self) -> float | None:
        known = [v for v in (self.user_per_minute, self.server_per_minute) if v]
        return min(known) * self.factor if known else None

    def sync(self, clock: Callable[[], float]) -> None:
        rate = self.per_minute()
        if rate is None:
            self.bucket = None
        elif self.bucket is None:
            self.bucket = TokenBucket(rate / 60.0, clock)
        elif not math.isclose(self.bucket.rate, rate / 60.0):
            self.bucket.set_rate(rate / 60.0)


class RateGovernor:
    """Decides when the next request may go (see the module docstring for the rules)."""

    def __init__(
        self,
        max_concurrency: int,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.window = float(max_concurrency)
        self.clock = clock
        self.paused_until = 0.0
        self.limits = {
            "requests": _Limit("requests", requests_per_minute),
            "tokens": _Limit("tokens", tokens_per_minute),
        }
        for limit in self.limits.values():
            limit.sync(clock)

    @property
    def concurrency(self) -> int:
        """Requests that may be in flight right now."""
        return max(1, min(self.max_concurrency, int(self.window)))

    def delay(self, cost: float, in_flight: int) -> float | None:
        """0 if a request of `cost` tokens may go now; seconds to wait; None: wait for one to finish."""
        if in_flight >= self.concurrency:
            return None
        wait = max(self.paused_until - self.clock(), 0.0)
        for name, units in (("requests", 1.0), ("tokens", float(cost))):
            bucket = self.limits[name].bucket
            if bucket is not None and units > 0:
                wait = max(wait, bucket.wait_for(units))
        return wait

    def on_send(self, cost: float) -> None:
        """Take capacity for a request costing `cost` tokens."""
        for name, units in (("requests", 1.0), ("tokens", float(cost))):
            bucket = self.limits[name].bucket
            if bucket is not None and units > 0:
                bucket.take(units)

    def on_success(self, headers: Mapping[str, str]) -> None:
        """Grow the window, recover the rate, and learn from the rate-limit headers."""
        self.window = min(self.window + 1.0 / max(self.window, 1.0), float(self.max_concurrency))
        for limit in self.limits.values():
            limit.factor = min(limit.factor * RECOVERY, 1.0)
            self._learn(limit, headers)

    def on_rate_limited(self, retry_after: float) -> None:
        """A 429: everyone waits `retry_after`; the known rates back off, or else the window halves.

        With a known rate the buckets do the pacing, so concurrency is left alone (cutting
        it would only slow answers that take long); without one, the window is all there is.
        """
        self.paused_until = max(self.paused_until, self.clock() + retry_after)
        paced = False
        for limit in self.limits.values():
            if limit.bucket is not None:
                paced = True
                limit.factor = max(limit.factor * RATE_BACKOFF, 0.1)
                limit.sync(self.clock)
                limit.bucket.lower_to(0.0)
        if not paced:
            self.window = max(self.window / 2.0, 1.0)

    def on_error(self) -> None:
        """A server error or a dropped connection: ease off a little."""
        self.window = max(self.window * 0.75, 1.0)

    def _learn(self, limit: _Limit, headers: Mapping[str, str]) -> None:
        name = limit.name
        per_minute = _number(headers.get(f"x-ratelimit-limit-{name}"))
        if per_minute and per_minute > 0:
            limit.server_per_minute = per_minute
        limit.sync(self.clock)
        remaining = _number(headers.get(f"x-ratelimit-remaining-{name}"))
        if remaining is None:
            return
        if limit.bucket is not None:
            limit.bucket.lower_to(remaining)
        elif remaining <= 0:
            reset = parse_duration(headers.get(f"x-ratelimit-reset-{name}"))
            if reset:
                self.paused_until = max(self.paused_until, self.clock() + reset)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None
