"""When to retry a request and how long to wait first: pure functions over status and headers.

The rules, in order:
1. `x-should-retry: true|false` from the server wins.
2. Retry 408 (timeout), 409 (lock conflict), 429 (rate limit) and every 5xx.
   Never retry other statuses: 400, 401, 403, 404 and 422 will fail the same way again.
3. Connection errors and timeouts are retried (decided by the caller, which has no status).
4. Wait what the server asks (`retry-after-ms`, then `retry-after` in seconds or as an
   HTTP date) when that is between 0 and MAX_RETRY_AFTER seconds; a longer wait is not
   taken silently (`retry_delay` returns None and the caller raises, naming the wait).
   A value that is no number of seconds (`nan`, `inf`, text, an impossible date) is
   ignored, a negative one means "now": a server can never make the client wait without
   end, nor spin without waiting.
5. Otherwise back off exponentially from INITIAL_RETRY_DELAY, capped at MAX_RETRY_DELAY,
   shortened by a random jitter so that many clients do not retry in step.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping

from .constants import INITIAL_RETRY_DELAY, JITTER, MAX_RETRY_AFTER, MAX_RETRY_DELAY

__all__ = ["backoff_delay", "retry_after_seconds", "retry_delay", "should_retry"]

_RETRY_STATUSES = {408, 409, 429}


def should_retry(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether a response with this status and these headers is worth another attempt."""
    verdict = headers.get("x-should-retry", "").strip().lower()
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return status_code in _RETRY_STATUSES or status_code >= 500


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds, or None when it asked for none (or nonsense).

    Never NaN nor infinite: a caller may compare, add and sleep on whatever comes back.
    """
    milliseconds = _seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    return _seconds_until(value, time.time() if now is None else now)


def _seconds(text: str | None) -> float | None:
    """A header's number, at least 0; None for no number or one that is not finite."""
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return max(number, 0.0) if math.isfinite(number) else None


def _seconds_until(text: str, now: float) -> float | None:
    """Seconds from `now` to the HTTP date `text` (0 when it passed); None when it is no date."""
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return None
    try:
        moment = email.utils.mktime_tz(parsed)
    except (OverflowError, ValueError):  # year 99999 and the like
        return None
    return max(moment - now, 0.0)


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> float:
    """Our own wait before retry number `attempt + 1` (attempt counts from 0)."""
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    jitter = 1.0 - JITTER * (rng or random).random()
    return delay * jitter


def retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None = None,
    *,
    max_wait: float = MAX_RETRY_AFTER,
    rng: random.Random | None = None,
    now: float | None = None,
) -> float | None:
    """Seconds to wait before the next attempt; None when the server asks for more than `max_wait`."""
    asked = retry_after_seconds(headers, now=now) if headers is not None else None
    if asked is not None:
        if asked > max_wait:
            return None
        if asked > 0:
            return asked
    return backoff_delay(attempt, rng=rng)
