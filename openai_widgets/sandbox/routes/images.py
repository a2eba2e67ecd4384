"""Images: generations (JSON), edits and variations (multipart), and the sandbox's image URLs.

Pictures are drawn by `_drawing` from a hash of the prompt at the requested size and
labelled "sandbox". With `response_format=url` the picture is kept in
`sandbox.state.images` and served, without a key, at `/v1/sandbox/images/{name}`, the
way OpenAI hands out short-lived URLs on another host. Bad requests get the 400s OpenAI
gives: prompt too long, `n` out of range, sizes, qualities and styles a model does not
offer, and for dall-e-2 edits and variations an image that is not a square PNG under 4 MB.

`stream=true` works as the spec describes for the GPT image models: per picture,
`partial_images` (0 to 3) coarse previews as `image_generation.partial_image` events
(`image_edit.partial_image` for edits), then `image_generation.completed`
(`image_edit.completed`) with the picture and its usage. The DALL-E models cannot stream
and answer 400.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from typing import Any, overload

from .._drawing import draw, edit, encode, partial, vary
from .._http import ApiError, BytesResponse, JSONResponse, Request, StreamResponse, UploadedFile
from ._registry import route

_MB = 1024 * 1024
KEEP_IMAGES = 200  # URL images kept; older ones answer 404, as expired URLs do


@dataclass(frozen=True)
class _Model:
    prompt_limit: int
    max_n: int
    sizes: tuple[str, ...]
    qualities: tuple[str, ...]
    styles: tuple[str, ...] = ()
    gpt_image: bool = False
    edit_sizes: tuple[str, ...] = ()
    variations: bool = False


_SMALL = ("256x256", "512x512", "1024x1024")
_GPT_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
_GPT_QUALITIES = ("auto", "low", "medium", "high")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
RESPONSE_FORMATS = ("url", "b64_json")
MAX_PARTIAL_IMAGES = 3
IMAGE_TOKENS = 272  # output tokens a sandbox picture counts as
MODELS = {
    "dall-e-2": _Model(1000, 10, _SMALL, ("standard", "auto"), edit_sizes=_SMALL, variations=True),
    "dall-e-3": _Model(
        4000, 1, ("1024x1024", "1792x1024", "1024x1792"), ("standard", "hd", "auto"), ("vivid", "natural")
    ),
    "gpt-image-1": _Model(32000, 10, _GPT_SIZES, _GPT_QUALITIES, gpt_image=True, edit_sizes=_GPT_SIZES),
}


def _model(sandbox, value: Any, default: str = "dall-e-2") -> tuple[str, _Model]:
    model_id = value or default
    sandbox.state.model(model_id)  # 404 for a model the sandbox does not have
    rules = MODELS.get(model_id)
    if rules is None:
        raise ApiError(
            400, f"The model '{model_id}' does not make images.", param="model", code="invalid_model"
        )
    return model_id, rules


# -- checks, as OpenAI words them ---------------------------------------------------------


def _prompt(value: Any, rules: _Model) -> str:
    if not isinstance(value, str) or not value:
        raise ApiError(
            400, "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter"
        )
    if len(value) > rules.prompt_limit:
        raise ApiError(
            400,
            f"Invalid 'prompt': string too long. Expected a string with maximum length {rules.prompt_limit}, "
            f"but got a string with length {len(value)} instead.",
            param="prompt",
            code="string_above_max_length",
        )
    return value


def _n(value: Any, rules: _Model) -> int:
    try:
        n = 1 if value is None else int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid 'n': expected an integer, got {value!r}.", param="n") from None
    if rules.max_n == 1 and n != 1:
        raise ApiError(400, "You must provide n=1 for this model.", param="n", code="invalid_value")
    if n < 1:
        raise ApiError(
            400,
            f"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {n} instead.",
            param="n",
        )
    if n > rules.max_n:
        raise ApiError(
            400,
            f"Invalid 'n': integer above maximum value. Expected a value <= {rules.max_n}, "
            f"but got {n} instead.",
            param="n",
        )
    return n


@overload
def _choice(name: str, value: Any, allowed: tuple[str, ...], default: str) -> str: ...
@overload
def _choice(name: str, value: Any, allowed: tuple[str, ...], default: None) -> str | None: ...
def _choice(name: str, value: Any, allowed: tuple[str, ...], default: str | None) -> str | None:
    if value is None:
        return default
    if value not in allowed:
        listed = ", ".join(f"'{a}'" for a in allowed)
        raise ApiError(
            400,
            f"Invalid value: {value!r}. Supported values are: {listed}.",
            param=name,
            code="invalid_value",
        )
    return value


def _unsupported(name: str, value: Any, model_id: str) -> None:
    if value is not None:
        raise ApiError(
            400,
            f"Unknown parameter: '{name}' is not supported with {model_id}.",
            param=name,
            code="unknown_parameter",
        )


def _flag(value: Any, name: str) -> bool:
    """A boolean field: JSON's true/false, or a multipart form's "true"/"false"."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if value in ("true", "false"):
        return value == "true"
    raise ApiError(400, f"Invalid type for '{name}': expected a boolean, got {value!r}.", param=name)


def _streaming(fields: dict[str, Any], model_id: str, rules: _Model) -> int | None:
    """How many partial images a stream asks for, or None when the answer is not streamed."""
    if not _flag(fields.get("stream"), "stream"):
        return None
    if not rules.gpt_image:
        raise ApiError(
            400,
            f"Streaming is not supported with {model_id}: use a GPT image model such as gpt-image-1, "
            "or leave 'stream' unset.",
            param="stream",
            code="unsupported_value",
        )
    value = fields.get("partial_images")
    try:
        count = 0 if value is None else int(value)
    except (TypeError, ValueError):
        raise ApiError(
            400, f"Invalid 'partial_images': expected an integer, got {value!r}.", param="partial_images"
        ) from None
    if not 0 <= count <= MAX_PARTIAL_IMAGES:
        raise ApiError(
            400,
            f"Invalid 'partial_images': expected a value between 0 and {MAX_PARTIAL_IMAGES}, got {count}.",
            param="partial_images",
        )
    return count


def _pixels(size: str, default: str) -> tuple[int, int]:
    width, _, height = (default if size == "auto" else size).partition("x")
    return int(width), int(height)


# -- generations --------------------------------------------------------------------------


@route("POST", "/images/generations")
def generate(request: Request, sandbox) -> JSONResponse | StreamResponse:
    body = request.json_object()
    model_id, rules = _model(sandbox, body.get("model"))
    prompt = _prompt(body.get("prompt"), rules)
    n = _n(body.get("n"), rules)
    partials = _streaming(body, model_id, rules)
    size = _choice("size", body.get("size"), rules.sizes, "auto" if rules.gpt_image else "1024x1024")
    quality = _choice("quality", body.get("quality"), rules.qualities, None)
    if rules.styles:
        _choice("style", body.get("style"), rules.styles, "vivid")
    else:
        _unsupported("style", body.get("style"), model_id)
    pixels = _pixels(size, "1024x1024")
    pictures = [draw(prompt, pixels, f"{model_id}:{i}") for i in range(n)]
    if partials is not None:
        return _stream(sandbox, "image_generation", body, pictures, size, quality, prompt, partials)
    revised = f"[sandbox] {prompt}" if model_id == "dall-e-3" else None
    return JSONResponse(_answer(sandbox, model_id, rules, body, pictures, size, quality, revised, prompt))


def _answer(
    sandbox,
    model_id: str,
    rules: _Model,
    fields: dict[str, Any],
    pictures: list,
    size: str,
    quality: str | None,
    revised: str | None,
    prompt: str,
) -> dict[str, Any]:
    """The ImagesResponse body, in b64_json or with URLs served by the sandbox."""
    if rules.gpt_image:
        _unsupported("response_format", fields.get("response_format"), model_id)
        fmt = _output_format(fields)
        response_format = "b64_json"
    else:
        _unsupported("output_format", fields.get("output_format"), model_id)
        fmt = "png"
        response_format = _choice("response_format", fields.get("response_format"), RESPONSE_FORMATS, "url")
    data = []
    for picture in pictures:
        content = encode(picture, fmt)
        item = (
            {"b64_json": base64.b64encode(content).decode("ascii")}
            if response_format == "b64_json"
            else {"url": _store(sandbox, content)}
        )
        if revised:
            item["revised_prompt"] = revised
        data.append(item)
    answer: dict[str, Any] = {"created": sandbox.state.now(), "data": data}
    if rules.gpt_image:
        answer["output_format"] = fmt
        answer["background"] = "opaque"
        answer["quality"] = quality if quality in {"low", "medium", "high"} else "medium"
        if size in {"1024x1024", "1024x1536", "1536x1024"}:
            answer["size"] = size
        answer["usage"] = _usage(prompt, len(pictures))
    return answer


def _output_format(fields: dict[str, Any]) -> str:
    return _choice("output_format", fields.get("output_format"), OUTPUT_FORMATS, "png")


def _usage(prompt: str, pictures: int) -> dict[str, Any]:
    text_tokens = max(1, len(prompt) // 4)
    return {
        "input_tokens": text_tokens,
        "output_tokens": IMAGE_TOKENS * pictures,
        "total_tokens": text_tokens + IMAGE_TOKENS * pictures,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0},
    }


def _stream(
    sandbox,
    kind: str,
    fields: dict[str, Any],
    pictures: list,
    size: str,
    quality: str | None,
    prompt: str,
    partials: int,
) -> StreamResponse:
    """The `ImageGenStreamEvent` / `ImageEditStreamEvent` stream: per picture, previews, then it."""
    fmt = _output_format(fields)
    background = _choice("background", fields.get("background"), ("transparent", "opaque", "auto"), "auto")
    common = {"size": size, "quality": quality or "auto", "background": background, "output_format": fmt}

    def events():
        for picture in pictures:
            for index in range(partials):
                preview = base64.b64encode(encode(partial(picture, index, partials), fmt)).decode("ascii")
                yield {
                    "type": f"{kind}.partial_image",
                    "b64_json": preview,
                    "created_at": sandbox.state.now(),
                    **common,
                    "partial_image_index": index,
                }
            yield {
                "type": f"{kind}.completed",
                "b64_json": base64.b64encode(encode(picture, fmt)).decode("ascii"),
                "created_at": sandbox.state.now(),
                **common,
                "quality": quality if quality in {"low", "medium", "high"} else "medium",
                "background": "transparent" if background == "transparent" else "opaque",
                "usage": _usage(prompt, 1),
            }

    return StreamResponse(events(), event_names=True)


def _store(sandbox, content: bytes) -> str:
    state = sandbox.state
    name = f"img-{hashlib.sha256(content).hexdigest()[:24]}.png"
    with state.lock:
        state.images.pop(name, None)
        state.images[name] = content
        while len(state.images) > KEEP_IMAGES:
            state.images.pop(next(iter(state.images)))
    return f"{sandbox.base_url}/sandbox/images/{name}"


@route("GET", "/sandbox/images/{name}", auth=False)
def serve_image(request: Request, sandbox) -> BytesResponse:
    """An image URL handed out above: no key needed, as with OpenAI's image host."""
    with sandbox.state.lock:
        content = sandbox.state.images.get(request.params["name"])
    if content is None:
        raise ApiError(404, "This image URL has expired or never existed.", code="not_found")
    return BytesResponse(content, "image/png")


# -- edits and variations -----------------------------------------------------------------


def _upload(request: Request, name: str, *, required: bool = True) -> list[UploadedFile]:
    files = request.files()
    uploads = files.get(name, []) + files.get(f"{name}[]", [])
    if required and not uploads:
        raise ApiError(
            400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
        )
    return uploads


def _open(upload: UploadedFile, param: str):
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(upload.content))
        image.load()
    except Exception:
        raise ApiError(
            400,
            f"Invalid input {param}: the file could not be read as an image.",
            param=param,
            code="invalid_image",
        ) from None
    return image


def _dall_e_2_image(upload: UploadedFile, param: str):
    """dall-e-2's rule for images and masks: a square PNG under 4 MB."""
    image = _open(upload, param)
    if image.format != "PNG" or len(upload.content) >= 4 * _MB:
        raise ApiError(
            400,
            f"Uploaded {param} must be a PNG and less than 4 MB.",
            param=param,
            code="invalid_image_format",
        )
    if image.width != image.height:
        raise ApiError(
            400, f"Invalid input {param} - {param} must be square.", param=param, code="invalid_image"
        )
    return image


def _gpt_image(upload: UploadedFile, param: str):
    image = _open(upload, param)
    if image.format not in {"PNG", "JPEG", "WEBP"} or len(upload.content) >= 50 * _MB:
        raise ApiError(
            400,
            f"Invalid input {param}: must be a png, webp or jpg file under 50 MB.",
            param=param,
            code="invalid_image_format",
        )
    return image


def _has_transparency(image) -> bool:
    rgba = image.convert("RGBA") if image.mode in {"P", "LA", "RGBA", "PA"} else None
    return rgba is not None and rgba.getchannel("A").getextrema()[0] == 0


@route("POST", "/images/edits")
def edit_image(request: Request, sandbox) -> JSONResponse | StreamResponse:
    fields = request.form()
    model_id, rules = _model(sandbox, fields.get("model"))
    if not rules.edit_sizes:
        raise ApiError(
            400, f"Image edits are not supported with {model_id}.", param="model", code="invalid_model"
        )
    prompt = _prompt(fields.get("prompt"), rules)
    n = _n(fields.get("n"), rules)
    partials = _streaming(fields, model_id, rules)
    size = _choice("size", fields.get("size"), rules.edit_sizes, "1024x1024")
    uploads = _upload(request, "image")
    masks = _upload(request, "mask", required=False)
    if rules.gpt_image:
        if len(uploads) > 16:
            raise ApiError(400, "Too many images: up to 16 can be edited at once.", param="image")
        images = [_gpt_image(upload, "image") for upload in uploads]
    else:
        if len(uploads) > 1:
            raise ApiError(400, "dall-e-2 edits only one image.", param="image", code="invalid_value")
        images = [_dall_e_2_image(uploads[0], "image")]
    mask = None
    if masks:
        mask = _open(masks[0], "mask")
        if mask.format != "PNG":
            raise ApiError(400, "Uploaded mask must be a PNG.", param="mask", code="invalid_image_format")
        if mask.size != images[0].size:
            raise ApiError(
                400,
                "Invalid mask image - mask size does not match image size.",
                param="mask",
                code="invalid_image",
            )
    elif not rules.gpt_image and not _has_transparency(images[0]):
        raise ApiError(
            400,
            f"Invalid input image - format must be in ['RGBA', 'LA', 'L'] with transparent pixels, "
            f"got {images[0].mode} without transparency. "
            "Provide a mask or make the area to edit transparent.",
            param="image",
            code="invalid_image",
        )
    quality = _choice("quality", fields.get("quality"), rules.qualities, None)
    pixels = _pixels(size, "1024x1024")
    pictures = [
        edit(images[0], prompt, pixels, f"{model_id}:edit:{i}", mask=mask, others=images[1:])
        for i in range(n)
    ]
    if partials is not None:
        return _stream(sandbox, "image_edit", fields, pictures, size, quality, prompt, partials)
    return JSONResponse(_answer(sandbox, model_id, rules, fields, pictures, size, quality, None, prompt))


@route("POST", "/images/variations")
def image_variations(request: Request, sandbox) -> JSONResponse:
    fields = request.form()
    model_id, rules = _model(sandbox, fields.get("model"))
    if not rules.variations:
        raise ApiError(
            400,
            f"Image variations are not supported with {model_id}; use dall-e-2.",
            param="model",
            code="invalid_model",
        )
    n = _n(fields.get("n"), rules)
    size = _choice("size", fields.get("size"), rules.edit_sizes, "1024x1024")
    image = _dall_e_2_image(_upload(request, "image")[0], "image")
    pixels = _pixels(size, "1024x1024")
    pictures = [vary(image, pixels, i) for i in range(n)]
    return JSONResponse(_answer(sandbox, model_id, rules, fields, pictures, size, None, None, ""))
