"""The studio fills a tab's lists and model pickers when the tab is first shown, in the
background, with a visible loading state and the error in the status line and bar."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.widgets import studio as studio_module
from tests.conftest import TEST_KEY
from tests.support.tuning import examples


@pytest.fixture
def in_a_notebook(monkeypatch):
    """Tabs are shown only where widgets are drawn: a kernel, as here by pretence."""
    monkeypatch.setattr(studio_module, "in_notebook", lambda: True)


@pytest.fixture
def studios():
    made = []
    yield made
    for studio in made:  # no background loading may outlive the test
        for panel in studio.panels.values():
            if hasattr(panel, "wait_loaded"):
                panel.wait_loaded(30)
        studio.close()


def open_studio(studios, *args, **kwargs):
    studios.append(ow.studio(*args, **kwargs))
    return studios[-1]


def shown(studio, key):
    """Select tab `key` as a click would, and wait for its first view to load."""
    panel = studio.panels[key]
    studio.tabs.selected_index = studio.panel_keys.index(key)
    assert panel.wait_loaded(30), f"the {key} tab is still loading"
    return panel


def values(dropdown):
    return [value for _, value in dropdown.options]


def test_each_tab_fills_its_lists_when_first_shown(connected, sandbox, in_a_notebook, studios):
    uploaded = connected.upload_file(pd.DataFrame(examples(10)), "fine-tune")
    job = connected.fine_tune(uploaded["id"])
    (batch,) = connected.batch(
        [{"input": "x", "model": "text-embedding-3-small"}], "/v1/embeddings", wait=False
    )
    sandbox.clear_requests()

    studio = open_studio(studios)  # opens on Models: they load without a press of Refresh
    models = shown(studio, "models")
    assert len(models.frame) >= 19 and len(models.table.options) == len(models.frame)
    assert "models" in models.summary.value

    files = shown(studio, "files")
    assert uploaded["id"] in values(files.file_picker)
    assert uploaded["id"] in set(files.frame["id"])

    tuning = shown(studio, "fine-tuning")
    assert job["id"] in values(tuning.job_picker)
    assert uploaded["id"] in values(tuning.training_file_picker)
    assert len(tuning.model_picker.options) >= 19

    batches = shown(studio, "batches")
    assert batch["id"] in values(batches.picker)

    chat = shown(studio, "chat")
    assert chat.model_picker.options[0].startswith("gpt")
    embeddings = shown(studio, "embeddings")
    assert embeddings.model_picker.options[0].startswith("text-embedding")

    listed = len(sandbox.requests_to("/files", "GET"))
    shown(studio, "files")  # a second view loads nothing again
    assert len(sandbox.requests_to("/files", "GET")) == listed
    assert sandbox.requests_to("/audio") == [] and studio.panels["audio"].model_picker.options == (
        "whisper-1",
    )


def test_loading_runs_in_the_background_and_shows_meanwhile(connected, sandbox, in_a_notebook, studios):
    studio = open_studio(studios, "custom")
    sandbox.inject("latency", path="/models", seconds=1.5)
    chat = studio.panels["chat"]
    started = time.monotonic()
    studio.select("chat")
    assert time.monotonic() - started < 0.5, "the kernel waited for the models"
    assert chat.loading is True
    assert "loading models..." in chat.status.value and "ow-working" in chat.status.value
    assert chat.wait_loaded(30)
    assert chat.loading is False and chat.status.value == ""
    assert len(chat.model_picker.options) >= 19


def test_a_failed_load_shows_its_error_in_the_status_line_and_bar(connected, sandbox, in_a_notebook, studios):
    studio = open_studio(studios, "custom")
    sandbox.inject("status", path="/models", status=500, times=3)  # the first try and both retries
    connected.sleep = lambda seconds: None
    edit = shown(studio, "edit")
    assert "InternalServerError" in edit.status.value and "ow-error" in edit.status.value
    assert "<code>GET /models</code> → 500" in studio.status_bar.value
    assert "500 Internal Server Error" in studio.status_bar.value
    assert edit.model_picker.options == ("gpt-4o-mini",), "the picker still takes any typed ID"


def test_a_new_connection_loads_the_lists_again(sandbox, in_a_notebook, studios):
    ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)
    try:
        studio = open_studio(studios)
        shown(studio, "models")
        before = len(sandbox.requests_to("/models", "GET"))
        ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url)  # the Models tab is on show
        assert studio.panels["models"].wait_loaded(30)
        # The panel asked again (the studio's model pickers may ask too, in the background).
        assert len(sandbox.requests_to("/models", "GET")) > before
    finally:
        ow.set_client(None)


def test_nothing_loads_before_connecting_or_outside_a_notebook(connected, sandbox, studios, monkeypatch):
    studio = open_studio(studios)  # not in a notebook: no tab is ever shown
    studio.select("files")
    time.sleep(0.2)
    assert sandbox.requests == []
    assert all(getattr(panel, "_loader", None) is None for panel in studio.panels.values())

    monkeypatch.setattr(studio_module, "in_notebook", lambda: True)
    ow.set_client(None)
    empty = open_studio(studios, "files")
    assert empty.tabs.titles[empty.tabs.selected_index] == "Connection"
    empty.select("files")
    assert empty.panels["files"]._loader is None  # nothing to ask yet
