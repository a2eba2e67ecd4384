"""FilesPanel and FineTuningPanel, driven from Python as a user would drive them."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from openai_widgets.widgets import FilesPanel, FineTuningPanel
from tests.support import tuning as tuning_support
from tests.support.tuning import examples, jsonl

quick_jobs = tuning_support.quick_jobs  # a fixture


def html_of(output) -> str:
    return "".join(item["data"].get("text/html", "") for item in output.outputs)


def chosen_file(name: str, content: bytes) -> dict:
    """What FileUpload.value holds after the user picked a file."""
    return {
        "name": name,
        "type": "application/octet-stream",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
    }


# -- FilesPanel --------------------------------------------------------------------------


def test_files_panel_is_made_without_network(sandbox):
    panel = FilesPanel()
    assert panel.title == "Files"
    assert "ow-panel-files" in panel._dom_classes
    assert sandbox.requests == []


def test_files_panel_refresh_filters_by_purpose(client, sandbox):
    tuned = client.upload_file(jsonl(examples(2)), "fine-tune")
    other = client.upload_file(b"x", "user_data")
    panel = FilesPanel(client=client)

    panel.refresh_button.click()
    assert {tuned["id"], other["id"]} <= set(panel.frame["id"])
    assert "<table" in html_of(panel.table)
    assert tuned["id"] in [value for _, value in panel.file_picker.options]

    panel.purpose_filter.value = "fine-tune"
    panel.refresh_button.click()
    assert set(panel.frame["purpose"]) == {"fine-tune"}
    assert sandbox.requests_to("/files", "GET")[-1].query["purpose"] == ["fine-tune"]
    assert panel.status.value.endswith("files") or panel.status.value.endswith("file")


def test_files_panel_upload_sends_the_chosen_file(client, sandbox):
    panel = FilesPanel(client=client)
    panel.refresh_button.click()
    panel.upload.value = (chosen_file("notes.jsonl", jsonl(examples(2))),)
    panel.upload_purpose.value = "batch"

    panel.upload_button.click()

    fields, parts = sandbox.requests_to("/files", "POST")[-1].form()
    assert fields == {"purpose": "batch"}
    assert parts["file"][0].filename == "notes.jsonl"
    assert parts["file"][0].content == jsonl(examples(2))
    assert panel.status.value.startswith("uploaded notes.jsonl as file-")
    assert panel.frame["filename"].iloc[0] == "notes.jsonl", "the new file is listed first"
    assert panel.upload.value == ()
    assert not panel.upload_button.disabled


def test_files_panel_upload_needs_a_chosen_file(client, sandbox):
    panel = FilesPanel(client=client)
    panel.upload_button.click()
    assert "Choose a file to upload first" in panel.status.value
    assert sandbox.requests == []


def test_files_panel_preview_shows_the_first_rows(client):
    made = client.upload_file(examples(30), "fine-tune")
    panel = FilesPanel(client=client)
    panel.refresh_button.click()
    panel.file_picker.value = made["id"]

    panel.preview_button.click()

    preview = html_of(panel.preview)
    assert preview.count("<tr") == 21, "a header and 20 rows"
    assert panel.status.value == f"{made['id']}: first 20 of 30 rows"


def test_files_panel_preview_of_binary_shows_the_error(client):
    made = client.upload_file(b"\x00\x01\x02", "user_data")
    panel = FilesPanel(client=client)
    panel.refresh_button.click()
    panel.file_picker.value = made["id"]

    panel.preview_button.click()

    assert "InvalidInputError" in panel.status.value
    assert "neither JSONL nor CSV" in panel.status.value
    assert not panel.preview_button.disabled


def test_files_panel_deletes_only_after_confirming(client, sandbox):
    made = client.upload_file(b"bye", "user_data", filename="bye.txt")
    panel = FilesPanel(client=client)
    panel.refresh_button.click()
    panel.file_picker.value = made["id"]

    panel.delete_button.click()
    assert panel.confirm.layout.display == ""
    assert "bye.txt" in panel.confirm_question.value
    panel.keep_button.click()
    assert panel.confirm.layout.display == "none"
    assert sandbox.requests_to("/files", "DELETE") == []

    panel.delete_button.click()
    panel.confirm_button.click()

    assert [r.path for r in sandbox.requests_to("/files", "DELETE")] == [f"/files/{made['id']}"]
    assert made["id"] not in panel.frame["id"].tolist()
    assert made["id"] not in [value for _, value in panel.file_picker.options]
    assert panel.confirm.layout.display == "none"
    assert panel.status.value == f"deleted {made['id']}"


def test_files_panel_actions_need_a_picked_file(client, sandbox):
    panel = FilesPanel(client=client)
    panel.preview_button.click()
    assert "Refresh and pick a file first" in panel.status.value
    panel.delete_button.click()
    assert panel.confirm.layout.display == "none"
    assert sandbox.requests == []


# -- FineTuningPanel -----------------------------------------------------------------------


def test_fine_tuning_panel_is_made_without_network(sandbox):
    panel = FineTuningPanel()
    assert panel.title == "Fine-tuning"
    assert "ow-panel-fine-tuning" in panel._dom_classes
    assert "ow-ft-status" in panel.job_status._dom_classes
    assert panel.model_picker.value == "gpt-4o-mini-2024-07-18"
    assert sandbox.requests == []


def test_fine_tuning_panel_form_starts_a_job(client, sandbox):
    tuned = client.upload_file(jsonl(examples(10)), "fine-tune")
    client.upload_file(b'{"a": 1}\n', "batch")
    panel = FineTuningPanel(client=client)

    panel.files_button.click()
    ids = [value for _, value in panel.training_file_picker.options]
    assert tuned["id"] in ids
    assert all(client.file(i)["purpose"] == "fine-tune" for i in ids)
    panel.model_picker.refresh_button.click()
    assert panel.model_picker.options[0].startswith(("gpt", "ft:"))
    panel.select_model("gpt-4o-mini")

    panel.training_file_picker.value = tuned["id"]
    panel.suffix.value = "panel"
    panel.epochs.value = "2"
    panel.create_button.click()

    body = sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()
    assert body == {
        "model": "gpt-4o-mini",
        "training_file": tuned["id"],
        "suffix": "panel",
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    }
    assert panel.job_picker.value.startswith("ftjob-")
    assert "validating_files" in panel.job_status.value
    assert "switch Follow on" in panel.status.value


def test_fine_tuning_panel_create_needs_a_training_file(client, sandbox):
    panel = FineTuningPanel(client=client)
    panel.create_button.click()
    assert "pick a training file first" in panel.status.value
    assert sandbox.requests == []


def test_fine_tuning_panel_follow_updates_live_until_succeeded(client, quick_jobs):
    job = client.fine_tune(examples(10))
    panel = FineTuningPanel(client=client)
    panel.follow_interval = 0.03
    seen = []
    panel.job_status.observe(lambda change: seen.append(change["new"]), names="value")

    panel.follow(job["id"])
    assert panel.join_follow(timeout=10)

    assert any("running" in value for value in seen), "the status changed while the job ran"
    assert "succeeded" in panel.job_status.value
    assert panel.follow_toggle.value is False
    assert "The job has successfully completed" in html_of(panel.events_output)
    chart = panel.loss_chart  # one chart, updated in place while following, shown in the panel
    assert panel.loss_view.children == (chart.figure,)
    steps, losses = chart.series["train_loss"]
    assert steps == [float(step) for step in range(1, 31)]
    assert list(chart.figure.data[0].y) == losses
    assert {trace.name for trace in chart.figure.data} == {"train_loss", "train_mean_token_accuracy"}


def test_fine_tuning_panel_stops_following_without_touching_the_job(client, sandbox):
    job = client.fine_tune(examples(10))  # 0.6 s: still running when following stops
    panel = FineTuningPanel(client=client)
    panel.follow_interval = 5

    panel.follow(job["id"])
    panel.follow_toggle.value = False
    assert panel.join_follow(timeout=5)

    assert sandbox.requests_to(f"/fine_tuning/jobs/{job['id']}/cancel") == []
    assert panel.status.value == f"stopped following {job['id']}"


def test_fine_tuning_panel_lists_details_and_events(client, quick_jobs):
    job = client.fine_tune(examples(10), suffix="shown")
    *_, last = client.watch_fine_tuning(job["id"], poll_interval=0.05)
    panel = FineTuningPanel(client=client)

    panel.refresh_button.click()
    assert job["id"] in [value for _, value in panel.job_picker.options]
    assert "<table" in html_of(panel.jobs_table)
    panel.job_picker.value = job["id"]

    panel.details_button.click()
    assert last.job["fine_tuned_model"] in html_of(panel.details)
    assert "succeeded" in panel.job_status.value

    panel.events_button.click()
    events = html_of(panel.events_output)
    assert "Step 30/30" in events
    # Narrow enough to sit beside the chart: the time of day, and steps as whole numbers.
    assert re.search(r"<td>\d\d:\d\d:\d\d</td>", events) and "<td>30</td>" in events
    assert "<td>30.0</td>" not in events and not re.search(r"<td>\d{4}-\d\d-\d\d", events)
    assert "<th>level</th>" not in events, "every event is info: the column says nothing"
    assert panel.loss_chart.series["train_loss"][0][-1] == 30.0
    assert panel.loss_view.children == (panel.loss_chart.figure,)
    assert panel.loss_chart.figure.layout.width == 460 and panel.loss_view.layout.width == "460px"


def test_fine_tuning_panel_shows_the_level_of_events_when_one_is_not_info(client):
    panel = FineTuningPanel(client=client)
    events = pd.DataFrame(
        {
            "created_at": pd.to_datetime([1_700_000_000, 1_700_000_060], unit="s", utc=True),
            "level": ["info", "warn"],
            "message": ["Step 1/2: training loss=1.00", "Loss rose: check the data"],
            "step": [1.0, float("nan")],
            "train_loss": [1.0, float("nan")],
        }
    )
    panel._show_events(events, "supervised")
    shown = html_of(panel.events_output)
    assert "<th>level</th>" in shown and "<td>warn</td>" in shown and "<td>22:13:20</td>" in shown


def test_fine_tuning_panel_cancels_only_after_confirming(client, sandbox):
    job = client.fine_tune(examples(10))
    panel = FineTuningPanel(client=client)
    panel.job_picker.options = [(job["id"], job["id"])]
    panel.job_picker.value = job["id"]

    panel.cancel_button.click()
    assert panel.confirm.layout.display == ""
    panel.keep_button.click()
    assert sandbox.requests_to(f"/fine_tuning/jobs/{job['id']}/cancel") == []

    panel.cancel_button.click()
    panel.confirm_button.click()

    assert len(sandbox.requests_to(f"/fine_tuning/jobs/{job['id']}/cancel")) == 1
    assert "cancelled" in panel.job_status.value
    assert panel.confirm.layout.display == "none"


@pytest.mark.parametrize("button", ["details_button", "events_button", "cancel_button"])
def test_fine_tuning_panel_actions_need_a_picked_job(client, sandbox, button):
    panel = FineTuningPanel(client=client)
    getattr(panel, button).click()
    assert "pick a job first" in panel.status.value
    assert sandbox.requests == []


def test_fine_tuning_panel_shows_errors_in_the_status_line(client):
    panel = FineTuningPanel(client=client)
    panel.job_picker.options = [("ftjob-missing", "ftjob-missing")]
    panel.job_picker.value = "ftjob-missing"

    panel.events_button.click()
    assert "NotFoundError" in panel.status.value
    assert not panel.events_button.disabled

    panel.follow_toggle.value = True
    assert panel.join_follow(timeout=5)
    assert "NotFoundError" in panel.status.value
    assert panel.follow_toggle.value is False
