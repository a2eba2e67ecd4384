"""Stored chat completions: kept by chat(store=True), listed, read, relabelled, deleted, and evaluated."""

from __future__ import annotations

import uuid

import pytest

import openai_widgets as ow
from tests.support.evals import EXACT


@pytest.fixture
def tag():
    """A metadata value of this test only, so listings can be narrowed to it."""
    return uuid.uuid4().hex[:12]


def test_chat_with_store_keeps_the_completion_with_its_metadata(client, sandbox, spec, tag):
    kept = client.chat("Name a colour.", store=True, metadata={"run": tag, "topic": "colours"})
    client.chat("Forget me.", metadata={"run": tag})
    body = sandbox.requests_to("/chat/completions", "POST")[-2].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["store"] is True and body["metadata"] == {"run": tag, "topic": "colours"}

    stored = client.stored_completions(metadata={"run": tag})
    assert list(stored.columns[:9]) == [
        "id",
        "created",
        "model",
        "output",
        "finish_reason",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "metadata",
    ]
    assert stored["id"].tolist() == [kept.id]
    row = stored.iloc[0]
    assert row["output"] == kept.text and row["metadata"] == {"run": tag, "topic": "colours"}
    assert str(stored["total_tokens"].dtype) == "Int64" and "UTC" in str(stored["created"].dtype)
    assert row["total_tokens"] == kept.usage["total_tokens"]


def test_filters_read_messages_update_and_delete(client, sandbox, tag):
    first = client.chat(
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        store=True,
        metadata={"run": tag},
    )
    second = client.chat("Hello", "gpt-4o", store=True, metadata={"run": tag})
    assert client.stored_completions(metadata={"run": tag})["id"].tolist() == [first.id, second.id]
    assert client.stored_completions("gpt-4o", metadata={"run": tag})["id"].tolist() == [second.id]
    query = sandbox.requests_to("/chat/completions", "GET")[-1].query
    assert query["model"] == ["gpt-4o"] and query["metadata[run]"] == [tag]

    record = client.stored_completion(first.id)
    assert isinstance(record, ow.Record) and record["id"] == first.id
    messages = client.stored_completion_messages(first.id)
    assert list(messages.columns[:4]) == ["id", "role", "content", "name"]
    assert messages["role"].tolist() == ["system", "user"] and messages["content"].tolist() == [
        "Be brief.",
        "Hi",
    ]

    updated = client.update_stored_completion(first.id, {"run": tag, "reviewed": "yes"})
    assert updated["metadata"] == {"run": tag, "reviewed": "yes"}
    assert client.stored_completions(metadata={"reviewed": "yes", "run": tag})["id"].tolist() == [first.id]
    assert client.delete_stored_completion(first.id) == {
        "object": "chat.completion.deleted",
        "id": first.id,
        "deleted": True,
    }
    with pytest.raises(ow.NotFoundError, match="store=true"):
        client.stored_completion(first.id)


def test_an_empty_listing_keeps_its_columns(client):
    empty = client.stored_completions(metadata={"run": "nothing-" + uuid.uuid4().hex})
    assert empty.empty and list(empty.columns)[:3] == ["id", "created", "model"]


def test_stored_completions_are_an_eval_data_source(evals_client, sandbox, spec, tag):
    for n in range(3):
        evals_client.chat(f"question {n}", store=True, metadata={"suite": tag})
    data = {"type": "stored_completions", "metadata": {"suite": tag}}
    labelled = {"type": "string_check", "reference": "[sandbox]", "operation": "ilike"}
    created = evals_client.create_eval("stored answers", data, criteria=[labelled])
    body = [r for r in sandbox.requests_to("/evals", "POST") if r.path == "/evals"][-1].json()
    spec.validate_request("POST", "/evals", body)
    assert body["data_source_config"] == {"type": "logs", "metadata": {"suite": tag}}

    graded = evals_client.run_eval(created["id"], data, progress=False)
    run_body = sandbox.requests_to(f"/evals/{created['id']}/runs", "POST")[-1].json()
    spec.validate_request("POST", "/evals/x/runs", run_body)
    assert run_body["data_source"] == {
        "type": "completions",
        "source": {"type": "stored_completions", "metadata": {"suite": tag}},
    }
    assert len(graded) == 3 and set(graded["status"]) == {"pass"}
    assert graded["completion_id"].str.startswith("chatcmpl-").all()

    again = evals_client.run_eval(created["id"], data, "gpt-4o", progress=False)
    rerun = sandbox.requests_to(f"/evals/{created['id']}/runs", "POST")[-1].json()["data_source"]
    assert rerun["model"] == "gpt-4o"
    assert rerun["input_messages"] == {"type": "item_reference", "item_reference": "item.input"}
    assert again.attrs["run"]["model"] == "gpt-4o"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.update_stored_completion("chatcmpl-x", None),
            ow.InvalidInputError,
            "metadata is needed",
        ),
        (lambda c: c.update_stored_completion("chatcmpl-x", {"a": 1}), ow.InvalidTypeError, "metadata"),
        (lambda c: c.stored_completion(""), ow.InvalidInputError, "completion_id is empty"),
        (lambda c: c.stored_completions(3), ow.InvalidTypeError, "model must be a model ID"),
        (
            lambda c: c.create_eval("x", {"type": "stored_completions", "tags": 1}, criteria=EXACT),
            ow.InvalidInputError,
            "data has 'tags'",
        ),
    ],
)
def test_stored_mistakes_are_refused_before_anything_is_sent(client, sandbox, call, error, message):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        call(client)
    assert sandbox.requests == []
