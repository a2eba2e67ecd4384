"""Ranking by cosine similarity: pairs of two embeddings frames, or the rows nearest a query."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._core.errors import InvalidInputError
from .._tables.text_input import check_count
from .vectors import as_matrix, top_k, unit_rows

__all__ = ["MAX_PAIRS", "ranked_pairs", "ranked_rows"]

MAX_PAIRS = 1_000_000  # without k, more pairs than this is refused (pass k)
_BLOCK_CELLS = 4_000_000  # scores computed at once when keeping the best k


def ranked_pairs(a: pd.DataFrame, b: pd.DataFrame, *, k: int | None, same: bool) -> pd.DataFrame:
    """Every row of `a` against every row of `b` (without self-pairs when `same`), best first."""
    k = check_count(k, "k")
    left, right = unit_rows(as_matrix(a)), unit_rows(as_matrix(b))
    if left.shape[1] != right.shape[1]:
        raise InvalidInputError(
            f"the two sides have {left.shape[1]} and {right.shape[1]} dimensions; embed them with "
            "the same model and dimensions"
        )
    if k is None:
        count = len(a) * (len(b) - 1 if same else len(b))
        if count > MAX_PAIRS:
            raise InvalidInputError(
                f"{count:,} pairs is too many to list; pass k=... to keep the best k matches per row"
            )
        scores = _scores(left, right, 0, same)
        rows, cols = np.nonzero(np.isfinite(scores))
        if same:
            keep = rows < cols  # each unordered pair once
            rows, cols = rows[keep], cols[keep]
        values = scores[rows, cols]
    else:
        rows, cols, values = _best_per_row(left, right, k, same)
    order = np.argsort(-values, kind="stable")
    rows, cols, values = rows[order], cols[order], values[order]
    return pd.DataFrame(
        {
            "a_index": a.index[rows],
            "a": _labels(a)[rows],
            "b_index": b.index[cols],
            "b": _labels(b)[cols],
            "score": values.astype(np.float64),
        }
    )


def _scores(left: np.ndarray, right: np.ndarray, start: int, same: bool) -> np.ndarray:
    """Cosine scores of a block of rows of `left` (starting at row `start` of the whole)."""
    scores = left @ right.T
    if same:
        rows = np.arange(len(left))
        scores[rows, rows + start] = -np.inf  # a row is not its own match
    return scores


def _best_per_row(
    left: np.ndarray, right: np.ndarray, k: int, same: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best `k` columns per row, computed in blocks so memory stays bounded."""
    block = max(_BLOCK_CELLS // max(len(right), 1), 1)
    parts = []
    for start in range(0, len(left), block):
        scores = _scores(left[start : start + block], right, start, same)
        best = top_k(scores, k)
        rows = np.repeat(np.arange(len(scores)), best.shape[1])
        cols = best.ravel()
        values = scores[rows, cols]
        finite = np.isfinite(values)
        parts.append((rows[finite] + start, cols[finite], values[finite]))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[return-value]


def ranked_rows(frame: pd.DataFrame, vector: np.ndarray, k: int) -> pd.DataFrame:
    """The `k` rows of `frame` closest to `vector`: a `score` column, then the frame's other columns."""
    k = check_count(k, "k", optional=False)
    matrix = as_matrix(frame)
    if matrix.shape[1] != vector.shape[0]:
        raise InvalidInputError(
            f"the query has {vector.shape[0]} dimensions but the frame {matrix.shape[1]}; embed both "
            "with the same model and dimensions"
        )
    scores = unit_rows(matrix) @ unit_rows(vector[None, :])[0]
    best = top_k(scores[None, :], k)[0]
    result = frame.iloc[best].drop(columns=["embedding"])
    result.insert(0, "score", scores[best].astype(np.float64))
    return result


def _labels(frame: pd.DataFrame) -> np.ndarray:
    """What names a row in a pairs table: its input text, else its index label."""
    if "input" in frame.columns:
        return frame["input"].to_numpy(dtype=object)
    return frame.index.to_numpy(dtype=object)
