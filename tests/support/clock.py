"""A clock the tests move by hand, for code that takes a `clock=` callable."""

from __future__ import annotations


class FakeClock:
    """Returns `now`, which moves only when `advance` is called."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
