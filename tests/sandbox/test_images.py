"""The sandbox's image routes called directly: answers shaped as the spec says, 400s as OpenAI words them."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image

from openai_widgets.sandbox.routes import images as image_routes
from tests.support.media import encoded, mask_for, picture

HOLE = (16, 16, 48, 48)


@pytest.fixture
def http(sandbox):
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": "Bearer sk-any"}, timeout=10
    ) as made:
        yield made


def edit(http, image=None, *, mask=None, images=None, **fields):
    files = [("image", ("image.png", image, "image/png"))] if image is not None else []
    files += [("image[]", ("image.png", item, "image/png")) for item in images or []]
    if mask is not None:
        files.append(("mask", ("mask.png", mask, "image/png")))
    return http.post("/images/edits", data={"prompt": "a cat", "size": "256x256", **fields}, files=files)


def error(response, status=400):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a fox", "size": "256x256", "response_format": "b64_json", "n": 2},
        {"prompt": "a fox", "size": "256x256"},  # url is dall-e-2's default
        {"prompt": "a fox", "model": "dall-e-3", "response_format": "b64_json", "quality": "hd"},
        {"prompt": "a fox", "model": "gpt-image-1", "size": "1024x1024", "quality": "low"},
        {"prompt": "a fox", "model": "gpt-image-1", "output_format": "jpeg"},
    ],
)
def test_generation_answers_fit_the_spec(http, spec, body):
    response = http.post("/images/generations", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    spec.validate_response("POST", "/images/generations", answer)
    assert len(answer["data"]) == body.get("n", 1)
    item = answer["data"][0]
    if "url" in item:
        assert item["url"].startswith(f"{http.base_url}sandbox/images/img-")
        image = Image.open(io.BytesIO(httpx.get(item["url"]).content))
    else:
        image = Image.open(io.BytesIO(base64.b64decode(item["b64_json"])))
    assert image.format == body.get("output_format", "png").upper().replace("JPG", "JPEG")
    if body.get("model") == "dall-e-3":
        assert item["revised_prompt"] == "[sandbox] a fox"
    if body.get("model") == "gpt-image-1":
        assert answer["usage"]["total_tokens"] > 0
        assert answer["background"] == "opaque"


def test_edit_and_variation_answers_fit_the_spec(http, spec):
    edited = edit(http, encoded(picture(hole=HOLE)), response_format="b64_json")
    assert edited.status_code == 200, edited.text
    spec.validate_response("POST", "/images/edits", edited.json())
    varied = http.post(
        "/images/variations",
        data={"n": "2", "size": "256x256"},
        files={"image": ("image.png", encoded(picture()), "image/png")},
    )
    assert varied.status_code == 200, varied.text
    spec.validate_response("POST", "/images/variations", varied.json())
    assert all("url" in item for item in varied.json()["data"])


def test_image_urls_need_no_key_and_expire(http, sandbox):
    url = http.post("/images/generations", json={"prompt": "a fox", "size": "256x256"}).json()["data"][0][
        "url"
    ]
    served = httpx.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (256, 256)
    missing = httpx.get(url.replace("img-", "img-gone"))
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "This image URL has expired or never existed."


def test_only_the_latest_url_images_are_kept(sandbox, monkeypatch):
    monkeypatch.setattr(image_routes, "KEEP_IMAGES", 2)
    urls = [image_routes._store(sandbox, bytes([i])) for i in range(3)]
    assert len(sandbox.state.images) == 2
    assert urls[0].rsplit("/", 1)[1] not in sandbox.state.images


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        (
            {"prompt": "x" * 1001},
            "prompt",
            "Invalid 'prompt': string too long. Expected a string with maximum length 1000, "
            "but got a string with length 1001 instead.",
        ),
        (
            {"prompt": "x" * 4001, "model": "dall-e-3"},
            "prompt",
            "Invalid 'prompt': string too long. Expected a string "
            "with maximum length 4000, but got a string with length 4001 instead.",
        ),
        ({}, "prompt", "Missing required parameter: 'prompt'."),
        (
            {"prompt": "a", "n": 11},
            "n",
            "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 instead.",
        ),
        (
            {"prompt": "a", "n": 0},
            "n",
            "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
        ),
        ({"prompt": "a", "n": 2, "model": "dall-e-3"}, "n", "You must provide n=1 for this model."),
        (
            {"prompt": "a", "size": "640x480"},
            "size",
            "Invalid value: '640x480'. Supported values are: '256x256', '512x512', '1024x1024'.",
        ),
        (
            {"prompt": "a", "quality": "hd"},
            "quality",
            "Invalid value: 'hd'. Supported values are: 'standard', 'auto'.",
        ),
        (
            {"prompt": "a", "style": "vivid"},
            "style",
            "Unknown parameter: 'style' is not supported with dall-e-2.",
        ),
        (
            {"prompt": "a", "model": "dall-e-3", "style": "comic"},
            "style",
            "Invalid value: 'comic'. Supported values are: 'vivid', 'natural'.",
        ),
        (
            {"prompt": "a", "model": "gpt-image-1", "response_format": "url"},
            "response_format",
            "Unknown parameter: 'response_format' is not supported with gpt-image-1.",
        ),
        (
            {"prompt": "a", "output_format": "webp"},
            "output_format",
            "Unknown parameter: 'output_format' is not supported with dall-e-2.",
        ),
        ({"prompt": "a", "model": "tts-1"}, "model", "The model 'tts-1' does not make images."),
    ],
)
def test_bad_generations_get_openai_style_400s(http, body, param, message):
    answer = error(http.post("/images/generations", json=body))
    assert (answer["param"], answer["message"]) == (param, message)


def test_unknown_models_get_404(http):
    answer = error(http.post("/images/generations", json={"prompt": "a", "model": "dall-e-9"}), 404)
    assert answer["code"] == "model_not_found"


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"mask": encoded(mask_for())}, "image", "Missing required parameter: 'image'."),
        (
            {"image": encoded(picture(mode="RGB"), "JPEG")},
            "image",
            "Uploaded image must be a PNG and less than 4 MB.",
        ),
        (
            {"image": encoded(picture(hole=HOLE)) + bytes(4 * 1024 * 1024)},
            "image",
            "Uploaded image must be a PNG and less than 4 MB.",
        ),
        ({"image": encoded(picture((64, 32)))}, "image", "Invalid input image - image must be square."),
        (
            {"image": b"not a picture"},
            "image",
            "Invalid input image: the file could not be read as an image.",
        ),
        (
            {"image": encoded(picture())},
            "image",
            "Invalid input image - format must be in ['RGBA', 'LA', 'L'] with "
            "transparent pixels, got RGBA without transparency. "
            "Provide a mask or make the area to edit transparent.",
        ),
        (
            {"image": encoded(picture()), "mask": encoded(mask_for((32, 32), (0, 0, 4, 4)))},
            "mask",
            "Invalid mask image - mask size does not match image size.",
        ),
        (
            {"image": encoded(picture()), "mask": encoded(mask_for().convert("RGB"), "JPEG")},
            "mask",
            "Uploaded mask must be a PNG.",
        ),
        ({"images": [encoded(picture(hole=HOLE))] * 2}, "image", "dall-e-2 edits only one image."),
        (
            {"image": encoded(picture(hole=HOLE)), "model": "dall-e-3"},
            "model",
            "Image edits are not supported with dall-e-3.",
        ),
        (
            {"image": encoded(picture(hole=HOLE)), "size": "1024x1536"},
            "size",
            "Invalid value: '1024x1536'. Supported values are: '256x256', '512x512', '1024x1024'.",
        ),
        (
            {"image": encoded(picture(hole=HOLE)), "prompt": ""},
            "prompt",
            "Missing required parameter: 'prompt'.",
        ),
        (
            {"images": [encoded(picture())] * 17, "model": "gpt-image-1", "size": "auto"},
            "image",
            "Too many images: up to 16 can be edited at once.",
        ),
        (
            {"image": encoded(picture(mode="RGB"), "GIF"), "model": "gpt-image-1", "size": "auto"},
            "image",
            "Invalid input image: must be a png, webp or jpg file under 50 MB.",
        ),
    ],
)
def test_bad_edits_get_openai_style_400s(http, kwargs, param, message):
    kwargs = dict(kwargs)
    answer = error(edit(http, kwargs.pop("image", None), **kwargs))
    assert (answer["param"], answer["message"]) == (param, message)


def test_gpt_image_edits_take_jpegs_and_opaque_images(http):
    response = edit(
        http,
        None,
        images=[encoded(picture(mode="RGB"), "JPEG"), encoded(picture())],
        model="gpt-image-1",
        size="1024x1024",
    )
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(base64.b64decode(response.json()["data"][0]["b64_json"])))
    assert image.size == (1024, 1024)


@pytest.mark.parametrize(
    ("model", "image", "message"),
    [
        ("dall-e-3", encoded(picture()), "Image variations are not supported with dall-e-3; use dall-e-2."),
        ("dall-e-2", encoded(picture((48, 64))), "Invalid input image - image must be square."),
        (
            "dall-e-2",
            encoded(picture(mode="RGB"), "JPEG"),
            "Uploaded image must be a PNG and less than 4 MB.",
        ),
    ],
)
def test_bad_variations_get_openai_style_400s(http, model, image, message):
    response = http.post(
        "/images/variations", data={"model": model}, files={"image": ("i.png", image, "image/png")}
    )
    assert error(response)["message"] == message


def test_a_variation_is_the_image_mirrored_with_turned_hues(http):
    source = picture((64, 64), color=(255, 0, 0, 255))
    source.paste((0, 0, 255, 255), (0, 0, 32, 64))  # left half blue, right half red
    response = http.post(
        "/images/variations",
        data={"size": "256x256", "response_format": "b64_json"},
        files={"image": ("i.png", encoded(source), "image/png")},
    )
    varied = Image.open(io.BytesIO(base64.b64decode(response.json()["data"][0]["b64_json"]))).convert("RGB")
    left, right = varied.getpixel((10, 10)), varied.getpixel((240, 10))
    assert left != right  # two halves still differ
    assert left not in {(0, 0, 255), (255, 0, 0)}  # and both changed colour


def test_requests_without_a_key_are_refused_but_image_urls_are_not(sandbox):
    refused = httpx.post(f"{sandbox.base_url}/images/generations", json={"prompt": "a"})
    assert refused.status_code == 401
