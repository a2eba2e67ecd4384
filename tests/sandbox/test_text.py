"""The sandbox's text routes speak the official spec and refuse what OpenAI refuses."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest


@pytest.fixture
def http(sandbox):
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": "Bearer sk-test"}, timeout=10
    ) as made:
        yield made


def events(http, path, body):
    with http.stream("POST", path, json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line[6:] for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


CHAT_BODIES = [
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "n": 3,
        "logprobs": True,
        "top_logprobs": 3,
    },
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "weather?"}],
        "tools": [{"type": "function", "function": {"name": "w", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "w"}},
    },
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "json list"}],
        "response_format": {"type": "json_object"},
    },
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "rows",
                "schema": {
                    "type": "object",
                    "properties": {"rows": {"type": "array", "items": {"$ref": "#/$defs/row"}}},
                    "$defs": {
                        "row": {
                            "type": "object",
                            "properties": {"a": {"type": "number"}, "b": {"enum": ["x", "y"]}},
                        }
                    },
                },
            },
        },
    },
    {
        "model": "o3-mini",
        "messages": [{"role": "developer", "content": "d"}, {"role": "user", "content": "u"}],
        "max_completion_tokens": 5,
    },
]


@pytest.mark.parametrize("body", CHAT_BODIES)
def test_chat_answers_fit_the_spec(http, spec, body):
    spec.validate_request("POST", "/chat/completions", body)
    response = http.post("/chat/completions", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    spec.validate_response("POST", "/chat/completions", answer)
    assert len(answer["choices"]) == body.get("n", 1)
    assert answer["id"].startswith("chatcmpl-")


@pytest.mark.parametrize("body", CHAT_BODIES)
def test_chat_stream_chunks_fit_the_spec(http, spec, body):
    streamed = {**body, "stream": True, "stream_options": {"include_usage": True}}
    spec.validate_request("POST", "/chat/completions", streamed)
    chunks = events(http, "/chat/completions", streamed)
    for chunk in chunks:
        spec.validate_schema("CreateChatCompletionStreamResponse", chunk)
    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] > 0


def test_json_schema_reply_follows_the_schema(http):
    body = CHAT_BODIES[4]
    reply = json.loads(http.post("/chat/completions", json=body).json()["choices"][0]["message"]["content"])
    assert reply == {"rows": [{"a": 1.5, "b": "x"}, {"a": 2.5, "b": "y"}, {"a": 3.5, "b": "x"}]}
    jsonschema.validate(reply, body["response_format"]["json_schema"]["schema"])


def test_stream_without_usage_has_no_usage_chunk(http):
    chunks = events(http, "/chat/completions", {**CHAT_BODIES[0], "stream": True})
    assert all("usage" not in chunk for chunk in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_stream_interval_spaces_the_events(sandbox, http):
    import time

    sandbox.configure(stream_interval=0.01)
    started = time.monotonic()
    chunks = events(http, "/chat/completions", {**CHAT_BODIES[0], "stream": True})
    assert time.monotonic() - started >= 0.01 * (len(chunks) - 1)


def test_vision_content_is_described(http, tiny_png_url):
    body = {
        "model": "gpt-4o-mini",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what?"},
                    {"type": "image_url", "image_url": {"url": tiny_png_url}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
                ],
            }
        ],
    }
    text = http.post("/chat/completions", json=body).json()["choices"][0]["message"]["content"]
    assert text.startswith("[sandbox] I see 2 images (3x2, remote).")


@pytest.fixture
def tiny_png_url():
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("change", "status", "param", "message"),
    [
        ({"model": "gpt-unknown"}, 404, "model", "The model `gpt-unknown` does not exist"),
        ({"model": "text-embedding-3-small"}, 404, "model", "This is not a chat model"),
        ({"messages": []}, 400, "messages", "Invalid 'messages': empty array."),
        ({"messages": "hi"}, 400, "messages", "Invalid type for 'messages'"),
        (
            {"messages": [{"role": "robot", "content": "x"}]},
            400,
            "messages[0].role",
            "Invalid value: 'robot'.",
        ),
        (
            {"messages": [{"content": "x"}]},
            400,
            "messages[0].role",
            "Missing required parameter: 'messages[0].role'.",
        ),
        ({"messages": [{"role": "user"}]}, 400, "messages[0].content", "Missing required parameter"),
        (
            {"messages": [{"role": "user", "content": "x", "name": "a b"}]},
            400,
            "messages[0].name",
            "does not match pattern",
        ),
        (
            {"messages": [{"role": "user", "content": "x", "name": "a" * 65}]},
            400,
            "messages[0].name",
            "string too long",
        ),
        (
            {"messages": [{"role": "tool", "content": "x", "tool_call_id": "c"}]},
            400,
            "messages[0].role",
            "must be a response",
        ),
        (
            {
                "messages": [
                    {
                        "role": "system",
                        "content": [{"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}],
                    }
                ]
            },
            400,
            "messages[0].content[0]",
            "Image URLs are only allowed for messages with role 'user'",
        ),
        ({"temperature": 2.5}, 400, "temperature", "Expected a value <= 2, but got 2.5 instead."),
        ({"top_p": -0.5}, 400, "top_p", "Expected a value >= 0, but got -0.5 instead."),
        ({"n": 0}, 400, "n", "integer below minimum value"),
        ({"stop": ["a", "b", "c", "d", "e"]}, 400, "stop", "array too long"),
        ({"top_logprobs": 2}, 400, "top_logprobs", "'logprobs' must be set to true"),
        ({"response_format": {"type": "json_object"}}, 400, "messages", "must contain the word 'json'"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {}}},
            400,
            "response_format.json_schema.name",
            "Missing",
        ),
        ({"stream_options": {"include_usage": True}}, 400, None, "only allowed when 'stream' is enabled"),
        (
            {
                "tools": [{"type": "function", "function": {"name": "f"}}],
                "tool_choice": {"type": "function", "function": {"name": "g"}},
            },
            400,
            "tool_choice",
            "tool 'g'",
        ),
    ],
)
def test_chat_refusals(http, change, status, param, message):
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], **change}
    response = http.post("/chat/completions", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert message in error["message"]
    if param is not None:
        assert error["param"] == param
    assert error["type"] == "invalid_request_error"


def test_invalid_bodies_fail_spec_validation(spec):
    """The spec check is real: what the sandbox refuses, the spec refuses too."""
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request("POST", "/chat/completions", {"model": "gpt-4o-mini", "messages": []})
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request(
            "POST",
            "/chat/completions",
            {"model": "gpt-4o-mini", "messages": [{"role": "robot", "content": "x"}]},
        )
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request(
            "POST",
            "/chat/completions",
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "temperature": 3},
        )
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request("POST", "/moderations", {"model": "omni-moderation-latest"})
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_response(
            "POST", "/chat/completions", {"id": "x", "object": "chat.completion", "choices": []}
        )


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gpt-3.5-turbo-instruct", "prompt": "Say this"},
        {
            "model": "gpt-3.5-turbo-instruct",
            "prompt": ["a", "b"],
            "n": 2,
            "echo": True,
            "logprobs": 2,
            "max_tokens": 5,
        },
    ],
)
def test_completions_fit_the_spec(http, spec, body):
    spec.validate_request("POST", "/completions", body)
    answer = http.post("/completions", json=body).json()
    spec.validate_response("POST", "/completions", answer)
    prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
    assert len(answer["choices"]) == len(prompts) * body.get("n", 1)
    if body.get("echo"):
        assert answer["choices"][0]["text"].startswith("a [sandbox]")


def test_completions_stream(http):
    chunks = events(http, "/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "x", "stream": True})
    text = "".join(c["choices"][0]["text"] for c in chunks if c["choices"])
    assert text.startswith(" [sandbox]")
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"model": "gpt-4o-mini", "prompt": "x"}, 404, "This is a chat model"),
        ({"model": "gpt-3.5-turbo-instruct"}, 400, "Missing required parameter: 'prompt'."),
        ({"model": "gpt-3.5-turbo-instruct", "prompt": "x", "temperature": 5}, 400, "Expected a value <= 2"),
    ],
)
def test_completions_refusals(http, body, status, message):
    response = http.post("/completions", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"input": "I want to kill them."},
        {"input": ["a", "hate and blood"], "model": "omni-moderation-latest"},
        {"input": ["nsfw"], "model": "text-moderation-latest"},
        {
            "input": [
                {"type": "text", "text": "suicide"},
                {"type": "image_url", "image_url": {"url": "https://e.com/a.png"}},
            ]
        },
    ],
)
def test_moderations_fit_the_spec(http, spec, body):
    spec.validate_request("POST", "/moderations", body)
    answer = http.post("/moderations", json=body).json()
    spec.validate_response("POST", "/moderations", answer)
    assert answer["id"].startswith("modr-")
    assert answer["model"] == body.get("model", "omni-moderation-latest")


def test_moderation_flags_and_scores_are_deterministic(http):
    body = {"input": ["I want to kill them.", "A sunny day."]}
    first, second = (http.post("/moderations", json=body).json()["results"] for _ in range(2))
    assert first == second
    kill, sunny = first
    assert kill["flagged"]
    assert kill["categories"]["violence"]
    assert kill["category_scores"]["violence"] == 0.92
    assert not sunny["flagged"]
    assert max(sunny["category_scores"].values()) < 0.01
    assert kill["category_applied_input_types"]["violence"] == ["text"]


def test_moderation_image_inputs_apply_only_to_image_categories(http):
    body = {"input": [{"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}]}
    (result,) = http.post("/moderations", json=body).json()["results"]
    applied = result["category_applied_input_types"]
    assert applied["violence"] == ["image"]
    assert applied["hate"] == []


def test_text_moderation_models_do_not_assess_illicit(http):
    (result,) = http.post("/moderations", json={"input": "steal", "model": "text-moderation-latest"}).json()[
        "results"
    ]
    assert result["categories"]["illicit"] is None


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "Missing required parameter: 'input'."),
        ({"input": []}, 400, "empty array"),
        ({"input": 5}, 400, "Invalid type for 'input'"),
        ({"input": [{"type": "audio"}]}, 400, "Invalid value for 'input[0]'"),
        ({"input": "x", "model": "gpt-4o"}, 400, "not a moderation model"),
        ({"input": "x", "model": "nope"}, 404, "does not exist"),
    ],
)
def test_moderation_refusals(http, body, status, message):
    response = http.post("/moderations", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_text_routes_need_a_key(sandbox):
    with httpx.Client(base_url=sandbox.base_url) as anonymous:
        for path in ("/chat/completions", "/completions", "/moderations"):
            assert anonymous.post(path, json={}).status_code == 401
