"""%openai files and %openai fine-tune in a real IPython shell on the sandbox."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from IPython.core.error import UsageError

from openai_widgets import get_client
from openai_widgets._tuning import live_view
from openai_widgets._tuning import monitor as _ft_live
from tests.support import tuning as tuning_support
from tests.support.tuning import examples, jsonl

quick_jobs = tuning_support.quick_jobs  # a fixture


def magic(ip, line):
    return ip.run_line_magic("openai", line)


# -- %openai files ---------------------------------------------------------------------


def test_files_upload_list_get_content_delete(ip, sandbox, tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(jsonl(examples(3)))

    record = magic(ip, f"files upload {path} --purpose fine-tune")
    assert record["filename"] == "train.jsonl"
    assert sandbox.requests_to("/files", "POST")[-1].form()[0] == {"purpose": "fine-tune"}

    listed = magic(ip, "files")
    assert record["id"] in listed["id"].tolist()
    only = magic(ip, "files list --purpose fine-tune -o tuned")
    assert set(only["purpose"]) == {"fine-tune"}
    assert ip.user_ns["tuned"] is only

    assert magic(ip, f"files get {record['id']}") == record
    table = magic(ip, f"files content {record['id']}")
    assert isinstance(table, pd.DataFrame)
    assert table["messages"].tolist() == [e["messages"] for e in examples(3)]
    assert magic(ip, f"files content {record['id']} --raw") == path.read_bytes()
    assert magic(ip, f"files delete {record['id']}")["deleted"] is True


def test_files_upload_a_dataframe_variable(ip, sandbox):
    ip.user_ns["rows"] = pd.DataFrame(examples(2))
    record = magic(ip, "files upload rows -p batch")
    assert record["filename"] == "data.jsonl"
    assert record["purpose"] == "batch"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("files upload", "^%openai files upload: the following arguments are required: PATH, -p/--purpose "),
        (
            "files upload x.jsonl",
            "^%openai files upload: the following arguments are required: -p/--purpose ",
        ),
        ("files get", "^%openai files get: the following arguments are required: FILE_ID "),
        (
            "files list file-1",
            r"^%openai files list: unrecognized arguments: file-1 \(see %openai files list --help\)$",
        ),
        ("files upload x.jsonl -p batch --raw", "^--raw is for content, not upload$"),
        ("files rename x", "invalid choice: 'rename'"),
        ("files upload /no/such.jsonl -p batch", "'/no/such.jsonl' does not exist"),
        ("files upload {x} -p bogus", "purpose 'bogus' is not one of"),
        ("files get file-missing", "NotFoundError: 404"),
    ],
)
def test_files_mistakes_are_one_line_usage_errors(ip, sandbox, line, message):
    with pytest.raises(UsageError, match=message):
        magic(ip, line)


def test_files_content_that_is_not_a_table_points_to_raw(ip, sandbox):
    ip.user_ns["blob"] = b"\x00\x01binary"
    made = magic(ip, "files upload blob -p user_data")
    with pytest.raises(UsageError, match="neither JSONL nor CSV"):
        magic(ip, f"files content {made['id']}")
    assert magic(ip, f"files content {made['id']} --raw") == b"\x00\x01binary"


# -- %openai fine-tune ------------------------------------------------------------------


def test_fine_tune_create_from_a_variable_uses_the_configured_model(ip, sandbox):
    ip.user_ns["train"] = pd.DataFrame(examples(10))
    ip.run_line_magic("config", "OpenAIMagics.fine_tune_model = 'gpt-4o-mini'")

    job = magic(ip, "fine-tune create --training-file train --suffix demo --epochs 2 --seed 3")

    body = sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()
    assert body["model"] == "gpt-4o-mini"
    assert body["suffix"] == "demo"
    assert body["seed"] == 3
    assert body["method"] == {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}}
    assert job["id"].startswith("ftjob-")


def test_fine_tune_create_from_a_path_or_id_with_a_model(ip, sandbox, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(jsonl(examples(10)))
    job = magic(ip, f"fine-tune create -t {path} -m gpt-4o -v {path}")
    assert job["model"] == "gpt-4o"
    assert job["validation_file"]

    again = magic(ip, f"fine-tune create --training-file {job['training_file']} -m gpt-4o-mini")
    assert again["training_file"] == job["training_file"]


def test_fine_tune_list_get_events_checkpoints_cancel_delete(ip, quick_jobs):
    ip.user_ns["train"] = examples(10)
    job = magic(ip, "fine-tune create -t train -s gone")

    assert job["id"] in magic(ip, "fine-tune")["id"].tolist()
    assert job["id"] in magic(ip, "fine-tune list")["id"].tolist()
    assert magic(ip, f"fine-tune get {job['id']}")["id"] == job["id"]
    assert list(magic(ip, f"fine-tune events {job['id']}").columns[:4]) == [
        "created_at",
        "level",
        "message",
        "type",
    ]
    checkpoints = magic(ip, f"fine-tune checkpoints {job['id']}")
    assert "step_number" in checkpoints.columns

    other = magic(ip, "fine-tune create -t train")
    assert magic(ip, f"fine-tune cancel {other['id']}")["status"] == "cancelled"

    *_, last = get_client().watch_fine_tuning(job["id"], poll_interval=0.05)  # until it ends
    model = last.job["fine_tuned_model"]
    assert magic(ip, f"fine-tune delete {model}")["deleted"] is True


def test_fine_tune_events_follow(ip, quick_jobs, monkeypatch):
    drawn = []

    class Handle:
        def update(self, view):
            drawn.append(view._repr_mimebundle_()["text/plain"])

    monkeypatch.setattr(live_view, "live_display", lambda view: Handle())
    monkeypatch.setattr(_ft_live, "pause", lambda seconds, stop: time.sleep(0.03))
    ip.user_ns["train"] = examples(10)
    job = magic(ip, "fine-tune create -t train")

    frame = magic(ip, f"fine-tune events {job['id']} --follow")

    assert drawn[-1].startswith(f"{job['id']}: succeeded")
    assert frame["message"].iloc[-1] == "The job has successfully completed"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "fine-tune create",
            "^%openai fine-tune create: the following arguments are required: -t/--training-file ",
        ),
        ("fine-tune create ftjob-1 -t file-1", "^%openai fine-tune create: unrecognized arguments: ftjob-1 "),
        ("fine-tune get", "^%openai fine-tune get: the following arguments are required: JOB_ID "),
        ("fine-tune delete", "^%openai fine-tune delete: the following arguments are required: MODEL "),
        ("fine-tune list --follow", "^--follow is for events, not list$"),
        ("fine-tune create -t few", "training has 1 problem: there are 2 examples"),
        ("fine-tune create -t file-x --suffix " + "s" * 65, "suffix has 65 characters"),
        ("fine-tune get ftjob-none", "NotFoundError: 404"),
        ("fine-tune train", "invalid choice: 'train'"),
    ],
)
def test_fine_tune_mistakes_are_one_line_usage_errors(ip, sandbox, line, message):
    ip.user_ns["few"] = examples(2)
    with pytest.raises(UsageError, match=message):
        magic(ip, line)


def test_help_lists_both_subcommands(ip, capsys):
    magic(ip, "help")
    out = capsys.readouterr().out
    assert "files" in out
    assert "fine-tune" in out
    magic(ip, "fine-tune --help")
    assert "--training-file" in capsys.readouterr().out
