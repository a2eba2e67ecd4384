"""The sandbox's fine-tuning jobs: the timeline (read off a given clock), validation, shapes."""

from __future__ import annotations

import base64
import time

import pytest

import openai_widgets as ow
from openai_widgets.sandbox._training import Job, check_training_data
from tests.support import tuning as tuning_support
from tests.support.tuning import examples, jsonl

quick_jobs = tuning_support.quick_jobs  # a fixture


def make_job(**changes) -> Job:
    public = {
        "id": "ftjob-abcdefgh12345678",
        "model": "gpt-4o-mini",
        "training_file": "file-train",
        "validation_file": None,
        "user_provided_suffix": "s",
    }
    settings = {"seconds": 10.0, "examples": 10, "epochs": 3, "batch_size": 1, "started": 1000.0, **changes}
    return Job({**public, **settings.pop("public", {})}, **settings)


# -- the timeline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (0, "validating_files"),
        (0.99, "validating_files"),
        (1, "queued"),
        (2, "running"),
        (9.9, "running"),
        (10, "succeeded"),
    ],
)
def test_status_follows_the_clock(at, status):
    assert make_job().status(now=1000.0 + at) == status


def test_events_grow_with_time_newest_first():
    job = make_job()
    counts = [len(job.events(now=1000.0 + t)) for t in (0, 1, 2, 5, 9.6, 10)]
    assert counts == sorted(counts)
    assert counts[0] == 2
    final = job.events(now=1010.0)
    assert final[0]["message"] == "The job has successfully completed"
    assert final[-1]["message"] == "[sandbox] Created fine-tuning job: ftjob-abcdefgh12345678"
    metrics = [e for e in final if e["type"] == "metrics"]
    assert len(metrics) == 30
    assert metrics[0]["data"]["step"] == 30
    assert metrics[-1]["data"] == {
        "step": 1,
        "train_loss": metrics[-1]["data"]["train_loss"],
        "train_mean_token_accuracy": metrics[-1]["data"]["train_mean_token_accuracy"],
        "total_steps": 30,
    }
    losses = [e["data"]["train_loss"] for e in reversed(metrics)]
    assert losses[-1] < losses[0] / 3, "the loss falls"
    assert job.events(now=1010.0) == final, "deterministic"


def test_steps_are_capped_and_depend_on_batch_size():
    assert make_job(examples=1000).steps == 60
    assert make_job(examples=10, batch_size=4, epochs=2).steps == 6


def test_checkpoints_for_the_last_three_epochs():
    job = make_job(epochs=5)
    assert job.checkpoints(now=1000.0) == []
    steps = [c["step_number"] for c in job.checkpoints(now=1010.0)]
    assert steps == [50, 40, 30]
    assert (
        job.checkpoints(now=1010.0)[0]["fine_tuned_model_checkpoint"]
        == "ft:gpt-4o-mini:sandbox:s:12345678:ckpt-step-50"
    )


def test_a_cancel_freezes_the_timeline():
    job = make_job(cancelled_at=1005.0)
    assert job.status(now=1100.0) == "cancelled"
    assert job.finished_at(now=1100.0) == 1005
    events = job.events(now=1100.0)
    assert events[0]["message"] == "Fine-tuning job cancelled"
    assert all(e["created_at"] <= 1005 for e in events)
    assert job.as_api(now=1100.0)["fine_tuned_model"] is None


def test_invalid_data_fails_after_validation():
    job = make_job(problem="Line 2: no assistant message.")
    assert job.status(now=1000.5) == "validating_files"
    assert job.status(now=1001.0) == "failed"
    body = job.as_api(now=1001.0)
    assert body["error"] == {
        "code": "invalid_training_file",
        "message": "Line 2: no assistant message.",
        "param": "training_file",
    }
    assert job.events(now=1001.0)[0]["level"] == "error"
    assert job.checkpoints(now=1100.0) == []


def test_results_are_base64_csv():
    text = base64.b64decode(make_job(epochs=1).results_csv()).decode()
    assert text.splitlines()[0] == "step,train_loss,train_mean_token_accuracy"
    assert len(text.splitlines()) == 11


@pytest.mark.parametrize(
    ("content", "method", "problem"),
    [
        (jsonl(examples(10)), "supervised", None),
        (
            jsonl(examples(9)),
            "supervised",
            "Training file has 9 example(s), but must have at least 10 examples.",
        ),
        (b"{oops\n" + jsonl(examples(10)), "supervised", "Line 1 is not valid JSON."),
        (
            jsonl([{"messages": [{"role": "user", "content": "q"}]}] * 10),
            "supervised",
            "Line 1: no assistant message.",
        ),
        (jsonl([{"messages": [{"role": "user", "content": "q"}]}] * 10), "reinforcement", None),
        (
            jsonl([{"messages": [{"role": "bot", "content": "q"}]}] * 10),
            "supervised",
            "Line 1: invalid role in messages.",
        ),
        (jsonl([{"input": {}}] * 10), "dpo", "Line 1: missing preferred_output, non_preferred_output."),
        (b"\xff\xfe", "supervised", "The file is not UTF-8 text."),
    ],
)
def test_the_server_side_data_check(content, method, problem):
    assert check_training_data(content, method)[1] == problem


# -- the routes ----------------------------------------------------------------------------


@pytest.fixture
def training_file(client):
    return client.upload_file(jsonl(examples(10)), "fine-tune")["id"]


@pytest.mark.parametrize(
    ("body", "error", "message", "param"),
    [
        ({"training_file": "TRAIN"}, ow.BadRequestError, "you must provide a model parameter", "model"),
        ({"model": "gpt-5-nope", "training_file": "TRAIN"}, ow.NotFoundError, "does not exist", "model"),
        (
            {"model": "dall-e-3", "training_file": "TRAIN"},
            ow.BadRequestError,
            "not available for fine-tuning",
            "model",
        ),
        (
            {"model": "gpt-4o-mini"},
            ow.BadRequestError,
            "Missing required parameter: 'training_file'",
            "training_file",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "file-nope"},
            ow.BadRequestError,
            "invalid training_file",
            "training_file",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "BATCH"},
            ow.BadRequestError,
            "has purpose 'batch'",
            "training_file",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "validation_file": "file-nope"},
            ow.BadRequestError,
            "invalid validation_file",
            "validation_file",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "suffix": "x" * 65},
            ow.BadRequestError,
            "1 to 64",
            "suffix",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "seed": -3},
            ow.BadRequestError,
            "Invalid 'seed'",
            "seed",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "hyperparameters": {"epochs": 2}},
            ow.BadRequestError,
            "Unknown hyperparameter: 'epochs'",
            "hyperparameters.epochs",
        ),
        (
            {
                "model": "gpt-4o-mini",
                "training_file": "TRAIN",
                "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 0}}},
            },
            ow.BadRequestError,
            "Invalid value for 'n_epochs'",
            "hyperparameters.n_epochs",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "method": {"type": "rl"}},
            ow.BadRequestError,
            "method.type",
            "method",
        ),
        (
            {"model": "gpt-4o-mini", "training_file": "TRAIN", "method": {"type": "reinforcement"}},
            ow.BadRequestError,
            "method.reinforcement.grader",
            "method",
        ),
    ],
)
def test_create_refuses_bad_requests_like_openai(client, training_file, body, error, message, param):
    batch_file = client.upload_file(b'{"a": 1}\n', "batch")["id"]
    body = {
        k: {"TRAIN": training_file, "BATCH": batch_file}.get(v, v) if isinstance(v, str) else v
        for k, v in body.items()
    }
    with pytest.raises(error, match=message) as caught:
        client.request("POST", "fine_tuning/jobs", body=body)
    assert caught.value.param == param
    assert caught.value.type == "invalid_request_error"


def test_every_answer_fits_the_spec(client, quick_jobs, spec, training_file):
    running = client.request(
        "POST", "fine_tuning/jobs", body={"model": "gpt-4o-mini", "training_file": training_file}
    )
    spec.validate_response("POST", "/fine_tuning/jobs", running)
    bad = client.upload_file(jsonl(examples(2)), "fine-tune")["id"]
    failing = client.request("POST", "fine_tuning/jobs", body={"model": "gpt-4o-mini", "training_file": bad})
    to_cancel = client.request(
        "POST", "fine_tuning/jobs", body={"model": "gpt-4o", "training_file": training_file}
    )
    cancelled = client.cancel_fine_tuning(to_cancel["id"])
    spec.validate_response("POST", f"/fine_tuning/jobs/{cancelled['id']}/cancel", dict(cancelled))
    time.sleep(0.35)
    for job in (running, failing, cancelled):
        base = f"fine_tuning/jobs/{job['id']}"
        spec.validate_response("GET", f"/{base}", client.request("GET", base))
        spec.validate_response(
            "GET", f"/{base}/events", client.request("GET", f"{base}/events", query={"limit": 3})
        )
        spec.validate_response("GET", f"/{base}/checkpoints", client.request("GET", f"{base}/checkpoints"))
    spec.validate_response(
        "GET", "/fine_tuning/jobs", client.request("GET", "fine_tuning/jobs", query={"limit": 2})
    )
    assert client.fine_tuning_job(failing["id"])["status"] == "failed"


def test_a_fine_tuned_model_can_be_trained_further(client, quick_jobs, training_file):
    first = client.fine_tune(training_file, suffix="one")
    time.sleep(0.35)
    model = client.models()["id"].tolist()  # the listing itself settles finished jobs
    tuned = next(m for m in model if m.endswith(first["id"][-8:]))
    second = client.fine_tune(training_file, model=tuned, suffix="two")
    assert second["model"] == tuned
    assert client.model(tuned)["owned_by"] == "org-sandbox"


def test_list_limits_are_checked(client):
    with pytest.raises(ow.BadRequestError, match="Invalid 'limit': must be between 1 and 100"):
        client.request("GET", "fine_tuning/jobs", query={"limit": 500})
    with pytest.raises(ow.BadRequestError, match="Invalid 'after'"):
        client.request("GET", "fine_tuning/jobs", query={"after": "ftjob-unknown"})


def test_delete_unknown_model_is_404(client):
    with pytest.raises(
        ow.NotFoundError, match="The model `ft:gpt-4o-mini:sandbox::gone` does not exist"
    ) as caught:
        client.request("DELETE", "models/ft:gpt-4o-mini:sandbox::gone")
    assert caught.value.code == "model_not_found"
