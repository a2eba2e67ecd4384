"""Progress shown while documents go into a vector store: bytes uploaded, then files indexed.

Both are `tqdm.auto` bars (a widget in a notebook, a text line elsewhere). The upload bar
is fed from several threads, so its updates go through a lock; the indexing bar counts
files that ended and names the counts by state: `completed 3, in progress 2, failed 1`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["IndexingBar", "UploadBar"]


class UploadBar:
    """Bytes uploaded across every file of one call."""

    def __init__(self, total: int, count: int) -> None:
        from tqdm.auto import tqdm

        noun = "file" if count == 1 else "files"
        self._bar = tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"uploading {count} {noun}"
        )
        self._lock = threading.Lock()

    def update(self, count: int) -> None:
        with self._lock:
            self._bar.update(count)

    def close(self) -> None:
        self._bar.close()


class IndexingBar:
    """Files of the call's batches that ended, with the counts by state."""

    def __init__(self, total: int) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=total, unit="file", desc="indexing")

    def show(self, batches: Iterable[Mapping[str, Any]]) -> None:
        counts = {"completed": 0, "in_progress": 0, "failed": 0, "cancelled": 0}
        for batch in batches:
            for state in counts:
                counts[state] += int((batch.get("file_counts") or {}).get(state) or 0)
        ended = counts["completed"] + counts["failed"] + counts["cancelled"]
        self._bar.update(ended - self._bar.n)
        line = (
            f"completed {counts['completed']}, in progress {counts['in_progress']}, failed {counts['failed']}"
        )
        if counts["cancelled"]:
            line += f", cancelled {counts['cancelled']}"
        self._bar.set_postfix_str(line)

    def close(self) -> None:
        self._bar.close()
