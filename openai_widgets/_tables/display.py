"""Display objects that a magic shows itself, and where display output goes.

A magic such as `%openai image` displays its result at once (so `x = %openai image ...`
shows the images too) and also returns it. Without care the result would then appear
twice when the magic is the last line of the cell: the gallery, then the cell's own
display of the value (in a terminal, the same line of text printed twice).
`ShownOnce.mark_shown()` records the cell that showed the object; during that same cell
the cell's display of it steps aside entirely. In any later cell it displays in full again.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ShownOnce", "in_notebook"]


class ShownOnce:
    _shown_in_cell: int | None = None

    def mark_shown(self) -> None:
        """Record that the running cell has displayed this object already."""
        self._shown_in_cell = _cell_number()

    def shown_above(self) -> bool:
        """Whether the running cell displayed this object already (rich reprs then return None)."""
        return self._shown_in_cell is not None and self._shown_in_cell == _cell_number()

    @property
    def _ipython_display_(self) -> Callable[[], None] | None:
        # IPython calls this, when it is callable, instead of showing the object: a no-op
        # while the running cell has shown the object already, else None (shown as usual).
        return _nothing if self.shown_above() else None


def _nothing() -> None:
    return None


def in_notebook() -> bool:
    """Whether display output reaches a notebook front end (a kernel), not a terminal or a script."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _cell_number() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count
