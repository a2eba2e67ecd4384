"""respond_map(): one Responses API request per row, a Series of text or typed columns per field,
the index kept, bodies against the spec, faults survived, a stop resumed, and the Batch API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TypedDict

import pandas as pd
import pydantic
import pytest

import openai_widgets as ow
from openai_widgets._structured.formats import output_format
from openai_widgets.api.respond_map import _shape
from openai_widgets.bulk import rows as _row_results
from tests.support.responses import bodies_sent


class Review(pydantic.BaseModel):
    positive: bool
    stars: int
    score: float
    summary: str
    checked: dt.datetime
    tags: list[str] = []


@dataclasses.dataclass
class ReviewRecord:
    positive: bool
    stars: int
    score: float
    summary: str
    checked: dt.datetime


class ReviewDict(TypedDict):
    positive: bool
    stars: int
    score: float
    summary: str
    checked: dt.datetime


REVIEW_SCHEMA = {
    "type": "object",
    "properties": {
        "positive": {"type": "boolean"},
        "stars": {"type": "integer"},
        "score": {"type": "number"},
        "summary": {"type": "string"},
        "checked": {"type": "string", "format": "date-time"},
    },
    "required": ["positive", "stars", "score", "summary", "checked"],
}


@pytest.fixture
def reviews():
    texts = [f"review {n}: stars {n % 5 + 1}, score {n / 10}" for n in range(12)]
    return pd.DataFrame({"review": texts}, index=[f"r{n}" for n in range(12)])


def test_a_series_of_text_with_the_index_kept(sandbox, connected, spec, reviews):
    answers = ow.respond_map(
        reviews, "Is this positive? {review}", instructions="Answer yes or no.", progress=False
    )
    assert isinstance(answers, pd.Series) and answers.name == "answer"
    assert list(answers.index) == list(reviews.index)
    for label, answer in answers.items():
        assert reviews.loc[label, "review"] in answer
    bodies = bodies_sent(sandbox, spec)
    assert len(bodies) == 12
    assert all(body["instructions"] == "Answer yes or no." for body in bodies)
    assert answers.attrs["usage"]["total_tokens"] > 0
    assert answers.attrs["model"] == "gpt-4.1-mini"


@pytest.mark.parametrize(
    "target",
    [Review, ReviewRecord, ReviewDict, REVIEW_SCHEMA],
    ids=["pydantic", "dataclass", "typeddict", "dict"],
)
def test_a_text_format_gives_one_typed_column_per_field(sandbox, connected, spec, reviews, target):
    frame = ow.respond_map(reviews["review"], "Rate: {}", text_format=target, progress=False)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(reviews.index)
    assert list(frame.columns)[:5] == ["positive", "stars", "score", "summary", "checked"]
    assert frame["positive"].dtype == "bool"
    assert frame["stars"].dtype == "int64"
    assert frame["score"].dtype == "float64"
    assert pd.api.types.is_string_dtype(frame["summary"])
    assert str(frame["checked"].dtype) == "datetime64[ns, UTC]"
    assert frame["stars"].tolist()[:2] == [1, 2]  # the numbers of each row's prompt
    body = bodies_sent(sandbox, spec)[0]
    assert body["text"]["format"]["type"] == "json_schema" and body["text"]["format"]["strict"] is True


def test_rows_without_an_answer_are_missing_values_of_nullable_dtypes():
    reply = '{"positive": true, "stars": 3, "score": 1.5, "summary": "ok", "checked": "2024-01-01T00:00:00Z"}'
    made = _shape([reply, None, "not json"], pd.Index(["a", "b", "c"]), output_format(Review))
    assert str(made["stars"].dtype) == "Int64" and str(made["positive"].dtype) == "boolean"
    assert made.loc["a", "stars"] == 3 and made.loc["a", "checked"] == pd.Timestamp("2024-01-01", tz="UTC")
    assert made.loc["b"].isna().all() and made.loc["c"].isna().all()
    assert made.attrs["errors"] == {"c": "the reply is not valid JSON: 'not json'"}
    texts = _shape(["yes", None], pd.Index([1, 2]), None)
    assert texts.tolist() == ["yes", None] and texts.dtype == "object"


def test_python_functions_are_refused_and_checks_come_first(sandbox, connected, reviews):
    def lookup(term: str) -> str:
        """Look up."""
        return term

    with pytest.raises(ow.InvalidInputError, match="cannot run Python functions"):
        ow.respond_map(reviews, "{review}", tools=[lookup])
    with pytest.raises(ow.InvalidInputError, match=r"template field\(s\) \{text\} are not columns"):
        ow.respond_map(reviews, "{text}")
    with pytest.raises(ow.InvalidInputError, match="max_concurrency must be between 1 and 2048"):
        ow.respond_map(reviews, "{review}", max_concurrency=0)
    assert sandbox.requests == []


def test_built_in_tools_go_into_every_request(sandbox, connected, spec, reviews):
    answers = ow.respond_map(
        reviews.head(2), "Search the web for {review}", tools=["web_search"], progress=False
    )
    assert all("Web results for" in answer for answer in answers)
    assert all(body["tools"] == [{"type": "web_search"}] for body in bodies_sent(sandbox, spec))


def test_faults_are_survived_and_a_stopped_run_resumes(sandbox, connected, reviews, monkeypatch):
    sandbox.inject("status", path="/responses", status=429, retry_after_ms=20, times=3)
    sandbox.inject("drop", path="/responses", times=2)
    clean = ow.respond_map(reviews, "{review}", text_format=Review, progress=False)
    assert list(clean.index) == list(reviews.index)
    calls = []
    original = _row_results.RowResults.store

    def store(self, positions, values):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        original(self, positions, values)

    monkeypatch.setattr(_row_results.RowResults, "store", store)
    with pytest.raises(ow.BulkInterrupted) as info:
        ow.respond_map(reviews, "{review}", text_format=Review, progress=False, max_concurrency=1)
    monkeypatch.setattr(_row_results.RowResults, "store", original)
    partial = info.value.partial
    assert isinstance(partial, pd.DataFrame) and list(partial.index) == list(reviews.index[:4])
    assert partial["stars"].dtype == "int64"
    sandbox.clear_requests()
    resumed = ow.respond_map(reviews, "{review}", text_format=Review, resume=True, progress=False)
    assert len(sandbox.requests_to("/responses")) == 8
    pd.testing.assert_frame_equal(resumed.drop(columns=["summary"]), clean.drop(columns=["summary"]))


def test_a_failed_response_stops_the_run_with_what_finished(sandbox, connected, reviews):
    sandbox.inject("failed_response", path="/responses")
    with pytest.raises(ow.BulkError, match="failed: server_error") as info:
        ow.respond_map(reviews, "{review}", progress=False, max_concurrency=1)
    assert isinstance(info.value.partial, pd.Series)


def test_through_the_batch_api(sandbox, connected, reviews):
    frame = ow.respond_map(reviews.head(4), "Rate: {review}", text_format=Review, batch=True, progress=False)
    assert list(frame.index) == list(reviews.index[:4])
    assert frame["stars"].dtype == "int64"
    assert frame.attrs["errors"] == {}
    assert frame.attrs["batch_ids"]
    assert not sandbox.requests_to("/responses")  # the sandbox ran them inside the batch
    lines = [
        json.loads(line)
        for line in sandbox.requests_to("/files", "POST")[-1].form()[1]["file"][0].content.splitlines()
    ]
    assert [line["url"] for line in lines] == ["/v1/responses"] * 4
    assert lines[0]["body"]["text"]["format"]["name"] == "Review"
    texts = ow.respond_map(reviews.head(2), "Say {review}", batch=True, progress=False)
    assert all("Say review" in text for text in texts)
