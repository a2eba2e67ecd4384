"""What the panels look like, through their widgets' traits: no broken-image icons, one
control per action, readable defaults, rows that wrap instead of cutting labels short."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import openai_widgets as ow
from openai_widgets.widgets import AudioPanel, EmbeddingsPanel, FineTuningPanel, ImagesPanel, Studio
from openai_widgets.widgets._model_picker import ModelPicker
from openai_widgets.widgets._style import STYLESHEET
from openai_widgets.widgets.chat import MessageRow
from tests.support.media import encoded, picture, upload_value
from tests.support.plots import hide_plotly
from tests.support.tuning import examples, quick_jobs  # noqa: F401 - a fixture


def tree(widget, hidden=False):
    """(widget, whether it or a box around it is hidden) for `widget` and everything inside it."""
    hidden = hidden or getattr(getattr(widget, "layout", None), "display", None) == "none"
    yield widget, hidden
    for child in getattr(widget, "children", ()):
        yield from tree(child, hidden)


def broken_images(widget) -> list[widgets.Image]:
    """Image widgets that a browser would draw as a broken-image icon: shown, with no data."""
    return [w for w, hidden in tree(widget) if isinstance(w, widgets.Image) and not w.value and not hidden]


def labels(widget) -> list[str]:
    """Every label a user reads on the buttons and toggles inside `widget` (hidden ones left out)."""
    found = []
    for w, hidden in tree(widget):
        if hidden:
            continue
        if isinstance(w, widgets.Button):
            found.append(w.description)
        if isinstance(w, widgets.ToggleButtons):
            found += list(w._options_labels)
    return found


# -- no broken images --------------------------------------------------------------------------


def test_no_panel_of_the_studio_shows_an_empty_image(connected):
    studio = Studio()
    assert broken_images(studio) == []
    studio.close()


def test_the_embeddings_panel_shows_a_placeholder_then_the_map(connected, sandbox):
    panel = EmbeddingsPanel()
    assert panel.plot_view.children == (panel.plot_view.placeholder,)
    assert "Plot draws their map" in panel.plot_view.placeholder.value
    panel.inputs.value = "a cat\na dog\nstocks"
    panel.embed_button.click()
    assert broken_images(panel) == [] and panel.plot_view.children == (panel.plot_view.placeholder,)
    panel.plot_button.click()
    assert panel.plot_view.children == (panel.plot.figure,)
    panel.inputs.value = "other texts\nentirely"
    panel.embed_button.click()
    assert panel.plot_view.children == (panel.plot_view.placeholder,), "a map of other texts is not kept"


def test_without_the_plots_extra_the_map_is_a_picture_with_a_hint(connected, sandbox, monkeypatch):
    hide_plotly(monkeypatch)
    panel = EmbeddingsPanel()
    panel.inputs.value = "a cat\na dog"
    panel.embed_button.click()
    panel.plot_button.click()
    image, hint = panel.plot_view.children
    assert bytes(image.value).startswith(b"\x89PNG") and image.layout.display == ""
    assert 'pip install "openai-widgets[plots]"' in hint.value
    assert broken_images(panel) == []


def test_the_fine_tuning_panel_shows_a_placeholder_until_a_job_has_events(client, quick_jobs):  # noqa: F811
    panel = FineTuningPanel(client=client)
    assert broken_images(panel) == []
    assert "Events or Follow show the job's metrics here" in panel.loss_view.placeholder.value
    assert panel.loss_view.children == (panel.loss_view.placeholder,)
    job = client.fine_tune(examples(10))
    panel.follow(job["id"])
    assert panel.join_follow(timeout=20)
    assert panel.loss_view.children == (panel.loss_chart.figure,)


def test_the_fine_tuning_panel_without_plotly_draws_the_loss(client, quick_jobs, monkeypatch):  # noqa: F811
    hide_plotly(monkeypatch)
    job = client.fine_tune(examples(10))
    list(client.watch_fine_tuning(job["id"], poll_interval=0.05))
    panel = FineTuningPanel(client=client)
    panel.job_picker.options = [(job["id"], job["id"])]
    panel.job_picker.value = job["id"]
    panel.events_button.click()
    image, _hint = panel.loss_view.children
    assert bytes(image.value).startswith(b"\x89PNG")
    assert panel.loss_chart is None and broken_images(panel) == []


def test_image_previews_show_only_once_there_is_an_image(client):
    panel = ImagesPanel(client=client)
    assert panel.image_preview.layout.display == "none" and panel.viewer.layout.display == "none"
    assert broken_images(panel) == []
    panel.image_upload.value = upload_value("photo.png", encoded(picture()), "image/png")
    assert panel.image_preview.layout.display == "" and bytes(panel.image_preview.value)
    panel.image_upload.value = ()
    assert panel.image_preview.layout.display == "none"
    assert broken_images(panel) == []


# -- one control per action, readable values ----------------------------------------------------


def test_the_audio_tab_has_one_transcribe_control(client):
    panel = AudioPanel(client=client)
    listen = panel.tabs.children[0]
    assert labels(listen).count("Transcribe") == 1
    assert panel.task.description == "Text in"
    panel.task.value = "translate"
    assert labels(listen).count("Translate") == 1 and "Transcribe" not in labels(listen)


def test_dimensions_show_default_when_empty(connected, sandbox):
    panel = EmbeddingsPanel()
    assert panel.dimensions.value == "" and panel.dimensions.placeholder == "default"
    panel.inputs.value = "one text"
    panel.embed_button.click()
    assert "dimensions" not in sandbox.requests_to("/embeddings")[-1].json()
    panel.dimensions.value = "16"
    panel.embed_button.click()
    assert sandbox.requests_to("/embeddings")[-1].json()["dimensions"] == 16
    sent = len(sandbox.requests_to("/embeddings"))
    panel.dimensions.value = "0"
    panel.embed_button.click()
    assert "whole number above 0, or nothing for the default" in panel.status.value
    assert len(sandbox.requests_to("/embeddings")) == sent


@pytest.mark.parametrize(
    "rule",
    [
        ".ow-wrap { flex-wrap: wrap; }",
        ".ow-panel .widget-hbox > .widget-button, .ow-panel .widget-hbox > .widget-toggle-button { flex-shrink: 0; }",
        ".ow-panel .widget-inline-hbox > .widget-label {\n  width: auto; min-width: var(--jp-widgets-inline-label-width); }",
        ".ow-models-table, .ow-models-table select { min-width: 0; max-width: 100%; box-sizing: border-box; }",
    ],
)
def test_rows_wrap_and_lists_stay_inside_the_panel(rule, connected):
    assert rule in STYLESHEET
    studio = ow.studio()
    panels = [panel for key, panel in studio.panels.items() if key != "connection"]
    assert all("ow-panel" in panel._dom_classes for panel in panels)
    assert "ow-models-table" in studio.panels["models"].table._dom_classes
    studio.close()


def test_rows_of_several_controls_wrap_and_compound_controls_stay_whole(connected):
    studio = ow.studio()
    shown = [w for panel in studio.panels.values() for w, hidden in tree(panel) if not hidden]
    rows = [w for w in shown if type(w) is widgets.HBox and len(w.children) >= 3]
    assert len(rows) >= 10
    assert [r for r in rows if "ow-wrap" not in r._dom_classes] == []
    models = studio.panels["models"]
    assert any(models.refresh_button in r.children for r in rows)
    # The model picker (box and Refresh) and a chat message (its text box 100% wide) keep one line.
    compound = [w for w in shown if isinstance(w, (ModelPicker, MessageRow))]
    assert compound and all("ow-wrap" not in w._dom_classes for w in compound)
    studio.close()
