"""When to retry a request and how long to wait first: pure functions over status and headers.

The rules, in order:
1. `x-should-retry: true|false` from the server wins.
2. Retry 408 (timeout), 409 (lock conflict), 429 (rate limit) and every 5xx.
   Never retry other statuses: 400, 401, 403, 404 and 422 will fail the same way again.
3. Connection errors and timeouts are retried (decided by the caller, which has no status).
4. Wait what the server asks (`retry-after-ms`, then `retry-after` in seconds or as an
   HTTP date) when that is between 0 and MAX_RETRY_AFTER seconds; a longer wait is not
   taken silently (`retry_delay` returns None and the caller raises, naming the wait).
5. Otherwise back off exponentially from INITIAL_RETRY_DELAY, capped at MAX_RETRY_DELAY,
   shortened by a random jitter so that many clients do not retry in step.
"""

from __future__ import annotations

import email.utils
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
    """The wait the server asked for, in seconds, or None when it asked for none (or nonsense)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    moment = email.utils.mktime_tz(parsed)
    return max(moment - (time.time() if now is None else now), 0.0)


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
