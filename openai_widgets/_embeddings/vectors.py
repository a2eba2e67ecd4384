"""Embedding vectors: decoding answers, the matrix of a frame, cosine scores, PCA.

An embeddings DataFrame keeps its vectors in one (n, d) float32 matrix inside its
`embedding` column (an `EmbeddingArray`); `as_matrix(frame)` hands that matrix back
without a copy (`frame.embeddings`, in `frame`, is the same as an accessor). A column of plain
vectors (lists or arrays) works too: its rows are stacked.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import APIResponseValidationError, InvalidInputError, InvalidTypeError
from .array import EmbeddingArray

__all__ = ["as_matrix", "decode_answer", "decode_embeddings", "origin_of", "pca_2d", "unit_rows"]


# One item of an embeddings answer in the order OpenAI writes it, up to the opening quote of
# its base64 vector (any spacing; "object" may be left out).
_ITEM = re.compile(
    rb'\{\s*(?:"object"\s*:\s*"embedding"\s*,\s*)?"index"\s*:\s*(\d+)\s*,\s*"embedding"\s*:\s*"'
)


def decode_answer(
    content: bytes, count: int, into: Callable[[int], np.ndarray | None] | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """An embeddings answer's body -> ((count, d) float32 matrix in `index` order, usage).

    Base64 answers laid out as OpenAI writes them are read straight from the bytes, each
    vector decoded into its row: no Python string per vector and no second copy of the
    body; `into(d)` may hand over the (count, d) rows to fill (the final matrix's), else a
    new matrix is made. Anything else (float lists, other key orders) goes through
    `json.loads` and gives a new matrix.
    """
    fast = _read_base64_items(content, count, into)
    if fast is not None:
        return fast, _usage_of(content)
    try:
        answer = json.loads(content)
    except ValueError:
        raise APIResponseValidationError(
            f"the embeddings answer is not valid JSON ({len(content)} bytes): {content[:120]!r}"
        ) from None
    if not isinstance(answer, dict):
        raise APIResponseValidationError(f"the embeddings answer is a {type(answer).__name__}, not an object")
    usage = answer.get("usage")
    return decode_embeddings(answer.get("data"), count), usage if isinstance(usage, dict) else {}


def _read_base64_items(
    content: bytes, count: int, into: Callable[[int], np.ndarray | None] | None
) -> np.ndarray | None:
    """The vectors of `count` base64 items, or None when the body is laid out otherwise."""
    view = memoryview(content)
    matrix: np.ndarray | None = None
    seen = np.zeros(count, dtype=bool)
    position = 0
    for _ in range(count):
        item = _ITEM.search(content, position)
        if item is None:
            return None
        index, start = int(item.group(1)), item.end()
        end = content.find(b'"', start)
        if end < 0 or index >= count or seen[index]:
            return None
        try:
            raw = binascii.a2b_base64(view[start:end])
        except (binascii.Error, ValueError):
            return None
        if matrix is None:
            if not raw or len(raw) % 4:
                return None
            width = len(raw) // 4
            matrix = into(width) if into is not None else None
            if matrix is None:
                matrix = np.empty((count, width), dtype=np.float32)
        if len(raw) != matrix.shape[1] * 4:
            return None
        matrix[index] = np.frombuffer(raw, dtype="<f4")
        seen[index] = True
        position = end + 1
    if _ITEM.search(content, position) is not None:
        return None  # more items than inputs: let the full parse report it
    return matrix


def _usage_of(content: bytes) -> dict[str, Any]:
    at = content.rfind(b'"usage"')
    start = content.find(b"{", at) if at >= 0 else -1
    if start < 0:
        return {}
    try:
        usage, _ = json.JSONDecoder().raw_decode(content[start:].decode("utf-8", "replace"))
    except ValueError:
        return {}
    return usage if isinstance(usage, dict) else {}


def decode_embeddings(data: Any, count: int) -> np.ndarray:
    """The `data` of an embeddings answer -> a (count, d) float32 array in `index` order.

    Items may hold base64 (little-endian float32, what we ask for) or plain float lists
    (servers that ignore `encoding_format`).
    """
    if not isinstance(data, list) or len(data) != count:
        got = len(data) if isinstance(data, list) else type(data).__name__
        raise APIResponseValidationError(f"the embeddings answer holds {got} items for {count} inputs")
    ordered: list[Any] = [None] * count
    for item in data:
        position = item.get("index") if isinstance(item, dict) else None
        if not isinstance(position, int) or not 0 <= position < count or ordered[position] is not None:
            raise APIResponseValidationError(
                f"the embeddings answer has a bad or repeated index: {position!r}"
            )
        ordered[position] = item.get("embedding")
    if all(isinstance(vector, str) for vector in ordered):
        return _from_base64(ordered)
    try:
        matrix = np.asarray(ordered, dtype=np.float32)
    except (TypeError, ValueError):
        raise APIResponseValidationError(
            "the embeddings answer mixes formats or vector lengths; expected float lists or base64"
        ) from None
    if matrix.ndim != 2:
        raise APIResponseValidationError("the embeddings answer holds vectors of different lengths")
    return matrix


def _from_base64(strings: list[str]) -> np.ndarray:
    try:  # a2b_base64 is C all the way (b64decode(validate=True) runs a regex over every vector)
        raw = [binascii.a2b_base64(text) for text in strings]
    except (binascii.Error, ValueError):
        raise APIResponseValidationError("an embedding in the answer is not valid base64") from None
    width = len(raw[0])
    if width == 0 or width % 4 or any(len(chunk) != width for chunk in raw):
        raise APIResponseValidationError("the base64 embeddings in the answer have different lengths")
    return (
        np.frombuffer(b"".join(raw), dtype="<f4").reshape(len(raw), width // 4).astype(np.float32, copy=False)
    )


def origin_of(frame: pd.DataFrame) -> dict[str, Any]:
    """`model` and `requested_dimensions` of an embeddings frame: its attrs, else its column's.

    Joins and merges may drop `DataFrame.attrs`; the `embedding` column keeps its origin.
    """
    if "model" in frame.attrs:
        return dict(frame.attrs)
    array = frame["embedding"].array if "embedding" in frame.columns else None
    return dict(array.origin) if isinstance(array, EmbeddingArray) else {}


def as_matrix(frame: Any, column: str = "embedding") -> np.ndarray:
    """One contiguous (n, d) float32 array of an embeddings frame (or Series, or 2-D array).

    An `embed()` frame (or a slice of one) gives its own matrix without a copy, read-only
    since the frame shares it; a column of plain vectors is stacked into a new array.
    """
    if isinstance(frame, np.ndarray) and frame.ndim == 2:
        return frame.astype(np.float32, copy=False)
    if isinstance(frame, pd.DataFrame):
        if column not in frame.columns:
            raise InvalidInputError(
                f"the DataFrame has no {column!r} column; pass the result of embed() (or name the column)"
            )
        frame = frame[column]
    if not isinstance(frame, pd.Series):
        raise InvalidTypeError(
            f"as_matrix takes an embeddings DataFrame, a Series of vectors or a 2-D array, "
            f"not {type(frame).__name__}"
        )
    array = frame.array
    if isinstance(array, EmbeddingArray):
        if array.missing.any():
            raise InvalidInputError(
                f"{int(array.missing.sum())} rows have no embedding; drop them first, "
                "e.g. frame.dropna(subset=['embedding'])"
            )
        return array.matrix
    rows = frame.to_numpy()
    if len(rows) == 0:
        return np.empty((0, 0), dtype=np.float32)
    try:
        return np.stack([np.asarray(row, dtype=np.float32) for row in rows])
    except (TypeError, ValueError):
        raise InvalidInputError("the embedding rows have different lengths or missing values") from None


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def pca_2d(matrix: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """The rows on their first two principal components: (an (n, 2) array, share of variance of each)."""
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2 or len(data) == 0:
        raise InvalidInputError("a projection needs at least one embedding")
    centred = data - data.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    points = np.zeros((len(data), 2))
    used = min(2, len(components))
    points[:, :used] = centred @ components[:used].T
    variance = singular**2
    total = float(variance.sum())
    shares = [float(v / total) if total else 0.0 for v in variance[:2]] + [0.0, 0.0]
    return points, (shares[0], shares[1])


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row of `scores`, the column indexes of the `k` highest, best first."""
    k = min(k, scores.shape[1])
    if k <= 0:
        return np.empty((scores.shape[0], 0), dtype=int)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1).argsort(axis=1, kind="stable")[:, ::-1]
    return np.take_along_axis(part, order, axis=1)
