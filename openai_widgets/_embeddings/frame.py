"""Embeddings as a DataFrame: `input` and an `embedding` column backed by one float32 matrix.

`embeddings_frame` builds the frame `embed()` returns; `frame.embeddings` (the accessor
registered here) hands its matrix back without a copy and draws its projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .array import EmbeddingArray
from .vectors import as_matrix

__all__ = ["EmbeddingsAccessor", "embeddings_frame"]


def embeddings_frame(texts: Sequence[str], matrix: Any, index: Any, attrs: dict[str, Any]) -> pd.DataFrame:
    """`input` and `embedding` (float32 rows of one read-only matrix), indexed like the input.

    The `embedding` column is an `EmbeddingArray`: `ow.as_matrix(frame)` hands `matrix` back
    without a copy.
    """
    import pandas as pd

    matrix.flags.writeable = False  # the rows are shared: changing one would change the frame
    origin = {k: attrs.get(k) for k in ("model", "requested_dimensions")}
    # copy=False: pandas 3 copies arrays given to its constructors by default (the matrix included)
    column = pd.Series(EmbeddingArray(matrix, origin=origin), index=index, copy=False)
    frame = pd.DataFrame({"input": pd.Series(list(texts), index=index), "embedding": column}, copy=False)
    frame.attrs.update(attrs)
    return frame


@pd.api.extensions.register_dataframe_accessor("embeddings")
class EmbeddingsAccessor:
    """`frame.embeddings`: the frame's vectors as one (n, d) float32 matrix.

    matrix = df.embeddings.matrix      # or np.asarray(df.embeddings), or ow.as_matrix(df)
    df.embeddings.shape                # (n, d)
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    @property
    def matrix(self) -> np.ndarray:
        return as_matrix(self._frame)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.matrix.shape

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        matrix = self.matrix
        return matrix if dtype is None else matrix.astype(dtype)

    def __len__(self) -> int:
        return len(self._frame)

    def plot(self, color: Any = None, labels: Any = None, **options: Any) -> Any:
        """The frame's 2-D PCA projection as a scatter plot (see `ow.plot_embeddings`)."""
        from .plot import plot_embeddings

        return plot_embeddings(self._frame, color, labels, **options)
