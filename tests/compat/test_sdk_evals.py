"""The official `openai` SDK against the sandbox: evals, graders, tuning methods, stored completions, usage."""

from __future__ import annotations

import time

import openai
import pytest

from openai_widgets.sandbox import SANDBOX_ADMIN_KEY
from openai_widgets.sandbox.routes.usage import KINDS
from tests.sandbox.test_fine_tuning_methods import preferences
from tests.support.tuning import jsonl

# Every route these tests reach through the SDK -> the test (see test_sdk_coverage.py).
ROUTES = {
    "POST /evals": "test_evals_runs_and_output_items",
    "GET /evals": "test_evals_runs_and_output_items",
    "GET /evals/{eval_id}": "test_evals_runs_and_output_items",
    "POST /evals/{eval_id}/runs": "test_evals_runs_and_output_items",
    "GET /evals/{eval_id}/runs": "test_evals_runs_and_output_items",
    "GET /evals/{eval_id}/runs/{run_id}": "test_evals_runs_and_output_items",
    "GET /evals/{eval_id}/runs/{run_id}/output_items": "test_evals_runs_and_output_items",
    "GET /evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}": "test_evals_update_cancel_and_delete",
    "POST /evals/{eval_id}": "test_evals_update_cancel_and_delete",
    "DELETE /evals/{eval_id}": "test_evals_update_cancel_and_delete",
    "POST /evals/{eval_id}/runs/{run_id}/cancel": "test_evals_update_cancel_and_delete",
    "DELETE /evals/{eval_id}/runs/{run_id}": "test_evals_update_cancel_and_delete",
    "POST /fine_tuning/alpha/graders/validate": "test_graders_run_and_validate",
    "POST /fine_tuning/alpha/graders/run": "test_graders_run_and_validate",
    "POST /fine_tuning/jobs/{job_id}/pause": "test_dpo_job_pause_and_resume",
    "POST /fine_tuning/jobs/{job_id}/resume": "test_dpo_job_pause_and_resume",
    "GET /chat/completions": "test_stored_chat_completions",
    "GET /chat/completions/{completion_id}": "test_stored_chat_completions",
    "POST /chat/completions/{completion_id}": "test_stored_chat_completions",
    "DELETE /chat/completions/{completion_id}": "test_stored_chat_completions",
    "GET /chat/completions/{completion_id}/messages": "test_stored_chat_completions",
    "GET /fine_tuning/checkpoints/{checkpoint}/permissions": "test_checkpoint_permissions_with_an_admin_key",
    "POST /fine_tuning/checkpoints/{checkpoint}/permissions": "test_checkpoint_permissions_with_an_admin_key",
    "DELETE /fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}": "test_checkpoint_permissions_with_an_admin_key",
    "GET /organization/costs": "test_usage_and_costs_with_an_admin_key",
    **{f"GET /organization/usage/{kind}": "test_usage_and_costs_with_an_admin_key" for kind in KINDS},
}

ITEM_SCHEMA = {"type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}}
CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


@pytest.fixture(autouse=True)
def _quick(sandbox):
    before = sandbox.eval_seconds, sandbox.job_seconds
    sandbox.eval_seconds, sandbox.job_seconds = 0.2, 2.0
    yield
    sandbox.eval_seconds, sandbox.job_seconds = before


@pytest.fixture
def admin_sdk(sandbox):
    """The SDK with an admin key (in the sandbox, a bearer key that starts with sk-admin-).

    The admin routes take it as `admin_api_key`; checkpoint permissions, a fine-tuning route, take it
    as the ordinary `api_key`, so both are set.
    """
    with openai.OpenAI(
        api_key=SANDBOX_ADMIN_KEY, admin_api_key=SANDBOX_ADMIN_KEY, base_url=sandbox.base_url, max_retries=0
    ) as client:
        yield client


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


def test_evals_update_cancel_and_delete(sdk, sandbox):
    sandbox.eval_seconds = 30.0  # a run still going, to cancel
    made = sdk.evals.create(
        name="to change",
        data_source_config={"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        testing_criteria=[CHECK],
    )
    assert sdk.evals.update(made.id, name="changed", metadata={"v": "2"}).name == "changed"
    run = sdk.evals.runs.create(
        made.id,
        data_source={
            "type": "jsonl",
            "source": {"type": "file_content", "content": [{"item": {"question": "q", "answer": "a"}}]},
        },
    )
    assert sdk.evals.runs.cancel(run.id, eval_id=made.id).status == "canceled"
    sandbox.eval_seconds = 0.2
    finished = sdk.evals.runs.create(
        made.id,
        data_source={
            "type": "jsonl",
            "source": {
                "type": "file_content",
                "content": [{"item": {"question": "q", "answer": "a"}, "sample": {"output_text": "a"}}],
            },
        },
    )
    deadline = time.monotonic() + 5
    while sdk.evals.runs.retrieve(finished.id, eval_id=made.id).status != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (first,) = list(sdk.evals.runs.output_items.list(finished.id, eval_id=made.id))
    one = sdk.evals.runs.output_items.retrieve(first.id, eval_id=made.id, run_id=finished.id)
    assert one.id == first.id and one.results[0].name == "exact"
    assert sdk.evals.runs.delete(finished.id, eval_id=made.id).deleted is True
    assert sdk.evals.delete(made.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.evals.retrieve(made.id)


def test_checkpoint_permissions_with_an_admin_key(sdk, admin_sdk, sandbox):
    uploaded = sdk.files.create(file=("train.jsonl", jsonl(preferences())), purpose="fine-tune")
    job = sdk.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=uploaded.id, method={"type": "dpo", "dpo": {}}
    )
    deadline = time.monotonic() + 10
    while sdk.fine_tuning.jobs.retrieve(job.id).status != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    checkpoint = next(iter(sdk.fine_tuning.jobs.checkpoints.list(job.id))).fine_tuned_model_checkpoint
    permissions = admin_sdk.fine_tuning.checkpoints.permissions
    granted = permissions.create(checkpoint, project_ids=["proj_a", "proj_b"])
    assert [p.project_id for p in granted] == ["proj_a", "proj_b"]
    listed = permissions.list(checkpoint)
    assert {p.project_id for p in listed} == {"proj_a", "proj_b"}
    gone = permissions.delete(granted.data[0].id, fine_tuned_model_checkpoint=checkpoint)
    assert gone.deleted is True
    with pytest.raises(openai.PermissionDeniedError):
        sdk.fine_tuning.checkpoints.permissions.create(checkpoint, project_ids=["proj_c"])


def test_usage_and_costs_with_an_admin_key(sdk, admin_sdk):
    sdk.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "count me"}])
    start = int(time.time()) - 3600
    usage = admin_sdk.admin.organization.usage
    for kind in KINDS:
        page = getattr(usage, kind)(start_time=start, bucket_width="1h")
        assert page.object == "page" and page.data, kind
    completions = usage.completions(start_time=start, bucket_width="1d", group_by=["model"])
    results = [r for bucket in completions.data for r in bucket.results]
    assert any(r.model == "gpt-4o-mini" and r.num_model_requests >= 1 for r in results)
    costs = usage.costs(start_time=start, group_by=["line_item"])
    assert costs.data and all(bucket.object == "bucket" for bucket in costs.data)
