"""The progress bar of a bulk run: tqdm.auto (a widget in Jupyter, text in a terminal), or none."""

from __future__ import annotations

from typing import Any

__all__ = ["progress_bar"]


class _NoBar:
    """No bar to show: counts quietly, so callers need not care."""

    def __init__(self, unit: str, initial: int = 0) -> None:
        self.unit = unit
        self.n = initial

    def update(self, n: int) -> None:
        self.n += n

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def progress_bar(show: bool, total: int, initial: int, description: str, unit: str) -> Any:
    """A tqdm.auto bar (a widget in Jupyter, text in a terminal) with count, rate and ETA."""
    if not show:
        return _NoBar(unit, initial)
    from tqdm.auto import tqdm

    big = total >= 10_000  # "100k/100k" reads better than "100000/100000"; "6/6" better than "6.00/6.00"
    return tqdm(total=total, initial=initial, desc=description or None, unit=unit, unit_scale=big)
