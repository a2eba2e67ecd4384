"""Searching a vector store against the sandbox: ranked chunks, the API's filters and the short form,
empty results with every column, options checked before sending."""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow
from tests.support.sent import validate_sent

SEARCH_COLUMNS = ["rank", "score", "file_id", "filename", "text", "attributes"]
ARTICLES = pd.DataFrame(
    {
        "text": [
            "Wind turbines turn wind into power on the coast.",
            "Solar power from panels on every roof.",
            "Wind and solar power share the grid.",
            "Power cuts in winter: a history.",
        ],
        "year": [2018, 2021, 2023, 2024],
        "lang": ["en", "en", "de", "en"],
        "tag": ["wind", "solar", "grid", "history"],
        "published": pd.to_datetime(["2018-05-01", "2021-07-01", "2023-02-01", "2024-09-01"]),
    },
    index=["turbines", "panels", "grid", "cuts"],
)


@pytest.fixture
def store(stores):
    made = stores.create_vector_store("articles", files=ARTICLES)
    assert made["file_counts"]["completed"] == 4
    return made["id"]


def names(frame):
    return frame["filename"].str.removeprefix("row-").str.removesuffix(".txt").tolist()


def last_search(sandbox):
    return sandbox.requests_to("/vector_stores/", "POST")[-1].json()


def test_results_are_ranked_chunks_with_their_file_and_attributes(stores, sandbox, spec, store):
    frame = stores.search_vector_store(store, "wind power", k=3)

    assert list(frame.columns) == SEARCH_COLUMNS
    assert frame["rank"].tolist() == [1, 2, 3]
    assert frame["score"].is_monotonic_decreasing and (frame["score"] > 0).all()
    assert names(frame)[0] in ("turbines", "grid")
    assert frame["text"][0] == ARTICLES.loc[names(frame)[0], "text"]
    assert frame["attributes"][0]["tag"] == ARTICLES.loc[names(frame)[0], "tag"]
    assert (frame["rank"].dtype, frame["score"].dtype) == ("int64", "float64")
    assert last_search(sandbox) == {"query": "wind power", "max_num_results": 3, "rewrite_query": False}
    assert frame.attrs["search_query"] == ["wind power"]
    assert validate_sent(sandbox, spec, prefix="/vector_stores/") >= 2


def test_the_apis_compound_filters_pass_through(stores, sandbox, spec, store):
    filters = {
        "type": "and",
        "filters": [
            {"type": "gte", "key": "year", "value": 2020},
            {
                "type": "or",
                "filters": [
                    {"type": "eq", "key": "lang", "value": "de"},
                    {"type": "eq", "key": "tag", "value": "solar"},
                ],
            },
        ],
    }
    frame = stores.search_vector_store(store, "power", filters=filters)

    assert sorted(names(frame)) == ["grid", "panels"]
    assert last_search(sandbox)["filters"] == filters
    spec.validate_request("POST", f"/vector_stores/{store}/search", last_search(sandbox))


def test_the_short_form_becomes_an_and_of_comparisons(stores, sandbox, spec, store):
    frame = stores.search_vector_store(
        store, "power", filters={"year": (">=", 2019), "lang": "en", "tag": ["solar", "history", "wind"]}
    )

    assert sorted(names(frame)) == ["cuts", "panels"]
    assert last_search(sandbox)["filters"] == {
        "type": "and",
        "filters": [
            {"type": "gte", "key": "year", "value": 2019},
            {"type": "eq", "key": "lang", "value": "en"},
            {"type": "in", "key": "tag", "value": ["solar", "history", "wind"]},
        ],
    }
    spec.validate_request("POST", f"/vector_stores/{store}/search", last_search(sandbox))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"lang": "de"}, ["grid"]),
        ({"lang": ("!=", "de")}, ["cuts", "panels", "turbines"]),
        ({"year": ("<", 2021)}, ["turbines"]),
        ({"tag": ("not in", ["wind", "grid"])}, ["cuts", "panels"]),
        ({"published": (">", pd.Timestamp("2023-06-01"))}, ["cuts"]),
        ({"type": "or", "filters": [{"lang": "de"}, {"year": ("lte", 2018)}]}, ["grid", "turbines"]),
    ],
)
def test_each_short_form_operator(stores, sandbox, spec, store, filters, expected):
    frame = stores.search_vector_store(store, "power wind solar history", filters=filters)
    assert sorted(names(frame)) == expected
    spec.validate_request("POST", f"/vector_stores/{store}/search", last_search(sandbox))


def test_no_match_gives_every_column_with_its_dtype(stores, store):
    for frame in (
        stores.search_vector_store(store, "volcano"),
        stores.search_vector_store(store, "power", filters={"lang": "fr"}),
    ):
        assert list(frame.columns) == SEARCH_COLUMNS and len(frame) == 0
        assert (frame["rank"].dtype, frame["score"].dtype) == ("int64", "float64")
        assert frame["attributes"].dtype == object


def test_ranking_and_query_rewriting_are_sent(stores, sandbox, store):
    strict = stores.search_vector_store(
        store, "wind power", ranking={"ranker": "auto", "score_threshold": 0.99}
    )
    assert len(strict) == 0
    assert last_search(sandbox)["ranking_options"] == {"ranker": "auto", "score_threshold": 0.99}
    stores.search_vector_store(store, ["wind", "grid"], ranking="none", rewrite_query=True)
    assert last_search(sandbox)["ranking_options"] == {"ranker": "none"}
    assert last_search(sandbox)["query"] == ["wind", "grid"] and last_search(sandbox)["rewrite_query"] is True


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"k": 0}, ow.InvalidInputError, "k must be from 1 to 50, not 0"),
        ({"k": 51}, ow.InvalidInputError, "k must be from 1 to 50"),
        ({"k": "5"}, ow.InvalidTypeError, "whole number"),
        ({"query": ""}, ow.InvalidInputError, "query is empty"),
        ({"query": 5}, ow.InvalidTypeError, "query must be text"),
        ({"filters": "year > 2020"}, ow.InvalidTypeError, "filters must be a dict"),
        ({"filters": {}}, ow.InvalidInputError, "filters is empty"),
        ({"filters": {"year": ("~", 2020)}}, ow.InvalidInputError, r"give \(operator, value\)"),
        ({"filters": {"tag": []}}, ow.InvalidInputError, "'in' needs a non-empty list"),
        ({"filters": {"flag": [True]}}, ow.InvalidTypeError, "for a boolean use eq"),
        ({"filters": {"year": ("==", [1, 2])}}, ow.InvalidTypeError, "use 'in' for a list"),
        ({"filters": {"type": "and"}}, ow.InvalidInputError, r"\(and\) needs 'filters'"),
        ({"filters": {"type": "eq", "key": "year"}}, ow.InvalidInputError, "needs 'key' and 'value'"),
        ({"filters": {"n": float("nan")}}, ow.InvalidInputError, "give a finite number"),
        ({"ranking": "best"}, ow.InvalidInputError, "ranker 'best' is not one of"),
        ({"ranking": {"score_threshold": 2}}, ow.InvalidInputError, "from 0 to 1"),
        ({"rewrite_query": "yes"}, ow.InvalidTypeError, "rewrite_query must be True or False"),
    ],
)
def test_bad_search_options_are_refused_before_sending(stores, sandbox, options, error, message):
    query = options.pop("query", "power")
    with pytest.raises(error, match=message):
        stores.search_vector_store("vs_anything", query, **options)
    assert sandbox.requests == []
