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
    """A dark band at the bottom with `text`, so sandbox pictures are never taken for real ones."""
    from PIL import ImageDraw

    width, height = picture.size
    band = max(12, height // 10)
    pen = ImageDraw.Draw(picture)
    pen.rectangle((0, height - band, width, height), fill=(0, 0, 0))
    font = _font(max(8, int(band * 0.6)))
    shown = text if len(text) <= 60 else text[:57] + "..."
    pen.text((max(2, band // 4), height - band + band * 0.15), shown, fill=(255, 255, 255), font=font)


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
