"""ImagesPanel driven from Python, as a user would click it, on the sandbox."""

from __future__ import annotations

import io

import ipywidgets as widgets
import pytest
from PIL import Image

from openai_widgets.widgets import ImagesPanel
from tests.support.media import encoded, mask_for, picture, upload_value

HOLE = (16, 16, 48, 48)


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


def values(dropdown) -> list[str]:
    return [value for _, value in dropdown.options]


@pytest.fixture
def panel(client):
    return ImagesPanel(client=client)


def test_panel_is_made_without_a_client_or_any_request(sandbox):
    made = ImagesPanel()
    assert made.title == "Images"
    assert "ow-panel-images" in made._dom_classes
    assert "ow-image-gallery" in made.gallery._dom_classes
    assert made.model_picker.value == "dall-e-2"
    assert sandbox.requests == []


def test_pickers_offer_only_what_the_model_takes(panel):
    assert values(panel.size) == ["", "256x256", "512x512", "1024x1024"]
    assert values(panel.quality) == ["", "standard"]
    assert panel.style.disabled
    assert (panel.n.max, panel.n.disabled) == (10, False)
    panel.n.value = 4
    panel.size.value = "512x512"
    panel.model_picker.value = "dall-e-3"
    assert values(panel.size) == ["", "1024x1024", "1792x1024", "1024x1792"]
    assert panel.size.value == ""  # 512x512 is not a dall-e-3 size
    assert values(panel.quality) == ["", "standard", "hd"]
    assert values(panel.style) == ["", "vivid", "natural"]
    assert not panel.style.disabled
    assert (panel.n.value, panel.n.max, panel.n.disabled) == (1, 1, True)
    panel.size.value = "1024x1024"
    panel.model_picker.value = "gpt-image-1"
    assert panel.size.value == "1024x1024"  # still valid: kept
    assert values(panel.quality) == ["", "auto", "low", "medium", "high"]
    assert panel.style.disabled
    assert (panel.n.max, panel.n.disabled) == (10, False)


def test_a_model_the_table_does_not_know_gets_every_choice(panel):
    panel.model_picker.value = "my-own-painter"
    assert "1792x1024" in values(panel.size)
    assert "256x256" in values(panel.size)
    assert panel.counter.value == "<span class='ow-counter'>0 characters</span>"


def test_the_counter_follows_the_prompt_and_the_models_limit(panel):
    panel.prompt.value = "x" * 999
    assert "999 / 1000 characters" in panel.counter.value
    assert "ow-over" not in panel.counter.value
    panel.prompt.value = "x" * 1001
    assert "1001 / 1000 characters - too long for dall-e-2" in panel.counter.value
    assert "class='ow-counter ow-over'" in panel.counter.value
    panel.model_picker.value = "dall-e-3"
    assert "1001 / 4000 characters" in panel.counter.value
    assert "ow-over" not in panel.counter.value


def test_generate_fills_the_gallery_and_view_shows_full_size(panel, sandbox):
    panel.prompt.value = "a boat on a lake"
    panel.size.value = "512x512"
    panel.n.value = 3
    panel.generate_button.click()
    assert len(panel.result) == 3
    assert len(panel.gallery.children) == 3
    assert all(isinstance(t, widgets.Image) for t in panel.thumbnails)
    assert [png_size(t.value) for t in panel.thumbnails] == [(160, 160)] * 3
    assert [b.description for b in panel.view_buttons] == ["1: 512x512", "2: 512x512", "3: 512x512"]
    assert not panel.generate_button.disabled
    assert not panel.save_button.disabled
    assert panel.viewer_box.layout.display == "none"
    panel.view_buttons[2].click()
    assert panel.viewer_box.layout.display == ""
    assert png_size(panel.viewer.value) == (512, 512)
    assert panel.viewer_caption.value == "image 3: 512x512"
    body = sandbox.requests_to("/images/generations")[0].json()
    assert (body["prompt"], body["n"], body["size"]) == ("a boat on a lake", 3, "512x512")
    assert "quality" not in body  # "default" leaves it to the API


def test_dall_e_3_settings_reach_the_request(panel, sandbox):
    panel.model_picker.value = "dall-e-3"
    panel.prompt.value = "a cat"
    panel.quality.value = "hd"
    panel.style.value = "natural"
    panel.generate_button.click()
    body = sandbox.requests_to("/images/generations")[0].json()
    assert (body["model"], body["quality"], body["style"]) == ("dall-e-3", "hd", "natural")
    assert panel.view_buttons[0].tooltip == "[sandbox] a cat"


def test_errors_show_in_the_status_line_and_nothing_is_sent(panel, sandbox):
    panel.prompt.value = ""
    panel.generate_button.click()
    assert "InvalidInputError" in panel.status.value
    assert "prompt is empty" in panel.status.value
    assert not panel.generate_button.disabled
    assert panel.gallery.children == ()
    assert sandbox.requests == []


def test_server_errors_show_in_the_status_line(panel, sandbox):
    sandbox.inject("status", path="/images/generations", status=400)
    panel.prompt.value = "a fox"
    panel.generate_button.click()
    assert "BadRequestError" in panel.status.value


def test_save_writes_the_gallery(panel, tmp_path):
    panel.prompt.value = "a kite"
    panel.size.value = "256x256"
    panel.n.value = 2
    panel.generate_button.click()
    panel.folder.value = str(tmp_path / "kites")
    panel.prefix.value = "kite"
    panel.save_button.click()
    assert sorted(p.name for p in (tmp_path / "kites").iterdir()) == ["kite-1.png", "kite-2.png"]
    assert "saved 2:" in panel.status.value
    panel.prefix.value = "bad/name"
    panel.save_button.click()
    assert "must be a plain file name part" in panel.status.value


def test_edit_tab_previews_uploads_and_edits_with_the_mask(panel, sandbox):
    panel.image_upload.value = upload_value("photo.png", encoded(picture()), "image/png")
    panel.mask_upload.value = upload_value("mask.png", encoded(mask_for()), "image/png")
    assert png_size(panel.image_preview.value) == (64, 64)
    assert png_size(panel.mask_preview.value) == (64, 64)
    panel.edit_prompt.value = "a red door"
    panel.edit_size.value = "256x256"
    panel.edit_n.value = 2
    assert "10 / 1000 characters" in panel.edit_counter.value
    panel.edit_button.click()
    assert [image.size for image in panel.result] == [(256, 256), (256, 256)]
    assert len(panel.thumbnails) == 2
    fields, files = sandbox.requests_to("/images/edits")[0].form()
    assert (fields["prompt"], fields["n"], fields["size"]) == ("a red door", "2", "256x256")
    assert files["image"][0].filename == "photo.png"
    assert files["mask"][0].filename == "mask.png"


def test_variation_mode_needs_no_prompt_and_uses_dall_e_2(panel, sandbox):
    panel.edit_model_picker.value = "gpt-image-1"
    assert values(panel.edit_size) == ["", "auto", "1024x1024", "1536x1024", "1024x1536"]
    panel.mode.value = "variation"
    assert panel.edit_model_picker.value == "dall-e-2"
    assert panel.edit_prompt.disabled
    assert panel.mask_upload.disabled
    assert panel.edit_button.description == "Make variations"
    panel.image_upload.value = upload_value("tree.png", encoded(picture()), "image/png")
    panel.edit_size.value = "256x256"
    panel.edit_button.click()
    assert panel.result[0].size == (256, 256)
    assert len(sandbox.requests_to("/images/variations")) == 1


def test_edit_without_an_upload_or_with_a_bad_one_says_so(panel, sandbox):
    panel.edit_button.click()
    assert "Upload an image first." in panel.status.value
    panel.image_upload.value = upload_value("photo.png", encoded(picture((64, 40))), "image/png")
    panel.edit_prompt.value = "a door"
    panel.edit_button.click()
    assert (
        "image &#x27;photo.png&#x27; is 64x40; dall-e-2 needs a square image: crop or pad it"
        in panel.status.value
    )
    panel.image_upload.value = upload_value("notes.png", b"not an image", "image/png")
    assert panel.image_preview.value == b""
    assert sandbox.requests == []


@pytest.mark.parametrize("picker", ["model_picker", "edit_model_picker"])
def test_refresh_fills_both_model_lists_with_one_request(panel, sandbox, picker):
    getattr(panel, picker).refresh_button.click()
    assert len(sandbox.requests_to("/models")) == 1
    options = panel.model_picker.options
    assert options[:3] == ("gpt-image-1", "dall-e-2", "dall-e-3")
    assert "whisper-1" in options
    assert panel.edit_model_picker.options == options
    panel.select_model("dall-e-3")
    assert panel.model_picker.value == "dall-e-3"
    assert panel.n.max == 1
