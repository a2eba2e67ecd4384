"""What each image model accepts: one table of per-model rules, and checks that read it.

`IMAGE_MODELS` is the one table of per-model rules (prompt length, `n`, sizes, qualities,
styles, response formats, what edits and variations take). The check functions read it
and raise `InvalidInputError` before anything is sent, with a message that names the
rule, the limit and the model and says how to fix it. A model the table does not know
(an OpenAI-compatible server's own) gets only the checks that hold for every model.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._core import arguments
from .._core.arguments import type_error
from .._core.errors import InvalidInputError
from .image_input import ImageFile

__all__ = [
    "IMAGE_MODELS",
    "MAX_N",
    "ImageModelRules",
    "check_edit",
    "check_generation",
    "check_stream",
    "check_variation",
    "image_rules",
    "normalize_size",
]

_MB = 1024 * 1024
MAX_N = 10  # every image model makes at most 10 images per request
MAX_PARTIAL_IMAGES = 3  # previews a streamed image may send before the picture

DALL_E_2_SIZES = ("256x256", "512x512", "1024x1024")
GPT_IMAGE_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")


@dataclass(frozen=True)
class ImageModelRules:
    """What one image model accepts. Empty tuples mean "this model has no such setting"."""

    name: str
    prompt_limit: int
    max_n: int
    sizes: tuple[str, ...]
    qualities: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    # () means the model always answers with base64 and takes no response_format.
    response_formats: tuple[str, ...] = ()
    output_formats: tuple[str, ...] = ()
    # Edits and variations; edit_formats == () means the model cannot edit.
    edit_formats: tuple[str, ...] = ()
    edit_sizes: tuple[str, ...] = ()
    edit_qualities: tuple[str, ...] = ()
    max_input_bytes: int = 0
    max_images: int = 1
    square_input: bool = False
    needs_transparency: bool = False  # an edit without a mask edits the transparent area
    variations: bool = False
    streams: bool = False  # generations and edits may stream, with partial images

    @property
    def edits(self) -> bool:
        return bool(self.edit_formats)


IMAGE_MODELS: dict[str, ImageModelRules] = {
    "dall-e-2": ImageModelRules(
        name="dall-e-2",
        prompt_limit=1000,
        max_n=10,
        sizes=DALL_E_2_SIZES,
        qualities=("standard",),
        response_formats=("url", "b64_json"),
        edit_formats=("png",),
        edit_sizes=DALL_E_2_SIZES,
        edit_qualities=("standard",),
        max_input_bytes=4 * _MB,
        max_images=1,
        square_input=True,
        needs_transparency=True,
        variations=True,
    ),
    "dall-e-3": ImageModelRules(
        name="dall-e-3",
        prompt_limit=4000,
        max_n=1,
        sizes=("1024x1024", "1792x1024", "1024x1792"),
        qualities=("standard", "hd"),
        styles=("vivid", "natural"),
        response_formats=("url", "b64_json"),
    ),
    "gpt-image-1": ImageModelRules(
        name="gpt-image-1",
        prompt_limit=32000,
        max_n=10,
        sizes=GPT_IMAGE_SIZES,
        qualities=("auto", "low", "medium", "high"),
        output_formats=("png", "jpeg", "webp"),
        edit_formats=("png", "webp", "jpeg"),
        edit_sizes=GPT_IMAGE_SIZES,
        edit_qualities=("auto", "low", "medium", "high"),
        max_input_bytes=50 * _MB,
        max_images=16,
        streams=True,
    ),
}

# Other models of a known family follow that family's rules.
_FAMILIES = (
    (re.compile(r"^(gpt-image-|chatgpt-image-)"), "gpt-image-1"),
    (re.compile(r"^dall-e-3-"), "dall-e-3"),
    (re.compile(r"^dall-e-2-"), "dall-e-2"),
)

_SIZE = re.compile(r"^\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*$")


def image_rules(model: str) -> ImageModelRules | None:
    """The rules for `model`, or None for a model the table does not know."""
    if model in IMAGE_MODELS:
        return IMAGE_MODELS[model]
    for pattern, family in _FAMILIES:
        if pattern.match(model):
            return dataclasses.replace(IMAGE_MODELS[family], name=model)
    return None


def image_model_names() -> list[str]:
    return list(IMAGE_MODELS)


# -- checks before sending ---------------------------------------------------------------


def normalize_size(size: Any) -> str | None:
    """`"1024x1024"`, `"1024X1024"`, `(1024, 1024)` or `"auto"` -> `"1024x1024"` / `"auto"`."""
    if size is None:
        return None
    if isinstance(size, (tuple, list)) and len(size) == 2 and all(_is_int(v) for v in size):
        return f"{int(size[0])}x{int(size[1])}"
    if isinstance(size, str):
        text = size.strip().lower()
        if text == "auto":
            return text
        match = _SIZE.match(text)
        if match:
            return f"{int(match.group(1))}x{int(match.group(2))}"
        raise InvalidInputError(f"size {size!r} is not a size; write it as WIDTHxHEIGHT, e.g. '1024x1024'")
    raise type_error("size", "a string like '1024x1024' or a (width, height) pair", size)


def check_prompt(prompt: Any, rules: ImageModelRules | None) -> str:
    arguments.text(prompt, "prompt", hint="describe the image you want")
    if rules is not None and len(prompt) > rules.prompt_limit:
        longer = [
            f"{r.name} ({r.prompt_limit})"
            for r in IMAGE_MODELS.values()
            if r.prompt_limit > rules.prompt_limit
        ]
        alternative = f" or use {' or '.join(longer)}" if longer else ""
        raise InvalidInputError(
            f"prompt is {len(prompt)} characters; {rules.name} takes up to {rules.prompt_limit}: "
            f"shorten it{alternative}"
        )
    return prompt


def check_n(n: Any, rules: ImageModelRules | None) -> int:
    if isinstance(n, bool) or not _is_int(n):
        raise type_error("n", "a whole number of images", n)
    n = int(n)
    if rules is not None and rules.max_n == 1 and n != 1:
        others = " or ".join(r.name for r in IMAGE_MODELS.values() if r.max_n > 1)
        raise InvalidInputError(
            f"n={n}: {rules.name} makes only 1 image per request: use n=1 and call again, "
            f"or use {others} for up to {MAX_N}"
        )
    limit = rules.max_n if rules is not None else MAX_N
    if not 1 <= n <= limit:
        model = rules.name if rules is not None else "an image model"
        raise InvalidInputError(f"n={n}: {model} makes 1 to {limit} images per request; pick n in that range")
    return n


def check_size(size: Any, rules: ImageModelRules | None, allowed: Sequence[str] | None = None) -> str | None:
    text = normalize_size(size)
    if text is None or rules is None:
        return text
    allowed = rules.sizes if allowed is None else allowed
    if text not in allowed:
        raise InvalidInputError(
            f"size {text} is not offered by {rules.name}: use one of {', '.join(allowed)} (or leave it out)"
        )
    return text


def check_choice(name: str, value: Any, rules: ImageModelRules | None, field: str) -> str | None:
    """A setting with a fixed list of values per model, read from the rules' `field` (e.g. "qualities")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error(name, "a string", value)
    if rules is None:
        return value
    allowed = getattr(rules, field)
    if not allowed:
        owners = [r.name for r in IMAGE_MODELS.values() if getattr(r, field)]
        verb = "does" if len(owners) == 1 else "do"
        raise InvalidInputError(
            f"{rules.name} takes no {name} (only {' and '.join(owners)} {verb}): leave {name} out"
        )
    if value not in allowed:
        raise InvalidInputError(
            f"{name} {value!r} is not offered by {rules.name}: "
            f"use one of {', '.join(allowed)} (or leave it out)"
        )
    return value


def check_generation(
    model: str, prompt: Any, n: Any, size: Any, quality: Any, style: Any, advanced: dict[str, Any]
) -> dict[str, Any]:
    """The JSON body for /images/generations, checked against `model`'s rules."""
    rules = image_rules(model)
    body: dict[str, Any] = {
        "model": model,
        "prompt": check_prompt(prompt, rules),
        "n": check_n(n, rules),
        "size": check_size(size, rules),
        "quality": check_choice("quality", quality, rules, "qualities"),
        "style": check_choice("style", style, rules, "styles"),
    }
    body.update(_check_advanced(advanced, rules))
    return {k: v for k, v in body.items() if v is not None}


def check_edit(
    model: str,
    prompt: Any,
    images: list[ImageFile],
    mask: ImageFile | None,
    n: Any,
    size: Any,
    advanced: dict[str, Any],
) -> dict[str, Any]:
    """The form fields for /images/edits, after checking the images and mask against `model`."""
    rules = image_rules(model)
    if rules is not None and not rules.edits:
        editors = " or ".join(r.name for r in IMAGE_MODELS.values() if r.edits)
        raise InvalidInputError(f"{rules.name} cannot edit images: use {editors}")
    fields: dict[str, Any] = {
        "model": model,
        "prompt": check_prompt(prompt, rules),
        "n": check_n(n, rules),
        "size": check_size(size, rules, rules.edit_sizes if rules else None),
    }
    if "quality" in advanced:
        fields["quality"] = check_choice("quality", advanced.pop("quality"), rules, "edit_qualities")
    fields.update(_check_advanced(advanced, rules))
    if rules is not None:
        _check_images(rules, images)
        if mask is not None:
            _check_mask(rules, mask, images[0])
        elif rules.needs_transparency and not images[0].transparent:
            raise InvalidInputError(
                f"{images[0].label} has no transparent pixels and no mask was given; {rules.name} edits "
                "the transparent area: pass mask=... or make the area to edit transparent (alpha 0)"
            )
    return {k: v for k, v in fields.items() if v is not None}


def check_variation(
    model: str, image: ImageFile, n: Any, size: Any, advanced: dict[str, Any]
) -> dict[str, Any]:
    """The form fields for /images/variations, after checking the image against `model`."""
    rules = image_rules(model)
    if rules is not None and not rules.variations:
        makers = " or ".join(r.name for r in IMAGE_MODELS.values() if r.variations)
        raise InvalidInputError(f"{rules.name} cannot make variations: use {makers}")
    fields: dict[str, Any] = {
        "model": model,
        "n": check_n(n, rules),
        "size": check_size(size, rules, rules.edit_sizes if rules else None),
    }
    fields.update(_check_advanced(advanced, rules))
    if rules is not None:
        _check_images(rules, [image])
    return {k: v for k, v in fields.items() if v is not None}


def check_stream(model: str, stream: Any, partial_images: Any) -> dict[str, Any]:
    """The `stream` and `partial_images` fields for a generation or an edit (empty when not streamed)."""
    arguments.boolean(stream, "stream")
    partials = arguments.whole_number(
        partial_images, "partial_images", minimum=0, maximum=MAX_PARTIAL_IMAGES, optional=True
    )
    if not stream:
        if partials is not None:
            raise InvalidInputError("partial_images needs stream=True: add it, or leave partial_images out")
        return {}
    rules = image_rules(model)
    if rules is not None and not rules.streams:
        streamers = " or ".join(r.name for r in IMAGE_MODELS.values() if r.streams)
        raise InvalidInputError(f"{rules.name} cannot stream images: use {streamers}, or leave stream out")
    fields: dict[str, Any] = {"stream": True}
    if partials is not None:
        fields["partial_images"] = partials
    return fields


def _check_advanced(advanced: dict[str, Any], rules: ImageModelRules | None) -> dict[str, Any]:
    """Settings passed as keywords: the known ones are checked, others are sent as given."""
    checked = dict(advanced)
    if checked.get("stream"):  # variations: generations and edits take stream as an argument
        raise InvalidInputError("image variations cannot stream: leave stream out to get the finished images")
    checked.pop("stream", None)
    for name, field in (("response_format", "response_formats"), ("output_format", "output_formats")):
        if name in checked:
            checked[name] = check_choice(name, checked[name], rules, field)
    return checked


def _check_images(rules: ImageModelRules, images: list[ImageFile]) -> None:
    if not images:
        raise InvalidInputError("no image given; pass a PIL image, a path, bytes or a file object")
    if len(images) > rules.max_images:
        more = [f"{r.name} (up to {r.max_images})" for r in IMAGE_MODELS.values() if r.max_images > 1]
        alternative = f", or use {' or '.join(more)}" if more and rules.max_images == 1 else ""
        raise InvalidInputError(
            f"{len(images)} images given; {rules.name} takes {rules.max_images} image"
            f"{'s' if rules.max_images > 1 else ''} per request: pass fewer{alternative}"
        )
    for image in images:
        _check_format(rules, image, rules.edit_formats)
        _check_bytes(rules, image)
        if rules.square_input and image.width != image.height:
            raise InvalidInputError(
                f"{image.label} is {image.width}x{image.height}; {rules.name} needs a square image: "
                "crop or pad it"
            )


def _check_mask(rules: ImageModelRules, mask: ImageFile, image: ImageFile) -> None:
    if mask.format != "png":
        raise InvalidInputError(
            f"mask is {_article(mask.format)}; a mask must be a PNG with transparency: pass a PIL image "
            "(converted to PNG for you) or save it as PNG"
        )
    _check_bytes(rules, mask)
    if (mask.width, mask.height) != (image.width, image.height):
        raise InvalidInputError(
            f"mask is {mask.width}x{mask.height} but {image.label} is {image.width}x{image.height}; "
            f"{rules.name} needs a mask the same size as the image: resize it"
        )
    if not mask.transparent:
        raise InvalidInputError(
            "mask has no transparent pixels; its transparent area (alpha 0) marks where to edit: "
            "make that area transparent"
        )


def _check_format(rules: ImageModelRules, image: ImageFile, allowed: Sequence[str]) -> None:
    if image.format not in allowed:
        kinds = [_article(f).split(" ", 1)[1] for f in allowed]
        names = f"a {kinds[0]}" if len(kinds) == 1 else f"a {', '.join(kinds[:-1])} or {kinds[-1]} image"
        raise InvalidInputError(
            f"{image.label} is {_article(image.format)}; {rules.name} needs {names}: pass a PIL image "
            "(converted to PNG for you) or save it as PNG"
        )


def _check_bytes(rules: ImageModelRules, image: ImageFile) -> None:
    if len(image.content) >= rules.max_input_bytes:
        limit = rules.max_input_bytes // _MB
        raise InvalidInputError(
            f"{image.label} is {len(image.content) / _MB:.2f} MB; {rules.name} takes images under "
            f"{limit} MB: make it smaller (e.g. img.resize((512, 512)))"
        )


def _article(fmt: str) -> str:
    name = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP", "gif": "GIF"}.get(fmt, fmt.upper())
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()
