"""Images in chat messages: PIL images, files and URLs become image_url parts the API takes."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets._chat import vision as _vision


def decoded(url: str) -> tuple[str, Image.Image]:
    head, _, data = url.partition(",")
    return head, Image.open(io.BytesIO(base64.b64decode(data)))


def test_text_and_a_pil_image_make_one_user_message(sandbox, client, spec):
    image = Image.new("RGB", (64, 64), "red")
    result = client.chat(["What is in this picture?", image])
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    (message,) = body["messages"]
    assert message["role"] == "user"
    text, picture = message["content"]
    assert text == {"type": "text", "text": "What is in this picture?"}
    head, sent = decoded(picture["image_url"]["url"])
    assert head == "data:image/png;base64"
    assert sent.size == (64, 64)
    assert sent.getpixel((0, 0)) == (255, 0, 0)
    assert result.text.startswith("[sandbox] I see 1 image (64x64).")


def test_image_files_are_sent_unchanged(sandbox, client, tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (32, 16), "blue").save(path, quality=80)
    result = client.chat([{"role": "user", "content": ["Describe", path, str(path)]}])
    parts = sandbox.requests_to("/chat/completions")[0].json()["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "image_url"]
    head, _ = decoded(parts[1]["image_url"]["url"])
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(parts[1]["image_url"]["url"].partition(",")[2]) == path.read_bytes()
    assert "I see 2 images (32x16, 32x16)" in result.text


def test_other_formats_become_png(tmp_path):
    path = tmp_path / "scan.bmp"
    Image.new("L", (8, 8), 128).save(path)
    part = _vision.image_part(path)
    head, image = decoded(part["image_url"]["url"])
    assert head == "data:image/png;base64"
    assert image.size == (8, 8)


def test_a_jpeg_pil_image_stays_jpeg_and_cmyk_is_converted(tmp_path):
    path = tmp_path / "a.jpg"
    Image.new("RGB", (10, 10)).save(path)
    with Image.open(path) as loaded:
        assert decoded(_vision.image_part(loaded)["image_url"]["url"])[0] == "data:image/jpeg;base64"
    cmyk = Image.new("CMYK", (4, 4))
    head, image = decoded(_vision.image_part(cmyk)["image_url"]["url"])
    assert head == "data:image/png;base64"
    assert image.mode == "RGB"


def test_web_urls_pass_through_and_only_image_urls_are_taken_as_images(sandbox, client):
    client.chat(
        ["Look: https://example.com/cat.png", "https://example.com/cat.png", "see https://example.com"]
    )
    parts = sandbox.requests_to("/chat/completions")[0].json()["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "Look: https://example.com/cat.png"}
    assert parts[1] == {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    assert parts[2]["type"] == "text"


def test_plain_text_that_looks_like_a_missing_file_stays_text():
    assert _vision.content_part("notes.png", "x") == {"type": "text", "text": "notes.png"}


def test_explicit_image_part_takes_any_url_and_a_detail():
    part = _vision.image_part("https://example.com/render?id=3", detail="low")
    assert part == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/render?id=3", "detail": "low"},
    }


def test_content_part_dicts_pass_through(sandbox, client):
    part = {"type": "image_url", "image_url": {"url": "https://example.com/a.webp", "detail": "high"}}
    client.chat(["what?", part])
    assert sandbox.requests_to("/chat/completions")[0].json()["messages"][0]["content"][1] == part


def test_a_single_image_is_a_message():
    from openai_widgets._chat.messages import normalize_messages

    (message,) = normalize_messages(Image.new("RGB", (2, 2)))
    assert message["role"] == "user"
    assert message["content"][0]["type"] == "image_url"


def test_missing_file_is_refused_before_sending():
    with pytest.raises(ow.InvalidInputError, match=r"messages\[0\].content\[1\]: no image file at"):
        ow.Client(api_key="sk-x").chat(["hi", Path("/nonexistent/cat.png")])


def test_non_image_file_is_refused(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ow.InvalidInputError, match=r"'notes.png' is not an image PIL can read"):
        _vision.image_part(path, "messages[0].content[0]")


def test_images_above_the_size_limit_are_refused(monkeypatch):
    monkeypatch.setattr(_vision, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(ow.InvalidInputError, match=r"at most 0 MB can be sent: shrink it first"):
        _vision.image_part(Image.effect_noise((64, 64), 50), "image")


def test_bytes_are_an_image(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGBA", (3, 3)).save(buffer, format="PNG")
    assert _vision.image_part(buffer.getvalue())["image_url"]["url"].startswith("data:image/png;base64,")


def test_unknown_detail_is_refused():
    with pytest.raises(ow.InvalidInputError, match="detail must be one of auto, low, high"):
        _vision.image_part("https://example.com/a.png", detail="max")


def test_broken_data_url_is_refused_by_the_sandbox(client):
    with pytest.raises(ow.BadRequestError, match="unsupported image"):
        client.chat(["x", {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}])


def test_a_decompression_bomb_is_refused_in_words(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # PIL refuses over twice this many
    path = tmp_path / "bomb.png"
    Image.new("L", (100, 100)).save(path)  # 10,000 pixels in a few dozen bytes
    with pytest.raises(ow.InvalidInputError, match="'bomb.png' is too many pixels to open safely") as info:
        ow.Client(api_key="sk-x").chat(["what is this?", path])
    assert "10000 pixels" in str(info.value) and "shrink it first" in str(info.value)
