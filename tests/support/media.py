"""Small images and sounds made on the fly for the image and audio tests (no binary fixtures)."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import wave

import httpx

import openai_widgets as ow
from tests.conftest import TEST_KEY


def picture(size=(64, 64), mode="RGBA", color=(0, 128, 255, 255), hole=None):
    """A PIL image of one colour; `hole` (x0, y0, x1, y1) is made fully transparent."""
    from PIL import Image

    image = Image.new("RGBA", size, color)
    if hole is not None:
        image.paste((0, 0, 0, 0), hole)
    return image if mode == "RGBA" else image.convert(mode)


def encoded(image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def mask_for(size=(64, 64), hole=(16, 16, 48, 48)):
    """An opaque mask whose `hole` is transparent: the area to edit."""
    return picture(size, color=(255, 255, 255, 255), hole=hole)


def tone(seconds: float = 1.0, rate: int = 16_000, pitch: float = 440.0) -> bytes:
    """A WAV of a sine tone, made with the standard library."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * i / rate)))
        for i in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return buffer.getvalue()


def upload_value(name: str, content: bytes, kind: str = "application/octet-stream") -> tuple[dict, ...]:
    """What a FileUpload holds after a user picks `name`."""
    return (
        {
            "name": name,
            "type": kind,
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
        },
    )


class Offline:
    """A client whose transport fails the test if any request is made (checks happen before sending)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            raise AssertionError(f"no request should be sent, got {request.method} {request.url}")

        self.client = ow.Client(
            api_key=TEST_KEY, base_url="http://offline.test/v1", transport=httpx.MockTransport(handler)
        )
