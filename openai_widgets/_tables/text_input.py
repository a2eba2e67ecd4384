"""Text inputs for bulk calls: a string, a list, a Series or a one-column DataFrame, checked.

One rule for every text a bulk call sends (`embed`, `moderate`, the values `chat_map`
fills into its template), checked for all of them before the first request:
- a missing value (None, NaN of any float type, pd.NA, NaT) is refused, not sent as "nan";
- anything but a `str` is refused (bytes would go out as "b'...'", numbers as digits):
  convert on purpose, e.g. `series.astype(str)`;
- a lone surrogate (from text decoded with errors="surrogateescape") cannot be sent
  as UTF-8 and is refused, instead of failing mid-run after some rows were paid for;
- an empty string is refused where the API refuses it (a whole input; not a template value).
Every refusal names the input by its index label (a list's labels are its positions),
so the user can find and fix it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import type_error, whole_number
from .._core.errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TextInput", "check_count", "check_texts", "text_input"]


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
    check_texts(texts, index, what)
    return TextInput(texts, index)


@overload
def check_count(value: Any, name: str, *, optional: Literal[False]) -> int: ...
@overload
def check_count(value: Any, name: str, *, optional: bool = True) -> int | None: ...
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


def check_texts(texts: Sequence[Any], index: Sequence[Any], what: str, *, allow_empty: bool = False) -> None:
    """The rule above for every text of `texts`, labelled by `index`; the first one broken is named."""
    if all(isinstance(text, str) and (text or allow_empty) for text in texts) and _encodable(texts):
        return  # the usual case, checked fast; the loop below finds and names the culprit
    for label, text in zip(index, texts, strict=True):
        where = f"{what} at index {label!r}"
        if not isinstance(text, str):
            _refuse_non_text(text, where)
        if not text and not allow_empty:
            raise InvalidInputError(
                f"{where} is an empty string, which the API refuses; drop it or fill it in"
            )
        _refuse_surrogates(text, where)


def _encodable(texts: Sequence[str]) -> bool:
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_non_text(value: Any, where: str) -> None:
    missing = _missing_kind(value)
    if missing:
        raise InvalidInputError(
            f"{where} is missing ({missing}); drop or fill missing values first, e.g. series.dropna()"
        )
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise InvalidTypeError(
            f"{where} is {type(value).__name__}, not text; decode it first, e.g. value.decode('utf-8')"
        )
    raise InvalidTypeError(
        f"{where} is a {type(value).__name__}, not text; convert it first, e.g. series.astype(str)"
    )


def _missing_kind(value: Any) -> str | None:
    """How a missing value shows itself (None, NaN, <NA>, NaT), or None for a present one."""
    if value is None:
        return "None"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    pandas = sys.modules.get("pandas")  # not loaded: the value cannot be one of its markers
    if pandas is None or not pandas.api.types.is_scalar(value):
        return None
    try:
        if pandas.isna(value):
            return str(value)  # nan (numpy floats), <NA>, NaT
    except (TypeError, ValueError):
        pass
    return None


def _refuse_surrogates(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{where} holds a lone surrogate (U+{ord(text[exc.start]):04X} at character {exc.start + 1}), "
            "which cannot be sent as UTF-8; it comes from text decoded with errors='surrogateescape' "
            "or cut inside a surrogate pair: repair it, e.g. text.encode('utf-8', 'replace').decode()"
        ) from None
