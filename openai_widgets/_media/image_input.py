"""Image inputs: PIL images, paths, bytes and file objects read into upload bytes, format sniffed.

PIL is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from PIL import Image


__all__ = ["ImageFile", "encode_png", "read_image", "read_images"]

# -- inputs ------------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


@dataclass(frozen=True)
class ImageFile:
    """An image ready to upload: its bytes, what they are, and their pixel size."""

    filename: str
    content: bytes
    format: str  # png, jpeg, webp, gif or PIL's name for it in lower case
    width: int
    height: int
    mode: str
    label: str = "image"  # how messages name it: "image", "image 2", "mask"

    @property
    def mime(self) -> str:
        return _MIME.get(self.format, "application/octet-stream")

    def part(self) -> tuple[str, bytes, str]:
        """(filename, bytes, content type) for a multipart upload."""
        return (self.filename, self.content, self.mime)

    @functools.cached_property
    def transparent(self) -> bool:
        """Whether some pixel is fully transparent (alpha 0); decoded when first asked."""
        return _has_transparent_pixels(self.content)


def read_image(value: Any, label: str = "image") -> ImageFile:
    """A PIL image, path, bytes or binary file object -> `ImageFile` (PIL images become PNG)."""
    from PIL import Image

    if isinstance(value, Image.Image):
        return _from_pil(value, label)
    name, content = _read_source(value, label)
    if name:
        label = f"{label} {name!r}"  # errors name the file
    if not content:
        raise InvalidInputError(f"{label} is empty (0 bytes); pass an image file or a PIL image")
    try:
        with Image.open(io.BytesIO(content)) as opened:
            fmt = (opened.format or "").lower()
            width, height = opened.size
            mode = opened.mode
    except Exception as exc:
        raise InvalidInputError(
            f"{label} is not an image that can be read ({type(exc).__name__}): pass a PNG, JPEG or WebP "
            "file, or a PIL image"
        ) from None
    fmt = _sniff(content) or fmt
    filename = name or f"{label.replace(' ', '_')}.{'jpg' if fmt == 'jpeg' else fmt}"
    return ImageFile(filename, content, fmt, width, height, mode, label)


def read_images(value: Any, label: str = "image") -> list[ImageFile]:
    """One image or a list of them (for models that edit several at once)."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise InvalidInputError(f"{label} is an empty list; pass at least one image")
        if len(value) == 1:
            return [read_image(value[0], label)]
        return [read_image(item, f"{label} {i}") for i, item in enumerate(value, start=1)]
    return [read_image(value, label)]


def _from_pil(image: Image.Image, label: str) -> ImageFile:
    if image.mode not in {"RGBA", "RGB", "LA", "L", "P", "1"}:
        image = image.convert("RGBA")
    content = encode_png(image)
    width, height = image.size
    return ImageFile(f"{label.replace(' ', '_')}.png", content, "png", width, height, image.mode, label)


def _read_source(value: Any, label: str) -> tuple[str | None, bytes]:
    if isinstance(value, (str, os.PathLike)):
        path = Path(value).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"{label} file {str(value)!r} does not exist; check the path")
        return path.name, path.read_bytes()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None, bytes(value)
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, str):
            raise InvalidTypeError(f"{label} file is open in text mode; open it with 'rb'")
        name = getattr(value, "name", None)
        return (Path(name).name if isinstance(name, str) and name else None), bytes(data)
    raise InvalidTypeError(
        f"{label} must be a PIL image, a path, bytes or a binary file object, not {type(value).__name__}"
    )


def _sniff(content: bytes) -> str | None:
    for magic, fmt in _MAGIC:
        if content.startswith(magic):
            return fmt
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def _has_transparent_pixels(content: bytes) -> bool:
    from PIL import Image

    with Image.open(io.BytesIO(content)) as opened:
        image: Image.Image = opened
        if image.mode == "P" and "transparency" in image.info:
            image = image.convert("RGBA")
        if "A" not in image.getbands():
            return False
        return image.getchannel("A").getextrema()[0] == 0


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
