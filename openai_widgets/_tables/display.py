"""Display objects that a magic shows itself.

A magic such as `%openai image` displays its result at once (so `x = %openai image ...`
shows the images too) and also returns it. Without care the gallery would then appear
twice when the magic is the last line of the cell. `ShownOnce.mark_shown()` records the
cell that showed the object; during that same cell its rich display steps aside and only
a one-line text remains. In any later cell it displays in full again.
"""

from __future__ import annotations

__all__ = ["ShownOnce"]


class ShownOnce:
    _shown_in_cell: int | None = None

    def mark_shown(self) -> None:
        """Record that the running cell has displayed this object already."""
        self._shown_in_cell = _cell_number()

    def shown_above(self) -> bool:
        """Whether the running cell displayed this object already (rich reprs then return None)."""
        return self._shown_in_cell is not None and self._shown_in_cell == _cell_number()


def _cell_number() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count
