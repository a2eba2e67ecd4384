"""`Text`: a string that a notebook shows as plain text (not as a quoted repr)."""

from __future__ import annotations

from typing import Any

__all__ = ["Text"]


class Text(str):
    """A `str` shown as itself, line breaks and all; used for what magics return."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))
