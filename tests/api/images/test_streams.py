"""generate_images / edit_image with stream=True: partial images shown in place, the final result,
interrupts and cut streams, and models that cannot stream refused before sending.

Every event the client receives is validated against the spec's stream event schemas, and
every request it sends against the operation's request schema.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from tests.conftest import TEST_KEY
from tests.support.media import encoded, picture
from tests.support.sent import validate_sent

GPT = "gpt-image-1"
SMALL = {"size": "1024x1024", "quality": "low"}


@pytest.fixture
def events(client):
    """Every stream event the client received, in order (recorded around `_stream_events`)."""
    received = []
    original = client._stream_events

    def recording(*args, **kwargs):
        for event in original(*args, **kwargs):
            received.append(event)
            yield event

    client._stream_events = recording
    return received


def check_events(spec, path: str, received: list[dict], kind: str) -> None:
    for event in received:
        spec.validate_response("POST", path, event, content_type="text/event-stream")
        spec.validate_schema(f"{kind}StreamEvent", event)
        name = "CompletedEvent" if event["type"].endswith(".completed") else "PartialImageEvent"
        spec.validate_schema(f"{kind}{name}", event)


def test_generation_streams_partial_images_then_returns_the_pictures(client, sandbox, spec, events):
    updates = []
    result = client.generate_images(
        "a lighthouse", GPT, n=2, stream=True, partial_images=2, on_update=updates.append, **SMALL
    )
    assert validate_sent(sandbox, spec, prefix="/images/generations") == 1
    body = sandbox.requests_to("/images/generations")[-1].json()
    assert (body["stream"], body["partial_images"]) == (True, 2)
    check_events(spec, "/images/generations", events, "ImageGen")
    assert [e["type"].split(".")[1] for e in events] == ["partial_image", "partial_image", "completed"] * 2
    assert isinstance(result, ow.ImageResult) and not result.interrupted
    assert [image.size for image in result] == [(1024, 1024), (1024, 1024)]
    assert [image.info.get("partial") for image in result] == [None, None]
    completed = [e for e in events if e["type"].endswith("completed")]
    assert [image.tobytes() for image in result] == [decoded(e).tobytes() for e in completed]
    assert result.usage["output_tokens"] == sum(e["usage"]["output_tokens"] for e in completed)
    # Each event redrew the gallery: previews took the next slot, then became the picture.
    assert [len(u) for u in updates] == [1, 1, 1, 2, 2, 2, 2]
    assert [u[-1].info.get("partial") for u in updates[:3]] == [True, True, None]
    assert updates[-1] is result
    whole = client.generate_images("a lighthouse", GPT, n=2, **SMALL)
    assert [a.tobytes() for a in whole] == [b.tobytes() for b in result]


def test_edit_streams_image_edit_events(client, sandbox, spec, events):
    source = encoded(picture(hole=(16, 16, 48, 48)))
    result = client.edit_image(
        source, "a moon", model=GPT, stream=True, partial_images=1, output_format="webp"
    )
    fields, files = sandbox.requests_to("/images/edits")[-1].form()
    assert (fields["stream"], fields["partial_images"]) == ("true", "1")
    fields["partial_images"] = int(fields["partial_images"])  # a $ref the multipart reader does not follow
    spec.validate_multipart("POST", "/images/edits", fields, files)
    check_events(spec, "/images/edits", events, "ImageEdit")
    assert [e["type"] for e in events] == ["image_edit.partial_image", "image_edit.completed"]
    assert len(result) == 1 and result[0].format == "WEBP"


def test_in_a_notebook_one_gallery_is_updated_in_place(ip, sandbox, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    with capture_output() as captured:
        result = connected.generate_images("a fox", GPT, stream=True, partial_images=3, **SMALL)
    first, *rest = captured.outputs
    assert first.update is False and first.transient["display_id"]
    # one drawing per event (3 previews, the picture), then the final one with the call's metadata
    assert len(rest) == 4 and all(o.update and o.transient == first.transient for o in rest)
    assert "(drawing...)" in first.data["text/html"] and "(preview)" in first.data["text/html"]
    final = rest[-1]
    assert "drawing" not in final.data["text/html"] and "preview" not in final.data["text/html"]
    assert final.data["text/plain"] == repr(result)
    assert final.metadata["openai_widgets"]["usage"] == result.usage
    assert result._repr_html_() is None  # the cell shows it already: not a second gallery


def test_an_interrupt_keeps_the_pictures_and_the_latest_preview(client, sandbox):
    seen = []

    def interrupt_at_the_second_picture(partial):
        seen.append(len(partial))
        if len(seen) == 4:  # preview, preview, first picture, then the second's first preview
            raise KeyboardInterrupt

    result = client.generate_images(
        "a fox", GPT, n=2, stream=True, partial_images=2, on_update=interrupt_at_the_second_picture, **SMALL
    )
    assert result.interrupted is True
    assert len(result) == 2
    assert [image.info.get("partial") for image in result] == [None, True]
    assert "(interrupted)" in result.bundle()["text/plain"]


def test_a_cut_stream_raises_with_what_arrived(client, sandbox):
    sandbox.configure(stream_interval=0.02)  # spaced, so the client reads them before the reset
    sandbox.inject("cut_stream", path="/images/generations", after=2)
    with pytest.raises(ow.StreamInterruptedError, match="what arrived is kept") as caught:
        client.generate_images("a fox", GPT, stream=True, partial_images=3, **SMALL)
    partial = caught.value.partial
    assert isinstance(partial, ow.ImageResult) and partial.interrupted
    assert len(partial) == 1 and partial[0].info["partial"] is True
    assert len(sandbox.requests_to("/images/generations")) == 1  # a cut stream is not sent again


def test_a_clean_end_before_every_picture_is_completed_raises():
    one = {
        "type": "image_generation.completed",
        "b64_json": base64.b64encode(encoded(picture((4, 4)))).decode(),
    }
    body = f"event: image_generation.completed\ndata: {json.dumps(one)}\n\n".encode()
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )
    with ow.Client(api_key=TEST_KEY, base_url="https://img.test/v1", transport=transport) as c:
        assert len(c.generate_images("x", GPT, stream=True)) == 1  # whole without [DONE]
        with pytest.raises(ow.StreamInterruptedError, match=r"and 1 of 2 images were completed") as caught:
            c.generate_images("x", GPT, n=2, stream=True)
    assert len(caught.value.partial) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.generate_images("x", "dall-e-3", stream=True),
            "dall-e-3 cannot stream images: use gpt-image-1",
        ),
        (
            lambda c: c.edit_image(encoded(picture(hole=(16, 16, 48, 48))), "x", stream=True),
            "dall-e-2 cannot stream images: use gpt-image-1",
        ),
        (
            lambda c: c.generate_images("x", GPT, stream=True, partial_images=-1),
            "partial_images must be between 0 and 3",
        ),
    ],
)
def test_what_cannot_stream_is_refused_before_sending(client, sandbox, call, message):
    with pytest.raises(ow.InvalidInputError, match=message):
        call(client)
    assert sandbox.requests == []


def test_a_model_the_rules_do_not_know_may_stream():
    sent = []

    def handler(request):
        sent.append(json.loads(request.content))
        done = {
            "type": "image_generation.completed",
            "b64_json": base64.b64encode(encoded(picture((4, 4)))).decode(),
        }
        return httpx.Response(
            200,
            content=f"data: {json.dumps(done)}\n\n".encode(),
            headers={"content-type": "text/event-stream"},
        )

    with ow.Client(
        api_key=TEST_KEY, base_url="https://img.test/v1", transport=httpx.MockTransport(handler)
    ) as c:
        result = c.generate_images("x", "local-diffusion", stream=True, partial_images=1)
    assert result[0].size == (4, 4)
    assert sent[0]["stream"] is True and sent[0]["partial_images"] == 1


def test_a_server_that_ignores_stream_answers_whole_and_that_is_the_result():
    png = base64.b64encode(encoded(picture((4, 4)))).decode()
    whole = {
        "created": 1,
        "data": [{"b64_json": png}, {"url": "data:image/png;base64," + png}],
        "usage": None,
    }
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=whole))
    updates = []
    with ow.Client(api_key=TEST_KEY, base_url="https://img.test/v1", transport=transport) as c:
        result = c.generate_images("x", "local-diffusion", n=2, stream=True, on_update=updates.append)
    assert [image.size for image in result] == [(4, 4), (4, 4)]
    assert not result.interrupted and updates[-1] is result


def decoded(event):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(event["b64_json"])))
