"""`ImageResult`: the images an image call made, as a list of PIL images shown as a gallery."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.display import ShownOnce

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["ImageResult"]

_PREFIX = re.compile(r"^[\w.-]+$")
THUMBNAIL_WIDTH = 320  # pixels each image takes in the notebook gallery


class ImageResult(list, ShownOnce):
    """A list of `PIL.Image.Image` that shows inline as a gallery.

        result = ow.generate_images("a lighthouse at dawn", n=2)
        result[0]                    # a plain PIL image
        result.revised_prompts       # what dall-e-3 made of the prompt (None where not given)
        result.save("out", "lighthouse")   # -> [Path('out/lighthouse-1.png'), ...]

    Each image carries the API's `revised_prompt`, where it gave one, in `img.info`.
    `model`, `prompt`, `created` (Unix seconds) and `usage` describe the call. A streamed
    call that was interrupted or cut has `interrupted` True; its last image may then be a
    preview (`img.info["partial"]` True).
    """

    def __init__(
        self,
        images: Any = (),
        *,
        model: str | None = None,
        prompt: str | None = None,
        created: int | None = None,
        usage: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(images)
        self.model = model
        self.prompt = prompt
        self.created = created
        self.usage = usage
        self.interrupted = False

    @property
    def revised_prompts(self) -> list[str | None]:
        return [image.info.get("revised_prompt") for image in self]

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        if isinstance(index, slice):
            return ImageResult(item, model=self.model, prompt=self.prompt, created=self.created)
        return item

    def save(self, folder: str | Path = ".", prefix: str = "image") -> list[Path]:
        """Write each image as `folder/prefix-N.png` and return the paths.

        The folder is created if needed. Numbering continues after files already there,
        so saving again never overwrites earlier images. The prompt and revised prompt
        are stored as PNG text fields.
        """
        from PIL.PngImagePlugin import PngInfo

        if not isinstance(prefix, str) or not _PREFIX.match(prefix):
            raise InvalidInputError(
                f"prefix {prefix!r} must be a plain file name part (letters, digits, '-', '_', '.')"
            )
        if not isinstance(folder, (str, Path)):
            raise InvalidTypeError(f"folder must be a path, not {type(folder).__name__}")
        target = Path(folder).expanduser()
        target.mkdir(parents=True, exist_ok=True)
        number = _next_number(target, prefix)
        paths = []
        for image in self:
            info = PngInfo()
            for key, value in (("prompt", self.prompt), ("revised_prompt", image.info.get("revised_prompt"))):
                if value:
                    info.add_itxt(key, value)
            path = target / f"{prefix}-{number}.png"
            _png_ready(image).save(path, format="PNG", pnginfo=info)
            paths.append(path)
            number += 1
        return paths

    # -- display -------------------------------------------------------------------------

    def _repr_html_(self) -> str | None:
        if self.shown_above():
            return None
        return self._gallery()

    def _gallery(self, note: str = "") -> str:
        figures = "".join(_figure(i, image) for i, image in enumerate(self))
        caption = html.escape(self._summary() + note)
        return (
            f"<div class='ow-image-gallery'><div style='font-size:smaller;color:#555'>{caption}</div>"
            f"<div style='display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start'>{figures}</div></div>"
        )

    # -- shown while streaming (see _chat.stream.LiveView) ---------------------------------

    def bundle(self, *, cursor: bool = False) -> dict[str, str]:
        """The gallery as it stands; `cursor` marks it as still being drawn."""
        note = " (drawing...)" if cursor else " (interrupted)" if self.interrupted else ""
        return {"text/plain": repr(self)[:-1] + note + ">", "text/html": self._gallery(note)}

    def metadata(self) -> dict[str, Any]:
        return {
            "openai_widgets": {
                "model": self.model,
                "usage": self.usage,
                "images": len(self),
                "interrupted": self.interrupted,
            }
        }

    def mark_streamed(self) -> None:
        self.mark_shown()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        return f"<{self._summary()}>"

    def _summary(self) -> str:
        sizes = sorted({f"{image.width}x{image.height}" for image in self})
        count = f"{len(self)} image{'s' if len(self) != 1 else ''}"
        model = f" from {self.model}" if self.model else ""
        size = f", {', '.join(sizes)}" if sizes else ""
        return f"ImageResult: {count}{model}{size}"


def _figure(index: int, image: Image.Image) -> str:
    png = base64.b64encode(_png_bytes(image)).decode("ascii")
    revised = image.info.get("revised_prompt")
    note = f"{index}: {image.width}x{image.height}" + (" (preview)" if image.info.get("partial") else "")
    title = html.escape(revised or note, quote=True)
    caption = html.escape(note + (f" - {revised}" if revised else ""))
    return (
        f"<figure style='margin:0;max-width:{THUMBNAIL_WIDTH}px'>"
        f"<img src='data:image/png;base64,{png}' title='{title}' alt='{title}' "
        f"style='max-width:{THUMBNAIL_WIDTH}px;height:auto;border:1px solid #ddd'/>"
        f"<figcaption style='font-size:smaller'>{caption}</figcaption></figure>"
    )


def _png_bytes(image: Image.Image) -> bytes:
    from .image_input import encode_png

    return encode_png(_png_ready(image))


def _png_ready(image: Image.Image) -> Image.Image:
    """PNG takes RGB(A), L(A), P and 1; other modes (CMYK, YCbCr...) are converted."""
    return image if image.mode in {"RGBA", "RGB", "LA", "L", "P", "1", "I;16"} else image.convert("RGBA")


def _next_number(folder: Path, prefix: str) -> int:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)\.png$")
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := pattern.match(p.name))]
    return max(numbers, default=0) + 1
