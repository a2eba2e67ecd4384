"""The official `openai` SDK works against the sandbox for evals, graders, tuning and stored completions."""

from __future__ import annotations

import time

import openai
import pytest

from ..conftest import TEST_KEY
from ..tuning_support import jsonl
from .test_fine_tuning_methods import preferences

ITEM_SCHEMA = {"type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}}
CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


@pytest.fixture
def sdk(sandbox):
    before = sandbox.eval_seconds, sandbox.job_seconds
    sandbox.eval_seconds, sandbox.job_seconds = 0.2, 2.0
    with openai.OpenAI(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0) as client:
        yield client
    sandbox.eval_seconds, sandbox.job_seconds = before


def sent(sandbox, spec, method: str, path: str) -> list[dict]:
    """The JSON bodies the SDK sent to `path`, each checked against the spec's request schema."""
    bodies = [r.json() for r in sandbox.requests_to(path, method) if r.path == path]
    for body in bodies:
        spec.validate_request(method, path, body)
    return bodies


def test_evals_runs_and_output_items(sdk, sandbox, spec):
    created = sdk.evals.create(
        name="sdk eval",
        data_source_config={"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        testing_criteria=[CHECK],
        metadata={"via": "sdk"},
    )
    assert sdk.evals.retrieve(created.id).name == "sdk eval"
    assert created.id in [e.id for e in sdk.evals.list(order="desc", limit=100)]
    assert sent(sandbox, spec, "POST", "/evals")[0]["testing_criteria"] == [CHECK]
    items = [{"item": {"question": f"{n} + {n}?", "answer": str(2 * n)}} for n in range(8)]
    run = sdk.evals.runs.create(
        created.id,
        name="sdk run",
        data_source={
            "type": "completions",
            "model": "gpt-4o",
            "input_messages": {
                "type": "template",
                "template": [
                    {
                        "type": "message",
                        "role": "user",
                        "content": {"type": "input_text", "text": "{{item.question}}"},
                    }
                ],
            },
            "source": {"type": "file_content", "content": items},
        },
    )
    assert run.status == "queued"
    sent(sandbox, spec, "POST", f"/evals/{created.id}/runs")
    deadline = time.monotonic() + 5
    while sdk.evals.runs.retrieve(run.id, eval_id=created.id).status != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    done = sdk.evals.runs.retrieve(run.id, eval_id=created.id)
    assert done.result_counts.total == 8
    assert done.error is None
    assert [r.id for r in sdk.evals.runs.list(created.id)] == [run.id]
    outputs = list(sdk.evals.runs.output_items.list(run.id, eval_id=created.id, limit=3))  # pages followed
    assert [o.datasource_item_id for o in outputs] == list(range(8))
    assert sum(o.status == "pass" for o in outputs) == done.result_counts.passed
    assert all(o.results[0].name == "exact" for o in outputs)


def test_graders_run_and_validate(sdk):
    assert sdk.fine_tuning.alpha.graders.validate(grader=CHECK).grader.name == "exact"
    result = sdk.fine_tuning.alpha.graders.run(grader=CHECK, model_sample="4", item={"answer": "4"})
    assert result.reward == 1.0
    assert result.metadata.errors.invalid_variable_error is False
    with pytest.raises(openai.BadRequestError, match="'regex'") as caught:
        sdk.fine_tuning.alpha.graders.validate(grader={**CHECK, "type": "regex"})
    assert caught.value.status_code == 400


def test_dpo_job_pause_and_resume(sdk, sandbox, spec):
    uploaded = sdk.files.create(file=("prefs.jsonl", jsonl(preferences())), purpose="fine-tune")
    job = sdk.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=uploaded.id,
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}},
    )
    assert job.method.type == "dpo" and job.method.dpo.hyperparameters.beta == 0.2
    assert sent(sandbox, spec, "POST", "/fine_tuning/jobs")[-1]["method"]["type"] == "dpo"
    assert sdk.fine_tuning.jobs.pause(job.id).status == "paused"
    assert sdk.fine_tuning.jobs.retrieve(job.id).status == "paused"
    assert sdk.fine_tuning.jobs.resume(job.id).status != "paused"
    sdk.fine_tuning.jobs.cancel(job.id)


def test_stored_chat_completions(sdk):
    made = sdk.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "remember this"}],
        store=True,
        metadata={"sdk": "stored"},
    )
    listed = sdk.chat.completions.list(metadata={"sdk": "stored"}, limit=100)
    assert made.id in [c.id for c in listed]
    assert (
        sdk.chat.completions.retrieve(made.id).choices[0].message.content == made.choices[0].message.content
    )
    messages = sdk.chat.completions.messages.list(made.id)
    assert [(m.id, m.role, m.content) for m in messages] == [(f"{made.id}-0", "user", "remember this")]
    assert sdk.chat.completions.update(made.id, metadata={"sdk": "updated"}).metadata == {"sdk": "updated"}
    assert made.id not in [c.id for c in sdk.chat.completions.list(metadata={"sdk": "stored"}, limit=100)]
    assert sdk.chat.completions.delete(made.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.retrieve(made.id)
