"""Image outputs: the bytes or base64 the server sent, decoded into PIL images."""

from __future__ import annotations

import base64
import binascii
import io
from typing import TYPE_CHECKING

from .._core.errors import APIResponseValidationError

if TYPE_CHECKING:
    from PIL import Image


__all__ = ["image_from_b64", "image_from_bytes"]


def image_from_bytes(data: bytes, what: str = "image") -> Image.Image:
    """Decoded and loaded PIL image; an API error when the bytes are not an image."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        kind = "an SVG drawing; the API sends PNG, JPEG or WebP" if _is_svg(data) else type(exc).__name__
        raise APIResponseValidationError(
            f"the {what} the server sent ({len(data)} bytes) is not an image that can be read ({kind})"
        ) from None
    return image


def _is_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)


def image_from_b64(text: str, what: str = "image") -> Image.Image:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise APIResponseValidationError(f"the {what} the server sent is not valid base64") from None
    return image_from_bytes(data, what)
