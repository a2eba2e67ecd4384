"""The Evals panel, driven from Python: data from the notebook, criteria, models, Compare, table and chart."""

from __future__ import annotations

import time

import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets.widgets import EvalsPanel
from tests.support.evals import EXACT, TEMPLATE, capitals


def html_of(output) -> str:
    return "".join(item["data"].get("text/html", "") for item in output.outputs)


@pytest.fixture
def panel(sandbox, client):
    """A panel on the test client, its notebook variables given; eval runs take 0.2 s."""
    before = sandbox.eval_seconds
    sandbox.eval_seconds = 0.2
    client.sleep = time.sleep
    made = EvalsPanel(client=client)
    made.namespace = {
        "capitals": capitals(8),
        "rules": [EXACT],
        "note": "not a table",
        "_hidden": capitals(2),
    }
    made.refresh_data_button.click()
    yield made
    sandbox.eval_seconds = before


def test_the_panel_is_made_without_network(sandbox):
    made = EvalsPanel()
    assert made.title == "Evals" and "ow-panel-evals" in made._dom_classes
    assert made.models.value == ["gpt-4o-mini", "gpt-4o"]
    assert made.chart.layout.display == "none"
    assert sandbox.requests == []


def test_the_notebooks_dataframes_and_graders_are_offered(panel):
    assert [value for _, value in panel.data_picker.options] == ["_hidden", "capitals"]
    panel.data_picker.value = "capitals"
    assert [value for _, value in panel.answer_column.options] == [
        "question",
        "answer",
        "difficulty",
        "weight",
        "hard",
    ]
    assert panel.answer_column.value == "answer", "a column named answer is guessed"
    assert "<table" in html_of(panel.preview)
    assert [value for _, value in panel.criteria_picker.options] == ["(the check above)", "rules"]


def test_compare_shows_the_table_and_the_chart(panel, sandbox, spec):
    panel.data_picker.value = "capitals"
    panel.template.value = TEMPLATE
    panel.check.value = "contains"
    panel.model_picker.value = "gpt-4.1-mini"
    panel.add_model_button.click()
    panel.add_model_button.click()  # once only
    assert panel.models.value == ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]

    panel.compare_button.click()

    assert panel.frame is panel.result
    assert panel.frame["model"].tolist() == ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]
    created = [r for r in sandbox.requests_to("/evals", "POST") if r.path == "/evals"][-1].json()
    spec.validate_request("POST", "/evals", created)
    assert created["testing_criteria"][0]["operation"] == "like"
    assert created["testing_criteria"][0]["reference"] == "{{item.answer}}"
    image = Image.open(__import__("io").BytesIO(panel.chart.value))
    assert image.size == (760, 260) and panel.chart.layout.display == ""
    table = html_of(panel.table)
    assert "pass_rate" in table and "estimated_cost" in table and "gpt-4.1-mini" in table
    assert "passed most" in panel.status.value and "ow-ok" in panel.status.value


def test_graders_from_a_variable(panel, sandbox):
    panel.data_picker.value = "capitals"
    panel.template.value = TEMPLATE
    panel.criteria_picker.value = "rules"
    panel.models.value = ["gpt-4o"]
    panel.compare_button.click()
    created = [r for r in sandbox.requests_to("/evals", "POST") if r.path == "/evals"][-1].json()
    assert created["testing_criteria"][0]["operation"] == "eq"
    assert panel.frame["model"].tolist() == ["gpt-4o"]


def test_what_is_missing_is_said_and_nothing_is_sent(panel, sandbox):
    sandbox.clear_requests()
    panel.data_picker.value = None
    panel.compare_button.click()
    assert "Pick a DataFrame first" in panel.status.value
    panel.data_picker.value = "capitals"
    panel.answer_column.value = None
    panel.compare_button.click()
    assert "Pick the answer column" in panel.status.value
    panel.answer_column.value = "answer"
    panel.compare_button.click()  # no prompt written
    assert "InvalidInputError" in panel.status.value and "template is empty" in panel.status.value
    assert sandbox.requests == []
    assert not panel.compare_button.disabled


def test_the_panel_reads_the_notebooks_variables(ip, sandbox):
    ip.user_ns["questions"] = capitals(3)
    made = EvalsPanel()
    assert "questions" in [value for _, value in made.data_picker.options]


def test_no_dataframe_yet_says_what_to_do(sandbox):
    made = EvalsPanel()
    made.namespace = {}
    made.refresh_data_button.click()
    assert "No DataFrame in the notebook yet" in made.status.value


def test_the_studio_has_an_evals_tab(connected):
    studio = ow.studio("evals")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Evals"
    assert isinstance(studio.panels["evals"], EvalsPanel)
    studio.close()
