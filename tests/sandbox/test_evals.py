"""Evals on the sandbox over real HTTP: the eval objects, runs on a timeline, graded output items."""

from __future__ import annotations

import json

import httpx
import pytest

from .api import wait_for

TOPICS = ["Sports", "World", "Markets", "Technology"]
ITEM_SCHEMA = {
    "type": "object",
    "properties": {"headline": {"type": "string"}, "topic": {"type": "string"}},
    "required": ["headline", "topic"],
}
EXACT = {
    "type": "string_check",
    "name": "exact topic",
    "input": "{{sample.output_text}}",
    "reference": "{{item.topic}}",
    "operation": "eq",
}
SIMILAR = {
    "type": "text_similarity",
    "name": "close topic",
    "input": "{{sample.output_text}}",
    "reference": "{{item.topic}}",
    "evaluation_metric": "fuzzy_match",
    "pass_threshold": 0.8,
}


def headlines(count: int) -> list[dict]:
    return [{"item": {"headline": f"Headline number {n}", "topic": TOPICS[n % 4]}} for n in range(count)]


def new_eval(api, criteria=(EXACT, SIMILAR), **changes) -> dict:
    body = {
        "name": "headline topics",
        "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        "testing_criteria": list(criteria),
        "metadata": {"team": "news"},
        **changes,
    }
    return api.post("/evals", body, status=201)


def completions_source(model: str, content: list[dict], **changes) -> dict:
    return {
        "type": "completions",
        "model": model,
        "input_messages": {
            "type": "template",
            "template": [
                {
                    "type": "message",
                    "role": "developer",
                    "content": {"type": "input_text", "text": "Name the topic."},
                },
                {
                    "type": "message",
                    "role": "user",
                    "content": {"type": "input_text", "text": "{{item.headline}}"},
                },
            ],
        },
        "source": {"type": "file_content", "content": content},
        **changes,
    }


def finished(api, eval_id: str, run_id: str) -> dict:
    return wait_for(
        lambda: api.get(f"/evals/{eval_id}/runs/{run_id}"), lambda run: run["status"] == "completed"
    )


def all_items(api, eval_id: str, run_id: str, **params) -> list[dict]:
    """Every output item, read page by page with `after`."""
    found, after = [], None
    while True:
        query = {"limit": 7, **params, **({"after": after} if after else {})}
        page = api.get(f"/evals/{eval_id}/runs/{run_id}/output_items", params=query)
        found += page["data"]
        if not page["has_more"]:
            return found
        after = page["last_id"]


# -- the eval objects ---------------------------------------------------------------------


def test_an_eval_shows_its_grading_namespace_and_criteria(api):
    created = new_eval(api)
    assert created["object"] == "eval" and created["id"].startswith("eval_")
    config = created["data_source_config"]
    assert config["type"] == "custom"
    assert config["schema"]["properties"]["item"] == ITEM_SCHEMA
    assert config["schema"]["required"] == ["item", "sample"]
    assert created["testing_criteria"] == [EXACT, SIMILAR]
    assert created["metadata"] == {"team": "news"}
    assert api.get(f"/evals/{created['id']}") == created


def test_evals_list_in_order_page_by_page_and_by_update(api):
    made = [new_eval(api, name=f"eval {n}")["id"] for n in range(3)]
    # The sandbox is shared by the session's tests: the newest three are these, and ascending
    # order (the default) lists them in the order they were made.
    newest_three = [e["id"] for e in api.get("/evals", params={"order": "desc", "limit": 3})["data"]]
    assert newest_three == made[::-1]
    first = api.get("/evals", params={"limit": 1})["data"][0]["created_at"]
    assert first <= api.get("/evals", params={"order": "desc", "limit": 1})["data"][0]["created_at"]
    newest = api.get("/evals", params={"order": "desc", "limit": 1})
    assert newest["data"][0]["id"] == made[-1] and newest["has_more"] is True
    after = api.get("/evals", params={"order": "desc", "limit": 1, "after": newest["last_id"]})
    assert after["data"][0]["id"] == made[-2]
    renamed = api.post(f"/evals/{made[0]}", {"name": "renamed", "metadata": {"v": "2"}})
    assert (renamed["name"], renamed["metadata"]) == ("renamed", {"v": "2"})
    by_update = api.get("/evals", params={"order_by": "updated_at", "order": "desc", "limit": 1})
    assert by_update["data"][0]["id"] == made[0]


def test_deleting_an_eval_removes_it_and_its_runs(api):
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {"data_source": completions_source("gpt-4o", headlines(2))},
        status=201,
    )
    assert api.delete(f"/evals/{created['id']}") == {
        "object": "eval.deleted",
        "deleted": True,
        "eval_id": created["id"],
    }
    assert "not found" in api.error("GET", f"/evals/{created['id']}", 404)["message"]
    assert api.error("GET", f"/evals/{created['id']}/runs/{run['id']}", 404)["param"] == "eval_id"


@pytest.mark.parametrize(
    ("change", "param", "message"),
    [
        ({"data_source_config": None}, "data_source_config", "Missing required parameter"),
        (
            {"data_source_config": {"type": "custom"}},
            "data_source_config.item_schema",
            "Missing required parameter",
        ),
        ({"data_source_config": {"type": "csv"}}, "data_source_config.type", "'csv'"),
        ({"testing_criteria": []}, "testing_criteria", "non-empty array"),
        (
            {"testing_criteria": [{**EXACT, "type": "regex"}]},
            "testing_criteria[0].type",
            "unknown grader type 'regex'",
        ),
        (
            {"testing_criteria": [{**EXACT, "operation": "contains"}]},
            "testing_criteria[0].operation",
            "'contains'",
        ),
        (
            {"testing_criteria": [{k: v for k, v in SIMILAR.items() if k != "pass_threshold"}]},
            "testing_criteria[0].pass_threshold",
            "Missing required parameter",
        ),
        (
            {"testing_criteria": [{**EXACT, "reference": "{{item.answer}}"}]},
            "testing_criteria[0].reference",
            "not a property of the item schema (properties: headline, topic)",
        ),
        (
            {
                "testing_criteria": [
                    {"type": "multi", "name": "m", "graders": EXACT, "calculate_output": "exact"}
                ]
            },
            "testing_criteria[0].type",
            "multi graders cannot be used here",
        ),
        ({"metadata": {"k": 3}}, "metadata.k", "expected a string"),
    ],
)
def test_bad_evals_get_a_400_naming_the_parameter(api, change, param, message):
    body = {
        "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        "testing_criteria": [EXACT],
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None}
    error = api.error("POST", "/evals", 400, json=body)
    assert error["param"] == param
    assert message in error["message"]


def test_sample_variables_need_the_sample_schema(api):
    body = {
        "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA},
        "testing_criteria": [EXACT],
    }
    error = api.error("POST", "/evals", 400, json=body)
    assert error["param"] == "testing_criteria[0].input"
    assert "set include_sample_schema: true" in error["message"]


# -- runs ---------------------------------------------------------------------------------


def test_a_run_answers_grades_and_completes_on_its_timeline(api):
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {
            "name": "first try",
            "data_source": completions_source("gpt-4o", headlines(20)),
            "metadata": {"try": "1"},
        },
        status=201,
    )
    assert run["status"] == "queued"
    assert run["result_counts"] == {"total": 0, "errored": 0, "failed": 0, "passed": 0}
    assert (run["name"], run["model"], run["metadata"]) == ("first try", "gpt-4o", {"try": "1"})
    done = finished(api, created["id"], run["id"])
    counts = done["result_counts"]
    assert counts["total"] == 20 == counts["passed"] + counts["failed"] + counts["errored"]
    assert counts["errored"] == 0
    results = {r["testing_criteria"]: r for r in done["per_testing_criteria_results"]}
    assert set(results) == {"exact topic", "close topic"}
    assert results["exact topic"]["passed"] == counts["passed"]  # the fuzzy match never passes alone here
    usage = {u["model_name"]: u for u in done["per_model_usage"]}
    assert usage["gpt-4o"]["invocation_count"] == 20
    assert (
        usage["gpt-4o"]["total_tokens"]
        == usage["gpt-4o"]["prompt_tokens"] + usage["gpt-4o"]["completion_tokens"]
    )
    assert (
        api.get(f"/evals/{created['id']}/runs", params={"status": "completed"})["data"][0]["id"] == run["id"]
    )


def test_string_checks_are_really_evaluated_on_the_answers(api):
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {"data_source": completions_source("gpt-4o-mini", headlines(16))},
        status=201,
    )
    finished(api, created["id"], run["id"])
    items = all_items(api, created["id"], run["id"])
    assert [i["datasource_item_id"] for i in items] == list(range(16))
    for item in items:
        answer = item["sample"]["output"][0]["content"]
        exact = next(r for r in item["results"] if r["name"] == "exact topic")
        assert exact["passed"] is (answer == item["datasource_item"]["topic"])
        assert exact["score"] == float(exact["passed"])
        assert item["status"] == ("pass" if exact["passed"] else "fail")
        assert item["sample"]["input"][1] == {"role": "user", "content": item["datasource_item"]["headline"]}
    assert {i["status"] for i in items} == {"pass", "fail"}, "some items known, some not"


def test_pass_rates_differ_between_models_and_repeat_exactly(api):
    created = new_eval(api, criteria=[EXACT])
    rates = {}
    for model in ("gpt-4o", "gpt-3.5-turbo", "gpt-4o"):
        run = api.post(
            f"/evals/{created['id']}/runs",
            {"data_source": completions_source(model, headlines(40))},
            status=201,
        )
        counts = finished(api, created["id"], run["id"])["result_counts"]
        rates.setdefault(model, []).append(counts["passed"] / counts["total"])
    assert rates["gpt-4o"][0] == rates["gpt-4o"][1], "the same model grades the same"
    assert rates["gpt-4o"][0] > rates["gpt-3.5-turbo"][0], "the larger model knows more"


def test_output_items_page_filter_and_read_one(api):
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {"data_source": completions_source("gpt-4o", headlines(12))},
        status=201,
    )
    finished(api, created["id"], run["id"])
    base = f"/evals/{created['id']}/runs/{run['id']}/output_items"
    everything = all_items(api, created["id"], run["id"])
    passed = all_items(api, created["id"], run["id"], status="pass")
    failed = all_items(api, created["id"], run["id"], status="fail")
    assert sorted(i["id"] for i in passed + failed) == sorted(i["id"] for i in everything)
    assert all(i["status"] == "pass" for i in passed) and all(i["status"] == "fail" for i in failed)
    newest_first = api.get(base, params={"order": "desc", "limit": 1})["data"][0]
    assert newest_first["datasource_item_id"] == 11
    one = api.get(f"{base}/{everything[3]['id']}")
    assert one == everything[3]
    assert [r["name"] for r in one["results"]] == ["exact topic", "close topic"]
    sample = one["sample"]
    assert sample["model"] == "gpt-4o" and sample["finish_reason"] == "stop"
    assert (
        sample["usage"]["total_tokens"]
        == sample["usage"]["prompt_tokens"] + sample["usage"]["completion_tokens"]
    )
    assert api.error("GET", base, 400, params={"status": "error"})["param"] == "status"
    assert api.error("GET", f"{base}/outputitem_nope", 404)["param"] == "output_item_id"


def test_items_appear_while_the_run_is_in_progress(api, sandbox):
    sandbox.eval_seconds = 1.0
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {"data_source": completions_source("gpt-4o", headlines(10))},
        status=201,
    )
    halfway = wait_for(
        lambda: api.get(f"/evals/{created['id']}/runs/{run['id']}"),
        lambda r: r["status"] == "in_progress" and 0 < r["result_counts"]["total"] < 10,
    )
    items = api.get(f"/evals/{created['id']}/runs/{run['id']}/output_items", params={"limit": 100})["data"]
    assert len(items) >= halfway["result_counts"]["total"]
    canceled = api.post(f"/evals/{created['id']}/runs/{run['id']}")
    assert canceled["status"] == "canceled"
    frozen = canceled["result_counts"]["total"]
    assert frozen < 10
    assert api.get(f"/evals/{created['id']}/runs/{run['id']}")["result_counts"]["total"] == frozen
    assert "already canceled" in api.error("POST", f"/evals/{created['id']}/runs/{run['id']}", 400)["message"]
    deleted = api.delete(f"/evals/{created['id']}/runs/{run['id']}")
    assert deleted == {"object": "eval.run.deleted", "deleted": True, "run_id": run["id"]}
    assert api.error("GET", f"/evals/{created['id']}/runs/{run['id']}", 404)["param"] == "run_id"


def test_max_completion_tokens_cuts_the_answer(api):
    created = new_eval(api)
    source = completions_source(
        "gpt-3.5-turbo", headlines(4), sampling_params={"max_completion_tokens": 3, "seed": 7}
    )
    run = api.post(f"/evals/{created['id']}/runs", {"data_source": source}, status=201)
    finished(api, created["id"], run["id"])
    for item in all_items(api, created["id"], run["id"]):
        sample = item["sample"]
        assert sample["usage"]["completion_tokens"] <= 3
        assert sample["seed"] == 7 and sample["max_completion_tokens"] == 3
        if sample["usage"]["completion_tokens"] == 3:
            assert sample["finish_reason"] == "length"


def test_jsonl_files_bring_their_own_samples_and_missing_samples_error(api, sandbox):
    created = new_eval(api)
    lines = [
        {"item": {"headline": "a", "topic": "Sports"}, "sample": {"output_text": "Sports"}},
        {"item": {"headline": "b", "topic": "World"}, "sample": {"output_text": "Wrld"}},
        {"item": {"headline": "c", "topic": "Markets"}},
    ]
    upload = httpx.post(
        f"{sandbox.base_url}/files",
        headers=api.http.headers,
        files={"file": ("items.jsonl", "\n".join(json.dumps(line) for line in lines).encode())},
        data={"purpose": "evals"},
    ).json()
    source = {"type": "jsonl", "source": {"type": "file_id", "id": upload["id"]}}
    run = api.post(f"/evals/{created['id']}/runs", {"data_source": source}, status=201)
    # The spec's file object lacks the "evals" purpose its upload accepts: keep the file list valid.
    api.delete(f"/files/{upload['id']}")
    assert run["model"] == ""
    done = finished(api, created["id"], run["id"])
    assert done["result_counts"] == {"total": 3, "errored": 1, "failed": 1, "passed": 1}
    items = all_items(api, created["id"], run["id"])
    assert [i["status"] for i in items] == ["pass", "fail", "error"]
    similar = next(r for r in items[1]["results"] if r["name"] == "close topic")
    assert (
        similar["score"] == pytest.approx(0.888889) and similar["passed"] is True
    )  # fuzzy "Wrld" vs "World"
    assert items[2]["sample"]["error"]["code"] == "invalid_variable_error"
    assert "{{sample.output_text}}" in items[2]["sample"]["error"]["message"]


def test_items_must_fit_the_item_schema(api):
    created = new_eval(api)
    content = [*headlines(2), {"item": {"headline": "no topic"}}]
    error = api.error(
        "POST",
        f"/evals/{created['id']}/runs",
        400,
        json={"data_source": completions_source("gpt-4o", content)},
    )
    assert error["param"] == "data_source.source.content[2].item"
    assert "'topic'" in error["message"]
    bad_model = completions_source("gpt-5-nope", headlines(1))
    assert (
        api.error("POST", f"/evals/{created['id']}/runs", 404, json={"data_source": bad_model})["code"]
        == "model_not_found"
    )
    template = completions_source("gpt-4o", headlines(1))
    template["input_messages"]["template"][1]["content"]["text"] = "{{item.body}}"
    error = api.error("POST", f"/evals/{created['id']}/runs", 400, json={"data_source": template})
    assert error["param"] == "data_source.input_messages.template[1].content"
    assert "{{item.body}}" in error["message"]


def test_stored_completions_feed_an_eval(api):
    for n in range(3):
        api.post(
            "/chat/completions",
            {
                "model": "gpt-4o-mini",
                "messages": [{"role": "user", "content": f"question {n}"}],
                "store": True,
                "metadata": {"suite": "stored-eval"},
            },
        )
    created = api.post(
        "/evals",
        {
            "name": "stored answers",
            "data_source_config": {"type": "stored_completions", "metadata": {"suite": "stored-eval"}},
            "testing_criteria": [
                {
                    "type": "string_check",
                    "name": "labelled",
                    "input": "{{sample.output_text}}",
                    "reference": "[SANDBOX]",
                    "operation": "ilike",
                },
                {
                    "type": "string_check",
                    "name": "asked",
                    "input": "{{sample.output_text}}",
                    "reference": "question",
                    "operation": "like",
                },
            ],
        },
        status=201,
    )
    assert created["data_source_config"]["metadata"] == {"suite": "stored-eval"}
    source = {
        "type": "completions",
        "source": {"type": "stored_completions", "metadata": {"suite": "stored-eval"}, "limit": 2},
    }
    run = api.post(f"/evals/{created['id']}/runs", {"data_source": source}, status=201)
    done = finished(api, created["id"], run["id"])
    assert done["result_counts"] == {"total": 2, "errored": 0, "failed": 0, "passed": 2}
    item = all_items(api, created["id"], run["id"])[0]
    assert item["datasource_item"]["input"] == [{"role": "user", "content": "question 0"}]
    assert item["datasource_item"]["completion_id"].startswith("chatcmpl-")


def test_the_report_url_shows_the_counts(api):
    created = new_eval(api)
    run = api.post(
        f"/evals/{created['id']}/runs",
        {"data_source": completions_source("gpt-4o", headlines(4))},
        status=201,
    )
    done = finished(api, created["id"], run["id"])
    page = httpx.get(run["report_url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    counts = done["result_counts"]
    assert f"Items: 4, passed {counts['passed']}, failed {counts['failed']}, errored 0" in page.text
    assert "exact topic" in page.text


def test_a_run_reads_the_clock_once_for_its_counts_and_status(monkeypatch):
    """The run's end falls between two readings of the clock: the answer still agrees with itself."""
    from openai_widgets.sandbox import _eval_runs

    run = _eval_runs.EvalRun(
        public={"id": "evalrun_x", "eval_id": "eval_x"},
        outcomes=[_eval_runs.Outcome(item={"n": n}, sample={}, grades=[]) for n in range(40)],
        criteria=[],
        seconds=1.0,
        started=100.0,
    )
    readings = [100.999]  # just before the end, then after it
    monkeypatch.setattr(_eval_runs.time, "time", lambda: readings.pop() if readings else 101.5)
    body = run.as_api()
    counts = body["result_counts"]
    assert (body["status"], counts["total"]) in {("in_progress", 39), ("completed", 40)}
