"""Vector store search: BM25 ranking, attribute filters, query rewriting, ranking options, chunking,
and `search_chunks` as the Responses route's file_search calls it."""

from __future__ import annotations

import itertools

import jsonschema
import pytest

from openai_widgets.sandbox._http import ApiError
from openai_widgets.sandbox.routes._chunking import chunk_text
from openai_widgets.sandbox.routes._lexical_search import passage, rewrite, scores
from openai_widgets.sandbox.routes._replies import count_tokens
from openai_widgets.sandbox.routes.vector_stores import search_chunks

from .stores import Api

HELP = {
    "passwords.txt": (
        "To reset your password, open Settings, choose Security and press Reset password. "
        "A reset link is emailed to you.",
        {"topic": "account"},
    ),
    "billing.txt": (
        "Invoices are sent monthly. Update your card under Billing. Refunds take five days.",
        {"topic": "money"},
    ),
    "security.txt": (
        "Two-factor authentication protects your account. Security keys and authenticator apps "
        "are supported. Your password alone is not enough.",
        {"topic": "account"},
    ),
    "shipping.txt": ("Orders ship within two days. Tracking numbers arrive by email.", {"topic": "orders"}),
}


@pytest.fixture(scope="module")
def help_store(_sandbox_server, spec):
    """One help-centre store for the ranking tests (it lives in the session's sandbox)."""
    with Api(_sandbox_server, spec) as store_api:
        return store_api.indexed_store(HELP, name="help centre")


def search(store_api, store_id, **body):
    return store_api.post(f"/vector_stores/{store_id}/search", body)


def filenames(page):
    return [item["filename"] for item in page["data"]]


# -- ranking ---------------------------------------------------------------------------------


def test_the_most_relevant_document_comes_first(store_api, help_store):
    page = search(store_api, help_store, query="how do I reset my password")
    assert page["object"] == "vector_store.search_results.page"
    assert (page["search_query"], page["has_more"], page["next_page"]) == (
        ["how do I reset my password"],
        False,
        None,
    )
    assert filenames(page) == ["passwords.txt", "security.txt"]  # no word in common: not a result
    found = [item["score"] for item in page["data"]]
    assert 1 >= found[0] > found[1] > 0
    first = page["data"][0]
    assert first["attributes"] == {"topic": "account"}
    assert first["content"] == [{"type": "text", "text": HELP["passwords.txt"][0]}]
    assert (
        search(store_api, help_store, query="refund")["data"][0]["filename"] == "billing.txt"
    )  # "Refunds" matches


def test_rewrite_query_answers_the_keywords_it_searched(store_api, help_store):
    page = search(store_api, help_store, query="How do I reset my password?", rewrite_query=True)
    assert page["search_query"] == ["reset password"]
    assert filenames(page) == ["passwords.txt", "security.txt"]
    both = search(store_api, help_store, query=["reset password", "tracking numbers"])
    assert both["search_query"] == ["reset password", "tracking numbers"]
    assert set(filenames(both)) == {"passwords.txt", "security.txt", "shipping.txt"}


def test_max_num_results_and_score_threshold_cut_the_list(store_api, spec, help_store):
    full = search(store_api, help_store, query="reset password")["data"]
    assert [
        i["filename"]
        for i in search(store_api, help_store, query="reset password", max_num_results=1)["data"]
    ] == ["passwords.txt"]
    middle = (full[0]["score"] + full[1]["score"]) / 2
    above = search(store_api, help_store, query="reset password", ranking_options={"score_threshold": middle})
    assert filenames(above) == ["passwords.txt"]
    unranked = search(store_api, help_store, query="reset password", ranking_options={"ranker": "none"})
    assert unranked["data"] == full
    for body, param in [
        ({"query": "x", "max_num_results": 0}, "max_num_results"),
        ({"query": "x", "max_num_results": 51}, "max_num_results"),
        ({"query": "x", "ranking_options": {"ranker": "best"}}, "ranking_options.ranker"),
        ({"query": "x", "ranking_options": {"score_threshold": 1.5}}, "ranking_options.score_threshold"),
        ({"query": "x", "rewrite_query": "yes"}, "rewrite_query"),
        ({"query": 3}, "query"),
        ({"query": "x", "top_k": 3}, "top_k"),
    ]:
        with pytest.raises(jsonschema.ValidationError):
            spec.validate_request("POST", f"/vector_stores/{help_store}/search", body)
        assert store_api.error("POST", f"/vector_stores/{help_store}/search", body)["param"] == param
    assert store_api.error("POST", f"/vector_stores/{help_store}/search", {"query": " "})["param"] == "query"


def test_search_sees_only_files_that_finished_indexing(store_api, sandbox):
    store_id = store_api.indexed_store({"early.txt": ("penguins live in the south", None)}, name="timing")
    sandbox.index_seconds = 30
    late = store_api.upload("late.txt", b"penguins swim fast")
    store_api.post(f"/vector_stores/{store_id}/files", {"file_id": late})
    assert filenames(search(store_api, store_id, query="penguins")) == ["early.txt"]


# -- filters ---------------------------------------------------------------------------------

CATALOGUE = {
    "a.txt": (
        "The alpha manual explains setup.",
        {"lang": "en", "year": 2021, "tier": "free", "public": True},
    ),
    "b.txt": (
        "The bravo manual explains setup.",
        {"lang": "fr", "year": 2023, "tier": "pro", "public": False},
    ),
    "c.txt": ("The charlie manual explains setup.", {"lang": "en", "year": 2024, "tier": "pro"}),
    "d.txt": (
        "The delta manual explains setup.",
        {"lang": "de", "year": 2019, "tier": "team", "public": True},
    ),
}


@pytest.fixture(scope="module")
def catalogue(_sandbox_server, spec):
    """One store for all the filter cases (it lives in the session's sandbox)."""
    with Api(_sandbox_server, spec) as store_api:
        return store_api.indexed_store(CATALOGUE, name="catalogue")


def eq(key, value, kind="eq"):
    return {"type": kind, "key": key, "value": value}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (eq("lang", "en"), "ac"),
        (eq("lang", "en", "ne"), "bd"),
        (eq("year", 2021, "gt"), "bc"),
        (eq("year", 2021, "gte"), "abc"),
        (eq("year", 2021, "lt"), "d"),
        (eq("year", 2019, "lte"), "d"),
        (eq("tier", ["pro", "team"], "in"), "bcd"),
        (eq("tier", ["pro"], "nin"), "ad"),
        (eq("public", True), "ad"),
        (eq("public", True, "ne"), "bc"),  # c has no `public`: it is not equal
        (eq("year", "2021"), ""),  # a string never equals a number
        ({"type": "and", "filters": [eq("lang", "en"), eq("year", 2022, "gte")]}, "c"),
        (
            {
                "type": "or",
                "filters": [
                    eq("lang", "fr"),
                    {"type": "and", "filters": [eq("lang", "en"), eq("year", 2022, "lt")]},
                ],
            },
            "ab",
        ),
        (
            {
                "type": "and",
                "filters": [
                    {"type": "or", "filters": [eq("tier", "pro"), eq("tier", "team")]},
                    eq("lang", "de", "ne"),
                ],
            },
            "bc",
        ),
    ],
)
def test_comparison_and_compound_filters_choose_the_files(store_api, catalogue, condition, expected):
    page = search(store_api, catalogue, query="manual setup", filters=condition)
    assert sorted(filenames(page)) == [f"{letter}.txt" for letter in expected]


@pytest.mark.parametrize(
    ("condition", "param", "spec_rejects"),
    [
        ({"type": "xor", "filters": []}, "filters.type", True),
        ({"type": "and", "filters": [{"type": "eq", "key": "a"}]}, "filters.filters[0].value", True),
        ({"type": "in", "key": "a", "value": "x"}, "filters.value", False),
        ({"type": "eq", "key": "a", "value": ["x"]}, "filters.value", False),
        ({"type": "and", "filters": []}, "filters.filters", False),
        (
            {"type": "or", "filters": [{"type": "eq", "key": "a", "value": 1, "extra": 1}]},
            "filters.filters[0].extra",
            True,
        ),
        ({"type": "eq", "value": 1}, "filters.key", True),
    ],
)
def test_bad_filters_get_a_400_naming_the_part(store_api, spec, help_store, condition, param, spec_rejects):
    body = {"query": "password", "filters": condition}
    if spec_rejects:
        with pytest.raises(jsonschema.ValidationError):
            spec.validate_request("POST", f"/vector_stores/{help_store}/search", body)
    assert store_api.error("POST", f"/vector_stores/{help_store}/search", body)["param"] == param


# -- search_chunks, for the Responses route ---------------------------------------------------


def test_search_chunks_ranks_across_stores(store_api, sandbox, spec):
    accounts = store_api.indexed_store(
        {k: HELP[k] for k in ("passwords.txt", "billing.txt")}, name="accounts"
    )
    safety = store_api.indexed_store({k: HELP[k] for k in ("security.txt", "shipping.txt")}, name="safety")

    items = search_chunks(sandbox, [safety, accounts], "reset password")
    assert [item["filename"] for item in items] == ["passwords.txt", "security.txt"]
    for item in items:
        spec.validate_schema("VectorStoreSearchResultItem", item)
    assert items[0]["content"] == [{"type": "text", "text": HELP["passwords.txt"][0]}]
    assert items[0]["attributes"] == {"topic": "account"}
    assert items[0]["score"] > items[1]["score"]

    assert len(search_chunks(sandbox, [safety, accounts], "reset password", max_num_results=1)) == 1
    money = search_chunks(sandbox, [accounts, safety], "refunds password", filters=eq("topic", "money"))
    assert [item["filename"] for item in money] == ["billing.txt"]
    strict = search_chunks(sandbox, [accounts], "reset password", ranking_options={"score_threshold": 0.99})
    assert strict == []
    # One store searched over HTTP gives what search_chunks gives.
    assert search(store_api, accounts, query="reset password")["data"] == search_chunks(
        sandbox, [accounts], "reset password"
    )


def test_search_chunks_raises_the_sandbox_errors(store_api, sandbox):
    store_id = store_api.store(name="errors")["id"]
    with pytest.raises(ApiError) as missing:
        search_chunks(sandbox, [store_id, "vs_unknown"], "anything")
    assert missing.value.status == 404
    assert missing.value.body["error"]["message"] == "No vector store found with id 'vs_unknown'."
    with pytest.raises(ApiError) as bad:
        search_chunks(sandbox, [store_id], "anything", max_num_results=60)
    assert (bad.value.status, bad.value.body["error"]["param"]) == (400, "max_num_results")
    with pytest.raises(ApiError) as bad_filter:
        search_chunks(sandbox, [store_id], "anything", filters={"type": "near"})
    assert bad_filter.value.body["error"]["param"] == "filters.type"
    assert search_chunks(sandbox, [store_id], "anything") == []


# -- chunking --------------------------------------------------------------------------------


def test_static_chunks_hold_max_tokens_and_overlap_exactly():
    words = [f"w{n}" for n in range(1000)]
    chunks = chunk_text(" ".join(words), 100, 20)
    assert len(chunks) == 13  # starts 0, 80, ..., 880, then the last 40 words from 960
    held = [chunk.split() for chunk in chunks]
    assert all(count_tokens(chunk) == len(chunk.split()) <= 100 for chunk in chunks)
    assert [h[0] for h in held] == [f"w{start}" for start in range(0, 961, 80)]
    assert all(a[-20:] == b[:20] for a, b in itertools.pairwise(held))
    assert held[-1][-1] == "w999"
    assert chunk_text("Hello, world!", 100, 0) == ["Hello, world!"]
    assert chunk_text("One two, three.", 2, 1) == ["One two", "two,", ", three", "three."]  # marks are tokens


def test_a_store_chunks_a_file_as_its_static_strategy_says(store_api):
    text = " ".join(f"w{n}" for n in range(250))
    store_id = store_api.store(name="chunks")["id"]
    file_id = store_api.upload("words.txt", text.encode())
    static = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}}
    store_api.post(f"/vector_stores/{store_id}/files", {"file_id": file_id, "chunking_strategy": static})
    store_api.wait_store(store_id)
    (hit,) = search(store_api, store_id, query="w120")["data"]
    assert hit["content"][0]["text"] == " ".join(f"w{n}" for n in range(100, 200))
    (content,) = store_api.get(f"/vector_stores/{store_id}/files/{file_id}/content")["data"]
    assert content["text"] == text  # the content route gives the whole text, not chunks


# -- BM25 ------------------------------------------------------------------------------------


def test_bm25_rewards_repeats_short_chunks_and_rare_words():
    corpus = [
        passage("apple banana"),
        passage("apple apple banana"),
        passage("apple banana cherry date elder fig grape"),
        passage("banana banana"),
    ]
    got = scores(corpus, "apple")
    assert got[1] > got[0] > got[2] > 0 and got[3] == 0
    assert all(0 <= value <= 1 for value in got)
    fruit = [passage("cherry kiwi"), passage("banana kiwi"), passage("banana lime"), passage("banana plum")]
    rare, common = scores(fruit, "cherry banana")[:2]
    assert rare > common > 0  # a word few chunks hold weighs more
    assert scores(corpus, "Apples!") == got  # case, punctuation and plurals do not matter
    assert scores(corpus, "the of and") == [0.0] * 4  # stop words alone find nothing
    assert scores(corpus, "apple") == got  # deterministic


def test_rewrite_keeps_the_keywords_in_order():
    assert rewrite("What is the refund policy for shoes?") == "refund policy shoes"
    assert rewrite("the the") == "the the"  # nothing left: the query as given
