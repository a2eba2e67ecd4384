"""The panel contract: keyword-only constructors, one model picker, observable state, the Protocols."""

from __future__ import annotations

import inspect

import ipywidgets as widgets
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets import widgets as panels
from openai_widgets._core.model_kinds import model_kind
from openai_widgets.widgets._contract import ModelPanel, PanelFactory, StudioPanel, TablePanel
from openai_widgets.widgets._model_picker import ModelPicker
from openai_widgets.widgets.credential import CredentialWidget
from openai_widgets.widgets.studio import PANELS
from tests.support.tuning import examples, jsonl

PANEL_NAMES = [name for _, _, name in PANELS if name != "CredentialWidget"]
PICKING = [
    "ChatPanel",
    "ResponsesPanel",
    "EditPanel",
    "ModerationPanel",
    "EmbeddingsPanel",
    "ImagesPanel",
    "AudioPanel",
]
PICKING += ["FineTuningPanel", "EvalsPanel"]
TABLES = ["ModelsPanel", "ModerationPanel", "EmbeddingsPanel", "AudioPanel", "FilesPanel"]
TABLES += ["FineTuningPanel", "BatchesPanel", "CustomCallPanel", "EvalsPanel", "KnowledgePanel"]


def descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


# One first action per panel, as a user would click it.


def _chat(panel, client):
    panel.rows[-1].content.value = "hello"
    panel.send_button.click()


def _responses(panel, client):
    panel.message.value = "hello"
    panel.send_button.click()


def _edit(panel, client):
    panel.input.value = "teh cat"
    panel.instruction.value = "Fix the spelling"
    panel.edit_button.click()


def _moderation(panel, client):
    panel.inputs.value = "I will kill you\nWhat a nice day"
    panel.check_button.click()


def _embeddings(panel, client):
    panel.inputs.value = "a cat\na dog"
    panel.embed_button.click()


def _images(panel, client):
    panel.prompt.value = "a boat"
    panel.size.value = "256x256"
    panel.generate_button.click()


def _audio(panel, client):
    panel.speech_text.value = "Good morning"
    panel.speak_button.click()


def _fine_tuning(panel, client):
    made = client.upload_file(jsonl(examples(10)), "fine-tune")
    panel.files_button.click()  # fills the training-file list, not the model list
    panel.training_file_picker.value = made["id"]
    panel.create_button.click()


def _evals(panel, client):
    from tests.support.evals import TEMPLATE, capitals

    panel.namespace = {"capitals": capitals(4)}
    panel.refresh_data_button.click()
    panel.template.value = TEMPLATE
    panel.compare_button.click()


def _files(panel, client):
    client.upload_file(b"x", "user_data")
    panel.refresh_button.click()


def _knowledge(panel, client):
    client.create_vector_store("shelf")
    panel.refresh_button.click()


def _batches(panel, client):
    panel.refresh_button.click()


def _models(panel, client):
    panel.refresh_button.click()


def _custom(panel, client):
    panel.path.value = "models"
    panel.send_button.click()


FIRST_ACTION = {
    "ChatPanel": _chat,
    "ResponsesPanel": _responses,
    "EditPanel": _edit,
    "ModerationPanel": _moderation,
    "EmbeddingsPanel": _embeddings,
    "ImagesPanel": _images,
    "AudioPanel": _audio,
    "FineTuningPanel": _fine_tuning,
    "EvalsPanel": _evals,
    "FilesPanel": _files,
    "BatchesPanel": _batches,
    "KnowledgePanel": _knowledge,
    "ModelsPanel": _models,
    "CustomCallPanel": _custom,
}


def test_every_studio_panel_has_a_first_action_here():
    assert sorted(FIRST_ACTION) == sorted(PANEL_NAMES)


# -- constructors ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PANEL_NAMES)
def test_constructors_take_keyword_arguments_only_client_first(name, client):
    cls = getattr(panels, name)
    parameters = list(inspect.signature(cls).parameters.values())
    assert parameters[0].name == "client"
    assert parameters[0].default is None
    assert {p.kind for p in parameters} == {inspect.Parameter.KEYWORD_ONLY}
    with pytest.raises(TypeError, match="positional argument"):
        cls(client)
    factory: PanelFactory = cls
    assert factory(client=client).client is client


def test_the_credential_form_takes_keyword_arguments_only():
    with pytest.raises(TypeError, match="positional argument"):
        CredentialWidget("org-1")
    assert CredentialWidget(organization="org-1").organization.value == "org-1"


# -- the Protocols ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PANEL_NAMES)
def test_each_panel_keeps_the_contract_it_claims(name, sandbox):
    panel = getattr(panels, name)()
    assert isinstance(panel, StudioPanel)
    assert isinstance(panel, ModelPanel) is (name in PICKING)
    assert isinstance(panel, TablePanel) is (name in TABLES)
    assert panel.result is None
    assert panel.title and isinstance(panel.title, str)
    for trait in ("result", "frame"):
        if panel.has_trait(trait):
            assert trait not in panel.keys  # never synced to the browser
            assert not panel.trait_metadata(trait, "sync")
    assert sandbox.requests == []


def test_the_credential_form_is_a_studio_panel():
    form = CredentialWidget()
    assert isinstance(form, StudioPanel)
    assert not isinstance(form, ModelPanel)
    assert form.title == "Connection"
    assert "result" not in form.keys


# -- one model picker ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PICKING)
def test_every_model_box_is_the_one_model_picker(name, sandbox):
    panel = getattr(panels, name)()
    assert panel.model_pickers
    assert panel.model_picker is panel.model_pickers[0]
    tree = list(descendants(panel))
    pickers = [w for w in tree if isinstance(w, ModelPicker)]
    assert pickers == panel.model_pickers  # each drawn, in order, and no other
    assert all(type(p) is ModelPicker for p in pickers)
    boxes = [w for w in tree if isinstance(w, widgets.Combobox)]
    assert boxes == [p.combobox for p in pickers]  # no model box of its own
    for picker in pickers:
        assert picker.kinds == panel.model_kinds
        assert picker.refresh_button in picker.children


@pytest.mark.parametrize("name", PICKING)
def test_pickers_fill_on_first_use_with_one_request(name, client, sandbox):
    ids = set(client.models()["id"])
    sandbox.clear_requests()
    panel = getattr(panels, name)(client=client)
    before = [picker.options for picker in panel.model_pickers]
    assert sandbox.requests_to("/models") == []

    FIRST_ACTION[name](panel, client)

    assert panel.result is not None, panel.status.value
    assert len(sandbox.requests_to("/models")) == 1
    for picker, old in zip(panel.model_pickers, before, strict=True):
        assert set(picker.options) >= ids
        assert len(picker.options) > len(old)
        first = [model_kind(m) in panel.model_kinds for m in picker.options]
        assert first == sorted(first, reverse=True)  # the panel's kinds first

    panel.result = None
    FIRST_ACTION[name](panel, client)
    assert panel.result is not None
    assert len(sandbox.requests_to("/models")) == 1  # filled once


def test_input_refused_before_sending_costs_no_model_request(client, sandbox):
    chat = panels.ChatPanel(client=client)
    chat.send_button.click()  # an empty message
    assert "InvalidInputError" in chat.status.value
    assert sandbox.requests == []
    chat.rows[0].content.value = "hi"
    chat.send_button.click()
    assert len(sandbox.requests_to("/models")) == 1


def test_select_model_picks_in_the_first_picker_and_adds_unknown_ids(client):
    audio = panels.AudioPanel(client=client)
    audio.select_model("my-whisper")
    assert audio.model_picker.value == "my-whisper"
    assert audio.model_picker.options[0] == "my-whisper"
    assert audio.speech_model_picker.value == "tts-1"
    with pytest.raises(AttributeError, match="FilesPanel has no model picker"):
        panels.FilesPanel(client=client).select_model("gpt-4o")


# -- state as traitlets ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PANEL_NAMES)
def test_result_and_frame_are_observed_when_an_action_completes(name, client, sandbox):
    panel = getattr(panels, name)(client=client)
    seen = []
    frames_when_result_changed = []

    def on_result(change):
        seen.append(("result", change["new"]))
        frames_when_result_changed.append(getattr(panel, "frame", None))

    panel.observe(on_result, names="result")
    if name in TABLES:
        panel.observe(lambda change: seen.append(("frame", change["new"])), names="frame")

    if name == "FineTuningPanel":
        panel.refresh_button.click()  # the jobs table
    FIRST_ACTION[name](panel, client)

    results = [value for trait, value in seen if trait == "result"]
    assert results, panel.status.value
    assert results[-1] is panel.result
    if name in TABLES and name != "AudioPanel":  # speaking shows no table
        frames = [value for trait, value in seen if trait == "frame"]
        assert isinstance(frames[-1], pd.DataFrame)
        assert frames[-1] is panel.frame
        assert frames_when_result_changed[-1] is panel.frame  # the table is new before the result is


def test_a_failed_action_keeps_the_last_result(client):
    panel = panels.EditPanel(client=client)
    _edit(panel, client)
    kept = panel.result
    seen = []
    panel.observe(seen.append, names="result")
    panel.model_picker.value = "no-such-model"
    panel.edit_button.click()
    assert "NotFoundError" in panel.status.value
    assert panel.result == kept
    assert seen == []


# -- the studio relies on the contract ---------------------------------------------------------


def test_the_studio_observes_every_panels_result(connected):
    studio = ow.studio()
    assert studio.result is None
    chat = studio.panels["chat"]
    _chat(chat, connected)
    assert studio.result is chat.result
    edit = studio.panels["edit"]
    _edit(edit, connected)
    assert studio.result is edit.result
    assert all(isinstance(panel, StudioPanel) for panel in studio.panels.values())
    studio.close()


def test_the_studio_hands_models_only_to_panels_that_pick_one(connected):
    studio = ow.studio()
    studio.use_model("images", "dall-e-3")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Images"
    assert studio.panels["images"].model_picker.value == "dall-e-3"
    with pytest.raises(ValueError, match="the Files panel picks no model"):
        studio.use_model("files", "gpt-4o")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Images"
    studio.close()
