"""The fine-tuning panel's methods: DPO and reinforcement jobs from the form, pause and resume,
and each method's metrics in the events table and the chart."""

from __future__ import annotations

import json
import time

from openai_widgets.widgets import FineTuningPanel
from tests.support import tuning as tuning_support
from tests.support.tuning import jsonl

quick_jobs = tuning_support.quick_jobs  # a fixture

GRADER = {"type": "string_check", "reference": "{answer}", "operation": "eq"}


def html_of(output) -> str:
    return "".join(item["data"].get("text/html", "") for item in output.outputs)


def preference(n: int = 10) -> list[dict]:
    return [
        {
            "input": {"messages": [{"role": "user", "content": f"q{k}"}]},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": "bad"}],
        }
        for k in range(n)
    ]


def prompts(n: int = 10) -> list[dict]:
    return [{"messages": [{"role": "user", "content": f"q{k}"}], "answer": str(k)} for k in range(n)]


def panel_with_file(client, rows) -> FineTuningPanel:
    made = client.upload_file(jsonl(rows), "fine-tune")
    panel = FineTuningPanel(client=client)
    panel.files_button.click()
    panel.training_file_picker.value = made["id"]
    return panel


def test_the_grader_box_shows_for_reinforcement_only(sandbox):
    panel = FineTuningPanel()
    assert panel.method.options == ("supervised", "dpo", "reinforcement")
    assert panel.grader.layout.display == "none"
    panel.method.value = "reinforcement"
    assert panel.grader.layout.display == ""
    panel.method.value = "dpo"
    assert panel.grader.layout.display == "none"


def test_a_dpo_job_from_the_form_shows_its_metrics(client, sandbox, quick_jobs):
    panel = panel_with_file(client, preference())
    panel.method.value = "dpo"
    panel.create_button.click()
    body = sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()
    assert body["method"] == {"type": "dpo", "dpo": {}}
    assert "(dpo)" in panel.job_status.value

    panel.follow(panel.job_picker.value)
    assert panel.join_follow(timeout=15)
    assert panel.result["status"] == "succeeded"
    table = html_of(panel.events_output)
    assert "train_reward_margin" in table and "train_preference_accuracy" in table
    assert "train_loss" in table and "train_reward_mean" not in table
    chart = panel.loss_chart  # the plots extra is installed for the tests: the interactive chart
    assert panel.loss_view.children == (chart.figure,)
    assert set(chart.series) == {"train_loss", "train_reward_margin", "train_preference_accuracy"}


def test_a_reinforcement_job_takes_the_grader_typed_in(client, sandbox, quick_jobs):
    panel = panel_with_file(client, prompts())
    panel.method.value = "reinforcement"
    panel.create_button.click()
    assert "needs a grader" in panel.status.value
    panel.grader.value = "{not json"
    panel.create_button.click()
    assert "The grader is not valid JSON" in panel.status.value
    assert sandbox.requests_to("/fine_tuning/jobs", "POST") == []

    panel.grader.value = json.dumps(GRADER)
    panel.create_button.click()
    body = sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()
    assert body["method"]["reinforcement"]["grader"]["reference"] == "{{item.answer}}"
    panel.follow(panel.job_picker.value)
    assert panel.join_follow(timeout=15)
    table = html_of(panel.events_output)
    assert "train_reward_mean" in table and "train_loss" not in table
    assert "train_reward_mean" in panel.job_status.value
    assert set(panel.loss_chart.series) == {"train_reward_mean", "train_reward_std"}
    assert panel.loss_chart.figure.layout.yaxis.title.text == "mean reward"


def test_a_file_the_server_refuses_shows_the_line(client, sandbox):
    rows = prompts()
    for row in rows:
        row.pop("answer")
    panel = panel_with_file(client, rows)
    panel.method.value = "reinforcement"
    panel.grader.value = json.dumps(GRADER)
    panel.create_button.click()
    assert "<b>BadRequestError</b>" in panel.status.value
    assert "Line 1: missing &#x27;answer&#x27;, which the grader references" in panel.status.value


def test_pause_and_resume_buttons(client, sandbox):
    before = sandbox.job_seconds
    sandbox.job_seconds = 3.0
    try:
        panel = panel_with_file(
            client,
            [{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}] * 10,
        )
        panel.create_button.click()
        deadline = time.monotonic() + 5
        while (
            client.fine_tuning_job(panel.job_picker.value)["status"] != "running"
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        panel.pause_button.click()
        assert panel.result["status"] == "paused" and "paused" in panel.job_status.value
        panel.resume_button.click()
        assert panel.result["status"] == "running"
        panel.resume_button.click()
        assert "only a paused job can resume" in panel.status.value
    finally:
        sandbox.job_seconds = before


def test_pause_needs_a_picked_job(sandbox):
    panel = FineTuningPanel()
    panel.pause_button.click()
    panel.resume_button.click()
    assert "pick a job first" in panel.status.value
    assert sandbox.requests == []
