"""Eval runs on the sandbox: rows uploaded as JSONL, a completions run followed to its end, graded items."""

from __future__ import annotations

import json
import time
import typing

import pandas as pd
import pytest

import openai_widgets as ow
from tests.support.evals import CLOSE, EXACT, TEMPLATE, capitals


@pytest.fixture
def capitals_eval(evals_client):
    return evals_client.create_eval("capitals", capitals(), criteria=[EXACT, CLOSE])


def run_body(sandbox, eval_id):
    return sandbox.requests_to(f"/evals/{eval_id}/runs", "POST")[-1].json()


def test_run_eval_uploads_the_rows_runs_the_model_and_returns_the_graded_items(
    evals_client, sandbox, spec, capitals_eval
):
    data = capitals()
    sandbox.clear_requests()

    results = evals_client.run_eval(capitals_eval["id"], data, "gpt-4o", template=TEMPLATE, progress=False)

    (upload,) = sandbox.requests_to("/files", "POST")
    fields, files = upload.form()
    assert fields == {"purpose": "evals"}
    lines = [json.loads(line) for line in files["file"][0].content.decode().splitlines()]
    assert lines[0] == {
        "item": {
            "question": "What is the capital of country 0?",
            "answer": "City 0",
            "difficulty": 0,
            "weight": 0.5,
            "hard": False,
        }
    }
    assert len(lines) == len(data)
    body = run_body(sandbox, capitals_eval["id"])
    spec.validate_request("POST", f"/evals/{capitals_eval['id']}/runs", body)
    upload_id = body["data_source"]["source"]["id"]
    assert body["data_source"] == {
        "type": "completions",
        "model": "gpt-4o",
        "input_messages": {
            "type": "template",
            "template": [
                {
                    "type": "message",
                    "role": "user",
                    "content": {"type": "input_text", "text": "Answer with the city only: {{item.question}}"},
                }
            ],
        },
        "source": {"type": "file_id", "id": upload_id},
    }

    assert list(results.index) == list(data.index), "indexed like the data"
    assert list(results.columns) == [
        "question",
        "answer",
        "difficulty",
        "weight",
        "hard",
        "output",
        "status",
        "error",
        "answer_equals_passed",
        "answer_equals_score",
        "answer_similar_fuzzy_match_passed",
        "answer_similar_fuzzy_match_score",
    ]
    assert str(results["difficulty"].dtype) == "Int64" and results["weight"].dtype == "float64"
    assert str(results["hard"].dtype) == "boolean" and results["answer_equals_passed"].dtype == bool
    assert results["answer_equals_score"].dtype == "float64"
    assert results["answer"].tolist() == data["answer"].tolist()
    exact = results["output"] == results["answer"]
    assert results["answer_equals_passed"].tolist() == exact.tolist(), "string checks really evaluated"
    assert set(results["status"]) == {"pass", "fail"}
    run = results.attrs["run"]
    assert run["status"] == "completed" and results.attrs["run_id"] == run["id"]
    assert run["result_counts"]["passed"] == (results["status"] == "pass").sum()


def test_wait_false_returns_the_run_record_and_the_run_can_be_read_listed_and_collected(
    evals_client, sandbox, spec, capitals_eval
):
    run = evals_client.run_eval(
        capitals_eval["id"], capitals(), template=TEMPLATE, name="mini", metadata={"try": "1"}, wait=False
    )
    assert isinstance(run, ow.Record) and run["status"] == "queued"
    assert (run["name"], run["model"], run["metadata"]) == ("mini", "gpt-4o-mini", {"try": "1"})
    spec.validate_request("POST", "/evals/x/runs", run_body(sandbox, capitals_eval["id"]))
    time.sleep(0.4)
    record = evals_client.eval_run(capitals_eval["id"], run["id"])
    assert record["status"] == "completed" and record["result_counts"]["total"] == 12

    runs = evals_client.eval_runs(capitals_eval["id"])
    assert list(runs.columns[:13]) == [
        "id",
        "name",
        "status",
        "model",
        "created_at",
        "total",
        "passed",
        "failed",
        "errored",
        "pass_rate",
        "report_url",
        "metadata",
        "eval_id",
    ]
    row = runs.set_index("id").loc[run["id"]]
    assert row["total"] == 12 and row["pass_rate"] == pytest.approx(row["passed"] / 12)
    assert str(runs["passed"].dtype) == "Int64" and runs["pass_rate"].dtype == "float64"
    assert evals_client.eval_runs(capitals_eval["id"], status="failed").empty

    results = evals_client.eval_results(capitals_eval["id"], run["id"])
    failures = evals_client.eval_results(capitals_eval["id"], run["id"], status="fail")
    assert len(results) == 12 and list(results.index) == list(range(12))
    assert set(failures.index) == set(results.index[results["status"] == "fail"])
    assert list(failures.columns) == list(results.columns)


def test_results_are_collected_from_every_page(evals_client, sandbox):
    data = capitals(130)
    created = evals_client.create_eval("many", data, criteria=EXACT)
    sandbox.clear_requests()
    results = evals_client.run_eval(
        created["id"], data, template=TEMPLATE, progress=False, poll_interval=0.05
    )
    assert len(results) == 130 and results["question"].tolist() == data["question"].tolist()
    pages = sandbox.requests_to(f"/evals/{created['id']}/runs/", "GET")
    assert sum(1 for r in pages if r.path.endswith("/output_items")) == 2


def test_a_run_is_followed_with_a_progress_line(evals_client, capsys, capitals_eval):
    evals_client.run_eval(capitals_eval["id"], capitals(), template=TEMPLATE, poll_interval=0.05)
    line = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert line.startswith("gpt-4o-mini: 100%") and "12/12" in line
    assert "passed" in line and "completed" in line


def test_cancel_and_delete_a_run(evals_client, sandbox, capitals_eval):
    sandbox.eval_seconds = 5.0
    run = evals_client.run_eval(capitals_eval["id"], capitals(), template=TEMPLATE, wait=False)
    cancelled = evals_client.cancel_eval_run(capitals_eval["id"], run["id"])
    assert cancelled["status"] == "canceled"
    assert sandbox.requests_to(f"/evals/{capitals_eval['id']}/runs/{run['id']}", "POST")
    with pytest.raises(ow.BadRequestError, match="already canceled"):
        evals_client.cancel_eval_run(capitals_eval["id"], run["id"])
    deleted = evals_client.delete_eval_run(capitals_eval["id"], run["id"])
    assert deleted == {"object": "eval.run.deleted", "deleted": True, "run_id": run["id"]}
    with pytest.raises(ow.NotFoundError):
        evals_client.eval_run(capitals_eval["id"], run["id"])


def test_a_run_that_ends_cancelled_warns_and_returns_what_was_graded(evals_client, sandbox, capitals_eval):
    sandbox.eval_seconds = 3.0

    def cancel_soon(seconds):
        runs = evals_client.eval_runs(capitals_eval["id"], status="in_progress")
        for run_id in runs["id"]:
            evals_client.cancel_eval_run(capitals_eval["id"], run_id)
        time.sleep(seconds)

    evals_client.sleep = cancel_soon
    with pytest.warns(UserWarning, match=r"ended canceled; its results may be partial"):
        results = evals_client.run_eval(capitals_eval["id"], capitals(), template=TEMPLATE, progress=False)
    assert len(results) < 12


def test_text_format_asks_for_json_answers(evals_client, sandbox, spec, capitals_eval):
    class City(typing.TypedDict):
        city: str
        sure: bool

    run = evals_client.run_eval(
        capitals_eval["id"], capitals(), template=TEMPLATE, text_format=City, wait=False
    )
    body = run_body(sandbox, capitals_eval["id"])
    spec.validate_request("POST", "/evals/x/runs", body)
    assert body["data_source"]["sampling_params"]["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "City",
            "schema": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "sure": {"type": "boolean"}},
                "required": ["city", "sure"],
                "additionalProperties": False,
            },
        },
    }
    assert run["data_source"]["sampling_params"]["response_format"]["type"] == "json_schema"


def test_a_message_list_template(evals_client, sandbox, capitals_eval):
    template = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{question}"}]
    evals_client.run_eval(capitals_eval["id"], capitals(), template=template, wait=False)
    assert run_body(sandbox, capitals_eval["id"])["data_source"]["input_messages"]["template"] == [
        {"type": "message", "role": "system", "content": {"type": "input_text", "text": "Be brief."}},
        {"type": "message", "role": "user", "content": {"type": "input_text", "text": "{{item.question}}"}},
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ow.InvalidInputError, "template is needed"),
        ({"template": "Answer {qestion}"}, ow.InvalidInputError, "names the column 'qestion'"),
        ({"template": ""}, ow.InvalidInputError, "template is empty"),
        ({"template": 3}, ow.InvalidTypeError, "template must be a text or a list of messages"),
        (
            {"template": [{"role": "robot", "content": "x"}]},
            ow.InvalidInputError,
            "role 'robot' is not one of",
        ),
        ({"template": TEMPLATE, "text_format": 3}, ow.InvalidTypeError, "text_format must be a Pydantic"),
        ({"template": TEMPLATE, "wait": "yes"}, ow.InvalidTypeError, "wait must be True or False"),
        ({"template": TEMPLATE, "name": ""}, ow.InvalidInputError, "name is empty"),
        (
            {"template": TEMPLATE, "poll_interval": 0},
            ow.InvalidInputError,
            "poll_interval must be more than 0",
        ),
        ({"template": TEMPLATE, "model": 7}, ow.InvalidTypeError, "model must be a model ID"),
    ],
)
def test_run_mistakes_are_refused_before_anything_is_sent(evals_client, sandbox, kwargs, error, message):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        evals_client.run_eval("eval_x", capitals(), **kwargs)
    assert sandbox.requests == []


def test_a_row_that_does_not_fit_the_eval_is_refused_by_the_server(evals_client, capitals_eval):
    data = capitals().assign(difficulty="hard")
    with pytest.raises(ow.BadRequestError, match=r"expected integer as the eval's item_schema says") as info:
        evals_client.run_eval(capitals_eval["id"], data, template=TEMPLATE)
    assert info.value.param == "data_source.source.content[0].item.difficulty"


def test_results_of_an_empty_run_keep_their_columns():
    from openai_widgets._evals.results import results_frame

    frame = results_frame([], ["answer equals"], ["question", "answer"])
    assert list(frame.columns) == [
        "question",
        "answer",
        "output",
        "status",
        "error",
        "answer_equals_passed",
        "answer_equals_score",
    ]
    assert frame["answer_equals_passed"].dtype == bool and frame.index.name == "item"
    clash = results_frame(
        [{"datasource_item_id": 0, "datasource_item": {"output": "x"}, "results": [], "status": "pass"}], []
    )
    assert list(clash.columns) == ["item_output", "output", "status", "error"]
    assert isinstance(clash, pd.DataFrame)
