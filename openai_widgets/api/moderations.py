"""Moderations: is this text harmful? One DataFrame row per input."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import APIResponseValidationError, InvalidInputError, InvalidTypeError
from .._frames import moderation_frame
from .._transport import BaseClient
from ._arguments import model_argument

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CATEGORIES", "MODERATION_BATCH", "ModerationsAPI", "moderation_batches"]

# Inputs per request. OpenAI documents no limit per call; small batches keep each request
# well inside its size and time limits, and are the unit a concurrent engine can drive.
MODERATION_BATCH = 32
# The API's categories, in its order: the columns of a result with no rows.
CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


class ModerationsAPI(BaseClient):
    def moderate(self, input: str | Sequence[str] | pd.Series, model: str | None = None) -> pd.DataFrame:
        """Check texts for harmful content; one DataFrame row per input.

        `input` is a string, a list of strings or a pandas Series (its index is kept).
        Columns: `input`, `flagged`, one bool column per category, then one float
        `<category>_score` column per category. Category names are made identifiers:
        `/` and `-` become `_` (`self-harm/intent` -> `self_harm_intent`, score column
        `self_harm_intent_score`); categories a model does not assess are left out.
        Large inputs are sent in batches of 32. `model` defaults to omni-moderation-latest;
        `.attrs` holds the model that answered.
        """
        texts, index = _inputs(input)
        model_id = model_argument(model, "moderation")
        results: list[dict[str, Any]] = []
        answered_by = model_id
        for batch in moderation_batches(texts):
            response = self._moderation_request(batch, model_id)
            results.extend(response["results"])
            answered_by = response.get("model") or answered_by
        frame = moderation_frame(results, texts, index, CATEGORIES)
        frame.attrs["model"] = answered_by
        return frame

    def _moderation_request(self, texts: list[str], model: str) -> dict[str, Any]:
        """One `POST /moderations` for one batch; its `results` match `texts` one to one."""
        response = self._post("moderations", {"model": model, "input": texts})
        results = response.get("results") if isinstance(response, dict) else None
        if not isinstance(results, list) or len(results) != len(texts):
            count = len(results) if isinstance(results, list) else "no"
            raise APIResponseValidationError(
                f"POST moderations: sent {len(texts)} inputs but got {count} results back"
            )
        return response


def moderation_batches(texts: Sequence[str], size: int = MODERATION_BATCH) -> Iterator[list[str]]:
    """`texts` in consecutive batches of at most `size`."""
    for start in range(0, len(texts), size):
        yield list(texts[start : start + size])


def _inputs(value: Any) -> tuple[list[str], Any]:
    """The texts to check and the index to label them with (None: 0..n-1)."""
    index = None
    if isinstance(value, str):
        items: list[Any] = [value]
    elif _is_pandas(value, "DataFrame"):
        raise InvalidTypeError(
            "moderate() takes one column of text, e.g. moderate(df['text']), not a DataFrame"
        )
    elif _is_pandas(value, "Series"):
        items, index = value.tolist(), value.index
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InvalidTypeError(
            f"input must be a string, a list of strings or a pandas Series, not {type(value).__name__}"
        )
    for position, item in enumerate(items):
        label = f" (index {index[position]!r})" if index is not None else ""
        if item is None or (isinstance(item, float) and math.isnan(item)):
            raise InvalidInputError(
                f"input[{position}]{label} is missing; drop or fill missing values first "
                "(e.g. series.dropna())"
            )
        if not isinstance(item, str):
            raise InvalidTypeError(
                f"input[{position}]{label} has type {type(item).__name__}; moderation checks text"
            )
    return items, index


def _is_pandas(value: Any, name: str) -> bool:
    pandas = sys.modules.get("pandas")  # not loaded: the value cannot be a pandas object
    return pandas is not None and isinstance(value, getattr(pandas, name))
