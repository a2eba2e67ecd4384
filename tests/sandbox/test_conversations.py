"""Conversations, and responses that live in them or in the background."""

from __future__ import annotations

import time

import pytest

from .responses_support import (  # noqa: F401 (http_fixture is the `http` fixture)
    MODEL,
    create,
    error_of,
    http_fixture,
    output_text,
    validate_request,
)


@pytest.fixture
def quick(sandbox):
    """Background responses that take 0.6 s (queued for the first 0.15 s)."""
    before = sandbox.background_seconds
    sandbox.background_seconds = 0.6
    yield sandbox
    sandbox.background_seconds = before


def new_conversation(http, spec, body):
    validate_request(spec, "POST", "/conversations", body)
    answer = http.post("/conversations", json=body)
    assert answer.status_code == 200, answer.text
    spec.validate_response("POST", "/conversations", answer.json())
    return answer.json()


def items(http, spec, conversation_id, **params):
    path = f"/conversations/{conversation_id}/items"
    listing = http.get(path, params=params).json()
    spec.validate_response("GET", path, listing)
    return listing


def texts(listing):
    return [part.get("text") for item in listing["data"] for part in item.get("content", [])]


def test_a_conversation_is_created_read_updated_and_deleted(http, spec):
    made = new_conversation(
        http, spec, {"metadata": {"topic": "demo"}, "items": [{"role": "user", "content": "Hello"}]}
    )
    assert made["id"].startswith("conv_") and made["object"] == "conversation"
    assert made["metadata"] == {"topic": "demo"}
    path = f"/conversations/{made['id']}"
    got = http.get(path).json()
    spec.validate_response("GET", path, got)
    assert got == made
    validate_request(spec, "POST", path, {"metadata": {"topic": "changed"}})
    updated = http.post(path, json={"metadata": {"topic": "changed"}}).json()
    spec.validate_response("POST", path, updated)
    assert updated["metadata"] == {"topic": "changed"}
    deleted = http.delete(path).json()
    spec.validate_response("DELETE", path, deleted)
    assert deleted == {"id": made["id"], "object": "conversation.deleted", "deleted": True}
    assert error_of(http.get(path), 404)["message"] == f"Conversation with id '{made['id']}' not found."


def test_items_are_added_listed_paged_read_and_deleted(http, spec):
    made = new_conversation(http, spec, {"items": [{"role": "user", "content": "one"}]})
    path = f"/conversations/{made['id']}/items"
    body = {
        "items": [
            {"role": "assistant", "content": "two"},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "three"}]},
        ]
    }
    validate_request(spec, "POST", path, body)
    added = http.post(path, json=body).json()
    spec.validate_response("POST", path, added)
    assert texts(added) == ["two", "three"]
    assert added["data"][0]["content"][0] == {
        "type": "output_text",
        "text": "two",
        "annotations": [],
        "logprobs": [],
    }
    assert texts(items(http, spec, made["id"])) == ["three", "two", "one"]  # newest first
    first = items(http, spec, made["id"], order="asc", limit=2)
    assert texts(first) == ["one", "two"] and first["has_more"] is True
    rest = items(http, spec, made["id"], order="asc", after=first["last_id"])
    assert texts(rest) == ["three"] and rest["has_more"] is False
    item_id = added["data"][0]["id"]
    one = http.get(f"{path}/{item_id}").json()
    spec.validate_response("GET", f"{path}/{item_id}", one)
    assert one == added["data"][0]
    after_delete = http.delete(f"{path}/{item_id}").json()
    spec.validate_response("DELETE", f"{path}/{item_id}", after_delete)
    assert after_delete["id"] == made["id"]
    assert texts(items(http, spec, made["id"], order="asc")) == ["one", "three"]
    assert error_of(http.get(f"{path}/{item_id}"), 404)["message"] == f"Item with id '{item_id}' not found."


def test_responses_in_a_conversation_see_and_extend_it(http, spec):
    made = new_conversation(http, spec, {"items": [{"role": "user", "content": "I like otters."}]})
    first = create(http, spec, {"model": MODEL, "input": "What do I like?", "conversation": made["id"]})
    assert first["conversation"] == {"id": made["id"]}
    assert 'This is turn 2 of this conversation; it began with "I like otters."' in output_text(first)
    second = create(http, spec, {"model": MODEL, "input": "Tell me more", "conversation": {"id": made["id"]}})
    assert "This is turn 3 of this conversation" in output_text(second)
    listing = items(http, spec, made["id"], order="asc")
    roles = [item["role"] for item in listing["data"]]
    assert roles == ["user", "user", "assistant", "user", "assistant"]
    assert listing["data"][2]["id"] == first["output"][0]["id"]
    assert listing["data"][4]["content"][0]["text"] == output_text(second)


def test_background_responses_are_queued_then_complete(http, spec, quick):
    made = new_conversation(http, spec, {})
    response = create(
        http, spec, {"model": MODEL, "input": "Work on this", "background": True, "conversation": made["id"]}
    )
    assert response["status"] == "queued" and response["output"] == [] and response["background"] is True
    # Its input is in the conversation at once, its answer only when it is done.
    assert [item["role"] for item in items(http, spec, made["id"])["data"]] == ["user"]
    seen = []
    for _ in range(100):
        polled = http.get(f"/responses/{response['id']}").json()
        spec.validate_response("GET", f"/responses/{response['id']}", polled)
        seen.append(polled["status"])
        if polled["status"] == "completed":
            break
        time.sleep(0.02)
    assert seen[0] in ("queued", "in_progress") and seen[-1] == "completed"
    assert "in_progress" in seen
    assert seen.index("in_progress") > (seen.index("queued") if "queued" in seen else -1)
    assert output_text(polled).startswith('[sandbox] You said: "Work on this".')
    assert polled["completed_at"] >= polled["created_at"] and polled["usage"]["output_tokens"] > 0
    assert [item["role"] for item in items(http, spec, made["id"], order="asc")["data"]] == [
        "user",
        "assistant",
    ]


def test_background_responses_can_be_cancelled_until_they_finish(http, spec, quick):
    made = new_conversation(http, spec, {})
    response = create(
        http, spec, {"model": MODEL, "input": "Stop me", "background": True, "conversation": made["id"]}
    )
    path = f"/responses/{response['id']}/cancel"
    cancelled = http.post(path).json()
    spec.validate_response("POST", path, cancelled)
    assert cancelled["status"] == "cancelled" and cancelled["output"] == []
    assert http.post(path).json()["status"] == "cancelled"  # cancelling again changes nothing
    time.sleep(0.65)
    assert http.get(f"/responses/{response['id']}").json()["status"] == "cancelled"
    assert [item["role"] for item in items(http, spec, made["id"])["data"]] == ["user"]  # no answer arrives

    def follow(previous):
        return http.post(
            "/responses", json={"model": MODEL, "input": "next", "previous_response_id": previous}
        )

    assert "was cancelled" in error_of(follow(response["id"]), 400)["message"]
    finished = create(http, spec, {"model": MODEL, "input": "quick", "background": True})
    early = error_of(follow(finished["id"]), 400)
    assert "is still" in early["message"] and early["param"] == "previous_response_id"
    time.sleep(0.65)
    error = error_of(http.post(f"/responses/{finished['id']}/cancel"), 400)
    assert error["message"] == "Cannot cancel a response with status 'completed': it has already finished."
    assert "This is turn 2 of this conversation" in output_text(follow(finished["id"]).json())


def test_only_background_responses_can_be_cancelled(http, spec):
    response = create(http, spec, {"model": MODEL, "input": "now"})
    error = error_of(http.post(f"/responses/{response['id']}/cancel"), 400)
    assert error["message"].startswith("Cannot cancel a synchronous response")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "param", "message"),
    [
        ("POST", "/conversations", {"metadata": {"k": 5}}, 400, "metadata.k", "expected a string"),
        ("POST", "/conversations", {"items": "hi"}, 400, "items", "Invalid type for 'items'"),
        (
            "POST",
            "/conversations",
            {"items": [{"role": "user", "content": "x"}] * 21},
            400,
            "items",
            "array too long",
        ),
        (
            "POST",
            "/conversations",
            {"items": [{"role": "bot", "content": "x"}]},
            400,
            "items[0].role",
            "Invalid value",
        ),
        ("GET", "/conversations/conv_nope", None, 404, None, "Conversation with id 'conv_nope' not found."),
        (
            "GET",
            "/conversations/conv_nope/items",
            None,
            404,
            None,
            "Conversation with id 'conv_nope' not found.",
        ),
        ("POST", "/conversations/conv_nope/items", {"items": []}, 404, None, "not found"),
    ],
)
def test_conversation_refusals(http, method, path, body, status, param, message):
    error = error_of(http.request(method, path, json=body), status)
    assert message in error["message"]
    assert error["param"] == param


def test_updating_needs_metadata(http, spec):
    made = new_conversation(http, spec, {})
    error = error_of(http.post(f"/conversations/{made['id']}", json={}), 400)
    assert error["param"] == "metadata" and error["message"] == "Missing required parameter: 'metadata'."
