"""DPO and reinforcement fine-tuning, pause and resume, checkpoint permissions (admin key)."""

from __future__ import annotations

import json
import math
import time

import httpx
import pytest

from openai_widgets.sandbox._training import Job
from tests.support.tuning import examples

from .api import wait_for

REASONING_MODEL = "o4-mini-2025-04-16"
ANSWER_CHECK = {
    "type": "string_check",
    "name": "right answer",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


@pytest.fixture
def quick(sandbox):
    before = sandbox.job_seconds
    sandbox.job_seconds = 0.3
    yield sandbox
    sandbox.job_seconds = before


def upload(sandbox, rows: list[dict]) -> str:
    content = "\n".join(json.dumps(row) for row in rows).encode()
    response = httpx.post(
        f"{sandbox.base_url}/files",
        headers={"Authorization": "Bearer sk-test"},
        files={"file": ("data.jsonl", content)},
        data={"purpose": "fine-tune"},
    )
    return response.json()["id"]


def preferences(count: int = 10) -> list[dict]:
    return [
        {
            "input": {"messages": [{"role": "user", "content": f"Say hello {n}"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
        for n in range(count)
    ]


def problems(count: int = 10) -> list[dict]:
    return [
        {"messages": [{"role": "user", "content": f"What is {n} + {n}?"}], "answer": str(2 * n)}
        for n in range(count)
    ]


def finished(api, job_id: str) -> dict:
    return wait_for(lambda: api.get(f"/fine_tuning/jobs/{job_id}"), lambda job: job["status"] == "succeeded")


def metric_events(api, job_id: str) -> list[dict]:
    events = api.get(f"/fine_tuning/jobs/{job_id}/events", params={"limit": 100})["data"]
    return [e["data"] for e in reversed(events) if e["type"] == "metrics"]  # oldest first


# -- DPO --------------------------------------------------------------------------------------


def test_a_dpo_job_reports_preference_metrics(api, quick):
    training, validation = upload(quick, preferences()), upload(quick, preferences(10))
    body = {
        "model": "gpt-4o-mini",
        "training_file": training,
        "validation_file": validation,
        "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.25, "n_epochs": 2}}},
    }
    job = api.post("/fine_tuning/jobs", body)
    assert job["method"]["type"] == "dpo"
    assert job["method"]["dpo"]["hyperparameters"]["beta"] == 0.25
    assert job["hyperparameters"]["n_epochs"] == 2
    finished(api, job["id"])
    steps = metric_events(api, job["id"])
    assert len(steps) == 20
    first, last = steps[0], steps[-1]
    assert set(first) == {
        "step",
        "total_steps",
        "train_loss",
        "train_reward_margin",
        "train_preference_accuracy",
        "valid_loss",
        "valid_reward_margin",
        "valid_preference_accuracy",
    }
    assert first["train_loss"] == pytest.approx(math.log(2), abs=0.1), "the DPO loss starts near ln 2"
    assert last["train_loss"] < first["train_loss"]
    assert last["train_reward_margin"] > first["train_reward_margin"]
    checkpoint = api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")["data"][0]
    assert {"train_loss", "train_reward_margin", "valid_loss", "full_valid_loss"} <= set(
        checkpoint["metrics"]
    )


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (examples(10), "Line 1: missing input, preferred_output, non_preferred_output."),
        (
            [{**p, "preferred_output": [{"role": "user", "content": "x"}]} for p in preferences()],
            "Line 1: 'preferred_output' must hold only assistant messages.",
        ),
        ([{**p, "input": {"prompt": "x"}} for p in preferences()], "Line 1: missing 'input.messages' list."),
        (preferences(4), "Training file has 4 example(s), but must have at least 10 examples."),
    ],
)
def test_dpo_data_is_checked_at_once(api, sandbox, rows, problem):
    file_id = upload(sandbox, rows)
    body = {"model": "gpt-4o-mini", "training_file": file_id, "method": {"type": "dpo", "dpo": {}}}
    error = api.error("POST", "/fine_tuning/jobs", 400, json=body)
    assert error["message"] == f"Invalid training_file {file_id} for dpo fine-tuning: {problem}"
    assert (error["param"], error["code"]) == ("training_file", "invalid_training_file")


# -- reinforcement ----------------------------------------------------------------------------


def test_a_reinforcement_job_reports_rewards_per_grader(api, quick):
    grader = {
        "type": "multi",
        "name": "reward",
        "graders": ANSWER_CHECK,
        "calculate_output": "right_answer",
    }
    body = {
        "model": REASONING_MODEL,
        "training_file": upload(quick, problems()),
        "validation_file": upload(quick, problems()),
        "method": {
            "type": "reinforcement",
            "reinforcement": {
                "grader": grader,
                "hyperparameters": {"reasoning_effort": "low", "compute_multiplier": 2, "n_epochs": 1},
            },
        },
    }
    job = api.post("/fine_tuning/jobs", body)
    settings = job["method"]["reinforcement"]
    assert settings["grader"] == grader
    assert (
        settings["hyperparameters"]["reasoning_effort"],
        settings["hyperparameters"]["compute_multiplier"],
    ) == (
        "low",
        2,
    )
    finished(api, job["id"])
    steps = metric_events(api, job["id"])
    assert set(steps[0]) == {
        "step",
        "total_steps",
        "train_reward_mean",
        "train_reward_std",
        "valid_reward_mean",
        "scores",
    }
    assert set(steps[0]["scores"]) == {"right answer"}
    assert steps[-1]["train_reward_mean"] > steps[0]["train_reward_mean"], "the reward rises"
    events = api.get(f"/fine_tuning/jobs/{job['id']}/events", params={"limit": 100})["data"]
    assert any(e["message"].startswith("Step 1/10: mean reward=") for e in events)
    checkpoint = api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")["data"][0]
    assert set(checkpoint["metrics"]) == {
        "step",
        "train_reward_mean",
        "train_reward_std",
        "valid_reward_mean",
        "full_valid_reward_mean",
    }


def reinforcement(grader: dict, training_file: str, model: str = REASONING_MODEL) -> dict:
    return {
        "model": model,
        "training_file": training_file,
        "method": {"type": "reinforcement", "reinforcement": {"grader": grader}},
    }


def test_reinforcement_data_must_hold_what_the_grader_references(api, sandbox):
    rows = [{k: v for k, v in row.items() if k != "answer"} for row in problems()]
    file_id = upload(sandbox, rows)
    error = api.error("POST", "/fine_tuning/jobs", 400, json=reinforcement(ANSWER_CHECK, file_id))
    assert error["message"].endswith(
        "Line 1: missing 'answer', which the grader references as {{item.answer}}."
    )
    assert error["param"] == "training_file"


def test_reinforcement_checks_its_grader_and_model(api, sandbox):
    file_id = upload(sandbox, problems())
    bad = {**ANSWER_CHECK, "operation": "startswith"}
    error = api.error("POST", "/fine_tuning/jobs", 400, json=reinforcement(bad, file_id))
    assert error["param"] == "method.reinforcement.grader.operation"
    error = api.error(
        "POST", "/fine_tuning/jobs", 400, json=reinforcement(ANSWER_CHECK, file_id, "gpt-3.5-turbo-instruct")
    )
    assert error["param"] == "model"
    assert "not available for reinforcement fine-tuning; use o4-mini" in error["message"]
    supervised = {"model": REASONING_MODEL, "training_file": upload(sandbox, examples(10))}
    error = api.error("POST", "/fine_tuning/jobs", 400, json=supervised)
    assert "not available for fine-tuning" in error["message"]


# -- hyperparameters ------------------------------------------------------------------------


def test_hyperparameters_at_the_top_or_inside_the_method(api, sandbox):
    file_id = upload(sandbox, examples(10))
    top = api.post(
        "/fine_tuning/jobs",
        {"model": "gpt-4o-mini", "training_file": file_id, "hyperparameters": {"n_epochs": 2}},
    )
    assert top["hyperparameters"]["n_epochs"] == 2
    assert top["method"]["supervised"]["hyperparameters"]["n_epochs"] == 2
    inside = api.post(
        "/fine_tuning/jobs",
        {
            "model": "gpt-4o-mini",
            "training_file": file_id,
            "method": {"type": "supervised", "supervised": {"hyperparameters": {"batch_size": 4}}},
        },
    )
    assert (inside["hyperparameters"]["batch_size"], inside["hyperparameters"]["n_epochs"]) == (4, 3)
    body = {
        "model": "gpt-4o-mini",
        "training_file": file_id,
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"beta": 0.1}}},
    }
    assert (
        api.error("POST", "/fine_tuning/jobs", 400, json=body)["message"] == "Unknown hyperparameter: 'beta'."
    )


# -- pause and resume -------------------------------------------------------------------------


def test_a_paused_job_stops_on_its_timeline_until_resumed(api, sandbox):
    before, sandbox.job_seconds = sandbox.job_seconds, 1.2
    try:
        job = api.post(
            "/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": upload(sandbox, examples(10))}
        )
        base = f"/fine_tuning/jobs/{job['id']}"
        wait_for(lambda: api.get(base), lambda j: j["status"] == "running")
        paused = api.post(f"{base}/pause")
        assert paused["status"] == "paused" and paused["estimated_finish"] is None
        seen = api.get(f"{base}/events", params={"limit": 100})["data"]
        assert seen[0]["message"] == "Fine-tuning job paused"
        time.sleep(0.4)
        still = api.get(base)
        assert still["status"] == "paused"
        assert api.get(f"{base}/events", params={"limit": 100})["data"] == seen, (
            "nothing happens while paused"
        )
        resumed = api.post(f"{base}/resume")
        assert resumed["status"] in {"running", "queued", "validating_files"}
        assert resumed["estimated_finish"] >= job["created_at"] + 1
        assert "not paused" in api.error("POST", f"{base}/resume", 400)["message"]
        done = wait_for(lambda: api.get(base), lambda j: j["status"] == "succeeded")
        assert done["finished_at"] - job["created_at"] >= 1, "the pause made it later"
        messages = [e["message"] for e in reversed(api.get(f"{base}/events", params={"limit": 100})["data"])]
        assert messages.index("Fine-tuning job paused") < messages.index("Fine-tuning job resumed")
        assert messages[-1] == "The job has successfully completed"
        assert "cannot be paused" in api.error("POST", f"{base}/pause", 400)["message"]
    finally:
        sandbox.job_seconds = before


def test_a_pause_pushes_the_rest_of_the_timeline_later():
    public = {
        "id": "ftjob-pause1234",
        "model": "gpt-4o-mini",
        "training_file": "file-t",
        "validation_file": None,
    }
    job = Job(
        public, seconds=10.0, examples=10, epochs=3, batch_size=1, started=1000.0, pauses=[[1005.0, 1008.0]]
    )
    assert [job.status(now=t) for t in (1004.9, 1005.0, 1007.9, 1008.0)] == [
        "running",
        "paused",
        "paused",
        "running",
    ]
    assert job.elapsed(now=1007.0) == job.elapsed(now=1005.0) == 5.0
    assert (job.status(now=1012.9), job.status(now=1013.0)) == ("running", "succeeded")
    assert job.finished_at(now=1100.0) == 1013
    events = job.events(now=1100.0)
    created = {e["message"]: e["created_at"] for e in events}
    assert (created["Fine-tuning job paused"], created["Fine-tuning job resumed"]) == (1005, 1008)
    assert created["The job has successfully completed"] == 1013
    assert [e["created_at"] for e in events] == sorted((e["created_at"] for e in events), reverse=True)


# -- checkpoint permissions -------------------------------------------------------------------


def test_checkpoint_permissions_need_an_admin_key(api, admin, quick):
    job = api.post(
        "/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": upload(quick, examples(10))}
    )
    finished(api, job["id"])
    checkpoint = api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")["data"][0][
        "fine_tuned_model_checkpoint"
    ]
    base = f"/fine_tuning/checkpoints/{checkpoint}/permissions"
    refused = api.error("POST", base, 403, json={"project_ids": ["proj_a"]})
    assert "needs an admin API key" in refused["message"] and "sk-admin-" in refused["message"]
    assert api.error("GET", base, 403)["code"] == "insufficient_permissions"
    granted = admin.post(base, {"project_ids": ["proj_a", "proj_b"]})
    assert [p["project_id"] for p in granted["data"]] == ["proj_a", "proj_b"]
    assert all(p["object"] == "checkpoint.permission" and p["id"].startswith("cp_") for p in granted["data"])
    assert [p["project_id"] for p in admin.get(base)["data"]] == ["proj_b", "proj_a"]  # newest first
    assert [p["project_id"] for p in admin.get(base, params={"order": "ascending"})["data"]] == [
        "proj_a",
        "proj_b",
    ]
    only_b = admin.get(base, params={"project_id": "proj_b"})["data"]
    assert [p["id"] for p in only_b] == [granted["data"][1]["id"]]
    gone = admin.delete(f"{base}/{only_b[0]['id']}")
    assert gone == {"object": "checkpoint.permission", "id": only_b[0]["id"], "deleted": True}
    assert [p["project_id"] for p in admin.get(base)["data"]] == ["proj_a"]
    assert admin.error("DELETE", f"{base}/{only_b[0]['id']}", 404)["param"] == "permission_id"
    model = api.get(f"/fine_tuning/jobs/{job['id']}")["fine_tuned_model"]
    assert admin.get(f"/fine_tuning/checkpoints/{model}/permissions")["data"] == []
    assert (
        admin.error("GET", "/fine_tuning/checkpoints/ft:nope:x:y/permissions", 404)["code"]
        == "model_not_found"
    )
    error = admin.error("POST", base, 400, json={"project_ids": ["team-a"]})
    assert "not a project ID" in error["message"]
