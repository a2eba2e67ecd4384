"""Text inputs for bulk calls: a string, a list, a Series or a one-column DataFrame, checked.

Every refusal names the input by its index label (a list's labels are its positions),
so the user can find and fix it, and happens before any request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._core.arguments import type_error, whole_number
from .._core.errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TextInput", "check_count", "text_input"]


@dataclass(frozen=True)
class TextInput:
    texts: list[str]
    index: pd.Index


def text_input(value: Any, *, limit: int | None = None, what: str = "input") -> TextInput:
    """`value` as a list of texts with the index the result will carry."""
    import pandas as pd

    limit = check_count(limit, "limit")
    if isinstance(value, pd.DataFrame):
        value = _only_column(value, what)
    if isinstance(value, str):
        texts, index = [value], pd.RangeIndex(1)
    elif isinstance(value, pd.Series):
        texts, index = value.tolist(), value.index
    elif isinstance(value, (bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise type_error(what, "a string, a list of strings, a pandas Series or a DataFrame column", value)
    else:
        texts = list(value)
        index = pd.RangeIndex(len(texts))
    if limit is not None:
        texts, index = texts[:limit], index[:limit]
    if not texts:
        raise InvalidInputError(f"{what} is empty; pass at least one text")
    _check_texts(texts, index, what)
    return TextInput(texts, index)


def check_count(value: Any, name: str, *, optional: bool = True) -> int | None:
    """A whole number of 1 or more (`limit`, `dimensions`, `k`); None passes when `optional`."""
    return whole_number(value, name, minimum=1, optional=optional)


def _only_column(frame: pd.DataFrame, what: str) -> pd.Series:
    if frame.shape[1] != 1:
        columns = ", ".join(repr(c) for c in list(frame.columns)[:5]) or "none"
        raise InvalidInputError(
            f"{what} is a DataFrame with {frame.shape[1]} columns ({columns}); pass one column, "
            "e.g. df['text']"
        )
    return frame.iloc[:, 0]


def _check_texts(texts: list[Any], index: pd.Index, what: str) -> None:
    import pandas as pd

    if all(isinstance(text, str) and text for text in texts):
        return  # the usual case, checked fast; the loop below finds and names the culprit
    for position, text in enumerate(texts):
        if isinstance(text, str):
            if not text:
                raise InvalidInputError(
                    f"{what} at index {index[position]!r} is an empty string, which the API refuses; "
                    "drop it or fill it in"
                )
            continue
        if text is None or text is pd.NA or text is pd.NaT or (isinstance(text, float) and text != text):
            raise InvalidInputError(
                f"{what} at index {index[position]!r} is missing (None/NaN); drop or fill missing "
                "values first, e.g. series.dropna()"
            )
        raise InvalidTypeError(
            f"{what} at index {index[position]!r} is a {type(text).__name__}, not text; "
            "convert it first, e.g. series.astype(str)"
        )
