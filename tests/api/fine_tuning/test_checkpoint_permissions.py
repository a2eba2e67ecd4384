"""Sharing a fine-tuned checkpoint with projects: the admin key only, listed, granted, taken back."""

from __future__ import annotations

import pytest

import openai_widgets as ow
from openai_widgets.sandbox import SANDBOX_ADMIN_KEY
from tests.conftest import TEST_KEY
from tests.support import tuning as tuning_support
from tests.support.tuning import examples

quick_jobs = tuning_support.quick_jobs  # a fixture


@pytest.fixture
def checkpoint(client, quick_jobs):
    job = client.fine_tune(examples(10), suffix="shared", hyperparameters={"n_epochs": 2})
    *_, last = client.watch_fine_tuning(job["id"], poll_interval=0.05)
    assert last.status == "succeeded"
    return client.fine_tuning_checkpoints(job["id"])["fine_tuned_model_checkpoint"].iloc[-1]


@pytest.fixture
def admin(sandbox):
    with ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key=SANDBOX_ADMIN_KEY) as made:
        yield made


def test_share_list_and_unshare_a_checkpoint(admin, sandbox, spec, checkpoint):
    assert admin.checkpoint_permissions(checkpoint).empty
    made = admin.share_checkpoint(checkpoint, ["proj_red", "proj_blue"])
    path = f"/fine_tuning/checkpoints/{checkpoint}/permissions"
    logged = sandbox.requests_to(path, "POST")[-1]
    assert logged.headers["authorization"] == f"Bearer {SANDBOX_ADMIN_KEY}"
    spec.validate_request("POST", path, logged.json())
    assert list(made.columns) == ["id", "project_id", "created_at"]
    assert made["project_id"].tolist() == ["proj_red", "proj_blue"] and "UTC" in str(made["created_at"].dtype)
    assert admin.share_checkpoint(checkpoint, "proj_red")["id"].tolist() == made["id"].iloc[:1].tolist()

    listed = admin.checkpoint_permissions(checkpoint)
    assert sorted(listed["project_id"]) == ["proj_blue", "proj_red"]
    gone = admin.unshare_checkpoint(checkpoint, made["id"].iloc[0])
    assert gone == {"object": "checkpoint.permission", "id": made["id"].iloc[0], "deleted": True}
    assert admin.checkpoint_permissions(checkpoint)["project_id"].tolist() == ["proj_blue"]
    with pytest.raises(ow.NotFoundError):
        admin.unshare_checkpoint(checkpoint, made["id"].iloc[0])


def test_a_normal_key_gets_a_clear_error_and_nothing_is_sent(client, sandbox, checkpoint):
    sandbox.clear_requests()
    for call in (
        lambda: client.checkpoint_permissions(checkpoint),
        lambda: client.share_checkpoint(checkpoint, ["proj_red"]),
        lambda: client.unshare_checkpoint(checkpoint, "cp_1"),
    ):
        with pytest.raises(ow.AdminKeyRequiredError, match=r"connect with ow\.connect\(admin_key=\.\.\.\)"):
            call()
    assert sandbox.requests == []


def test_a_checkpoint_no_job_made_is_not_found(admin):
    with pytest.raises(ow.NotFoundError, match="Checkpoint ft:nope not found"):
        admin.checkpoint_permissions("ft:nope")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.share_checkpoint("ft:x", []), ow.InvalidInputError, "project_ids is empty"),
        (lambda c: c.share_checkpoint("ft:x", 3), ow.InvalidTypeError, "project_ids must be a project ID"),
        (lambda c: c.share_checkpoint("ft:x", [""]), ow.InvalidInputError, r"project_ids\[0\] is empty"),
        (lambda c: c.checkpoint_permissions(""), ow.InvalidInputError, "checkpoint is empty"),
        (lambda c: c.unshare_checkpoint("ft:x", None), ow.InvalidTypeError, "permission_id must be a string"),
    ],
)
def test_mistakes_are_refused_before_anything_is_sent(admin, sandbox, call, error, message):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        call(admin)
    assert sandbox.requests == []
