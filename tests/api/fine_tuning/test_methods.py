"""Fine-tuning by method on the sandbox: DPO and reinforcement data checked rule by rule before any
upload, the grader validated first, hyperparameters in both places, pause and resume."""

from __future__ import annotations

import json
import time

import pytest

import openai_widgets as ow
from tests.support import tuning as tuning_support
from tests.support.tuning import examples

quick_jobs = tuning_support.quick_jobs  # a fixture

ASSISTANT = {"role": "assistant", "content": "fine"}
QUESTION = {"messages": [{"role": "user", "content": "q"}]}
EXACT = {"type": "string_check", "reference": "{answer}", "operation": "eq"}


def preference(n: int = 10) -> list[dict]:
    return [
        {
            "input": {"messages": [{"role": "user", "content": f"question {k}"}]},
            "preferred_output": [{"role": "assistant", "content": "a good answer"}],
            "non_preferred_output": [{"role": "assistant", "content": "a poor answer"}],
        }
        for k in range(n)
    ]


def prompts(n: int = 10) -> list[dict]:
    return [{"messages": [{"role": "user", "content": f"2 + {k}?"}], "answer": str(2 + k)} for k in range(n)]


def created_body(sandbox) -> dict:
    return sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()


# -- DPO -------------------------------------------------------------------------------------


def test_dpo_sends_its_hyperparameters_in_its_method_alone(client, sandbox, spec):
    job = client.fine_tune(preference(), method="dpo", hyperparameters={"beta": 0.2, "n_epochs": 2})
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert body["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 2}}}
    assert "hyperparameters" not in body  # the older field is for supervised jobs on other servers
    assert job["method"]["type"] == "dpo" and job["hyperparameters"]["beta"] == 0.2
    spec.validate_response("POST", "/fine_tuning/jobs", dict(job))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"input": None}, "no 'input' object with 'messages' (preference data for dpo)"),
        ({"input": {"text": "q"}}, "no 'input.messages' list"),
        ({"input": {"messages": []}}, "'input.messages' must be a non-empty list of messages"),
        ({"preferred_output": None}, "no 'preferred_output' list of assistant messages"),
        ({"preferred_output": []}, "no 'preferred_output' list of assistant messages"),
        ({"non_preferred_output": None}, "no 'non_preferred_output' list of assistant messages"),
        (
            {"non_preferred_output": [{"role": "user", "content": "x"}]},
            "'non_preferred_output' may hold only assistant messages",
        ),
        (
            {"preferred_output": [{"role": "assistant"}]},
            "preferred_output item 1 (assistant) has no content",
        ),
    ],
)
def test_each_dpo_rule_names_the_file_the_line_and_the_problem(client, sandbox, tmp_path, change, problem):
    rows = preference(12)
    rows[4] = {k: v for k, v in {**rows[4], **change}.items() if v is not None}
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    with pytest.raises(ow.InvalidInputError) as caught:
        client.fine_tune(path, method="dpo")
    assert (
        str(caught.value)
        == f"training 'pairs.jsonl' has 1 problem: line 5: {problem}. Fix the data and try again"
    )
    assert sandbox.requests == [], "nothing is uploaded or started"


def test_chat_examples_are_not_preference_data(client, sandbox):
    with pytest.raises(ow.InvalidInputError, match="line 1: no 'input' object"):
        client.fine_tune(examples(10), method="dpo")
    assert sandbox.requests == []


# -- reinforcement ---------------------------------------------------------------------------


def test_reinforcement_validates_the_grader_before_uploading(client, sandbox, spec):
    job = client.fine_tune(
        prompts(),
        "o4-mini",
        method="reinforcement",
        grader=EXACT,
        hyperparameters={"reasoning_effort": "low", "compute_multiplier": 2, "n_epochs": 1},
    )
    order = [r.path for r in sandbox.requests if r.method == "POST"]
    assert order == ["/fine_tuning/alpha/graders/validate", "/files", "/fine_tuning/jobs"]
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    grader = {
        "type": "string_check",
        "name": "answer equals",
        "reference": "{{item.answer}}",
        "operation": "eq",
        "input": "{{sample.output_text}}",
    }
    assert body["method"] == {
        "type": "reinforcement",
        "reinforcement": {
            "grader": grader,
            "hyperparameters": {"reasoning_effort": "low", "compute_multiplier": 2, "n_epochs": 1},
        },
    }
    assert "hyperparameters" not in body
    assert job["method"]["reinforcement"]["grader"] == grader


def test_the_grader_may_also_sit_in_the_method_dict(client, sandbox):
    client.fine_tune(prompts(), method={"type": "reinforcement", "reinforcement": {"grader": EXACT}})
    assert created_body(sandbox)["method"]["reinforcement"]["grader"]["reference"] == "{{item.answer}}"


def test_every_item_needs_the_fields_the_grader_reads(client, sandbox):
    rows = prompts(12)
    del rows[6]["answer"]
    with pytest.raises(ow.InvalidInputError) as caught:
        client.fine_tune(rows, method="reinforcement", grader=EXACT)
    assert str(caught.value) == (
        "training has 1 problem: line 7: no 'answer' field, which the grader reads as {{item.answer}}. "
        "Fix the data and try again"
    )
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"grader": {"type": "regex"}}, ow.InvalidInputError, "grader has type 'regex'"),
        ({"grader": {**EXACT, "operation": "has"}}, ow.InvalidInputError, r"grader\.operation 'has'"),
        (
            {"grader": EXACT, "method": "dpo"},
            ow.InvalidInputError,
            "grader is for method='reinforcement', not 'dpo'",
        ),
        (
            {"grader": EXACT, "method": {"type": "reinforcement", "reinforcement": {"grader": EXACT}}},
            ow.InvalidInputError,
            "the grader is given twice",
        ),
        ({"method": "reinforcement"}, ow.InvalidInputError, "reinforcement fine-tuning needs a grader"),
        (
            {"grader": EXACT, "hyperparameters": {"reasoning_effort": "max"}},
            ow.InvalidInputError,
            "hyperparameter reasoning_effort 'max' is not one of default, low, medium, high",
        ),
        (
            {"grader": EXACT, "hyperparameters": {"compute_multiplier": 11}},
            ow.InvalidInputError,
            "hyperparameter compute_multiplier must be between 1e-05 and 10, got 11",
        ),
        (
            {"grader": EXACT, "hyperparameters": {"eval_samples": 0}},
            ow.InvalidInputError,
            "hyperparameter eval_samples must be 1 or more, got 0",
        ),
        (
            {"grader": EXACT, "hyperparameters": {"beta": 0.1}},
            ow.InvalidInputError,
            r"'beta' is not one of .* \(for reinforcement\)",
        ),
        (
            {"method": "dpo", "hyperparameters": {"eval_interval": 2}},
            ow.InvalidInputError,
            r"'eval_interval' is not one of .* \(for dpo\)",
        ),
    ],
)
def test_reinforcement_mistakes_are_refused_before_anything_is_sent(client, sandbox, kwargs, error, message):
    kwargs.setdefault("method", "reinforcement")
    with pytest.raises(error, match=message):
        client.fine_tune(prompts(), **kwargs)
    assert sandbox.requests == []


def test_a_grader_the_api_refuses_stops_before_any_upload(client, sandbox):
    python = {"type": "python", "source": "def grade(sample, item):\n    return 1.0 +"}
    with pytest.raises(ow.BadRequestError, match="does not parse") as info:
        client.fine_tune(prompts(), method="reinforcement", grader=python)
    assert info.value.param == "grader.source"
    assert [r.path for r in sandbox.requests] == ["/fine_tuning/alpha/graders/validate"]


def test_reinforcement_jobs_report_rewards(client, quick_jobs):
    job = client.fine_tune(prompts(), method="reinforcement", grader=EXACT, validation=prompts(10))
    *_, last = client.watch_fine_tuning(job["id"], poll_interval=0.05)
    assert last.status == "succeeded"
    events = last.frame()
    assert {"train_reward_mean", "train_reward_std", "valid_reward_mean"} <= set(events.columns)
    assert "train_loss" not in events.columns


# -- options, pause and resume ---------------------------------------------------------------


def test_integrations_and_metadata_are_sent(client, sandbox, spec):
    wandb = [{"type": "wandb", "wandb": {"project": "tuning", "tags": ["demo"]}}]
    client.fine_tune(examples(10), integrations=wandb, metadata={"owner": "lab"})
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert body["integrations"] == wandb and body["metadata"] == {"owner": "lab"}
    assert "method" not in body, "a plain supervised job sends no method, as before"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"integrations": {"type": "wandb"}}, ow.InvalidTypeError, "integrations must be a list"),
        (
            {"integrations": [{"wandb": {}}]},
            ow.InvalidInputError,
            r"integrations\[0\] must be a dict with a 'type'",
        ),
        ({"integrations": [{"type": "wandb"}]}, ow.InvalidInputError, "needs its settings under 'wandb'"),
        ({"metadata": {"owner": 1}}, ow.InvalidTypeError, "metadata"),
    ],
)
def test_option_mistakes_are_refused(client, sandbox, kwargs, error, message):
    with pytest.raises(error, match=message):
        client.fine_tune(examples(10), **kwargs)
    assert sandbox.requests == []


def test_pause_and_resume_a_job(client, sandbox):
    before = sandbox.job_seconds
    sandbox.job_seconds = 3.0
    try:
        job = client.fine_tune(examples(10))
        deadline = time.monotonic() + 5
        while client.fine_tuning_job(job["id"])["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        paused = client.pause_fine_tuning(job["id"])
        assert paused["status"] == "paused"
        assert sandbox.requests_to(f"/fine_tuning/jobs/{job['id']}/pause", "POST")
        time.sleep(0.2)
        assert client.fine_tuning_job(job["id"])["status"] == "paused"
        with pytest.raises(ow.BadRequestError, match="cannot be paused"):
            client.pause_fine_tuning(job["id"])
        resumed = client.resume_fine_tuning(job["id"])
        assert resumed["status"] == "running"
        with pytest.raises(ow.BadRequestError, match="only a paused job can resume"):
            client.resume_fine_tuning(job["id"])
        messages = client.fine_tuning_events(job["id"])["message"].tolist()
        assert "Fine-tuning job paused" in messages and "Fine-tuning job resumed" in messages
    finally:
        sandbox.job_seconds = before


def test_pause_and_resume_check_the_id(client, sandbox):
    for call in (client.pause_fine_tuning, client.resume_fine_tuning):
        with pytest.raises(ow.InvalidInputError, match="job_id is empty"):
            call(" ")
    assert sandbox.requests == []
