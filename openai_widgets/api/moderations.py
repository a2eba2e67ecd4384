"""Moderations: is this text harmful? One DataFrame row per input."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument, type_error
from .._core.errors import APIResponseValidationError, InvalidTypeError
from .._core.transport import BaseClient

if TYPE_CHECKING:
    import pandas as pd

    from .. import bulk
    from .._costs.estimate import CostEstimate
    from ..bulk.rows import RowResults

__all__ = ["CATEGORIES", "MODERATION_BATCH", "ModerationsAPI", "moderation_estimate", "moderation_inputs"]

# Inputs per request. OpenAI documents no limit per call; small batches keep each request
# well inside its size and time limits, and let several requests run at once.
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
    def moderate(
        self,
        input: str | Sequence[str] | pd.Series,
        model: str | None = None,
        *,
        max_concurrency: int | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        max_retries: int | None = None,
        progress: bool | None = None,
        resume: Any = None,
        max_cost: float | None = None,
    ) -> pd.DataFrame:
        """Check texts for harmful content; one DataFrame row per input.

        `input` is a string, a list of strings or a pandas Series (its index is kept).
        Columns: `input`, `flagged`, one bool column per category, then one float
        `<category>_score` column per category. Category names are made identifiers:
        `/` and `-` become `_` (`self-harm/intent` -> `self_harm_intent`, score column
        `self_harm_intent_score`); categories a model does not assess are left out.
        `model` defaults to omni-moderation-latest; `.attrs` holds the model that answered.

        Large inputs go in batches of 32 on the bulk engine: as many requests in flight as
        the rate limits allow, with a progress bar. The bulk options `max_concurrency`,
        `requests_per_minute`, `tokens_per_minute`, `max_retries`, `progress` and `resume`
        are the same on every bulk call: see `openai_widgets.bulk.options`. If the run stops
        (an error after retries, or Ctrl-C), the error's `partial` holds the rows checked
        so far and `moderate(..., resume=True)` (or `resume=error.partial`) checks only the rest.
        """
        from .. import bulk
        from .._tables.frames import moderation_frame
        from ..bulk.options import BulkOptions
        from ..bulk.rows import RowResults, assemble, keep_partial

        texts, index = moderation_inputs(input)
        model_id = model_argument(model, "moderation")
        options = BulkOptions(
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            max_retries=max_retries,
            progress=progress,
            resume=resume,
            max_cost=max_cost,
        )
        rows = RowResults(texts, "moderate", options.resume, settings={"model": model_id})
        options.check_cost("moderate", lambda: moderation_estimate(model_id, texts, rows.finished))
        job = _Moderation(model_id, rows)
        try:
            stats = bulk.run(
                texts,
                job,
                client=self,
                max_items=MODERATION_BATCH,
                costs=[_tokens(text) for text in texts],
                skip=rows.skip,
                description="moderate",
                unit="text",
                **options.engine_settings(self),
            )
        except (bulk.BulkError, bulk.BulkInterrupted) as error:
            done = rows.skip
            subset = index[done] if index is not None else done
            keep_partial(
                error,
                lambda: moderation_frame(
                    [rows.values[p] for p in done], [texts[p] for p in done], subset, CATEGORIES
                ),
                rows,
                what="texts are checked",
            )
            raise
        frame = assemble(
            lambda: moderation_frame(rows.values, texts, index, CATEGORIES),
            rows,
            stats,
            what="texts are checked",
        )
        rows.done()
        frame.attrs["model"] = job.answered_by
        return frame


class _Moderation:
    """One `POST /moderations` per batch of texts, for the bulk engine (see `bulk.engine.Job`)."""

    path = "moderations"

    def __init__(self, model: str, rows: RowResults) -> None:
        self.model = model
        self.rows = rows
        self.answered_by = model

    def body(self, texts: list[str]) -> dict[str, Any]:
        return {"model": self.model, "input": texts}

    def reader(self, positions: Any) -> bulk.JSONReader[dict[str, Any]]:
        from .. import bulk

        return bulk.JSONReader("POST moderations", lambda answer: _checked_answer(answer, len(positions)))

    def collect(self, positions: Any, answer: dict[str, Any]) -> None:
        self.rows.store(positions, answer["results"])
        self.answered_by = answer.get("model") or self.answered_by

    def spent(self, answer: dict[str, Any]) -> tuple[Any, Any]:
        return answer.get("model") or self.model, answer.get("usage")


def moderation_estimate(
    model: str, texts: list[str], finished: list[bool], *, prices: Any = None
) -> CostEstimate:
    """The cost of checking the texts not checked yet (moderation is free; an override may say otherwise)."""
    from .._costs.estimate import estimate_texts

    missing = [text for text, done in zip(texts, finished, strict=True) if not done]
    requests = -(-len(missing) // MODERATION_BATCH)
    return estimate_texts("moderate", "moderations", model, missing, requests=requests, prices=prices)


def _checked_answer(answer: Any, sent: int) -> dict[str, Any]:
    """One `POST /moderations` answer; its `results` must match the `sent` inputs one to one."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != sent:
        count = len(results) if isinstance(results, list) else "no"
        raise APIResponseValidationError(f"POST moderations: sent {sent} inputs but got {count} results back")
    return answer


def _tokens(text: str) -> float:
    """Tokens a text may count against a tokens-per-minute limit (about 4 characters a token)."""
    return math.ceil(len(text) / 4) or 1


def moderation_inputs(value: Any) -> tuple[list[str], Any]:
    """The texts to check and the index to label them with (None: 0..n-1)."""
    from .._tables.text_input import check_texts

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
        raise type_error("input", "a string, a list of strings or a pandas Series", value)
    check_texts(items, index if index is not None else range(len(items)), "input", allow_empty=True)
    return items, index


def _is_pandas(value: Any, name: str) -> bool:
    pandas = sys.modules.get("pandas")  # not loaded: the value cannot be a pandas object
    return pandas is not None and isinstance(value, getattr(pandas, name))
