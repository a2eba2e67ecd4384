"""run_grader and validate_grader on the sandbox, with the same grader dicts and short forms as evals."""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._evals.criteria import expand, grader, referenced_columns
from openai_widgets._evals.criteria import testing_criteria as eval_criteria
from tests.support.evals import EXACT


def sent(sandbox, path):
    return sandbox.requests_to(path, "POST")[-1].json()


def test_run_grader_grades_one_answer(client, sandbox, spec):
    item = pd.Series({"question": "Capital of France?", "answer": "Paris", "rank": 1})
    passed = client.run_grader(EXACT, item, "Paris")
    body = sent(sandbox, "/fine_tuning/alpha/graders/run")
    spec.validate_request("POST", "/fine_tuning/alpha/graders/run", body)
    assert body == {
        "grader": {
            "type": "string_check",
            "name": "answer equals",
            "reference": "{{item.answer}}",
            "operation": "eq",
            "input": "{{sample.output_text}}",
        },
        "item": {"question": "Capital of France?", "answer": "Paris", "rank": 1},
        "model_sample": "Paris",
    }
    assert isinstance(passed, ow.Record) and passed["reward"] == 1.0
    spec.validate_response("POST", "/fine_tuning/alpha/graders/run", dict(passed))
    assert client.run_grader(EXACT, {"answer": "Paris"}, "Lyon")["reward"] == 0.0
    close = client.run_grader(
        {"type": "text_similarity", "reference": "{answer}"}, {"answer": "World"}, "Wrld"
    )
    assert close["reward"] == pytest.approx(0.888889)


def test_a_chat_result_is_graded_by_its_text(client):
    answer = client.chat("Say something")
    graded = client.run_grader(
        {"type": "string_check", "reference": "[sandbox]", "operation": "like"}, {}, answer
    )
    assert graded["reward"] == 1.0


def test_multi_and_model_graders(client, spec, sandbox):
    multi = {
        "type": "multi",
        "name": "blend",
        "graders": {"type": "string_check", "name": "exact", "reference": "{answer}", "operation": "eq"},
        "calculate_output": "exact * 0.5 + 0.5",
    }
    result = client.run_grader(multi, {"answer": "x"}, "x")
    spec.validate_request(
        "POST", "/fine_tuning/alpha/graders/run", sent(sandbox, "/fine_tuning/alpha/graders/run")
    )
    assert result["reward"] == 1.0
    scored = client.run_grader(
        {"type": "score_model", "input": "Rate {output} for {answer}"}, {"answer": "x"}, "x"
    )
    assert 0 <= scored["reward"] <= 1 and scored["metadata"]["token_usage"] > 0


def test_validate_grader_returns_the_grader_the_api_will_use(client, sandbox, spec):
    checked = client.validate_grader({"type": "text_similarity", "reference": "{{item.label}}"})
    body = sent(sandbox, "/fine_tuning/alpha/graders/validate")
    spec.validate_request("POST", "/fine_tuning/alpha/graders/validate", body)
    assert checked["grader"] == {
        "type": "text_similarity",
        "name": "label similar (fuzzy_match)",
        "reference": "{{item.label}}",
        "input": "{{sample.output_text}}",
        "evaluation_metric": "fuzzy_match",
    }


@pytest.mark.parametrize(
    ("bad", "param", "message"),
    [
        (
            {"type": "python", "source": "def grade(sample, item) return 1"},
            "grader.source",
            "the Python source does not parse",
        ),
        ({"type": "python", "source": "x = 1"}, "grader.source", r"define a function grade\(sample, item\)"),
        (
            {**EXACT, "input": "{{sample.output_txt}}"},
            "grader.input",
            "unknown template variable {{sample.output_txt}}",
        ),
        (
            {"type": "score_model", "input": "Rate {output}", "model": "gpt-99"},
            "grader.model",
            "does not exist or cannot grade",
        ),
        (
            {
                "type": "multi",
                "graders": {"type": "string_check", "name": "a", **EXACT},
                "calculate_output": "b * 2",
            },
            "grader.calculate_output",
            "the formula uses 'b', which is not a grader name",
        ),
    ],
)
def test_what_the_server_finds_wrong_names_the_field(client, bad, param, message):
    with pytest.raises(ow.BadRequestError, match=message) as info:
        client.validate_grader(bad)
    assert info.value.param == param


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.validate_grader({"type": "label_model"}),
            ow.InvalidInputError,
            "has type 'label_model'",
        ),
        (lambda c: c.validate_grader("exact"), ow.InvalidTypeError, "grader must be a grader dict, not str"),
        (
            lambda c: c.validate_grader({"type": "string_check", "reference": "x"}),
            ow.InvalidInputError,
            r"grader \(string_check\) needs 'operation'",
        ),
        (
            lambda c: c.validate_grader({"type": "score_model", "input": []}),
            ow.InvalidInputError,
            r"grader\.input is empty",
        ),
        (
            lambda c: c.validate_grader({"type": "score_model", "input": [{"content": "x"}]}),
            ow.InvalidInputError,
            r"grader\.input\[0\] must be a message dict with 'role' and 'content'",
        ),
        (
            lambda c: c.validate_grader({**EXACT, "name": ""}),
            ow.InvalidInputError,
            "grader.name must be a non-empty string",
        ),
        (
            lambda c: c.run_grader(EXACT, {"question": "q"}, "x"),
            ow.InvalidInputError,
            r"grader\.reference names the column 'answer', which the data does not have \(columns: question\)",
        ),
        (lambda c: c.run_grader(EXACT, ["x"], "x"), ow.InvalidTypeError, "item must be a dict"),
        (
            lambda c: c.run_grader(EXACT, {"answer": "x"}, 3),
            ow.InvalidTypeError,
            "sample must be the model's answer",
        ),
    ],
)
def test_grader_mistakes_are_refused_before_anything_is_sent(client, sandbox, call, error, message):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        call(client)
    assert sandbox.requests == []


# -- the short form, without a server --------------------------------------------------------


def test_braces_expand_to_the_apis_variables_and_leave_the_apis_own():
    assert expand("{output} vs {answer}", "t", ["answer"]) == "{{sample.output_text}} vs {{item.answer}}"
    assert (
        expand("{{item.answer}} {{ sample.output_text }}", "t", [])
        == "{{item.answer}} {{ sample.output_text }}"
    )
    assert expand('JSON like {"a": 1} stays', "t", []) == 'JSON like {"a": 1} stays'
    assert expand("{anything}", "t", None) == "{{item.anything}}", "columns unknown: any name goes"


def test_the_short_form_is_idempotent_and_reports_what_it_reads():
    once = eval_criteria([EXACT, {"type": "python", "source": "def grade(s, i): return 1.0"}], ["answer"])
    assert eval_criteria(once, ["answer"]) == once
    assert [c["name"] for c in once] == ["answer equals", "python"]
    assert referenced_columns(grader({**EXACT, "input": "{question}"})) == ["answer", "question"]
