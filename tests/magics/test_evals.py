"""%openai evals, compare, usage, costs and fine-tune pause|resume in a real IPython shell on the sandbox."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from IPython.core.error import UsageError

import openai_widgets as ow
from openai_widgets.sandbox import SANDBOX_ADMIN_KEY
from tests.conftest import TEST_KEY
from tests.support.evals import EXACT, TEMPLATE, capitals
from tests.support.tuning import examples


def magic(ip, line):
    return ip.run_line_magic("openai", line)


@pytest.fixture
def quick(sandbox, connected):
    """Eval runs of 0.2 s, and the connected client really waits between looks."""
    before = sandbox.eval_seconds
    sandbox.eval_seconds = 0.2
    connected.sleep = time.sleep
    yield sandbox
    sandbox.eval_seconds = before


@pytest.fixture
def admin(sandbox):
    """The default client holds the sandbox's admin key too."""
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key=SANDBOX_ADMIN_KEY)
    ow.set_client(client)
    yield client
    ow.set_client(None)


def test_evals_create_run_results_runs_get_delete(ip, quick):
    ip.user_ns.update(data=capitals(), criteria=[EXACT], prompt=TEMPLATE)
    created = magic(ip, "evals create capitals --data data --criteria criteria")
    assert created["name"] == "capitals"
    assert created["testing_criteria"][0]["reference"] == "{{item.answer}}"
    assert created["id"] in magic(ip, "evals")["id"].tolist()
    assert magic(ip, f"evals get {created['id']}") == created

    results = magic(ip, f"evals run {created['id']} --data data --template prompt -m gpt-4o -o graded")
    assert ip.user_ns["graded"] is results
    assert list(results.index) == list(capitals().index)
    body = quick.requests_to(f"/evals/{created['id']}/runs", "POST")[-1].json()
    assert body["data_source"]["model"] == "gpt-4o"
    assert body["data_source"]["input_messages"]["template"][0]["content"]["text"] == (
        "Answer with the city only: {{item.question}}"
    )
    run_id = results.attrs["run_id"]
    runs = magic(ip, f"evals runs {created['id']}")
    assert runs["id"].tolist() == [run_id]
    failures = magic(ip, f"evals results {created['id']} {run_id} --status fail")
    assert set(failures["status"]) <= {"fail"} and len(failures) == (results["status"] == "fail").sum()
    assert magic(ip, f"evals delete {created['id']}")["deleted"] is True


def test_evals_create_takes_criteria_as_json_and_run_can_return_at_once(ip, quick):
    ip.user_ns["data"] = capitals()
    created = magic(
        ip,
        """evals create quoted --data data --criteria '{"type": "string_check", "reference": "{answer}", "operation": "like"}'""",
    )
    assert created["testing_criteria"][0]["operation"] == "like"
    run = magic(ip, f"evals run {created['id']} --data data --template 'Say {{question}}' --no-wait")
    assert isinstance(run, ow.Record) and run["object"] == "eval.run"
    assert run["model"] == "gpt-4o-mini", "the configured chat model"


def test_compare_two_models(ip, quick):
    ip.user_ns.update(data=capitals(), criteria=[EXACT], prompt=TEMPLATE)
    frame = magic(ip, "compare -m gpt-4o-mini,gpt-4o --data data --template prompt --criteria criteria")
    assert frame["model"].tolist() == ["gpt-4o-mini", "gpt-4o"]
    assert {"pass_rate", "estimated_cost", "latency"} <= set(frame.columns)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("evals create x --data nothing --criteria '[]'", "'nothing' is not a variable in the notebook"),
        (
            "evals create x --data data --criteria crit",
            "--criteria: no variable has that name, and 'crit' is not JSON",
        ),
        ("evals create x --data data --criteria '[]'", "criteria is empty"),
        ("evals run eval_1 --data data", "the following arguments are required: --template"),
        ("evals results eval_1", "the following arguments are required: RUN_ID"),
        ("evals results eval_1 run_1 --status maybe", "invalid choice: 'maybe'"),
        (
            "compare --data data --template t --criteria '[]'",
            "the following arguments are required: -m/--models",
        ),
        ("compare -m gpt-4o --data data --template 'Say {nope}' --criteria '[]'", "criteria is empty"),
        ("usage tokens --since 7d", "kind 'tokens' is not one of completions"),
        ("usage completions", "the following arguments are required: --since"),
        ("costs --since soon", "start 'soon' is not a time"),
        ("fine-tune pause", "the following arguments are required: JOB_ID"),
        ("fine-tune create -t rows --method dpo", "no 'input' object"),
    ],
)
def test_mistakes_are_one_line_usage_errors(ip, sandbox, line, message):
    ip.user_ns.update(data=capitals(), rows=pd.DataFrame(examples(10)))
    sandbox.clear_requests()
    with pytest.raises(UsageError, match=message) as info:
        magic(ip, line)
    assert "\n" not in str(info.value)
    assert sandbox.requests == []


def test_usage_and_costs_need_the_admin_key(ip, sandbox):
    with pytest.raises(
        UsageError, match=r"needs an admin key, and this client has none: connect with ow\.connect\(admin_key"
    ):
        magic(ip, "usage completions --since 7d")
    with pytest.raises(UsageError, match="admin_key"):
        magic(ip, "costs --since 30d")
    assert sandbox.requests == []


def test_usage_grouped_and_plotted(ip, admin, sandbox):
    admin.chat("count me")
    frame = magic(ip, "usage completions --since 7d --group-by model,project_id --bucket 1h -o used")
    assert ip.user_ns["used"] is frame
    assert {"model", "project_id", "input_tokens"} <= set(frame.columns)
    assert "gpt-4o-mini" in set(frame["model"])
    query = sandbox.requests_to("/organization/usage/completions", "GET")[-1].query
    assert query["group_by"] == ["model", "project_id"] and query["bucket_width"] == ["1h"]
    assert magic(ip, "usage completions --since 2d --models gpt-4o-mini --plot").size == (640, 300)
    start = int(time.time()) - 3 * 86400
    magic(ip, f"usage embeddings --since {start}")
    assert sandbox.requests_to("/organization/usage/embeddings", "GET")[-1].query["start_time"] == [
        str(start)
    ]


def test_costs_in_dollars(ip, admin, sandbox):
    admin.chat("price me")
    frame = magic(ip, "costs --since 30d --group-by line_item")
    assert {"line_item", "cost", "quantity"} <= set(frame.columns)
    assert frame["cost"].sum() > 0
    assert magic(ip, "costs --since 7d --plot").size == (640, 300)


def test_fine_tune_pause_resume_and_a_dpo_job(ip, sandbox, connected):
    before = sandbox.job_seconds
    sandbox.job_seconds = 3.0
    try:
        job = connected.fine_tune(examples(10))
        deadline = time.monotonic() + 5
        while connected.fine_tuning_job(job["id"])["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert magic(ip, f"fine-tune pause {job['id']}")["status"] == "paused"
        assert magic(ip, f"fine-tune resume {job['id']}")["status"] == "running"
    finally:
        sandbox.job_seconds = before
    ip.user_ns["pairs"] = [
        {
            "input": {"messages": [{"role": "user", "content": f"q{n}"}]},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": "bad"}],
        }
        for n in range(10)
    ]
    dpo = magic(ip, "fine-tune create -t pairs --method dpo --epochs 2")
    assert dpo["method"]["type"] == "dpo"
    ip.user_ns["prompts"] = [{"messages": [{"role": "user", "content": "q"}], "answer": "a"}] * 10
    ip.user_ns["grader"] = EXACT
    rl = magic(ip, "fine-tune create -t prompts --grader grader")
    assert rl["method"]["type"] == "reinforcement"
    assert rl["method"]["reinforcement"]["grader"]["reference"] == "{{item.answer}}"
