"""Images in chat messages: PIL images, files and URLs -> `image_url` content parts.

A message's content may mix text with images. What counts as an image in a content list:
a `PIL.Image.Image`; a `pathlib.Path`; `bytes` holding an image file; a `data:image/...`
URL; and a string that is an http(s) URL or an existing file path ending in .png, .jpg,
.jpeg, .gif or .webp. Any other string is text. (`image_part()` takes any path or URL as
an image, for places where an image is all there can be, such as `--image VAR`.)

PNG, JPEG, GIF and WEBP files are sent unchanged as base64 data URLs; other formats
PIL can read are converted to PNG. A PIL image is sent as PNG, or as JPEG when it was
loaded from a JPEG. Web URLs are passed on for OpenAI to fetch. An image above 20 MB is
refused before anything is sent.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["MAX_IMAGE_BYTES", "content_part", "image_part", "is_image"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_SENT_AS_IS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}
_WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_DETAILS = ("auto", "low", "high")


def _is_pil(value: Any) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is a dependency
        return False
    return isinstance(value, Image.Image)


def is_image(value: Any) -> bool:
    """Whether a content-list item is taken as an image (see the module docstring)."""
    if isinstance(value, (Path, bytes, bytearray)) or _is_pil(value):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith("data:image/"):
        return True
    suffix = os.path.splitext(text.split("?")[0])[1].lower()
    if _WEB_URL.match(text):
        return suffix in IMAGE_SUFFIXES
    return suffix in IMAGE_SUFFIXES and "\n" not in text and os.path.isfile(text)


def content_part(value: Any, where: str) -> dict[str, Any]:
    """One item of a content list as an API content part; `where` names it in errors."""
    if isinstance(value, dict):
        if not isinstance(value.get("type"), str):
            raise InvalidInputError(
                f"{where} is a dict without a 'type'; use {{'type': 'text', 'text': ...}} "
                "or {'type': 'image_url', 'image_url': {'url': ...}}"
            )
        return value
    if is_image(value):
        return image_part(value, where)
    if isinstance(value, str):
        return {"type": "text", "text": value}
    raise InvalidTypeError(
        f"{where} has type {type(value).__name__}; content items are text, PIL images, image paths, "
        "image URLs or content-part dicts"
    )


def image_part(value: Any, where: str = "image", detail: str | None = None) -> dict[str, Any]:
    """An `image_url` content part for a PIL image, a path, image bytes or a URL."""
    if detail is not None and detail not in _DETAILS:
        raise InvalidInputError(f"detail must be one of {', '.join(_DETAILS)}, not {detail!r}")
    url = _image_url(value, where)
    image_url: dict[str, Any] = {"url": url}
    if detail is not None:
        image_url["detail"] = detail
    return {"type": "image_url", "image_url": image_url}


def _image_url(value: Any, where: str) -> str:
    if _is_pil(value):
        return _data_url(*_encode_pil(value), where)
    if isinstance(value, (bytes, bytearray)):
        return _data_url(*_as_sent(bytes(value), where, "the bytes"), where)
    if isinstance(value, str) and value.strip().startswith("data:image/"):
        return value.strip()
    if isinstance(value, str) and _WEB_URL.match(value.strip()):
        return value.strip()
    if isinstance(value, (str, Path)):
        return _data_url(*_read_file(Path(value).expanduser(), where), where)
    raise InvalidTypeError(
        f"{where} has type {type(value).__name__}; an image is a PIL image, a file path, image bytes or a URL"
    )


def _read_file(path: Path, where: str) -> tuple[bytes, str]:
    if not path.is_file():
        raise InvalidInputError(f"{where}: no image file at {str(path)!r}; check the path")
    size = path.stat().st_size
    _check_size(size, where)
    return _as_sent(path.read_bytes(), where, repr(path.name))


def _as_sent(data: bytes, where: str, what: str) -> tuple[bytes, str]:
    """File bytes as they will be sent: unchanged if OpenAI takes the format, else PNG."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image_format = image.format
    except Image.DecompressionBombError as exc:  # a few KB that would decode to gigabytes
        raise InvalidInputError(
            f"{where}: {what} is too many pixels to open safely ({exc}); shrink it first, "
            "e.g. to at most 2048 x 2048"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidInputError(
            f"{where}: {what} is not an image PIL can read; use PNG, JPEG, GIF or WEBP"
        ) from None
    if image_format in _SENT_AS_IS:
        return data, _SENT_AS_IS[image_format]
    return _encode_pil(image)


def _encode_pil(image: Image.Image) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if image.format == "JPEG" and image.mode in {"RGB", "L"}:
        image.save(buffer, format="JPEG", quality=92)
        return buffer.getvalue(), "image/jpeg"
    if image.mode not in _PNG_MODES:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.save(buffer, format="PNG")
    return buffer.getvalue(), "image/png"


def _check_size(size: int, where: str) -> None:
    if size > MAX_IMAGE_BYTES:
        raise InvalidInputError(
            f"{where} is {size / 1024 / 1024:.1f} MB; at most {MAX_IMAGE_BYTES // 1024 // 1024} MB "
            "can be sent: shrink it first (e.g. image.thumbnail((2048, 2048)))"
        )


def _data_url(data: bytes, mime: str, where: str) -> str:
    _check_size(len(data), where)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
