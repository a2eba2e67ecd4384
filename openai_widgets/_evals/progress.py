"""The progress line of an eval run being followed: items graded out of all, passed and failed.

A `tqdm.auto` bar (a widget in a notebook, a text line elsewhere) per run, fed the run's
record on every look; `compare_models` shows one per model.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TERMINAL", "RunProgress"]

TERMINAL = ("completed", "failed", "canceled")


class RunProgress:
    """One run's line: `gpt-4o: 12/40 items [passed 9, failed 3, in_progress]`."""

    def __init__(self, label: str, total: int | None, *, show: bool | None = None) -> None:
        self._bar = None
        if show is not False:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=label, unit="item")

    def show(self, run: dict[str, Any]) -> None:
        if self._bar is None:
            return
        counts = run.get("result_counts") or {}
        self._bar.n = int(counts.get("total") or 0)
        parts = [f"passed {counts.get('passed') or 0}", f"failed {counts.get('failed') or 0}"]
        if counts.get("errored"):
            parts.append(f"errored {counts['errored']}")
        parts.append(str(run.get("status")))
        self._bar.set_postfix_str(", ".join(parts), refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
