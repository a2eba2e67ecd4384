"""What the image and audio magics share: showing a result once, and returning it."""

from __future__ import annotations

from typing import Any

from .._tables.display import in_notebook

__all__ = ["show"]


def show(result: Any) -> Any:
    """Display `result` now (in a notebook) and return it; the cell's own display of it steps aside.

    In a terminal nothing is drawn, so nothing is shown here: the cell's value prints the
    result's one line of text, once.
    """
    if in_notebook():
        from IPython.display import display

        display(result)
        result.mark_shown()
    return result
