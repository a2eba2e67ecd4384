"""The `embedding` column: one float32 matrix behind a column of vectors, through pandas operations."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._embeddings.array import EmbeddingArray, EmbeddingDtype


@pytest.fixture
def frame():
    from openai_widgets._embeddings.frame import embeddings_frame

    matrix = np.arange(24, dtype=np.float32).reshape(6, 4)
    attrs = {"model": "m", "requested_dimensions": 4, "dimensions": 4}
    return embeddings_frame([f"t{i}" for i in range(6)], matrix, pd.Index(list("abcdef")), attrs)


def test_the_column_holds_float32_rows_of_one_read_only_matrix(frame):
    column = frame["embedding"]
    assert isinstance(column.dtype, EmbeddingDtype)
    assert str(column.dtype) == "embedding"
    row = column.iloc[2]
    assert isinstance(row, np.ndarray)
    assert row.dtype == np.float32
    assert row.tolist() == [8, 9, 10, 11]
    assert np.shares_memory(row, ow.as_matrix(frame))
    assert not row.flags.writeable
    assert column.loc["f"].tolist() == [20, 21, 22, 23]
    assert [r.tolist() for r in column.tolist()] == ow.as_matrix(frame).tolist()
    assert np.stack(column).shape == (6, 4)
    assert column.apply(len).tolist() == [4] * 6


def test_nothing_is_stored_per_row(frame):
    assert frame["embedding"].array.nbytes == 6 * 4 * 4 + 6
    assert frame.memory_usage(deep=True)["embedding"] < 6 * 4 * 4 + 64


def test_slices_share_the_matrix_and_reordering_gathers_it(frame):
    matrix = ow.as_matrix(frame)
    assert np.shares_memory(ow.as_matrix(frame.iloc[1:4]), matrix)
    reordered = frame.sort_values("input", ascending=False)
    assert ow.as_matrix(reordered)[:, 0].tolist() == [20, 16, 12, 8, 4, 0]
    assert not np.shares_memory(ow.as_matrix(reordered), matrix)
    picked = frame.loc[["c", "a"]]
    assert ow.as_matrix(picked)[:, 0].tolist() == [8, 0]


def test_concat_join_merge_and_groupby(frame):
    both = pd.concat([frame.iloc[:2], frame.iloc[4:]])
    assert ow.as_matrix(both)[:, 0].tolist() == [0, 4, 16, 20]
    assert both["embedding"].array.origin == {"model": "m", "requested_dimensions": 4}
    topics = pd.DataFrame({"topic": ["x", "y", "x", "y", "x", "y"]}, index=frame.index)
    joined = frame.join(topics)
    assert ow.as_matrix(joined).shape == (6, 4)
    merged = frame.reset_index().merge(topics.reset_index(), on="index")
    assert ow.as_matrix(merged)[:, 1].tolist() == [1, 5, 9, 13, 17, 21]
    firsts = joined.groupby("topic")["embedding"].first()
    assert firsts.loc["y"].tolist() == [4, 5, 6, 7]


def test_missing_rows_are_none_and_as_matrix_says_to_drop_them(frame):
    wider = frame.reindex(list("abcxyz"))
    assert wider["embedding"].isna().tolist() == [False, False, False, True, True, True]
    assert wider["embedding"].iloc[4] is None
    with pytest.raises(ow.InvalidInputError, match="3 rows have no embedding"):
        ow.as_matrix(wider)
    assert ow.as_matrix(wider.dropna(subset=["embedding"])).shape == (3, 4)


def test_writing_a_row_copies_the_shared_matrix_first(frame):
    matrix = ow.as_matrix(frame)
    copy = frame.copy()
    copy.at["a", "embedding"] = np.ones(4, dtype=np.float32)
    assert ow.as_matrix(copy)[0].tolist() == [1, 1, 1, 1]
    assert matrix[0].tolist() == [0, 1, 2, 3]  # the original frame is untouched


def test_pickle_and_display(frame):
    again = pickle.loads(pickle.dumps(frame))
    assert np.array_equal(ow.as_matrix(again), ow.as_matrix(frame))
    text = repr(frame)
    assert "[4.0000, 5.0000, 6.0000, 7.0000] (4)" in text
    assert "<table" in frame._repr_html_()


def test_an_array_from_plain_vectors():
    array = EmbeddingArray._from_sequence([[1, 2], None, np.array([3, 4])])
    assert array.missing.tolist() == [False, True, False]
    assert array.matrix.tolist() == [[1, 2], [0, 0], [3, 4]]
    with pytest.raises(ValueError, match="same length"):
        EmbeddingArray._from_sequence([[1, 2], [3]])
    assert (array == array.copy()).tolist() == [True, False, True]
