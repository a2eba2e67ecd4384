"""Pictures the sandbox makes: deterministic, drawn from a hash, visibly labelled "sandbox".

`draw(prompt, size, seed)` paints a gradient with a few shapes whose colours and places
come from the hash of the prompt, and writes "sandbox" and the prompt on a band at the
bottom. `edit()` and `vary()` really work on the uploaded image: an edit repaints its
transparent area (or the mask's), a variation mirrors it and turns its hues.
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["draw", "edit", "encode", "partial", "vary"]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def _color(digest: bytes, offset: int) -> tuple[int, int, int]:
    return (digest[offset % 32], digest[(offset + 1) % 32], digest[(offset + 2) % 32])


def draw(prompt: str, size: tuple[int, int], seed: object = 0, label: str = "sandbox") -> Image.Image:
    """An RGB picture of `size` made from the hash of `prompt` and `seed`."""
    from PIL import Image, ImageDraw, ImageOps

    width, height = size
    digest = _digest(prompt, seed)
    gradient = Image.linear_gradient("L").rotate(digest[0] % 360).resize((width, height))
    picture = ImageOps.colorize(gradient, _color(digest, 1), _color(digest, 4)).convert("RGB")
    pen = ImageDraw.Draw(picture)
    for i in range(5):
        x, y = digest[7 + i] / 255 * width, digest[12 + i] / 255 * height
        radius = (0.08 + digest[17 + i] / 255 * 0.2) * min(width, height)
        box = (x - radius, y - radius, x + radius, y + radius)
        if digest[22 + i] % 2:
            pen.ellipse(box, fill=_color(digest, 3 * i + 2), outline=(255, 255, 255))
        else:
            pen.rectangle(box, fill=_color(digest, 3 * i + 5), outline=(0, 0, 0))
    _caption(picture, f"{label}: {prompt}")
    return picture


def _caption(picture: Image.Image, text: str) -> None:
    """A dark band at the bottom with `text`, so sandbox pictures are never taken for real ones.

    The text is wrapped to the picture's width (up to three lines, the last one shortened
    with "..." if the text goes on), so it is never cut at the edge.
    """
    from PIL import ImageDraw

    width, height = picture.size
    line_height = max(10, height // 16)
    font = _font(max(8, int(line_height * 0.8)))
    pen = ImageDraw.Draw(picture)
    margin = max(2, line_height // 3)
    lines = caption_lines(text, lambda line: pen.textlength(line, font=font), width - 2 * margin)
    band = line_height * len(lines) + margin
    pen.rectangle((0, height - band, width, height), fill=(0, 0, 0))
    for number, line in enumerate(lines):
        top = height - band + margin // 2 + number * line_height
        pen.text((margin, top), line, fill=(255, 255, 255), font=font)


def caption_lines(text: str, length: Callable[[str], float], room: float, most: int = 3) -> list[str]:
    """`text` in at most `most` lines each `room` wide by `length`; "..." ends a text cut short."""
    lines: list[str] = []
    # No character is narrower than a pixel: what goes past this could never be shown.
    words = text[: most * int(room) + 1].split()
    while words and len(lines) < most:
        line = words.pop(0)
        if length(line) > room:  # a word wider than the picture: the rest goes on the next line
            cut = _fitting(line, length, room)
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and length(f"{line} {words[0]}") <= room:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:  # more than fits: the last line ends with "..."
        last = lines[-1]
        lines[-1] = last[: _fitting(last + "...", length, room) - 3].rstrip() + "..."
    return lines or [""]


def _fitting(text: str, length: Callable[[str], float], room: float) -> int:
    """How many leading characters of `text` fit in `room` (at least 1), by halving."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return low


@functools.lru_cache(maxsize=16)
def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def edit(
    image: Image.Image,
    prompt: str,
    size: tuple[int, int],
    seed: object,
    mask: Image.Image | None = None,
    others: list[Image.Image] | None = None,
) -> Image.Image:
    """`image` at `size` with its transparent area (or the mask's) repainted from `prompt`.

    With no transparent area at all (GPT image models edit whole images), the painting is
    blended over the whole picture. `others` (more input images) appear as insets.
    """
    from PIL import Image

    base = image.convert("RGBA").resize(size)
    painting = draw(prompt, size, seed, label="sandbox edit").convert("RGBA")
    area_source = (mask if mask is not None else image).convert("RGBA").resize(size)
    # Where alpha is 0 the painting replaces the image; elsewhere the image stays.
    area = area_source.getchannel("A").point(lambda alpha: 255 if alpha == 0 else 0)
    if area.getextrema()[1] == 0:
        edited = Image.blend(base, painting, 0.4)
    else:
        edited = Image.composite(painting, base, area)
    for i, other in enumerate(others or []):
        inset = other.convert("RGBA").resize((max(1, size[0] // 5), max(1, size[1] // 5)))
        edited.alpha_composite(inset, (i * inset.width % size[0], 0))
    _caption(edited, f"sandbox edit: {prompt}")
    return edited


def vary(image: Image.Image, size: tuple[int, int], index: int) -> Image.Image:
    """A variation: the image mirrored, its hues turned by an amount that depends on `index`."""
    from PIL import Image, ImageOps

    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A").resize(size)
    hue, saturation, value = ImageOps.mirror(rgba.convert("RGB")).resize(size).convert("HSV").split()
    turn = (index + 1) * 47 % 256
    hue = hue.point(lambda h: (h + turn) % 256)
    varied = Image.merge("HSV", (hue, saturation, value)).convert("RGB")
    varied.putalpha(alpha)
    _caption(varied, f"sandbox variation {index + 1}")
    return varied


def partial(image: Image.Image, index: int, count: int) -> Image.Image:
    """The `index`-th of `count` partial pictures a stream sends first: coarse blocks, finer each time."""
    from PIL import Image

    block = 2 ** (count - index + 2)  # 3 partials: blocks of 32, 16, then 8 pixels
    small = image.resize((max(image.width // block, 1), max(image.height // block, 1)), Image.Resampling.BOX)
    return small.resize(image.size, Image.Resampling.NEAREST)


def encode(image: Image.Image, fmt: str = "png") -> bytes:
    """PNG (fast compression: sandbox pictures are made often), JPEG or WebP bytes."""
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=85)
    elif fmt == "webp":
        image.save(buffer, format="WEBP", quality=80)
    else:
        image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
