"""moderate(): strings, lists and Series -> one DataFrame row per input, real dtypes, batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._tables.frames import category_column, moderation_frame
from openai_widgets.api import moderations

COLUMNS = [
    "harassment",
    "harassment_threatening",
    "hate",
    "hate_threatening",
    "illicit",
    "illicit_violent",
    "self_harm",
    "self_harm_intent",
    "self_harm_instructions",
    "sexual",
    "sexual_minors",
    "violence",
    "violence_graphic",
]


def test_a_list_gives_one_row_per_input(sandbox, client, spec):
    frame = client.moderate(["I will kill you", "What a nice day"])
    (logged,) = sandbox.requests_to("/moderations")
    spec.validate_request("POST", "/moderations", logged.json())
    assert logged.json() == {
        "model": "omni-moderation-latest",
        "input": ["I will kill you", "What a nice day"],
    }
    assert list(frame.columns) == ["input", "flagged", *COLUMNS, *[f"{c}_score" for c in COLUMNS]]
    assert frame["input"].tolist() == ["I will kill you", "What a nice day"]
    assert frame["flagged"].tolist() == [True, False]
    assert frame["violence"].tolist() == [True, False]
    assert frame.loc[0, "violence_score"] == pytest.approx(0.92)
    assert frame.loc[1, "violence_score"] < 0.01
    assert frame["flagged"].dtype == bool
    assert frame["self_harm_intent"].dtype == bool
    assert frame["violence_score"].dtype == np.float64
    assert frame.attrs["model"] == "omni-moderation-latest"
    assert isinstance(frame.index, pd.RangeIndex)


def test_a_series_keeps_its_index(client):
    series = pd.Series(["I hate this", "lovely"], index=["r7", "r9"], name="comment")
    frame = client.moderate(series)
    assert frame.index.tolist() == ["r7", "r9"]
    assert frame.loc["r7", "hate"]
    assert not frame.loc["r9", "flagged"]


def test_a_string_is_one_row(client):
    frame = client.moderate("you idiot")
    assert len(frame) == 1
    assert frame.loc[0, "harassment"]


def test_large_inputs_go_in_batches(sandbox, client):
    texts = [f"text number {n}" for n in range(70)]
    texts[65] = "kill"
    frame = client.moderate(texts)
    sent = sorted(
        (r.json()["input"] for r in sandbox.requests_to("/moderations")), key=lambda b: texts.index(b[0])
    )
    assert [len(batch) for batch in sent] == [32, 32, 6]
    assert [text for batch in sent for text in batch] == texts
    assert frame["input"].tolist() == texts
    assert frame.index.tolist() == list(range(70))
    assert frame["flagged"].tolist() == [n == 65 for n in range(70)]


def test_empty_input_gives_the_columns_without_a_request(sandbox, client):
    frame = client.moderate(pd.Series([], dtype="object"))
    assert sandbox.requests_to("/moderations") == []
    assert list(frame.columns) == ["input", "flagged", *COLUMNS, *[f"{c}_score" for c in COLUMNS]]
    assert len(frame) == 0
    assert frame["flagged"].dtype == bool
    assert frame["hate_score"].dtype == np.float64


def test_text_models_leave_out_categories_they_do_not_assess(client):
    frame = client.moderate(["steal it", "fine"], model="text-moderation-latest")
    assert "illicit" not in frame.columns
    assert "illicit_score" not in frame.columns
    assert frame.attrs["model"] == "text-moderation-latest"


def test_category_names_are_identifiers():
    assert category_column("self-harm/intent") == "self_harm_intent"
    assert category_column("violence/graphic") == "violence_graphic"
    assert all(category_column(c).isidentifier() for c in moderations.CATEGORIES)


def test_a_null_among_values_counts_as_false():
    results = [
        {"flagged": False, "categories": {"illicit": None}, "category_scores": {"illicit": 0.1}},
        {"flagged": True, "categories": {"illicit": True}, "category_scores": {"illicit": 0.9}},
    ]
    frame = moderation_frame(results, ["a", "b"])
    assert frame["illicit"].tolist() == [False, True]
    assert frame["illicit"].dtype == bool


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            ["ok", None],
            ow.InvalidInputError,
            r"input at index 1 is missing \(None\); drop or fill missing values",
        ),
        (
            pd.Series(["ok", np.nan], index=["a", "b"]),
            ow.InvalidInputError,
            r"input at index 'b' is missing \(NaN\)",
        ),
        (["ok", 3], ow.InvalidTypeError, r"input at index 1 is a int, not text; convert it first"),
        (
            pd.DataFrame({"t": ["x"]}),
            ow.InvalidTypeError,
            r"one column of text, e.g. moderate\(df\['text'\]\)",
        ),
        (42, ow.InvalidTypeError, "input must be a string, a list of strings or a pandas Series, not int"),
    ],
)
def test_bad_input_is_refused_before_sending(sandbox, client, value, error, message):
    with pytest.raises(error, match=message):
        client.moderate(value)
    assert sandbox.requests_to("/moderations") == []


def test_a_short_answer_is_an_error():
    import httpx

    short = httpx.MockTransport(lambda r: httpx.Response(200, json={"id": "m", "model": "x", "results": []}))
    client = ow.Client(api_key="sk-test-0000000000", transport=short)
    with pytest.raises(ow.APIResponseValidationError, match="sent 1 inputs but got 0 results back"):
        client.moderate(["a"])


def test_non_moderation_model_is_refused_by_the_server(client):
    with pytest.raises(ow.BadRequestError, match="is not a moderation model"):
        client.moderate("x", model="gpt-4o-mini")
