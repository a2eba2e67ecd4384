"""Images: generate, edit and vary; results come back as an `ImageResult` of PIL images."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument
from .._core.errors import (
    APIConnectionError,
    APIResponseValidationError,
    InvalidInputError,
    StreamInterruptedError,
)
from .._core.transport import BaseClient, decode_json

if TYPE_CHECKING:
    from .._media.image_result import ImageResult
    from .._media.image_stream import ImageStream

__all__ = ["ImagesAPI"]


class ImagesAPI(BaseClient):
    def generate_images(
        self,
        prompt: str,
        model: str | None = None,
        *,
        n: int = 1,
        size: str | tuple[int, int] | None = None,
        quality: str | None = None,
        style: str | None = None,
        stream: bool = False,
        partial_images: int | None = None,
        on_update: Callable[[ImageResult], Any] | None = None,
        **advanced: Any,
    ) -> ImageResult:
        """Images from a text description, as an `ImageResult` (a list of PIL images).

        `model` defaults to dall-e-2. Prompt length, `n`, `size` ("1024x1024" or a pair),
        `quality` and `style` are checked against the model's limits before sending.
        `advanced` holds other API settings (`user`, `background`, `output_format`,
        `output_compression`, `moderation`, `response_format`...). Images are asked for as
        base64; if the server answers with URLs (or `response_format="url"` is given) they
        are downloaded at once, since they expire after an hour (`data:` URLs are decoded).

        `stream=True` (GPT image models) shows the pictures while they are drawn: with
        `partial_images=N` (0 to 3) up to N previews each, one gallery updated in place in
        the notebook (or `on_update(partial_result)` for panels). An interrupt returns what
        arrived (`.interrupted` True; an unfinished picture's latest preview is last, marked
        `img.info["partial"]`); a stream the server cuts raises `StreamInterruptedError`
        with that result in `.partial`.
        """
        from .._media.image_rules import check_generation, check_stream
        from .._media.image_stream import ImageStream

        model = model_argument(model, "image")
        streaming = check_stream(model, stream, partial_images)
        body = check_generation(model, prompt, n, size, quality, style, advanced)
        if "response_format" not in body and _b64_if_allowed(model):
            body["response_format"] = "b64_json"
        if streaming:
            return self._image_stream(
                "images/generations",
                ImageStream(body["n"], model=model, prompt=prompt),
                on_update,
                json={**body, **streaming},
            )
        response = self._request("POST", "images/generations", json=body)
        answer = decode_json(response)
        _record("images/generations", self, model, answer, response, body)
        return self._image_result(answer, model=model, prompt=prompt)

    def edit_image(
        self,
        image: Any,
        prompt: str,
        mask: Any = None,
        model: str | None = None,
        *,
        n: int = 1,
        size: str | tuple[int, int] | None = None,
        stream: bool = False,
        partial_images: int | None = None,
        on_update: Callable[[ImageResult], Any] | None = None,
        **advanced: Any,
    ) -> ImageResult:
        """Edit `image` as `prompt` says, as an `ImageResult`.

        `image` and `mask` may be PIL images (sent as PNG), paths, bytes or binary file
        objects; gpt-image models also take a list of images. For dall-e-2 (the default)
        the image must be a square PNG under 4 MB, and without a mask its transparent
        pixels mark the area to edit; a mask is a PNG of the same size whose transparent
        pixels mark that area. These rules are checked before anything is uploaded.
        `stream`, `partial_images` and `on_update` work as in `generate_images`.
        """
        from .._media.image_input import read_image, read_images
        from .._media.image_rules import check_edit, check_stream
        from .._media.image_stream import ImageStream

        model = model_argument(model, "image_edit")
        streaming = check_stream(model, stream, partial_images)
        images = read_images(image, "image")
        mask_file = None if mask is None else read_image(mask, "mask")
        fields = check_edit(model, prompt, images, mask_file, n, size, advanced)
        fields.setdefault("response_format", _b64_if_allowed(model))  # None is left out of the form
        field_name = "image" if len(images) == 1 else "image[]"
        files = [(field_name, item.part()) for item in images]
        if mask_file is not None:
            files.append(("mask", mask_file.part()))
        if streaming:
            expected = ImageStream(fields["n"], model=model, prompt=prompt)
            return self._image_stream(
                "images/edits", expected, on_update, fields={**fields, **streaming}, files=files
            )
        response = self._post_multipart("images/edits", fields, files)
        answer = decode_json(response)
        _record("images/edits", self, model, answer, response, fields)
        return self._image_result(answer, model=model, prompt=prompt)

    def image_variations(
        self,
        image: Any,
        model: str | None = None,
        *,
        n: int = 1,
        size: str | tuple[int, int] | None = None,
        **advanced: Any,
    ) -> ImageResult:
        """`n` variations of `image` (dall-e-2: a square PNG under 4 MB), as an `ImageResult`.

        `image` may be a PIL image (sent as PNG), a path, bytes, a binary file object, or
        a list holding one of these (such as an `ImageResult` of one image).
        """
        from .._media.image_input import read_images
        from .._media.image_rules import check_variation

        model = model_argument(model, "image_edit")
        uploads = read_images(image, "image")  # a one-image list (an ImageResult) is fine too
        if len(uploads) > 1:
            raise InvalidInputError(
                f"{len(uploads)} images given; variations start from one image: pass one, e.g. result[0]"
            )
        upload = uploads[0]
        fields = check_variation(model, upload, n, size, advanced)
        fields.setdefault("response_format", _b64_if_allowed(model))
        response = self._post_multipart("images/variations", fields, [("image", upload.part())])
        answer = decode_json(response)
        _record("images/variations", self, model, answer, response, fields)
        return self._image_result(answer, model=model, prompt=None)

    # -- answers -> images -----------------------------------------------------------------

    def _image_stream(
        self,
        path: str,
        pictures: ImageStream,
        on_update: Callable[[ImageResult], Any] | None,
        **request: Any,
    ) -> ImageResult:
        """Send a streamed image request and show the pictures while they come (see generate_images)."""
        from .._chat.stream import LiveView

        view = LiveView(on_update)
        events = self._stream_events("POST", path, unfinished=pictures.unfinished, **request)
        try:
            with contextlib.closing(events):  # leaving early closes the connection
                for event in events:
                    if "type" not in event and "data" in event:  # a server that ignores stream answers whole
                        whole = self._image_result(event, model=pictures.model, prompt=pictures.prompt)
                        pictures.add_whole(list(whole), whole.usage)
                    else:
                        pictures.add(event)
                    if view.active:  # a few events, each a new picture: every one is shown
                        view.show(pictures.result())
        except KeyboardInterrupt:
            partial = pictures.result(interrupted=True)
            with contextlib.suppress(KeyboardInterrupt):
                view.show(partial, final=True)
            return partial
        except StreamInterruptedError as exc:
            exc.partial = pictures.result(interrupted=True)
            view.show(exc.partial, final=True)
            raise
        final = pictures.result()
        view.show(final, final=True)
        return final

    def _image_result(self, answer: Any, *, model: str, prompt: str | None) -> ImageResult:
        from .._media.image_result import ImageResult

        items = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise APIResponseValidationError(f"the image answer has no 'data' list: {str(answer)[:100]!r}")
        images = [self._image(item, i, len(items)) for i, item in enumerate(items, start=1)]
        return ImageResult(
            images, model=model, prompt=prompt, created=answer.get("created"), usage=answer.get("usage")
        )

    def _image(self, item: Any, number: int, total: int):
        from .._media.image_output import image_from_b64, image_from_bytes

        what = f"image {number} of {total}"
        if not isinstance(item, dict):
            raise APIResponseValidationError(f"{what} is not an object: {str(item)[:100]!r}")
        if item.get("b64_json"):
            image = image_from_b64(item["b64_json"], what)
        elif item.get("url"):
            try:
                data = self._fetch_external(item["url"])
            except APIConnectionError as exc:
                raise APIConnectionError(f"{what}: {exc}") from None
            image = image_from_bytes(data, what)
        else:
            raise APIResponseValidationError(f"{what} has neither 'b64_json' nor 'url'")
        if item.get("revised_prompt"):
            image.info["revised_prompt"] = item["revised_prompt"]
        return image


def _record(endpoint: str, client: Any, model: str, answer: Any, response: Any, sent: dict[str, Any]) -> None:
    """Into the session's ledger: images made, priced by the tokens counted or by size and quality.

    The answer's own size and quality win: they say what "auto" became.
    """
    from .._costs import ledger

    if not isinstance(answer, dict):
        return
    items = answer.get("data")
    ledger.record(
        client,
        endpoint,
        model,
        answer.get("usage"),
        request_id=response.headers.get("x-request-id"),
        images=len(items) if isinstance(items, list) else 0,
        image_size=_text_of(answer.get("size")) or _text_of(sent.get("size")),
        image_quality=_text_of(answer.get("quality")) or _text_of(sent.get("quality")),
    )


def _text_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _b64_if_allowed(model: str) -> str | None:
    """Ask for base64 where the model takes response_format (GPT image models always send it)."""
    from .._media.image_rules import image_rules

    rules = image_rules(model)
    if rules is None:
        return "b64_json"  # an unknown model on a compatible server: the common default
    return "b64_json" if "b64_json" in rules.response_formats else None
