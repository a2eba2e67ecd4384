"""Helpers for the Responses and Conversations sandbox tests: an HTTP client, streams, spec checks."""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
import pytest

from ..conftest import TEST_KEY

MODEL = "gpt-4o-mini"


@pytest.fixture(name="http")
def http_fixture(sandbox):
    """Plain HTTP to the sandbox, as any OpenAI-compatible client would speak it."""
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"}, timeout=10
    ) as made:
        yield made


def validate_request(spec, method: str, path: str, body: Any) -> None:
    """The spec's request check, reading `oneOf` + `discriminator` as OpenAPI does.

    The spec's InputItem is a oneOf whose members overlap (a user message with a content
    list is both an EasyInputMessage and an InputMessage); OpenAPI picks one member by the
    discriminator, so a body is valid when at least one member accepts it.
    """
    schema = spec.operation(method, path)["requestBody"]["content"]["application/json"]["schema"]
    _discriminating_validator(spec, json.dumps(schema)).validate(body)


@functools.lru_cache(maxsize=32)
def _discriminating_validator(spec, schema_json: str):
    import jsonschema
    from jsonschema import validators

    base = jsonschema.Draft202012Validator

    def one_of(validator, options, instance, schema):
        if "discriminator" in schema:
            yield from base.VALIDATORS["anyOf"](validator, options, instance, schema)
        else:
            yield from base.VALIDATORS["oneOf"](validator, options, instance, schema)

    lenient = validators.extend(base, {"oneOf": one_of})
    schema = _rooted(json.loads(schema_json))
    return lenient(schema, registry=spec.registry)


def _rooted(node: Any) -> Any:
    """Local `#/components/...` references made absolute, so they resolve in the spec's registry."""
    from tests.support.spec import _ROOT

    if isinstance(node, dict):
        return {k: (_ROOT + v if k == "$ref" and v.startswith("#") else _rooted(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rooted(v) for v in node]
    return node


def create(http, spec, body: dict[str, Any], status: int = 200, *, check_body: bool = True) -> dict[str, Any]:
    """POST /responses with a body the spec accepts; the answer checked against the spec."""
    if check_body:
        validate_request(spec, "POST", "/responses", body)
    answer = http.post("/responses", json=body)
    assert answer.status_code == status, answer.text
    if status == 200:
        spec.validate_response("POST", "/responses", answer.json())
    return answer.json()


def stream(http, spec, body: dict[str, Any], *, path: str = "/responses") -> list[dict[str, Any]]:
    """The events of a streamed response, each checked against its spec schema."""
    body = {**body, "stream": True}
    validate_request(spec, "POST", path, body)
    with http.stream("POST", path, json=body) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        events = read_events(answer.iter_lines())
    for event in events:
        validate_event(spec, event)
    return events


def read_events(lines) -> list[dict[str, Any]]:
    """Server-sent events with `event:` names that match each JSON's type, and no [DONE]."""
    events, name = [], None
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            assert line != "data: [DONE]", "the Responses API does not end streams with [DONE]"
            event = json.loads(line[6:])
            assert event["type"] == name
            events.append(event)
    return events


@functools.lru_cache(maxsize=1)
def _event_schema_names(spec) -> dict[str, str]:
    """Event type -> the spec's schema for it, read from ResponseStreamEvent's members."""
    names = {}
    for member in spec.document["components"]["schemas"]["ResponseStreamEvent"]["anyOf"]:
        name = member["$ref"].rsplit("/", 1)[1]
        schema = spec.document["components"]["schemas"][name]
        for kind in schema["properties"]["type"].get("enum", []):
            names[kind] = name
    return names


def validate_event(spec, event: dict[str, Any]) -> None:
    names = _event_schema_names(spec)
    assert event["type"] in names, f"{event['type']} is not a ResponseStreamEvent"
    spec.validate_schema(names[event["type"]], event)
    spec.validate_schema("ResponseStreamEvent", event)


def output_text(response: dict[str, Any]) -> str:
    return "".join(
        part["text"]
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )


def of_type(response: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in response["output"] if item["type"] == kind]


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The OpenAI-style error body of a refused request."""
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error
