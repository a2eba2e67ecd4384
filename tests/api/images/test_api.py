"""generate_images, edit_image and image_variations against the sandbox: images, requests, downloads."""

from __future__ import annotations

import base64
import io
import json
import re

import httpx
import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets import ImageResult
from tests.conftest import TEST_KEY
from tests.support.media import encoded, mask_for, picture

HOLE = (16, 16, 48, 48)
BLUE = (0, 128, 255)


def multipart(logged):
    """A logged multipart request's fields and files; `image[]` parts under `image`, as the spec names it."""
    fields, files = logged.form()
    if "image[]" in files:
        files = {**files, "image": files.pop("image[]")}
    return fields, files


def check_multipart(spec, path, logged):
    fields, files = multipart(logged)
    spec.validate_multipart("POST", path, fields, files)


# -- generate -----------------------------------------------------------------------------


def test_generate_returns_pil_images_of_the_requested_size(sandbox, client, spec):
    result = client.generate_images("a lighthouse at dawn", n=2, size="256x256")
    assert isinstance(result, ImageResult)
    assert isinstance(result, list)
    assert len(result) == 2
    for image in result:
        assert isinstance(image, Image.Image)
        assert (image.size, image.mode, image.format) == ((256, 256), "RGB", "PNG")
    assert (result.model, result.prompt) == ("dall-e-2", "a lighthouse at dawn")
    assert isinstance(result.created, int)
    (logged,) = sandbox.requests_to("/images/generations")
    body = logged.json()
    assert body == {
        "model": "dall-e-2",
        "prompt": "a lighthouse at dawn",
        "n": 2,
        "size": "256x256",
        "response_format": "b64_json",
    }
    spec.validate_request("POST", "/images/generations", body)
    assert logged.headers["authorization"] == f"Bearer {TEST_KEY}"


def test_sandbox_pictures_are_deterministic_and_labelled(client):
    first = client.generate_images("a red fox", size="256x256")[0]
    again = client.generate_images("a red fox", size="256x256")[0]
    other = client.generate_images("a blue whale", size="256x256")[0]
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()
    band = first.crop((0, 232, 256, 256))  # the caption band at the bottom
    colors = {color for _, color in band.getcolors(maxcolors=100000)}
    assert (0, 0, 0) in colors
    assert (255, 255, 255) in colors


def test_dall_e_3_revised_prompt_travels_with_each_image(sandbox, client):
    result = client.generate_images(
        "a cat", model="dall-e-3", size="1792x1024", quality="hd", style="natural"
    )
    assert result[0].size == (1792, 1024)
    assert result[0].info["revised_prompt"] == "[sandbox] a cat"
    assert result.revised_prompts == ["[sandbox] a cat"]
    body = sandbox.requests_to("/images/generations")[0].json()
    assert (body["quality"], body["style"], body["response_format"]) == ("hd", "natural", "b64_json")


def test_gpt_image_gets_no_response_format_and_keeps_its_output_format(sandbox, client, spec):
    result = client.generate_images(
        "a kite", model="gpt-image-1", size="1024x1536", quality="low", output_format="webp", user="u-1"
    )
    assert result[0].size == (1024, 1536)
    assert result[0].format == "WEBP"
    assert result.usage["output_tokens"] == 272
    body = sandbox.requests_to("/images/generations")[0].json()
    assert "response_format" not in body
    assert (body["output_format"], body["user"]) == ("webp", "u-1")
    spec.validate_request("POST", "/images/generations", body)


def test_url_answers_are_downloaded_at_once_without_the_key(sandbox, client):
    result = client.generate_images("a harbor", size="256x256", n=2, response_format="url")
    assert [image.size for image in result] == [(256, 256), (256, 256)]
    api_call = sandbox.requests_to("/images/generations")[0]
    assert api_call.json()["response_format"] == "url"
    assert api_call.headers["authorization"] == f"Bearer {TEST_KEY}"
    downloads = sandbox.requests_to("/sandbox/images/")
    assert len(downloads) == 2
    for download in downloads:
        assert download.method == "GET"
        assert download.status == 200
        assert "authorization" not in download.headers
    direct = client.generate_images("a harbor", size="256x256", n=2)
    assert [a.tobytes() for a in result] == [b.tobytes() for b in direct]


def test_a_failed_download_says_which_image_and_what_to_do(sandbox, client, sleeps):
    sandbox.inject("status", path="/sandbox/images/", status=404)
    with pytest.raises(ow.APIConnectionError) as caught:
        client.generate_images("a harbor", size="256x256", response_format="url")
    message = str(caught.value)
    assert message.startswith("image 1 of 1: could not download http://127.0.0.1:")
    assert "/v1/sandbox/images/img-" in message
    assert re.search(
        r"\.png: status 404 Not Found \(.*sandbox fault injection\)\.\); "
        r"the server's image URLs expire \(OpenAI's after an hour\): generate again\.$",
        message,
    )
    assert sleeps == []  # a 404 is not retried


def test_a_download_that_keeps_failing_is_retried_then_reported(sandbox, client, sleeps):
    sandbox.inject("status", path="/sandbox/images/", status=503, times=3)
    with pytest.raises(
        ow.APIConnectionError,
        match=r"^image 1 of 1: could not download .*\.png: status 503 Service Unavailable \(.*\); try again later\.$",
    ):
        client.generate_images("a harbor", size="256x256", response_format="url")
    assert len(sleeps) == 2
    assert len(sandbox.requests_to("/sandbox/images/")) == 3


def test_downloads_from_another_host_never_carry_the_key():
    png = encoded(picture((8, 8)))
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.test":
            return httpx.Response(
                200, json={"created": 1, "data": [{"url": "https://images.example/abc.png?sig=1"}]}
            )
        return httpx.Response(200, content=png, headers={"content-type": "image/png"})

    with ow.Client(
        api_key=TEST_KEY, base_url="https://api.test/v1", transport=httpx.MockTransport(handler)
    ) as c:
        result = c.generate_images("dots", size="256x256")
    assert result[0].size == (8, 8)
    api, download = seen
    assert api.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert download.url.host == "images.example"
    assert "authorization" not in download.headers


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"created": 1}, "the image answer has no 'data' list"),
        ({"created": 1, "data": [{}]}, "image 1 of 1 has neither 'b64_json' nor 'url'"),
        (
            {"created": 1, "data": [{"b64_json": "%%%"}]},
            "the image 1 of 1 the server sent is not valid base64",
        ),
        (
            {"created": 1, "data": [{"b64_json": base64.b64encode(b"nope").decode()}]},
            "the image 1 of 1 the server sent (4 bytes) is not an image that can be read",
        ),
    ],
)
def test_answers_that_are_not_images_are_reported(answer, message):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    with (
        ow.Client(api_key=TEST_KEY, base_url="https://api.test/v1", transport=transport) as c,
        pytest.raises(ow.APIResponseValidationError) as caught,
    ):
        c.generate_images("dots")
    assert str(caught.value).startswith(message)


# -- ImageResult ---------------------------------------------------------------------------


def test_result_saves_pngs_without_overwriting(client, tmp_path):
    result = client.generate_images("a cat", model="dall-e-3")
    paths = result.save(tmp_path / "out", "cat")
    assert [p.name for p in paths] == ["cat-1.png"]
    with Image.open(paths[0]) as saved:
        assert saved.format == "PNG"
        assert saved.size == (1024, 1024)
        assert saved.text == {"prompt": "a cat", "revised_prompt": "[sandbox] a cat"}
    again = result.save(tmp_path / "out", "cat")
    assert [p.name for p in again] == ["cat-2.png"]
    webp = client.generate_images("a kite", model="gpt-image-1", n=2, output_format="webp")
    assert [p.name for p in webp.save(tmp_path, "kite")] == ["kite-1.png", "kite-2.png"]
    with Image.open(tmp_path / "kite-2.png") as saved:
        assert saved.format == "PNG"
    with pytest.raises(ow.InvalidInputError, match=r"prefix '\.\./x' must be a plain file name part"):
        result.save(tmp_path, "../x")


def test_result_shows_as_a_gallery_and_indexes_to_plain_images(client):
    result = client.generate_images("two boats", n=3, size="256x256")
    page = result._repr_html_()
    assert page.count("<img src='data:image/png;base64,") == 3
    assert "ow-image-gallery" in page
    assert repr(result) == "<ImageResult: 3 images from dall-e-2, 256x256>"
    first = result[0]
    assert type(first).__module__.startswith("PIL.")
    shown = base64.b64decode(page.split("base64,", 2)[1].split("'", 1)[0])
    assert Image.open(io.BytesIO(shown)).tobytes() == first.tobytes()
    part = result[1:]
    assert isinstance(part, ImageResult)
    assert len(part) == 2
    assert part.model == "dall-e-2"


def test_a_result_a_cell_has_shown_steps_aside_in_that_cell_only(client, ip):
    result = client.generate_images("a cat", size="256x256")
    result.mark_shown()
    assert result._repr_html_() is None
    ip.execution_count += 1  # the next cell
    assert "<img" in result._repr_html_()


def test_module_functions_use_the_default_client(connected, sandbox):
    result = ow.generate_images("a cat", size="256x256")
    assert result[0].size == (256, 256)
    assert len(sandbox.requests_to("/images/generations")) == 1


# -- edits -----------------------------------------------------------------------------------


def test_edit_repaints_the_transparent_area_and_keeps_the_rest(sandbox, client, spec):
    result = client.edit_image(picture(hole=HOLE), "a cat in the window", size="256x256", n=2)
    assert [image.size for image in result] == [(256, 256), (256, 256)]
    assert [image.mode for image in result] == ["RGBA", "RGBA"]
    edited = result[0].convert("RGB")
    assert edited.getpixel((10, 10)) == BLUE  # outside the hole: the uploaded image
    assert edited.getpixel((128, 128)) != BLUE  # inside the hole: repainted
    assert result[0].tobytes() != result[1].tobytes()
    (logged,) = sandbox.requests_to("/images/edits")
    fields, files = multipart(logged)
    assert fields == {
        "model": "dall-e-2",
        "prompt": "a cat in the window",
        "n": "2",
        "size": "256x256",
        "response_format": "b64_json",
    }
    (upload,) = files["image"]
    assert (upload.filename, upload.content_type) == ("image.png", "image/png")
    assert Image.open(io.BytesIO(upload.content)).size == (64, 64)
    check_multipart(spec, "/images/edits", logged)


def test_edit_with_a_mask_uses_the_masks_transparent_area(sandbox, client, spec):
    image = picture()  # opaque: the mask says where to edit
    result = client.edit_image(image, "a door", mask=mask_for(), size="256x256")
    edited = result[0].convert("RGB")
    assert edited.getpixel((10, 10)) == BLUE
    assert edited.getpixel((128, 128)) != BLUE
    logged = sandbox.requests_to("/images/edits")[0]
    _fields, files = multipart(logged)
    assert files["mask"][0].filename == "mask.png"
    assert files["mask"][0].content_type == "image/png"
    check_multipart(spec, "/images/edits", logged)


def test_edit_takes_paths_bytes_and_file_objects(sandbox, client, tmp_path):
    path = tmp_path / "window.png"
    path.write_bytes(encoded(picture(hole=HOLE)))
    for source in (path, str(path), path.read_bytes(), path.open("rb")):
        assert client.edit_image(source, "a cat", size="256x256")[0].size == (256, 256)
    names = [multipart(r)[1]["image"][0].filename for r in sandbox.requests_to("/images/edits")]
    assert names == ["window.png", "window.png", "image.png", "window.png"]


def test_gpt_image_edits_several_images_of_other_formats(sandbox, client, spec):
    jpeg = encoded(picture(mode="RGB"), "JPEG")
    result = client.edit_image(
        [jpeg, picture((32, 32))], "put them together", model="gpt-image-1", quality="high"
    )
    assert result[0].size == (1024, 1024)  # the API's default edit size
    (logged,) = sandbox.requests_to("/images/edits")
    fields, files = logged.form()
    assert [part.filename for part in files["image[]"]] == ["image_1.jpg", "image_2.png"]
    assert [part.content_type for part in files["image[]"]] == ["image/jpeg", "image/png"]
    assert "response_format" not in fields
    assert fields["quality"] == "high"
    check_multipart(spec, "/images/edits", logged)


def test_gpt_image_edits_an_opaque_image_without_a_mask(client):
    result = client.edit_image(picture(), "make it warmer", model="gpt-image-1", size="1024x1024")
    assert result[0].size == (1024, 1024)


# -- variations ---------------------------------------------------------------------------------


def test_variations_are_made_from_the_uploaded_image(sandbox, client, spec):
    source = client.generate_images("a tree", size="256x256")[0]
    result = client.image_variations(source, n=2, size="256x256")
    assert len(result) == 2
    assert result[0].size == (256, 256)
    assert result[0].mode == "RGBA"
    assert result.prompt is None
    assert result[0].tobytes() != result[1].tobytes()
    assert result[0].convert("RGB").tobytes() != source.tobytes()
    (logged,) = sandbox.requests_to("/images/variations")
    fields, files = multipart(logged)
    assert fields == {"model": "dall-e-2", "n": "2", "size": "256x256", "response_format": "b64_json"}
    assert files["image"][0].content_type == "image/png"
    check_multipart(spec, "/images/variations", logged)


def test_sandbox_errors_come_back_as_bad_requests(client):
    # A model the client does not know is only checked by the server.
    with pytest.raises(ow.NotFoundError, match="The model `my-painter` does not exist"):
        client.generate_images("a cat", model="my-painter")
    with pytest.raises(ow.BadRequestError, match="The model 'whisper-1' does not make images"):
        client.generate_images("a cat", model="whisper-1")


def test_with_default_response_format_unset_the_request_has_no_null_fields(sandbox, client):
    client.generate_images("a cat")
    body = sandbox.requests_to("/images/generations")[0].json()
    assert None not in body.values()
    assert json.dumps(body)
