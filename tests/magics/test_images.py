"""%openai image, image-edit and image-variation in a real IPython shell on the sandbox."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from openai_widgets import ImageResult
from openai_widgets.magics import _media
from tests.support.media import encoded, mask_for, picture

HOLE = (16, 16, 48, 48)


def shown_html(captured) -> list[str]:
    return [output.data["text/html"] for output in captured.outputs if "text/html" in output.data]


@pytest.fixture
def in_a_notebook(monkeypatch):
    """Where the gallery is drawn (a kernel): the magic shows it at once."""
    monkeypatch.setattr(_media, "in_notebook", lambda: True)


def test_image_shows_the_gallery_once_and_returns_the_result(ip, sandbox, in_a_notebook):
    with capture_output() as captured:
        result = ip.run_line_magic("openai", "image -n 2 --size 256x256 a red fox in the snow")
    assert isinstance(result, ImageResult)
    assert len(result) == 2
    assert [image.size for image in result] == [(256, 256), (256, 256)]
    (page,) = shown_html(captured)
    assert page.count("<img ") == 2
    # As the cell's value it shows nothing more: the gallery is not drawn twice.
    assert ip.display_formatter.format(result) == ({}, {})
    body = sandbox.requests_to("/images/generations")[0].json()
    assert (body["prompt"], body["n"], body["size"], body["model"]) == (
        "a red fox in the snow",
        2,
        "256x256",
        "dall-e-2",
    )


def test_image_options_and_default_model_from_config(ip, sandbox):
    ip.run_line_magic("config", "OpenAIMagics.image_model = 'dall-e-3'")
    try:
        with capture_output():
            ip.run_line_magic(
                "openai", 'image --quality hd --style natural --size 1024x1792 "a quiet lake" -o lake'
            )
    finally:
        ip.run_line_magic("config", "OpenAIMagics.image_model = 'dall-e-2'")
    body = sandbox.requests_to("/images/generations")[0].json()
    assert body["model"] == "dall-e-3"
    assert body["quality"] == "hd"
    assert body["style"] == "natural"
    assert ip.user_ns["lake"][0].size == (1024, 1792)
    with capture_output():
        ip.run_line_magic("openai", "image -m gpt-image-1 --size 1024x1024 a kite")
    assert sandbox.requests_to("/images/generations")[1].json()["model"] == "gpt-image-1"


def test_image_prompt_from_a_variable_or_interpolated(ip, sandbox):
    ip.user_ns["idea"] = "a lighthouse at dusk"
    with capture_output():
        ip.run_line_magic("openai", "image --size 256x256 idea")
        ip.run_line_magic("openai", "image --size 256x256 '{idea}, in watercolour'")
    prompts = [r.json()["prompt"] for r in sandbox.requests_to("/images/generations")]
    assert prompts == ["a lighthouse at dusk", "a lighthouse at dusk, in watercolour"]


def test_image_rule_errors_are_one_line_usage_errors(ip, sandbox):
    with pytest.raises(UsageError, match=r"^n=2: dall-e-3 makes only 1 image per request"):
        ip.run_line_magic("openai", "image -m dall-e-3 -n 2 a fox")
    with pytest.raises(UsageError, match=r"size 300x300 is not offered by dall-e-2"):
        ip.run_line_magic("openai", "image --size 300x300 a fox")
    with pytest.raises(UsageError, match=r"the following arguments are required: prompt"):
        ip.run_line_magic("openai", "image -n 2")
    assert sandbox.requests_to("/images") == []


def test_image_edit_takes_a_variable_or_a_path_and_a_mask(ip, sandbox, tmp_path, in_a_notebook):
    ip.user_ns["photo"] = picture()
    ip.user_ns["hole"] = mask_for()
    with capture_output() as captured:
        result = ip.run_line_magic(
            "openai", "image-edit photo add a red door --mask hole --size 256x256 -n 2"
        )
    assert len(result) == 2
    assert result[0].size == (256, 256)
    assert len(shown_html(captured)) == 1
    fields, files = sandbox.requests_to("/images/edits")[0].form()
    assert fields["prompt"] == "add a red door"
    assert fields["n"] == "2"
    assert set(files) == {"image", "mask"}
    path = tmp_path / "window.png"
    path.write_bytes(encoded(picture(hole=HOLE)))
    with capture_output():
        ip.run_line_magic("openai", f"image-edit {path} 'a cat in the window' --size 256x256")
    _, files = sandbox.requests_to("/images/edits")[1].form()
    assert files["image"][0].filename == "window.png"


def test_image_edit_names_what_is_missing(ip, sandbox):
    with pytest.raises(
        UsageError, match=r"^IMAGE 'nothing' is neither a variable in the notebook nor a file$"
    ):
        ip.run_line_magic("openai", "image-edit nothing make it blue")
    ip.user_ns["photo"] = picture()
    with pytest.raises(UsageError, match=r"^MASK 'nomask' is neither"):
        ip.run_line_magic("openai", "image-edit photo make it blue --mask nomask")
    with pytest.raises(UsageError, match=r"image has no transparent pixels and no mask was given"):
        ip.run_line_magic("openai", "image-edit photo make it blue")
    with pytest.raises(UsageError, match=r"image file 'missing/photo.png' does not exist"):
        ip.run_line_magic("openai", "image-edit missing/photo.png make it blue")
    assert sandbox.requests_to("/images") == []


def test_image_variation_of_a_result_variable(ip, sandbox):
    with capture_output():
        ip.run_line_magic("openai", "image --size 256x256 a tree -o tree")
        varied = ip.run_line_magic("openai", "image-variation tree -n 3 --size 256x256")
    assert len(varied) == 3
    assert varied[0].size == (256, 256)
    fields, _ = sandbox.requests_to("/images/variations")[0].form()
    assert fields == {"model": "dall-e-2", "n": "3", "size": "256x256", "response_format": "b64_json"}


def test_image_variation_refuses_what_the_model_cannot_do(ip):
    ip.user_ns["square"] = picture()
    with pytest.raises(UsageError, match=r"^gpt-image-1 cannot make variations: use dall-e-2$"):
        ip.run_line_magic("openai", "image-variation square -m gpt-image-1")


def test_help_lists_the_image_subcommands(ip, capsys):
    ip.run_line_magic("openai", "help")
    listed = capsys.readouterr().out
    for name in ("image ", "image-edit", "image-variation"):
        assert name in listed
    ip.run_line_magic("openai", "image --help")
    assert "--quality" in capsys.readouterr().out


def test_a_number_that_is_not_a_number_is_a_usage_error(ip):
    with pytest.raises(UsageError, match=r"^%openai image: argument -n: invalid int value: 'two'"):
        ip.run_line_magic("openai", "image -n two a fox")
