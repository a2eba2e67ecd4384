"""Every image validation rule, with its message, caught before any request is sent."""

from __future__ import annotations

import io
import re

import pytest

import openai_widgets as ow
from openai_widgets._media.image_input import read_image
from openai_widgets._media.image_rules import IMAGE_MODELS, image_rules, normalize_size
from tests.support.media import Offline, encoded, mask_for, picture


@pytest.fixture
def offline():
    made = Offline()
    yield made.client
    assert made.requests == []


HOLE = (16, 16, 48, 48)


def clear_png(size=(64, 64)):
    return picture(size, hole=HOLE)


# (call on the client, error class, exact message)
GENERATION_RULES = [
    (
        lambda c: c.generate_images("x" * 1001),
        ow.InvalidInputError,
        "prompt is 1001 characters; dall-e-2 takes up to 1000: shorten it or use dall-e-3 (4000) "
        "or gpt-image-1 (32000)",
    ),
    (
        lambda c: c.generate_images("x" * 4001, model="dall-e-3"),
        ow.InvalidInputError,
        "prompt is 4001 characters; dall-e-3 takes up to 4000: shorten it or use gpt-image-1 (32000)",
    ),
    (
        lambda c: c.generate_images("x" * 32001, model="gpt-image-1"),
        ow.InvalidInputError,
        "prompt is 32001 characters; gpt-image-1 takes up to 32000: shorten it",
    ),
    (
        lambda c: c.generate_images("   "),
        ow.InvalidInputError,
        "prompt is empty; describe the image you want",
    ),
    (lambda c: c.generate_images(42), ow.InvalidTypeError, "prompt must be a string, not int"),
    (
        lambda c: c.generate_images("a fox", n=0),
        ow.InvalidInputError,
        "n=0: dall-e-2 makes 1 to 10 images per request; pick n in that range",
    ),
    (
        lambda c: c.generate_images("a fox", n=11),
        ow.InvalidInputError,
        "n=11: dall-e-2 makes 1 to 10 images per request; pick n in that range",
    ),
    (
        lambda c: c.generate_images("a fox", model="dall-e-3", n=2),
        ow.InvalidInputError,
        "n=2: dall-e-3 makes only 1 image per request: use n=1 and call again, "
        "or use dall-e-2 or gpt-image-1 for up to 10",
    ),
    (
        lambda c: c.generate_images("a fox", n="2"),
        ow.InvalidTypeError,
        "n must be a whole number of images, not str",
    ),
    (
        lambda c: c.generate_images("a fox", n=True),
        ow.InvalidTypeError,
        "n must be a whole number of images, not bool",
    ),
    (
        lambda c: c.generate_images("a fox", size="1792x1024"),
        ow.InvalidInputError,
        "size 1792x1024 is not offered by dall-e-2: use one of 256x256, 512x512, 1024x1024 (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", model="dall-e-3", size="256x256"),
        ow.InvalidInputError,
        "size 256x256 is not offered by dall-e-3: use one of 1024x1024, 1792x1024, 1024x1792 "
        "(or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", size=(512, 512)),
        ow.InvalidInputError,
        "size 512x512 is not offered by gpt-image-1: use one of auto, 1024x1024, 1536x1024, 1024x1536 "
        "(or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", size="big"),
        ow.InvalidInputError,
        "size 'big' is not a size; write it as WIDTHxHEIGHT, e.g. '1024x1024'",
    ),
    (
        lambda c: c.generate_images("a fox", size=256),
        ow.InvalidTypeError,
        "size must be a string like '1024x1024' or a (width, height) pair, not int",
    ),
    (
        lambda c: c.generate_images("a fox", quality="hd"),
        ow.InvalidInputError,
        "quality 'hd' is not offered by dall-e-2: use one of standard (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", model="dall-e-3", quality="low"),
        ow.InvalidInputError,
        "quality 'low' is not offered by dall-e-3: use one of standard, hd (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", quality="hd"),
        ow.InvalidInputError,
        "quality 'hd' is not offered by gpt-image-1: use one of auto, low, medium, high (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", style="vivid"),
        ow.InvalidInputError,
        "dall-e-2 takes no style (only dall-e-3 does): leave style out",
    ),
    (
        lambda c: c.generate_images("a fox", model="dall-e-3", style="cartoon"),
        ow.InvalidInputError,
        "style 'cartoon' is not offered by dall-e-3: use one of vivid, natural (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", response_format="url"),
        ow.InvalidInputError,
        "gpt-image-1 takes no response_format (only dall-e-2 and dall-e-3 do): leave response_format out",
    ),
    (
        lambda c: c.generate_images("a fox", response_format="png"),
        ow.InvalidInputError,
        "response_format 'png' is not offered by dall-e-2: use one of url, b64_json (or leave it out)",
    ),
    (
        lambda c: c.generate_images("a fox", output_format="webp"),
        ow.InvalidInputError,
        "dall-e-2 takes no output_format (only gpt-image-1 does): leave output_format out",
    ),
    (
        lambda c: c.generate_images("a fox", stream=True),
        ow.InvalidInputError,
        "dall-e-2 cannot stream images: use gpt-image-1, or leave stream out",
    ),
    (
        lambda c: c.generate_images("a fox", model="dall-e-3", stream=True, partial_images=1),
        ow.InvalidInputError,
        "dall-e-3 cannot stream images: use gpt-image-1, or leave stream out",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", partial_images=2),
        ow.InvalidInputError,
        "partial_images needs stream=True: add it, or leave partial_images out",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", stream=True, partial_images=4),
        ow.InvalidInputError,
        "partial_images must be between 0 and 3, got 4",
    ),
    (
        lambda c: c.generate_images("a fox", model="gpt-image-1", stream="yes"),
        ow.InvalidTypeError,
        "stream must be True or False, not str",
    ),
    (
        lambda c: c.image_variations(clear_png(), stream=True),
        ow.InvalidInputError,
        "image variations cannot stream: leave stream out to get the finished images",
    ),
    (
        lambda c: c.generate_images("x" * 32001, model="gpt-image-1-mini"),
        ow.InvalidInputError,
        "prompt is 32001 characters; gpt-image-1-mini takes up to 32000: shorten it",
    ),
    (
        lambda c: c.generate_images("a fox", model="my-own-painter", n=11),
        ow.InvalidInputError,
        "n=11: an image model makes 1 to 10 images per request; pick n in that range",
    ),
    (
        lambda c: c.generate_images("a fox", model=""),
        ow.InvalidInputError,
        "model is empty; pass a model ID such as 'dall-e-2'",
    ),
]


EDIT_RULES = [
    (
        lambda c: c.edit_image(clear_png(), "a cat", model="dall-e-3"),
        ow.InvalidInputError,
        "dall-e-3 cannot edit images: use dall-e-2 or gpt-image-1",
    ),
    (
        lambda c: c.edit_image([clear_png(), clear_png()], "a cat"),
        ow.InvalidInputError,
        "2 images given; dall-e-2 takes 1 image per request: pass fewer, or use gpt-image-1 (up to 16)",
    ),
    (
        lambda c: c.edit_image([clear_png((16, 16))] * 17, "a cat", model="gpt-image-1"),
        ow.InvalidInputError,
        "17 images given; gpt-image-1 takes 16 images per request: pass fewer",
    ),
    (
        lambda c: c.edit_image(encoded(picture(mode="RGB"), "JPEG"), "a cat"),
        ow.InvalidInputError,
        "image is a JPEG; dall-e-2 needs a PNG: pass a PIL image (converted to PNG for you) "
        "or save it as PNG",
    ),
    (
        lambda c: c.edit_image(encoded(picture(mode="RGB"), "GIF"), "a cat", model="gpt-image-1"),
        ow.InvalidInputError,
        "image is a GIF; gpt-image-1 needs a PNG, WebP or JPEG image: pass a PIL image (converted to PNG "
        "for you) or save it as PNG",
    ),
    (
        lambda c: c.edit_image(encoded(clear_png()) + bytes(4 * 1024 * 1024), "a cat"),
        ow.InvalidInputError,
        "image is 4.00 MB; dall-e-2 takes images under 4 MB: make it smaller (e.g. img.resize((512, 512)))",
    ),
    (
        lambda c: c.edit_image(picture((64, 48), hole=(0, 0, 8, 8)), "a cat"),
        ow.InvalidInputError,
        "image is 64x48; dall-e-2 needs a square image: crop or pad it",
    ),
    (
        lambda c: c.edit_image(picture(), "a cat"),
        ow.InvalidInputError,
        "image has no transparent pixels and no mask was given; dall-e-2 edits the transparent area: "
        "pass mask=... or make the area to edit transparent (alpha 0)",
    ),
    (
        lambda c: c.edit_image(picture(mode="RGB"), "a cat"),
        ow.InvalidInputError,
        "image has no transparent pixels and no mask was given; dall-e-2 edits the transparent area: "
        "pass mask=... or make the area to edit transparent (alpha 0)",
    ),
    (
        lambda c: c.edit_image(picture(), "a cat", mask=encoded(mask_for().convert("RGB"), "JPEG")),
        ow.InvalidInputError,
        "mask is a JPEG; a mask must be a PNG with transparency: pass a PIL image (converted to PNG for you) "
        "or save it as PNG",
    ),
    (
        lambda c: c.edit_image(picture(), "a cat", mask=mask_for((32, 32), hole=(0, 0, 8, 8))),
        ow.InvalidInputError,
        "mask is 32x32 but image is 64x64; dall-e-2 needs a mask the same size as the image: resize it",
    ),
    (
        lambda c: c.edit_image(picture(), "a cat", mask=picture(color=(255, 255, 255, 255))),
        ow.InvalidInputError,
        "mask has no transparent pixels; its transparent area (alpha 0) marks where to edit: make that area "
        "transparent",
    ),
    (
        lambda c: c.edit_image(clear_png(), "a cat", size="1024x1536"),
        ow.InvalidInputError,
        "size 1024x1536 is not offered by dall-e-2: use one of 256x256, 512x512, 1024x1024 (or leave it out)",
    ),
    (
        lambda c: c.edit_image(clear_png(), "x" * 1001),
        ow.InvalidInputError,
        "prompt is 1001 characters; dall-e-2 takes up to 1000: shorten it or use dall-e-3 (4000) "
        "or gpt-image-1 (32000)",
    ),
    (
        lambda c: c.edit_image(clear_png(), "a cat", quality="hd", model="gpt-image-1"),
        ow.InvalidInputError,
        "quality 'hd' is not offered by gpt-image-1: use one of auto, low, medium, high (or leave it out)",
    ),
    (
        lambda c: c.edit_image([], "a cat"),
        ow.InvalidInputError,
        "image is an empty list; pass at least one image",
    ),
    (
        lambda c: c.edit_image("no/such/picture.png", "a cat"),
        ow.InvalidInputError,
        "image file 'no/such/picture.png' does not exist; check the path",
    ),
    (
        lambda c: c.edit_image(b"", "a cat"),
        ow.InvalidInputError,
        "image is empty (0 bytes); pass an image file or a PIL image",
    ),
    (
        lambda c: c.edit_image(b"certainly not a picture", "a cat"),
        ow.InvalidInputError,
        "image is not an image that can be read (UnidentifiedImageError): pass a PNG, JPEG or WebP file, "
        "or a PIL image",
    ),
    (
        lambda c: c.edit_image(io.StringIO("text"), "a cat"),
        ow.InvalidTypeError,
        "image file is open in text mode; open it with 'rb'",
    ),
    (
        lambda c: c.edit_image(12, "a cat"),
        ow.InvalidTypeError,
        "image must be a PIL image, a path, bytes or a binary file object, not int",
    ),
    (
        lambda c: c.edit_image(clear_png(), "a cat", mask=12),
        ow.InvalidTypeError,
        "mask must be a PIL image, a path, bytes or a binary file object, not int",
    ),
]

VARIATION_RULES = [
    (
        lambda c: c.image_variations(picture(), model="gpt-image-1"),
        ow.InvalidInputError,
        "gpt-image-1 cannot make variations: use dall-e-2",
    ),
    (
        lambda c: c.image_variations(picture((80, 64))),
        ow.InvalidInputError,
        "image is 80x64; dall-e-2 needs a square image: crop or pad it",
    ),
    (
        lambda c: c.image_variations(encoded(picture(mode="RGB"), "WEBP")),
        ow.InvalidInputError,
        "image is a WebP; dall-e-2 needs a PNG: pass a PIL image (converted to PNG for you) "
        "or save it as PNG",
    ),
    (
        lambda c: c.image_variations(encoded(picture()) + bytes(5 * 1024 * 1024)),
        ow.InvalidInputError,
        "image is 5.00 MB; dall-e-2 takes images under 4 MB: make it smaller (e.g. img.resize((512, 512)))",
    ),
    (
        lambda c: c.image_variations(picture(), n=11),
        ow.InvalidInputError,
        "n=11: dall-e-2 makes 1 to 10 images per request; pick n in that range",
    ),
    (
        lambda c: c.image_variations(picture(), size="64x64"),
        ow.InvalidInputError,
        "size 64x64 is not offered by dall-e-2: use one of 256x256, 512x512, 1024x1024 (or leave it out)",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), GENERATION_RULES + EDIT_RULES + VARIATION_RULES)
def test_rule_is_enforced_before_sending_with_a_message_that_says_how_to_fix_it(
    offline, call, error, message
):
    with pytest.raises(error) as caught:
        call(offline)
    assert str(caught.value) == message


def test_limits_themselves_are_allowed(sandbox, client):
    client.generate_images("x" * 1000, size="256x256")
    client.generate_images("x" * 4000, model="dall-e-3")
    client.generate_images("a fox", n=10, size="256x256")
    sent = [r.json() for r in sandbox.requests_to("/images/generations")]
    assert [len(body["prompt"]) for body in sent] == [1000, 4000, 5]
    assert sent[2]["n"] == 10


def test_a_model_the_table_does_not_know_gets_only_the_common_checks():
    rules = image_rules("my-own-painter")
    assert rules is None
    assert image_rules("gpt-image-1.5").prompt_limit == 32000
    assert image_rules("gpt-image-1.5").name == "gpt-image-1.5"
    assert image_rules("dall-e-2") is IMAGE_MODELS["dall-e-2"]


def test_the_one_table_holds_the_documented_limits():
    assert {name: rules.prompt_limit for name, rules in IMAGE_MODELS.items()} == {
        "dall-e-2": 1000,
        "dall-e-3": 4000,
        "gpt-image-1": 32000,
    }
    assert {name: rules.max_n for name, rules in IMAGE_MODELS.items()} == {
        "dall-e-2": 10,
        "dall-e-3": 1,
        "gpt-image-1": 10,
    }
    assert IMAGE_MODELS["dall-e-3"].styles == ("vivid", "natural")
    assert IMAGE_MODELS["dall-e-2"].response_formats == ("url", "b64_json")
    assert IMAGE_MODELS["gpt-image-1"].response_formats == ()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("256x256", "256x256"),
        ("1024X1792", "1024x1792"),
        (" 512 x 512 ", "512x512"),
        ((256, 256), "256x256"),
        ([1536, 1024], "1536x1024"),
        ("AUTO", "auto"),
        (None, None),
    ],
)
def test_sizes_are_normalized(given, expected):
    assert normalize_size(given) == expected


def test_inputs_of_every_kind_are_read(tmp_path):
    png = encoded(picture(hole=HOLE))
    path = tmp_path / "shape.png"
    path.write_bytes(png)
    from_path = read_image(path)
    from_str = read_image(str(path))
    from_bytes = read_image(png)
    from_file = read_image(path.open("rb"))
    from_pil = read_image(picture(hole=HOLE))
    assert (from_path.filename, from_file.filename, from_bytes.filename, from_pil.filename) == (
        "shape.png",
        "shape.png",
        "image.png",
        "image.png",
    )
    assert from_str.content == from_path.content == from_bytes.content
    for item in (from_path, from_bytes, from_file, from_pil):
        assert (item.format, item.width, item.height, item.mime, item.transparent) == (
            "png",
            64,
            64,
            "image/png",
            True,
        )
    jpeg = read_image(encoded(picture(mode="RGB"), "JPEG"))
    assert (jpeg.format, jpeg.mime, jpeg.filename, jpeg.transparent) == (
        "jpeg",
        "image/jpeg",
        "image.jpg",
        False,
    )
    webp = read_image(encoded(picture(mode="RGB"), "WEBP"), "mask")
    assert (webp.format, webp.filename) == ("webp", "mask.webp")


def test_pil_images_in_other_modes_are_sent_as_png():
    cmyk = read_image(picture(mode="RGB").convert("CMYK"))
    assert cmyk.format == "png"
    assert cmyk.mode == "RGBA"
    palette = picture(hole=HOLE).convert("P")
    assert read_image(palette).format == "png"
    assert re.match(rb"\x89PNG", cmyk.content)


def test_edit_quality_follows_the_edit_rules(offline):
    with pytest.raises(ow.InvalidInputError) as caught:
        offline.edit_image(clear_png(), "a cat", quality="high")
    assert str(caught.value) == (
        "quality 'high' is not offered by dall-e-2: use one of standard (or leave it out)"
    )
