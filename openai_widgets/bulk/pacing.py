"""How fast bulk work may go: requests in flight, rate buckets, all steered by the server.

`RateGovernor` answers one question for the bulk engine: may the next request (costing
`cost` tokens) go now, and if not, how long until it may? It combines:

1. **How many may be in flight**: a window that starts at `INITIAL_WINDOW` and grows by
   one per answer (doubling each round trip, as TCP's slow start does, so a server is
   never hit by a wall of new connections at once), by one per window after the first
   429, and halves on a 429 when no rate is known; once a rate is known, no more than it
   keeps busy for one answer's time (Little's law: `rate x latency x HEADROOM`, with the
   latency the median of the last answers, so a few stragglers do not inflate it). Slow
   start ends when the window reaches that figure, and from then on the window follows
   it from below, rising by one per round trip at most: answers that come back late
   because the client itself is busy would otherwise raise the figure, which lets more
   in flight, which makes the client busier still. For the same reason the window does
   not grow at all while the client's event loop runs late (`on_loop_lag`: more requests
   in flight cannot help a client that cannot read the answers it has); it grows again,
   as before, once the loop keeps time (the lag may be other programs' doing). The caller's
   `max_concurrency` caps it all, else `SAFETY_CAP` does.
2. **A request bucket and a token bucket** that refill at the per-minute limits, set by
   the caller (`requests_per_minute`, `tokens_per_minute`) or learned from the server's
   `x-ratelimit-limit-*` headers, on answers and 429s alike (the lower of the two wins),
   at `PACE` of the limit so that the server's own window is not overrun by timing noise.
3. **The server's `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` headers**: a bucket
   never holds more than the server says is left, and with nothing left everyone waits
   for the reset.
4. **A pause** that holds every request back after a 429, for as long as `Retry-After` says.
   A 429 cuts the known rates (or the window) once per burst: the refusals of requests
   sent before the last cut, or before any rate was known (the first requests of a run,
   sent blind), teach the limits and the pause but cut nothing more, so a run that
   starts with a burst of 429s goes on at the rate the limit allows instead of a tenth.

Token costs are estimates made on the safe side (for sizing requests); `Calibration`
learns from the answers' `usage` how many tokens the server really counts per estimated
token, and pacing uses the corrected figure. A 429 on tokens says the same sooner:
OpenAI's message names what the refused request would have cost ("... on tokens per min
(TPM): Limit 1000000, Used 990000, Requested 25342 ..."), read by `requested_tokens`, so
a run whose first requests are refused paces by the server's count from then on, not by
the estimate until the first (large, slow) answers are read.

A server's numbers are checked before they are believed: not-a-number, negative or
infinite values are ignored, and any wait a server's headers would impose beyond
`MAX_RETRY_AFTER` (a minute) raises `ServerWaitTooLong` naming the header, instead of
waiting silently. Everything here is arithmetic over a clock; nothing sleeps.
"""

from __future__ import annotations

import contextlib
import math
import re
import statistics
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .._core.constants import MAX_RETRY_AFTER

__all__ = [
    "INITIAL_WINDOW",
    "SAFETY_CAP",
    "Calibration",
    "RateGovernor",
    "ServerWaitTooLong",
    "TokenBucket",
    "parse_duration",
    "requested_tokens",
]

# How many seconds of its rate a bucket may spend at once. OpenAI enforces per-minute
# limits over short windows ("60,000 RPM may be enforced as 1,000 requests per second").
BURST_SECONDS = 1.0
PACE = 0.98  # share of a known limit we aim at: the last 2 % absorbs clocks and jitter
HEADROOM = 1.25  # in flight = rate x latency x this, so a slower answer does not starve the rate
INITIAL_WINDOW = 32  # requests in flight before anything is known about the server
SAFETY_CAP = 2048  # never more in flight than this, whatever the rate says
LATENCY_SAMPLES = 32  # answers whose times make the latency (their median)
# After a 429 the learned rate is multiplied by this, then recovers by RECOVERY per success.
RATE_BACKOFF = 0.8
RECOVERY = 1.02
BUSY_LAG = 0.05  # seconds late the event loop runs, smoothed, from which the client counts as busy

_REQUESTED_TOKENS = re.compile(r"tokens per min[^:]*:.*?\bRequested (\d+)", re.IGNORECASE | re.DOTALL)
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s|d)")


class ServerWaitTooLong(Exception):
    """A server's headers ask for a wait beyond MAX_RETRY_AFTER (the engine turns it into an error)."""

    def __init__(self, header: str, value: str, seconds: float) -> None:
        self.header, self.value, self.seconds = header, value, seconds
        super().__init__(
            f"the server's {header}: {value} would hold requests back for {_duration(seconds)}, "
            f"over the {MAX_RETRY_AFTER:g} s the package waits; try again later or ask for a higher limit"
        )


def parse_duration(text: str | None) -> float | None:
    """OpenAI's reset durations in seconds: `1s`, `6m0s`, `250ms`, `1h2m3.5s`; a bare number is seconds.

    None for anything else, and for values that are not finite numbers.
    """
    if text is None:
        return None
    value = text.strip().lower()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    scale = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    total, end = 0.0, 0
    for match in _DURATION_PART.finditer(value):
        if match.start() != end:
            return None
        total += float(match.group(1)) * scale[match.group(2)]
        end = match.end()
    return total if end == len(value) and end and math.isfinite(total) else None


def requested_tokens(message: str) -> float | None:
    """The tokens a request refused on tokens per minute would have cost, from OpenAI's 429 message.

    None when the message is not about the tokens limit (a requests-per-minute 429 says
    "Requested 1", a request, not tokens) or names no figure.
    """
    match = _REQUESTED_TOKENS.search(message)
    return float(match.group(1)) if match else None


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
        """What the server says is left, when that is less than we believed (never below empty)."""
        self._refill()
        self.level = min(self.level, max(level, 0.0))

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
        return min(known) * self.factor * PACE if known else None

    def sync(self, clock: Callable[[], float]) -> None:
        rate = self.per_minute()
        if rate is None:
            self.bucket = None
        elif self.bucket is None:
            self.bucket = TokenBucket(rate / 60.0, clock)
        elif not math.isclose(self.bucket.rate, rate / 60.0):
            self.bucket.set_rate(rate / 60.0)


class Calibration:
    """Server-counted tokens per estimated token, learned from the answers' `usage`.

    Starts at 1 (the estimate, which errs on the safe side); each answer moves it halfway
    to what that answer showed, within [0.05, 4] so one odd answer cannot stall a run.
    """

    def __init__(self) -> None:
        self.ratio = 1.0
        self.samples = 0

    def learn(self, estimated: float, counted: float | None) -> None:
        if counted is None or estimated <= 0 or not math.isfinite(counted) or counted < 0:
            return
        seen = min(max(counted / estimated, 0.05), 4.0)
        self.ratio = seen if not self.samples else 0.5 * self.ratio + 0.5 * seen
        self.samples += 1

    def tokens(self, estimated: float) -> float:
        return estimated * self.ratio


class RateGovernor:
    """Decides when the next request may go (see the module docstring for the rules)."""

    def __init__(
        self,
        max_concurrency: int | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cap = max_concurrency or SAFETY_CAP
        self.window = float(min(INITIAL_WINDOW, self.cap))
        self.slow_start = True  # until the first 429: the window doubles every round trip
        self._latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.mean_cost = 0.0  # tokens per request, averaged, for the token rate's share
        self.clock = clock
        self.paused_until = 0.0
        self.pause_reason = ""
        self._cut_at = -math.inf  # when a 429 last cut the rates or the window
        self.loop_lag = 0.0  # how late the engine's event loop runs (smoothed): the client's own load
        self._paced_since: float | None = None  # when a rate was first known (the buckets pace from then)
        self.limits = {
            "requests": _Limit("requests", requests_per_minute),
            "tokens": _Limit("tokens", tokens_per_minute),
        }
        for limit in self.limits.values():
            limit.sync(clock)
        self._note_paced()

    def _note_paced(self) -> None:
        """Remember when a rate first became known: from then on, requests are paced."""
        if self._paced_since is None and any(limit.bucket is not None for limit in self.limits.values()):
            self._paced_since = self.clock()

    # -- how many in flight ------------------------------------------------------------

    @property
    def latency(self) -> float | None:
        """Seconds an answer takes: the median of the last ones (None before the first)."""
        return statistics.median(self._latencies) if self._latencies else None

    @property
    def concurrency(self) -> int:
        """Requests that may be in flight right now."""
        allowed = int(self.window)
        target = self._from_rate()
        if target is not None:
            allowed = min(allowed, target)
        return max(1, min(self.cap, allowed))

    def _from_rate(self) -> int | None:
        """Little's law: the requests a known rate keeps busy for one answer's time."""
        latency = self.latency
        if latency is None:
            return None
        rates = []
        requests = self.limits["requests"].bucket
        if requests is not None:
            rates.append(requests.rate)
        tokens = self.limits["tokens"].bucket
        if tokens is not None and self.mean_cost > 0:
            rates.append(tokens.rate / self.mean_cost)
        if not rates:
            return None
        return math.ceil(min(rates) * latency * HEADROOM) + 1

    # -- may the next one go ----------------------------------------------------------

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
        self.mean_cost = cost if not self.mean_cost else 0.9 * self.mean_cost + 0.1 * cost
        for name, units in (("requests", 1.0), ("tokens", float(cost))):
            bucket = self.limits[name].bucket
            if bucket is not None and units > 0:
                bucket.take(units)

    # -- what the answers say ---------------------------------------------------------

    def on_answer_started(self, headers: Mapping[str, str]) -> None:
        """An answer's headers are in, its body still coming: the server's limits are known now."""
        with contextlib.suppress(ServerWaitTooLong):  # on_success reports it, for the batch it came with
            self.learn(headers)

    def on_success(self, headers: Mapping[str, str], latency: float | None = None) -> None:
        """Learn the latency and the limits; grow the window; let the rates recover."""
        if latency is not None and math.isfinite(latency) and latency >= 0:
            self._latencies.append(latency)
        if not self.busy:  # while busy, the client, not the server, holds answers back: no growth
            step = 1.0 if self.slow_start else 1.0 / max(self.window, 1.0)
            self.window = min(self.window + step, float(self.cap))
        for limit in self.limits.values():
            limit.factor = min(limit.factor * RECOVERY, 1.0)
        self.learn(headers)
        target = self._from_rate()
        if target is not None and self.window >= target:
            # the rate is reached: slow start ends, and the window follows the rate's figure
            self.slow_start = False
            self.window = max(float(target), 1.0)

    def on_rate_limited(
        self,
        retry_after: float,
        headers: Mapping[str, str] | None = None,
        *,
        sent_at: float | None = None,
    ) -> None:
        """A 429: everyone waits `retry_after`; the known rates back off, or else the window halves.

        With a known rate the buckets do the pacing, so concurrency is left alone (cutting
        it would only slow answers that take long); without one, the window is all there is.
        `sent_at` (the clock's time the refused request went) limits the cut to one per
        burst: a request sent before the last cut, or before any rate was known, was not
        paced by what we know now, so its refusal teaches (headers, pause) but cuts nothing.
        """
        self._pause(retry_after, "retry-after")
        self.slow_start = False
        paced_when_sent = self._paced_since is not None and (sent_at is None or sent_at >= self._paced_since)
        fresh = sent_at is None or sent_at >= self._cut_at
        if headers:
            self.learn(headers)
        paced = False
        for limit in self.limits.values():
            if limit.bucket is not None:
                paced = True
                if fresh and paced_when_sent:
                    limit.factor = max(limit.factor * RATE_BACKOFF, 0.1)
                    limit.sync(self.clock)
                limit.bucket.lower_to(0.0)
        if paced and fresh and paced_when_sent:
            self._cut_at = self.clock()
        elif not paced and fresh:
            self.window = max(self.window / 2.0, 1.0)
            self._cut_at = self.clock()

    def on_loop_lag(self, seconds: float) -> None:
        """How late the event loop that runs the requests woke up from a timed wait, just now."""
        if math.isfinite(seconds):
            self.loop_lag = 0.7 * self.loop_lag + 0.3 * max(seconds, 0.0)

    @property
    def busy(self) -> bool:
        """Whether the client's own loop runs late: more in flight would only queue inside it."""
        return self.loop_lag > BUSY_LAG

    def on_error(self) -> None:
        """A server error or a dropped connection: ease off a little."""
        self.slow_start = False
        self.window = max(self.window * 0.75, 1.0)

    def learn(self, headers: Mapping[str, str]) -> None:
        """The limits and what is left of them, from `x-ratelimit-*` headers (checked first)."""
        for limit in self.limits.values():
            name = limit.name
            header = f"x-ratelimit-limit-{name}"
            per_minute = _number(headers.get(header))
            if per_minute is not None and per_minute > 0 and 60.0 / (per_minute * PACE) > MAX_RETRY_AFTER:
                # one request (or token) takes longer than the cap: every wait would pass it
                raise ServerWaitTooLong(header, headers.get(header, "?"), 60.0 / (per_minute * PACE))
            if per_minute is not None and per_minute > 0:
                limit.server_per_minute = per_minute
            limit.sync(self.clock)
            self._note_paced()
            remaining = _number(headers.get(f"x-ratelimit-remaining-{name}"))
            if remaining is None:
                continue
            if limit.bucket is not None:
                limit.bucket.lower_to(remaining)
            if remaining <= 0:
                header = f"x-ratelimit-reset-{name}"
                reset = parse_duration(headers.get(header))
                if reset:
                    if reset > MAX_RETRY_AFTER:
                        raise ServerWaitTooLong(header, headers.get(header, "?"), reset)
                    self._pause(reset, header)

    def _pause(self, seconds: float, reason: str) -> None:
        until = self.clock() + seconds
        if until > self.paused_until:
            self.paused_until, self.pause_reason = until, reason

    def waiting(self) -> tuple[float, str]:
        """Seconds everyone is held back for now, and by what (for the progress bar)."""
        return max(self.paused_until - self.clock(), 0.0), self.pause_reason


def _number(text: str | None) -> float | None:
    """A header's number, or None when it is missing or not a finite number."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"
