"""Batches of work items in input order, within a request's item and token limits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Batch", "plan_batches"]


@dataclass
class Batch:
    """Positions sent in one request, their summed cost, and how often they were tried."""

    number: int
    positions: Any  # an integer numpy array of positions in `items`
    cost: float = 0.0
    attempts: int = 0
    failures: int = 0  # attempts that failed and count against max_retries
    adapted: int = 0  # attempts the job answered by changing its request (not failures)
    rate_limited: int = 0  # attempts answered 429: waited out, not counted against max_retries
    # One key for every attempt: a server that honours it runs a retried request once,
    # even when the first answer was lost on the way back.
    key: str = field(default_factory=lambda: f"ow-bulk-{uuid.uuid4().hex}")


def plan_batches(
    positions: Sequence[int] | np.ndarray,
    *,
    max_items: int,
    costs: Sequence[float] | None = None,
    max_cost: float | None = None,
) -> list[Batch]:
    """Greedy batches in input order: at most `max_items` positions and `max_cost` summed cost.

    `costs[position]` is a position's cost; an item costing more than `max_cost` alone
    gets a batch of its own (the caller refuses such items earlier if they cannot go).
    """
    import numpy as np

    order = np.asarray(positions, dtype=np.int64)
    spent = np.cumsum(np.asarray(costs, dtype=np.float64)[order]) if costs is not None else None
    batches: list[Batch] = []
    start = 0
    while start < len(order):
        end = min(start + max_items, len(order))
        if spent is not None and max_cost is not None:
            before = spent[start - 1] if start else 0.0
            fits = int(np.searchsorted(spent, before + max_cost, side="right"))
            end = max(min(end, fits), start + 1)  # at least one item, however costly
        cost = float(spent[end - 1] - (spent[start - 1] if start else 0.0)) if spent is not None else 0.0
        batches.append(Batch(len(batches), order[start:end], cost))
        start = end
    return batches
