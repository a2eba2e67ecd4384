"""Streamed images: `image_generation.*` / `image_edit.*` events folded into the pictures so far.

With `stream=True` a GPT image model sends, per picture, up to `partial_images` previews
(`*.partial_image`, each a whole coarser image) and then the picture (`*.completed`, with
its usage). The events carry no picture number: pictures come one after another, so a
`completed` event closes the current one. The stream has no `[DONE]`: it is whole once
`n` pictures are completed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .image_output import image_from_b64
from .image_result import ImageResult

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["ImageStream"]

_USAGE_COUNTS = ("input_tokens", "output_tokens", "total_tokens")


class ImageStream:
    """The pictures of one streamed call: completed ones, and the latest preview of the next."""

    def __init__(self, expected: int, *, model: str, prompt: str | None) -> None:
        self.expected = expected
        self.model = model
        self.prompt = prompt
        self.done: list[Image.Image] = []
        self.preview: Image.Image | None = None
        self.previews = 0  # previews received, over all pictures
        self.created: int | None = None
        self.usage: dict[str, Any] | None = None

    def add(self, event: dict[str, Any]) -> None:
        kind = str(event.get("type", ""))
        if self.created is None and isinstance(event.get("created_at"), int):
            self.created = event["created_at"]
        number = len(self.done) + 1
        if kind.endswith(".partial_image"):
            index = event.get("partial_image_index", self.previews)
            self.preview = image_from_b64(event.get("b64_json") or "", f"preview {index} of image {number}")
            self.preview.info["partial"] = True
            self.previews += 1
        elif kind.endswith(".completed"):
            self.done.append(image_from_b64(event.get("b64_json") or "", f"image {number}"))
            self.preview = None
            self._add_usage(event.get("usage"))
        # Other event types (a newer API's) are passed over.

    def add_whole(self, images: list[Image.Image], usage: Any) -> None:
        """The pictures of a whole answer (an ImagesResponse, from a server that ignores `stream`)."""
        self.done.extend(images)
        self.preview = None
        self._add_usage(usage)

    def unfinished(self) -> str | None:
        """What is missing at a clean end of the stream, or None once every picture is completed."""
        if len(self.done) >= self.expected:
            return None
        return f"{len(self.done)} of {self.expected} images were completed"

    def result(self, *, interrupted: bool = False) -> ImageResult:
        """The pictures so far (with the preview of an unfinished one) as an ImageResult."""
        images = [*self.done, *([self.preview] if self.preview is not None else [])]
        made = ImageResult(
            images, model=self.model, prompt=self.prompt, created=self.created, usage=self.usage
        )
        made.interrupted = interrupted
        return made

    def _add_usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        if self.usage is None:
            self.usage = dict(usage)
            return
        for key in _USAGE_COUNTS:  # one picture's usage per event: the call's is their sum
            if isinstance(usage.get(key), int):
                self.usage[key] = self.usage.get(key, 0) + usage[key]
