"""Sandbox pictures carry their prompt on a band at the bottom, wrapped to fit, never cut at the edge."""

from __future__ import annotations

import pytest
from PIL import ImageDraw

from openai_widgets.sandbox._drawing import _font, caption_lines, draw

LONG = "a lighthouse at dawn on a rocky coast, watercolour, with seagulls and a small red boat"


@pytest.mark.parametrize("size", [(256, 256), (512, 512), (1024, 1024), (1792, 1024)])
def test_every_caption_line_fits_the_picture(size):
    width, height = size
    font = _font(max(8, int(max(10, height // 16) * 0.8)))
    pen = ImageDraw.Draw(draw("x", size))
    lines = caption_lines(f"sandbox: {LONG}", lambda text: pen.textlength(text, font=font), width - 8)
    assert 1 <= len(lines) <= 3
    assert all(pen.textlength(line, font=font) <= width - 8 for line in lines)
    shown = " ".join(lines)
    assert shown.removesuffix("...").strip() in f"sandbox: {LONG}"


def test_a_short_caption_is_one_line_and_a_long_one_ends_with_dots():
    assert caption_lines("sandbox: a fox", len, 40) == ["sandbox: a fox"]
    lines = caption_lines("one two three four five six seven", len, 9, most=2)
    assert lines == ["one two", "three..."]
    assert caption_lines("x" * 30, len, 10) == ["x" * 10, "x" * 10, "x" * 10]
    assert caption_lines("", len, 10) == [""]


def test_the_whole_prompt_is_written_on_a_small_picture():
    picture = draw(LONG, (256, 256))
    rows_with_text = [
        y
        for y in range(picture.height)
        if any(picture.getpixel((x, y)) == (255, 255, 255) for x in range(256))
    ]
    band = picture.height - min(y for y in rows_with_text if y > 180)
    assert band > 32, "the caption takes several lines"
    right_edge = [picture.getpixel((255, y)) for y in range(picture.height - band, picture.height)]
    assert (255, 255, 255) not in right_edge, "no letter is cut at the right edge"
