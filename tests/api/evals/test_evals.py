"""Evals from a DataFrame on the sandbox: the item schema, the criteria in short form, the lifecycle."""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow
from tests.support.evals import CLOSE, EXACT, capitals


def sent(sandbox, path="/evals"):
    return sandbox.requests_to(path, "POST")[-1].json()


def test_create_eval_makes_the_item_schema_from_the_columns_and_dtypes(client, sandbox, spec):
    data = capitals()
    data.loc["q3", "weight"] = float("nan")  # a missing value: the column is not required
    data["when"] = pd.date_range("2025-01-01", periods=len(data), freq="D", tz="UTC")
    data["tags"] = [["geo"]] * len(data)

    created = client.create_eval("capitals", data, criteria=EXACT, metadata={"team": "geo"})

    body = sent(sandbox)
    spec.validate_request("POST", "/evals", body)
    schema = body["data_source_config"]["item_schema"]
    assert schema["properties"] == {
        "question": {"type": "string"},
        "answer": {"type": "string"},
        "difficulty": {"type": "integer"},
        "weight": {"type": "number"},
        "hard": {"type": "boolean"},
        "when": {"type": "string", "format": "date-time"},
        "tags": {"type": "array"},
    }
    assert schema["required"] == ["question", "answer", "difficulty", "hard", "when", "tags"]
    assert body["data_source_config"]["include_sample_schema"] is True
    assert body["metadata"] == {"team": "geo"}
    assert isinstance(created, ow.Record) and created["id"].startswith("eval_")
    spec.validate_response("POST", "/evals", dict(created), status=201)


def test_short_form_criteria_become_the_apis_graders(client, sandbox, spec):
    score = {"type": "score_model", "input": "Rate {output} as an answer to {question} from 0 to 1."}
    label = {
        "type": "label_model",
        "input": [{"role": "system", "content": "Judge."}, {"role": "user", "content": "{output}"}],
        "labels": ["right", "wrong"],
        "passing_labels": ["right"],
    }
    created = client.create_eval("capitals", capitals(), criteria=[EXACT, CLOSE, EXACT, score, label])
    criteria = sent(sandbox)["testing_criteria"]
    assert criteria[0] == {
        "type": "string_check",
        "name": "answer equals",
        "reference": "{{item.answer}}",
        "operation": "eq",
        "input": "{{sample.output_text}}",
    }
    assert criteria[1] == {
        "type": "text_similarity",
        "name": "answer similar (fuzzy_match)",
        "reference": "{{item.answer}}",
        "evaluation_metric": "fuzzy_match",
        "input": "{{sample.output_text}}",
        "pass_threshold": 0.8,
    }
    assert criteria[2]["name"] == "answer equals 2", "names are made unique"
    assert criteria[3]["input"] == [
        {
            "type": "message",
            "role": "user",
            "content": {
                "type": "input_text",
                "text": "Rate {{sample.output_text}} as an answer to {{item.question}} from 0 to 1.",
            },
        }
    ]
    assert criteria[3]["model"] == "gpt-4o-mini" and criteria[3]["name"] == "score"
    assert criteria[4]["input"][1]["content"] == {"type": "input_text", "text": "{{sample.output_text}}"}
    spec.validate_request("POST", "/evals", sent(sandbox))
    assert [c["name"] for c in created["testing_criteria"]] == [c["name"] for c in criteria]


def test_graders_in_the_apis_own_form_are_sent_as_they_are(client, sandbox):
    grader = {
        "type": "string_check",
        "name": "exact city",
        "input": "{{ sample.output_text }}",
        "reference": "{{item.answer}}",
        "operation": "ilike",
    }
    client.create_eval("capitals", capitals(), criteria=[grader])
    assert sent(sandbox)["testing_criteria"] == [grader]


def test_evals_list_read_update_and_delete(client, sandbox, spec):
    first = client.create_eval("first", capitals(), criteria=EXACT)
    second = client.create_eval("second", capitals(), criteria=[EXACT, CLOSE])

    listed = client.evals()
    assert list(listed.columns[:6]) == ["id", "name", "created_at", "data_source", "criteria", "metadata"]
    assert (
        isinstance(listed["created_at"].dtype, pd.DatetimeTZDtype)
        and str(listed["created_at"].dt.tz) == "UTC"
    )
    mine = listed.set_index("id").loc[[first["id"], second["id"]]]
    assert mine["criteria"].tolist() == [["answer equals"], ["answer equals", "answer similar (fuzzy_match)"]]
    assert mine["data_source"].tolist() == ["custom", "custom"]

    assert client.eval(first["id"]) == first
    renamed = client.update_eval(first["id"], name="renamed", metadata={"v": "2"})
    spec.validate_request("POST", "/evals/x", sent(sandbox, f"/evals/{first['id']}"))
    assert (renamed["name"], renamed["metadata"]) == ("renamed", {"v": "2"})
    assert client.delete_eval(first["id"]) == {
        "object": "eval.deleted",
        "deleted": True,
        "eval_id": first["id"],
    }
    with pytest.raises(ow.NotFoundError, match="not found"):
        client.eval(first["id"])
    assert first["id"] not in set(client.evals()["id"])


def test_an_empty_list_has_the_same_columns():
    from openai_widgets._tables.eval_frames import evals_frame

    frame = evals_frame([])
    assert list(frame.columns) == ["id", "name", "created_at", "data_source", "criteria", "metadata"]
    assert "UTC" in str(frame["created_at"].dtype)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.create_eval("x", capitals(), criteria=[]), ow.InvalidInputError, "criteria is empty"),
        (lambda c: c.create_eval("x", capitals(), criteria="exact"), ow.InvalidTypeError, "criteria must be"),
        (
            lambda c: c.create_eval("x", capitals(), criteria={**EXACT, "reference": "{answr}"}),
            ow.InvalidInputError,
            r"criteria\[0\]\.reference names the column 'answr', which the data does not have "
            r"\(columns: question, answer, difficulty, weight, hard\)",
        ),
        (
            lambda c: c.create_eval("x", capitals(), criteria={**EXACT, "operation": "contains"}),
            ow.InvalidInputError,
            r"criteria\[0\]\.operation 'contains' is not one of eq, ne, like, ilike",
        ),
        (
            lambda c: c.create_eval("x", capitals(), criteria={"type": "regex"}),
            ow.InvalidInputError,
            r"criteria\[0\] has type 'regex'; use one of string_check, text_similarity",
        ),
        (
            lambda c: c.create_eval("x", capitals(), criteria={"type": "string_check", "operation": "eq"}),
            ow.InvalidInputError,
            r"criteria\[0\] \(string_check\) needs 'reference', e\.g\. '\{answer\}'",
        ),
        (
            lambda c: c.create_eval("x", capitals(), criteria={**CLOSE, "evaluation_metric": "jaccard"}),
            ow.InvalidInputError,
            "evaluation_metric 'jaccard' is not one of cosine, fuzzy_match",
        ),
        (
            lambda c: c.create_eval(
                "x",
                capitals(),
                criteria={"type": "label_model", "input": "?", "labels": ["a"], "passing_labels": ["b"]},
            ),
            ow.InvalidInputError,
            "passing_labels has 'b', which is not a label",
        ),
        (
            lambda c: c.create_eval(
                "x", capitals(), criteria={"type": "multi", "graders": {}, "calculate_output": "a"}
            ),
            ow.InvalidInputError,
            "has type 'multi'",
        ),
        (
            lambda c: c.create_eval("x", [1, 2], criteria=EXACT),
            ow.InvalidTypeError,
            "data must be a DataFrame",
        ),
        (lambda c: c.create_eval("x", capitals(0), criteria=EXACT), ow.InvalidInputError, "data has no rows"),
        (
            lambda c: c.create_eval("x", pd.DataFrame({0: ["a"]}), criteria=EXACT),
            ow.InvalidInputError,
            "has the column name 0",
        ),
        (lambda c: c.create_eval("", capitals(), criteria=EXACT), ow.InvalidInputError, "name is empty"),
        (
            lambda c: c.create_eval("x", capitals(), criteria=EXACT, metadata={"a": 1}),
            ow.InvalidTypeError,
            "metadata",
        ),
        (lambda c: c.update_eval("eval_x"), ow.InvalidInputError, "update_eval changes nothing"),
        (lambda c: c.eval(""), ow.InvalidInputError, "eval_id is empty"),
    ],
)
def test_mistakes_are_refused_before_anything_is_sent(client, sandbox, call, error, message):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        call(client)
    assert sandbox.requests == []


def test_what_only_the_server_can_check_comes_back_naming_the_field(client):
    grader = {"type": "score_model", "input": "Rate {output}", "model": "gpt-99-grader"}
    with pytest.raises(ow.BadRequestError, match=r"does not exist or cannot grade") as info:
        client.create_eval("x", capitals(), criteria=grader)
    assert info.value.param == "testing_criteria[0].model"


def test_an_explicit_item_schema_wins(client, sandbox):
    schema = {"type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}}
    client.create_eval("x", capitals(), criteria=EXACT, item_schema=schema)
    assert sent(sandbox)["data_source_config"]["item_schema"] == schema
    with pytest.raises(ow.InvalidInputError, match="names the column 'difficulty'"):
        client.create_eval(
            "x", capitals(), criteria={**EXACT, "reference": "{difficulty}"}, item_schema=schema
        )
