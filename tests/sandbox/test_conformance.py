"""Answers checked the way the official SDK and third-party tools read them: logprobs and typed streams."""

from __future__ import annotations

import base64
import io
import json
import math

import httpx
import pytest
from PIL import Image

from tests.support.media import encoded, picture, tone


@pytest.fixture
def http(sandbox):
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": "Bearer sk-any"}, timeout=30
    ) as made:
        yield made


def typed_events(response) -> list[dict]:
    """A typed SSE stream: each event named by an `event:` line that equals its data's `type`, no [DONE]."""
    assert response.status_code == 200, response.read()
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.read().decode().split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        assert set(fields) == {"event", "data"}, block
        event = json.loads(fields["data"])
        assert fields["event"] == event["type"]
        events.append(event)
    return events


# -- logprobs ----------------------------------------------------------------------------------


def assert_a_distribution(options: list[tuple[str, float]], chosen: tuple[str, float]) -> None:
    logprobs = [value for _, value in options]
    assert logprobs == sorted(logprobs, reverse=True), "most likely first"
    assert all(value <= 0 for value in logprobs)
    assert sum(math.exp(value) for value in logprobs) <= 1.0
    assert len({token for token, _ in options}) == len(options)
    assert chosen in options  # the chosen token is among them, with the same logprob


@pytest.mark.parametrize("top", [1, 5, 20])
def test_chat_top_logprobs_are_sorted_and_their_probabilities_add_up_to_at_most_one(http, spec, top):
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "a fairly long sentence to have many tokens, with commas!"}],
        "logprobs": True,
        "top_logprobs": top,
    }
    spec.validate_request("POST", "/chat/completions", body)
    answer = http.post("/chat/completions", json=body).json()
    spec.validate_response("POST", "/chat/completions", answer)
    content = answer["choices"][0]["logprobs"]["content"]
    assert "".join(item["token"] for item in content) == answer["choices"][0]["message"]["content"]
    for item in content:
        assert len(item["top_logprobs"]) == top
        options = [(alt["token"], alt["logprob"]) for alt in item["top_logprobs"]]
        assert_a_distribution(options, (item["token"], item["logprob"]))
        assert options[0] == (item["token"], item["logprob"])  # a deterministic reply picks the likeliest
        assert all(alt["bytes"] == list(alt["token"].encode()) for alt in item["top_logprobs"])
    streamed = http.post("/chat/completions", json={**body, "stream": True}).text
    chunks = [json.loads(line[6:]) for line in streamed.split("\n") if line.startswith("data: {")]
    pieces = [
        item
        for chunk in chunks
        for choice in chunk["choices"]
        for item in (choice["logprobs"] or {}).get("content") or []
    ]
    assert pieces == content  # streamed or whole, the same numbers


@pytest.mark.parametrize("echo", [True, False])
@pytest.mark.parametrize("top", [0, 3])
def test_completion_logprobs_cover_the_echoed_prompt_with_offsets_into_the_text(http, spec, echo, top):
    prompt = "Once upon a time, there"
    body = {
        "model": "gpt-3.5-turbo-instruct",
        "prompt": prompt,
        "echo": echo,
        "logprobs": top,
        "max_tokens": 6,
    }
    spec.validate_request("POST", "/completions", body)
    answer = http.post("/completions", json=body).json()
    spec.validate_response("POST", "/completions", answer)
    choice = answer["choices"][0]
    logprobs = choice["logprobs"]
    tokens, offsets = logprobs["tokens"], logprobs["text_offset"]
    assert "".join(tokens) == choice["text"]
    assert choice["text"].startswith(prompt) is echo
    assert len(tokens) == len(offsets) == len(logprobs["token_logprobs"]) == len(logprobs["top_logprobs"])
    full = choice["text"] if echo else prompt + choice["text"]  # offsets count from the prompt's start
    for token, offset in zip(tokens, offsets, strict=True):
        assert full[offset : offset + len(token)] == token
    assert offsets[0] == (0 if echo else len(prompt))
    echoed = ["Once", " upon", " a", " time", ",", " there"] if echo else []
    assert tokens[: len(echoed)] == echoed
    assert len(tokens) == len(echoed) + 6 and answer["usage"]["completion_tokens"] == 6
    for token, value, table in zip(tokens, logprobs["token_logprobs"], logprobs["top_logprobs"], strict=True):
        assert len(table) == max(top, 1)  # the `top` likeliest, always with the chosen one
        assert_a_distribution(sorted(table.items(), key=lambda item: -item[1]), (token, value))


# -- image streams -------------------------------------------------------------------------------


@pytest.mark.parametrize("partials", [0, 2, 3])
def test_image_generation_streams_partial_images_then_the_picture(http, spec, partials):
    body = {
        "model": "gpt-image-1",
        "prompt": "a lighthouse",
        "size": "1024x1536",
        "quality": "low",
        "stream": True,
        "partial_images": partials,
    }
    spec.validate_request("POST", "/images/generations", body)
    with http.stream("POST", "/images/generations", json=body) as response:
        events = typed_events(response)
    assert [e["type"] for e in events] == ["image_generation.partial_image"] * partials + [
        "image_generation.completed"
    ]
    for event in events:
        spec.validate_response("POST", "/images/generations", event, content_type="text/event-stream")
        kind = (
            "ImageGenCompletedEvent" if event["type"].endswith("completed") else "ImageGenPartialImageEvent"
        )
        spec.validate_schema(kind, event)
        assert (event["size"], event["output_format"]) == ("1024x1536", "png")
        assert Image.open(io.BytesIO(base64.b64decode(event["b64_json"]))).size == (1024, 1536)
    assert [e["partial_image_index"] for e in events[:-1]] == list(range(partials))
    final = events[-1]
    assert final["quality"] == "low" and final["usage"]["output_tokens"] > 0
    whole = http.post("/images/generations", json={**body, "stream": False}).json()["data"][0]["b64_json"]
    assert final["b64_json"] == whole  # the streamed picture is the one a plain request gets
    assert len({e["b64_json"] for e in events}) == len(events)  # each preview is a different picture


def test_image_edits_stream_image_edit_events(http, spec, sandbox):
    fields = {
        "model": "gpt-image-1",
        "prompt": "a moon",
        "stream": "true",
        "partial_images": "1",
        "output_format": "webp",
    }
    files = [("image", ("in.png", encoded(picture(hole=(16, 16, 48, 48))), "image/png"))]
    with http.stream("POST", "/images/edits", data=fields, files=files) as response:
        events = typed_events(response)
    sent, parts = sandbox.requests_to("/images/edits")[-1].form()
    sent["partial_images"] = int(sent["partial_images"])  # a $ref the multipart reader does not follow
    spec.validate_multipart("POST", "/images/edits", sent, parts)
    assert [e["type"] for e in events] == ["image_edit.partial_image", "image_edit.completed"]
    for event in events:
        spec.validate_response("POST", "/images/edits", event, content_type="text/event-stream")
        kind = (
            "ImageEditCompletedEvent" if event["type"].endswith("completed") else "ImageEditPartialImageEvent"
        )
        spec.validate_schema(kind, event)
        assert Image.open(io.BytesIO(base64.b64decode(event["b64_json"]))).format == "WEBP"


@pytest.mark.parametrize(
    ("path", "model"),
    [("/images/generations", "dall-e-2"), ("/images/generations", "dall-e-3"), ("/images/edits", "dall-e-2")],
)
def test_models_that_cannot_stream_images_answer_400_rather_than_ignore_it(http, path, model):
    if path.endswith("edits"):
        files = [("image", ("in.png", encoded(picture(hole=(16, 16, 48, 48))), "image/png"))]
        response = http.post(path, data={"model": model, "prompt": "x", "stream": "true"}, files=files)
    else:
        response = http.post(path, json={"model": model, "prompt": "x", "stream": True})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "stream"
    assert error["message"].startswith(f"Streaming is not supported with {model}: use a GPT image model")


@pytest.mark.parametrize(
    ("value", "message"), [(4, "between 0 and 3, got 4"), ("many", "expected an integer")]
)
def test_partial_images_out_of_range_are_refused(http, value, message):
    body = {"model": "gpt-image-1", "prompt": "x", "stream": True, "partial_images": value}
    response = http.post("/images/generations", json=body)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


# -- transcript streams --------------------------------------------------------------------------


def test_transcriptions_stream_text_deltas_then_the_whole_text(http, spec, sandbox):
    model = "gpt-4o-mini-transcribe"  # gpt-4o-transcribe streams the same way; the catalog lacks it
    fields = {"model": model, "stream": "true", "prompt": "Names: Ada"}
    files = {"file": ("talk.wav", tone(2.0), "audio/wav")}
    with http.stream("POST", "/audio/transcriptions", data=fields, files=files) as response:
        events = typed_events(response)
    spec.validate_multipart(
        "POST", "/audio/transcriptions", *sandbox.requests_to("/audio/transcriptions")[-1].form()
    )
    assert {e["type"] for e in events[:-1]} == {"transcript.text.delta"} and len(events) > 3
    assert events[-1]["type"] == "transcript.text.done"
    for event in events:
        spec.validate_response("POST", "/audio/transcriptions", event, content_type="text/event-stream")
        spec.validate_schema("CreateTranscriptionResponseStreamEvent", event)
        name = "TranscriptTextDoneEvent" if event["type"].endswith("done") else "TranscriptTextDeltaEvent"
        spec.validate_schema(name, event)
    done = events[-1]
    assert "".join(e["delta"] for e in events[:-1]) == done["text"]
    plain = http.post("/audio/transcriptions", data={"model": model}, files=files).json()
    assert done["text"] == plain["text"] and done["text"].startswith("[sandbox]")
    usage = done["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_token_details"] == {"text_tokens": 2, "audio_tokens": 20}


def test_whisper_cannot_stream_and_says_so(http):
    files = {"file": ("talk.wav", tone(1.0), "audio/wav")}
    response = http.post("/audio/transcriptions", data={"model": "whisper-1", "stream": "true"}, files=files)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "stream"
    assert error["message"] == (
        "Streaming is not supported with whisper-1: use gpt-4o-mini-transcribe or gpt-4o-transcribe, "
        "or leave 'stream' unset."
    )
    unstreamed = http.post(
        "/audio/transcriptions", data={"model": "whisper-1", "stream": "false"}, files=files
    )
    assert unstreamed.status_code == 200 and unstreamed.json()["text"].startswith("[sandbox]")
