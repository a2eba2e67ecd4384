"""What the image and audio magics share: inputs named by path or variable, and showing results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from ._parsing import is_identifier

__all__ = ["file_or_variable", "show"]


def file_or_variable(magic: Any, word: str, what: str) -> Any:
    """The variable `word` names, else `word` as a path (a missing file is reported by the API call)."""
    if is_identifier(word) and word in magic.user_ns:
        return magic.user_ns[word]
    if is_identifier(word) and not Path(word).exists():
        raise UsageError(f"{what} {word!r} is neither a variable in the notebook nor a file")
    return word


def show(result: Any) -> Any:
    """Display `result` now and return it; the cell's own display of it then steps aside."""
    from IPython.display import display

    display(result)
    result.mark_shown()
    return result
