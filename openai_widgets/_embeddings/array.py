"""The `embedding` column: a pandas extension array backed by one (n, d) float32 matrix.

Each element is a float32 numpy row (a read-only view of the matrix), so the column reads
like a column of vectors, but nothing is stored per row: 100,000 vectors cost their
floats and no more, `ow.as_matrix(frame)` hands the matrix back without a copy, a slice of
the frame slices the matrix, and reordering (sort, take, join) gathers rows in one pass.
The array also remembers how its vectors were made (model, requested dimensions), which
survives joins and merges that drop `DataFrame.attrs`.
"""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype

__all__ = ["EmbeddingArray", "EmbeddingDtype"]

_SHOWN = 4  # values shown per vector in a table


@register_extension_dtype
class EmbeddingDtype(ExtensionDtype):
    """The dtype of an `embedding` column: one float32 vector per row."""

    name = "embedding"
    type = np.ndarray
    kind = "O"
    na_value = None

    @classmethod
    def construct_array_type(cls) -> builtins.type[EmbeddingArray]:  # `type` here is the attribute above
        return EmbeddingArray


class EmbeddingArray(ExtensionArray):
    """Vectors of one width in one float32 matrix; `missing` marks rows without a vector."""

    def __init__(
        self, matrix: np.ndarray, missing: np.ndarray | None = None, origin: dict[str, Any] | None = None
    ) -> None:
        matrix = np.asarray(matrix, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"an EmbeddingArray holds a 2-D matrix, not {matrix.ndim}-D")
        self.matrix = matrix
        self.missing = (
            np.zeros(len(matrix), dtype=bool) if missing is None else np.asarray(missing, dtype=bool)
        )
        self.origin = dict(origin or {})

    # -- what pandas needs ------------------------------------------------------------

    @property
    def dtype(self) -> EmbeddingDtype:
        return EmbeddingDtype()

    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> EmbeddingArray:
        if isinstance(scalars, EmbeddingArray):
            return scalars.copy() if copy else scalars
        items = list(scalars)
        missing = np.array([_is_missing(item) for item in items], dtype=bool)
        present = [
            np.asarray(item, dtype=np.float32) for item, gone in zip(items, missing, strict=True) if not gone
        ]
        if any(vector.ndim != 1 for vector in present):
            raise TypeError("an embedding column holds vectors (1-D arrays or lists of numbers)")
        width = present[0].shape[0] if present else 0
        if any(vector.shape != (width,) for vector in present):
            raise ValueError("embeddings in one column must all have the same length")
        matrix = np.zeros((len(items), width), dtype=np.float32)
        if present:
            matrix[~missing] = np.stack(present)
        return cls(matrix, missing)

    @classmethod
    def _from_factorized(cls, values: Any, original: EmbeddingArray) -> EmbeddingArray:
        return cls._from_sequence(values)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, numbers.Integral):
            return None if self.missing[item] else self.matrix[item]
        item = pd.api.indexers.check_array_indexer(self, item)
        return type(self)(self.matrix[item], self.missing[item], self.origin)

    def __setitem__(self, key: Any, value: Any) -> None:
        if not self.matrix.flags.writeable:
            self.matrix = self.matrix.copy()  # the shared matrix stays as it was
        if isinstance(key, numbers.Integral):
            key, value = [key], [value]
        key = pd.api.indexers.check_array_indexer(self, key)
        values = value if isinstance(value, EmbeddingArray) else type(self)._from_sequence(list(value))
        self.matrix[key] = values.matrix
        self.missing[key] = values.missing

    def __len__(self) -> int:
        return len(self.matrix)

    def __iter__(self):
        for position in range(len(self)):
            yield self[position]

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        if isinstance(other, EmbeddingArray) and len(other) == len(self):
            same = np.all(self.matrix == other.matrix, axis=1) if self.width == other.width else False
            return np.asarray(same & ~self.missing & ~other.missing, dtype=bool)
        return np.zeros(len(self), dtype=bool)

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes + self.missing.nbytes)

    def isna(self) -> np.ndarray:
        return self.missing.copy()

    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> EmbeddingArray:
        indices = np.asarray(indices, dtype=np.intp)
        if allow_fill:
            fill = indices == -1
            if (indices < -1).any():
                raise ValueError("take: indices below -1 are not allowed when filling")
            picked = np.where(fill, 0, indices)
            matrix = self.matrix[picked] if len(self) else np.zeros((len(indices), self.width), np.float32)
            missing = (self.missing[picked] if len(self) else np.zeros(len(indices), bool)) | fill
            return type(self)(matrix, missing, self.origin)
        return type(self)(self.matrix[indices], self.missing[indices], self.origin)

    def copy(self) -> EmbeddingArray:
        return type(self)(self.matrix.copy(), self.missing.copy(), self.origin)

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[EmbeddingArray]) -> EmbeddingArray:
        widths = {array.width for array in to_concat if len(array)}
        if len(widths) > 1:
            raise ValueError(f"cannot put embeddings of {sorted(widths)} dimensions in one column")
        width = widths.pop() if widths else 0
        matrix = np.concatenate([a.matrix.reshape(len(a), width) for a in to_concat]) if to_concat else None
        missing = np.concatenate([a.missing for a in to_concat])
        origins = [a.origin for a in to_concat]
        same = all(origin == origins[0] for origin in origins)
        return cls(matrix if matrix is not None else np.zeros((0, 0)), missing, origins[0] if same else None)

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        keys = np.array(
            [None if gone else row.tobytes() for row, gone in zip(self.matrix, self.missing, strict=True)]
        )
        return keys, None

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """A 1-D object array of the rows (what pandas expects); use `.matrix` for the 2-D floats."""
        rows = np.empty(len(self), dtype=object)
        for position in range(len(self)):
            rows[position] = self[position]
        return rows

    def _formatter(self, boxed: bool = False):
        return _short

    # -- for people -------------------------------------------------------------------

    @property
    def width(self) -> int:
        return int(self.matrix.shape[1])


def _short(vector: Any) -> str:
    if vector is None:
        return "None"
    values = ", ".join(f"{value:.4f}" for value in vector[:_SHOWN])
    more = ", ..." if len(vector) > _SHOWN else ""
    return f"[{values}{more}] ({len(vector)})"


def _is_missing(item: Any) -> bool:
    return item is None or item is pd.NA or (isinstance(item, float) and item != item)
