"""ModelPicker on its own: any typed ID, the kinds first, traits that mirror the combobox."""

from __future__ import annotations

import ipywidgets as widgets

from openai_widgets.widgets._model_picker import ModelPicker

IDS = ["whisper-1", "gpt-4o-mini", "text-embedding-3-small", "o3-mini", "dall-e-3", "gpt-4o-mini"]


def test_a_new_picker_offers_its_default_or_what_it_is_given():
    picker = ModelPicker("gpt-4o-mini", kinds=("chat",))
    assert (picker.value, picker.options) == ("gpt-4o-mini", ("gpt-4o-mini",))
    offered = ModelPicker("dall-e-2", description="Image model", offer=["dall-e-2", "dall-e-3", "dall-e-2"])
    assert offered.options == ("dall-e-2", "dall-e-3")
    assert offered.combobox.description == "Image model"
    assert offered.combobox.ensure_option is False  # any typed ID is accepted
    assert list(offered.children) == [offered.combobox, offered.refresh_button]
    assert "ow-model-picker" in offered._dom_classes


def test_fill_puts_the_kinds_first_and_keeps_what_is_typed():
    picker = ModelPicker("my-local-model", kinds=("chat", "reasoning"))
    picker.fill(IDS)
    assert picker.options == ("gpt-4o-mini", "o3-mini", "whisper-1", "text-embedding-3-small", "dall-e-3")
    assert picker.combobox.options == picker.options
    assert picker.value == "my-local-model"


def test_select_adds_an_unknown_id_at_the_top():
    picker = ModelPicker("gpt-4o-mini", kinds=("chat",))
    picker.fill(IDS)
    listed = picker.options
    picker.select("o3-mini")
    assert picker.value == picker.combobox.value == "o3-mini"
    assert picker.options == listed  # a listed ID keeps its place
    picker.select("ft:gpt-4o-mini:org:mine:1")
    assert picker.options[0] == "ft:gpt-4o-mini:org:mine:1"


def test_typing_in_the_box_is_seen_by_observers_of_the_picker():
    picker = ModelPicker("tts-1")
    seen = []
    picker.observe(lambda change: seen.append(change["new"]), names="value")
    picker.combobox.value = "gpt-4o-mini-tts"  # what the browser sends
    assert seen == ["gpt-4o-mini-tts"]
    assert picker.value == "gpt-4o-mini-tts"


def test_disabled_switches_off_the_box_and_its_button():
    picker = ModelPicker("dall-e-2")
    picker.disabled = True
    assert picker.combobox.disabled and picker.refresh_button.disabled
    picker.disabled = False
    assert not picker.combobox.disabled and not picker.refresh_button.disabled


def test_refresh_calls_back_with_the_picker():
    picker = ModelPicker("gpt-4o-mini")
    asked = []
    picker.on_refresh(asked.append)
    picker.refresh_button.click()
    assert asked == [picker]


def test_only_the_combobox_is_synced():
    picker = ModelPicker("gpt-4o-mini")
    assert not {"value", "options", "disabled"} & set(picker.keys)
    assert isinstance(picker.combobox, widgets.Combobox)
    assert picker.combobox.get_state()["value"] == "gpt-4o-mini"
