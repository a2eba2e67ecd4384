"""What the image and audio magics share: showing a result once, and returning it."""

from __future__ import annotations

from typing import Any

__all__ = ["show"]


def show(result: Any) -> Any:
    """Display `result` now and return it; the cell's own display of it then steps aside."""
    from IPython.display import display

    display(result)
    result.mark_shown()
    return result
