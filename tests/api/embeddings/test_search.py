"""similarity() and search()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow

TEXTS = pd.Series(
    [
        "my cat sleeps on the sofa",
        "the stock market fell sharply",
        "cats and kittens love to play",
        "bond markets and stock prices",
        "a dog chased the cat",
    ],
    index=["pet1", "fin1", "pet2", "fin2", "pet3"],
)


@pytest.fixture
def frame(client):
    result = client.embed(TEXTS, dimensions=64)
    result["topic"] = ["pets", "money", "pets", "money", "pets"]
    return result


def test_search_ranks_rows_by_closeness_to_a_text(client, sandbox, frame):
    sandbox.clear_requests()
    found = client.search(frame, "cat", k=2)
    assert list(found.columns) == ["score", "input", "topic"]
    assert set(found.index) == {"pet1", "pet3"}  # the rows that say "cat"
    assert (found["topic"] == "pets").all()
    assert found["score"].is_monotonic_decreasing
    assert found["score"].dtype == np.float64
    (query,) = [r.json() for r in sandbox.requests_to("/embeddings")]
    assert query["input"] == ["cat"]
    assert query["dimensions"] == 64
    assert query["model"] == frame.attrs["model"]


def test_search_takes_a_vector_and_checks_its_size(client, frame):
    found = client.search(frame, ow.as_matrix(frame)[1], k=1)
    assert list(found.index) == ["fin1"]
    assert found["score"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ow.InvalidInputError, match="the query has 3 dimensions but the frame 64"):
        client.search(frame, [0.1, 0.2, 0.3])
    with pytest.raises(ow.InvalidInputError, match="k must be 1 or more"):
        client.search(frame, "cat", k=0)
    with pytest.raises(
        ow.InvalidInputError, match="frame has no 'embedding' column; search needs an embeddings DataFrame"
    ):
        client.search(pd.DataFrame({"a": [1]}), "cat")
    with pytest.raises(
        ow.InvalidTypeError, match="frame must be an embeddings DataFrame from embed\\(\\), not list"
    ):
        client.search([[0.1, 0.2]], "cat")


def test_similarity_within_one_frame_lists_each_pair_once_best_first(client, frame):
    pairs = ow.Client.similarity(client, frame)
    assert list(pairs.columns) == ["a_index", "a", "b_index", "b", "score"]
    assert len(pairs) == 10  # 5 rows: 10 unordered pairs, no row with itself
    assert pairs["score"].is_monotonic_decreasing
    assert not (pairs["a_index"] == pairs["b_index"]).any()
    best = pairs.iloc[0]
    assert {best["a_index"], best["b_index"]} <= {"pet1", "pet2", "pet3", "fin1", "fin2"}
    matrix = ow.as_matrix(frame)
    i, j = list(frame.index).index(best["a_index"]), list(frame.index).index(best["b_index"])
    expected = matrix[i] @ matrix[j] / np.linalg.norm(matrix[i]) / np.linalg.norm(matrix[j])
    assert best["score"] == pytest.approx(expected, abs=1e-5)


def test_similarity_between_frames_keeps_the_best_k_per_row(client, frame):
    queries = client.embed(pd.Series(["kittens", "stock"], index=["q1", "q2"]), dimensions=64)
    pairs = client.similarity(queries, frame, k=2)
    assert len(pairs) == 4
    assert pairs["score"].is_monotonic_decreasing
    assert sorted(pairs.groupby("a_index").size().tolist()) == [2, 2]
    money = pairs[pairs["a_index"] == "q2"]["b_index"]
    assert set(money) == {"fin1", "fin2"}


def test_similarity_of_texts_embeds_them_first(connected, sandbox):
    pairs = ow.similarity("a happy cat", ["a happy kitten cat", "quarterly earnings"])
    assert list(pairs["b"]) == ["a happy kitten cat", "quarterly earnings"]
    assert pairs["score"].iloc[0] > pairs["score"].iloc[1]


def test_similarity_refuses_mismatched_sizes_and_too_many_pairs(client, frame, monkeypatch):
    other = client.embed(["x"], dimensions=32)
    with pytest.raises(ow.InvalidInputError, match="64 and 32 dimensions"):
        client.similarity(frame, other)
    from openai_widgets._embeddings import similarity as _similarity

    monkeypatch.setattr(_similarity, "MAX_PAIRS", 5)
    with pytest.raises(ow.InvalidInputError, match="pass k="):
        client.similarity(frame)
    assert len(client.similarity(frame, k=1)) == 5


def test_search_after_a_join_still_embeds_the_query_like_the_frame(client, sandbox, frame):
    joined = frame[["input", "embedding"]].join(
        pd.DataFrame({"extra": range(5)}, index=frame.index), how="inner"
    )
    joined.attrs.clear()  # joins and merges may drop attrs
    sandbox.clear_requests()
    found = client.search(joined, "cat", k=2)
    assert set(found.index) == {"pet1", "pet3"}
    (query,) = [r.json() for r in sandbox.requests_to("/embeddings")]
    assert query["dimensions"] == 64
