"""The session's usage ledger: one row per answered request, with its tokens and estimated cost.

Rows come from three places, all through `record()`:
- the transport, for every single call to a token-billed endpoint (chat, completions,
  Responses, embeddings, moderations; streams when their usage arrives): see `_core.usage`;
- the bulk jobs, once per answered batch (the engine's requests bypass the transport's
  reading of bodies, so their jobs record what they decoded), and the Batch API's result
  files (at half price);
- the image and audio areas, which know the size, quality, seconds and characters.

The ledger is per process, thread-safe and bounded: it keeps the last `MAX_ROWS` rows,
while its totals count every request of the session. A request ID seen before is not
counted twice (the same batch results read again, or a job and the engine both
reporting an answer). A row's cost uses the prices in effect when it was recorded.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._core import usage as hook

if TYPE_CHECKING:
    import pandas as pd

    from .charges import Counts

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "Ledger",
    "Totals",
    "UsageRow",
    "add_listener",
    "clear_usage_log",
    "record",
    "remove_listener",
    "totals",
    "usage_log",
]

logger = logging.getLogger("openai_widgets")

MAX_ROWS = 100_000
COLUMNS = {
    "time": "datetime64[ns, UTC]",
    "endpoint": "object",
    "model": "object",
    "input_tokens": "int64",
    "cached_tokens": "int64",
    "output_tokens": "int64",
    "images": "int64",
    "audio_seconds": "float64",
    "characters": "int64",
    "batch": "bool",
    "estimated_cost": "float64",
    "request_id": "object",
}


@dataclass(frozen=True)
class UsageRow:
    """One answered request."""

    time: float  # Unix seconds
    endpoint: str
    model: str | None
    counts: Counts
    batch: bool
    estimated_cost: float
    request_id: str | None
    client_id: str | None


@dataclass
class Totals:
    """Sums over every request recorded (rows dropped from the ledger's memory included)."""

    requests: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    estimated_cost: float = 0.0  # over the requests with a known price
    unpriced: int = 0  # requests whose cost is not known

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, row: UsageRow) -> None:
        self.requests += 1
        self.input_tokens += row.counts.input_tokens
        self.cached_tokens += row.counts.cached_tokens
        self.output_tokens += row.counts.output_tokens
        if math.isnan(row.estimated_cost):
            self.unpriced += 1
        else:
            self.estimated_cost += row.estimated_cost


class Ledger:
    """The rows and totals of one process (see the module docstring)."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self._rows: deque[UsageRow] = deque(maxlen=max_rows)
        self._seen: set[str] = set()  # request IDs of the rows kept
        self._totals = Totals()
        self._by_client: dict[str | None, Totals] = {}
        self._listeners: list[Callable[[UsageRow], None]] = []
        self._lock = threading.Lock()

    def add(self, row: UsageRow) -> bool:
        """Keep `row`; False when its request ID was recorded already."""
        with self._lock:
            if row.request_id is not None:
                if row.request_id in self._seen:
                    return False
                self._seen.add(row.request_id)
            if len(self._rows) == self._rows.maxlen:
                dropped = self._rows[0]
                if dropped.request_id is not None:
                    self._seen.discard(dropped.request_id)
            self._rows.append(row)
            self._totals.add(row)
            self._by_client.setdefault(row.client_id, Totals()).add(row)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(row)
            except Exception:  # a broken display must not break the request
                logger.exception("usage listener failed")
        return True

    def rows(self, client_id: str | None = None) -> list[UsageRow]:
        with self._lock:
            rows = list(self._rows)
        return rows if client_id is None else [row for row in rows if row.client_id == client_id]

    def totals(self, client_id: str | None = None) -> Totals:
        with self._lock:
            source = self._totals if client_id is None else self._by_client.get(client_id, Totals())
            return Totals(**vars(source))

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._seen.clear()
            self._totals = Totals()
            self._by_client.clear()

    def add_listener(self, listener: Callable[[UsageRow], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[UsageRow], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


LEDGER = Ledger()


def record(
    client: Any,
    endpoint: str,
    model: str | None,
    usage: Mapping[str, Any] | None = None,
    *,
    request_id: str | None = None,
    batch: bool = False,
    images: int | None = None,
    image_size: str | None = None,
    image_quality: str | None = None,
    audio_seconds: float | None = None,
    characters: int | None = None,
) -> UsageRow | None:
    """Add one answered request to the session's ledger; the row, or None when its request ID was seen.

    `client` is the client that sent it (for `usage_log(client)`), `endpoint` its path
    under /v1 ("chat/completions"), `model` the model that answered (or was asked for),
    `usage` the answer's usage object as it came (any endpoint's field names). Images,
    seconds of audio and characters are what the image and audio areas count. `batch`:
    answered through the Batch API (half price). Safe to call from any thread.
    """
    from .charges import charge, counts_from_usage

    counts = counts_from_usage(
        usage,
        images=images,
        image_size=image_size,
        image_quality=image_quality,
        audio_seconds=audio_seconds,
        characters=characters,
    )
    name = hook.endpoint_of(endpoint)
    row = UsageRow(
        time=time.time(),
        endpoint=name,
        model=model if isinstance(model, str) else None,
        counts=counts,
        batch=bool(batch),
        estimated_cost=charge(model, name, counts, batch=batch),
        request_id=request_id if isinstance(request_id, str) and request_id else None,
        client_id=getattr(client, "client_id", None),
    )
    return row if LEDGER.add(row) else None


def usage_log(client: Any = None) -> pd.DataFrame:
    """The session's answered requests, one row each, oldest first (the last 100,000 are kept).

    Columns: `time` (UTC), `endpoint`, `model`, `input_tokens` (cached ones included),
    `cached_tokens`, `output_tokens`, `images`, `audio_seconds` (NaN when not known),
    `characters` (speech), `batch` (answered through the Batch API, half price),
    `estimated_cost` (USD by the price table in effect when the request was answered; NaN
    for a model without a price) and `request_id`. `client`: only that client's requests
    (and its `with_options()` copies'). `.attrs` holds the session's totals, which count
    rows no longer kept as well, and the price table's date.
    """
    import pandas as pd

    from .prices import CURRENCY, PRICES_AS_OF

    client_id = None if client is None else _client_id(client)
    rows = LEDGER.rows(client_id)
    data = {
        "time": pd.to_datetime([row.time for row in rows], unit="s", utc=True).astype(COLUMNS["time"]),
        "endpoint": [row.endpoint for row in rows],
        "model": [row.model for row in rows],
        "input_tokens": [row.counts.input_tokens for row in rows],
        "cached_tokens": [row.counts.cached_tokens for row in rows],
        "output_tokens": [row.counts.output_tokens for row in rows],
        "images": [row.counts.images for row in rows],
        "audio_seconds": [
            math.nan if row.counts.audio_seconds is None else row.counts.audio_seconds for row in rows
        ],
        "characters": [row.counts.characters for row in rows],
        "batch": [row.batch for row in rows],
        "estimated_cost": [row.estimated_cost for row in rows],
        "request_id": [row.request_id for row in rows],
    }
    frame = pd.DataFrame({name: pd.Series(values, dtype=COLUMNS[name]) for name, values in data.items()})
    total = LEDGER.totals(client_id)
    frame.attrs.update(
        {
            "requests": total.requests,
            "tokens": total.tokens,
            "estimated_cost": total.estimated_cost,
            "unpriced": total.unpriced,
            "currency": CURRENCY,
            "prices_as_of": PRICES_AS_OF,
        }
    )
    return frame


def clear_usage_log() -> None:
    """Forget the session's usage: the rows and the totals."""
    LEDGER.clear()


def totals(client: Any = None) -> Totals:
    """The session's totals (of one client's requests when `client` is given)."""
    return LEDGER.totals(None if client is None else _client_id(client))


def add_listener(listener: Callable[[UsageRow], None]) -> None:
    """Call `listener(row)` after every recorded request (the studio's status bar)."""
    LEDGER.add_listener(listener)


def remove_listener(listener: Callable[[UsageRow], None]) -> None:
    LEDGER.remove_listener(listener)


def _client_id(client: Any) -> str:
    from .._core.arguments import type_error

    client_id = getattr(client, "client_id", None)
    if not isinstance(client_id, str):
        raise type_error("client", "a Client", client)
    return client_id


hook.set_recorder(record)  # the transport reports single calls here from now on
