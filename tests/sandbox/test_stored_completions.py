"""Stored chat completions: kept with store=true, listed, filtered, updated and deleted."""

from __future__ import annotations

import uuid

import httpx
import pytest


@pytest.fixture
def tag():
    """A metadata value no other test uses, so listings can be filtered to this test."""
    return uuid.uuid4().hex[:12]


def ask(api, text: str, tag: str, *, model: str = "gpt-4o-mini", store: bool = True, **more) -> dict:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "store": store,
        "metadata": {"run": tag, **more.pop("metadata", {})},
        **more,
    }
    return api.post("/chat/completions", body)


def listed(api, tag: str, **params) -> list[str]:
    return [c["id"] for c in api.get("/chat/completions", params={"metadata[run]": tag, **params})["data"]]


def test_only_stored_completions_are_listed_with_their_metadata(api, tag):
    kept = ask(api, "keep me", tag, metadata={"topic": "a"})
    ask(api, "forget me", tag, store=False)
    found = api.get("/chat/completions", params={"metadata[run]": tag})
    assert [c["id"] for c in found["data"]] == [kept["id"]]
    stored = found["data"][0]
    assert stored["metadata"] == {"run": tag, "topic": "a"}
    assert stored["choices"] == kept["choices"] and stored["usage"] == kept["usage"]
    assert api.get(f"/chat/completions/{kept['id']}") == stored


def test_filters_order_and_pages(api, tag):
    ids = [
        ask(api, f"q{n}", tag, model=model)["id"]
        for n, model in enumerate(["gpt-4o-mini", "gpt-4o", "gpt-4o-mini"])
    ]
    assert listed(api, tag) == ids
    assert listed(api, tag, order="desc") == ids[::-1]
    assert listed(api, tag, model="gpt-4o") == [ids[1]]
    first = api.get("/chat/completions", params={"metadata[run]": tag, "limit": 2})
    assert [c["id"] for c in first["data"]] == ids[:2] and first["has_more"] is True
    assert (first["first_id"], first["last_id"]) == (ids[0], ids[1])
    assert listed(api, tag, after=first["last_id"]) == ids[2:]
    assert listed(api, tag, **{"metadata[topic]": "none"}) == []


def test_messages_are_listed_with_ids_and_parts(api, tag):
    body = {
        "model": "gpt-4o",
        "store": True,
        "metadata": {"run": tag},
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": [{"type": "text", "text": "And now?"}]},
        ],
    }
    completion = api.post("/chat/completions", body)
    base = f"/chat/completions/{completion['id']}/messages"
    first = api.get(base, params={"limit": 3})
    assert [m["id"] for m in first["data"]] == [f"{completion['id']}-{n}" for n in range(3)]
    assert [m["role"] for m in first["data"]] == ["system", "user", "assistant"]
    assert first["has_more"] is True
    rest = api.get(base, params={"after": first["last_id"]})["data"]
    assert rest == [
        {
            "id": f"{completion['id']}-3",
            "role": "user",
            "content": "And now?",
            "refusal": None,
            "name": None,
            "content_parts": [{"type": "text", "text": "And now?"}],
        }
    ]
    assert api.get(base, params={"order": "desc", "limit": 1})["data"][0]["id"] == rest[0]["id"]


def test_metadata_can_be_replaced(api, tag):
    completion = ask(api, "x", tag)
    updated = api.post(f"/chat/completions/{completion['id']}", {"metadata": {"run": tag, "reviewed": "yes"}})
    assert updated["metadata"] == {"run": tag, "reviewed": "yes"}
    assert listed(api, tag, **{"metadata[reviewed]": "yes"}) == [completion["id"]]
    assert api.error("POST", f"/chat/completions/{completion['id']}", 400, json={})["param"] == "metadata"
    error = api.error("POST", f"/chat/completions/{completion['id']}", 400, json={"metadata": {"n": 1}})
    assert error["param"] == "metadata.n"


def test_deleted_completions_are_gone(api, tag):
    completion = ask(api, "x", tag)
    gone = api.delete(f"/chat/completions/{completion['id']}")
    assert gone == {"object": "chat.completion.deleted", "id": completion["id"], "deleted": True}
    assert listed(api, tag) == []
    for method in ("GET", "DELETE"):
        assert "store=true" in api.error(method, f"/chat/completions/{completion['id']}", 404)["message"]
    assert api.error("GET", f"/chat/completions/{completion['id']}/messages", 404)["param"] == "completion_id"


def test_streamed_completions_are_stored_whole(api, tag, sandbox):
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "stream me"}],
        "stream": True,
        "store": True,
        "metadata": {"run": tag},
    }
    with httpx.stream(
        "POST", f"{sandbox.base_url}/chat/completions", json=body, headers=api.http.headers
    ) as response:
        text = "".join(response.iter_text())
    stored = api.get("/chat/completions", params={"metadata[run]": tag})["data"]
    assert len(stored) == 1
    assert stored[0]["id"] in text
    assert stored[0]["choices"][0]["message"]["content"].startswith('[sandbox] You said: "stream me"')


def test_store_must_be_a_boolean(api):
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "store": "yes"}
    error = api.error("POST", "/chat/completions", 400, json=body)
    assert (error["param"], error["code"]) == ("store", "invalid_type")
