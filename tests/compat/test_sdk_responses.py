"""The official `openai` SDK against the sandbox's Responses, Conversations and Containers routes."""

from __future__ import annotations

import openai
import pytest

# Every route these tests reach through the SDK -> the test (see test_sdk_coverage.py).
ROUTES = {
    "POST /responses": "test_create_retrieve_list_and_delete",
    "GET /responses/{response_id}": "test_create_retrieve_list_and_delete",
    "DELETE /responses/{response_id}": "test_create_retrieve_list_and_delete",
    "GET /responses/{response_id}/input_items": "test_create_retrieve_list_and_delete",
    "POST /responses/{response_id}/cancel": "test_background_cancel_token_count_and_compaction",
    "POST /responses/input_tokens": "test_background_cancel_token_count_and_compaction",
    "POST /responses/compact": "test_background_cancel_token_count_and_compaction",
    "POST /conversations": "test_conversations",
    "GET /conversations/{conversation_id}": "test_conversations",
    "GET /conversations/{conversation_id}/items": "test_conversations",
    "POST /conversations/{conversation_id}": "test_conversation_items_and_metadata",
    "DELETE /conversations/{conversation_id}": "test_conversation_items_and_metadata",
    "POST /conversations/{conversation_id}/items": "test_conversation_items_and_metadata",
    "GET /conversations/{conversation_id}/items/{item_id}": "test_conversation_items_and_metadata",
    "DELETE /conversations/{conversation_id}/items/{item_id}": "test_conversation_items_and_metadata",
    "POST /containers": "test_containers_and_their_files",
    "GET /containers/{container_id}": "test_containers_and_their_files",
    "DELETE /containers/{container_id}": "test_containers_and_their_files",
    "GET /containers/{container_id}/files": "test_containers_and_their_files",
    "GET /containers/{container_id}/files/{file_id}": "test_containers_and_their_files",
    "GET /containers/{container_id}/files/{file_id}/content": "test_containers_and_their_files",
}

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_create_retrieve_list_and_delete(sdk, sandbox):
    response = sdk.responses.create(model="gpt-4o-mini", input="Hello from the SDK", metadata={"k": "v"})
    assert response.status == "completed"
    assert response.output_text.startswith('[sandbox] You said: "Hello from the SDK".')
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert sandbox.requests_to("/responses")[0].json() == {
        "model": "gpt-4o-mini",
        "input": "Hello from the SDK",
        "metadata": {"k": "v"},
    }
    again = sdk.responses.retrieve(response.id)
    assert again.id == response.id and again.output_text == response.output_text
    items = list(sdk.responses.input_items.list(response.id))
    assert [item.type for item in items] == ["message"]
    assert items[0].content[0].text == "Hello from the SDK"
    assert sdk.responses.delete(response.id) is None
    with pytest.raises(openai.NotFoundError, match="not found"):
        sdk.responses.retrieve(response.id)


def test_streaming_with_the_stream_helper(sdk):
    with sdk.responses.stream(model="gpt-4o-mini", input="Stream to the SDK") as events:
        deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
        final = events.get_final_response()
    assert "".join(deltas) == final.output_text
    assert final.output_text.startswith('[sandbox] You said: "Stream to the SDK".')


def test_streaming_with_create_and_tools(sdk):
    stream = sdk.responses.create(
        model="gpt-4o-mini", input="get_weather for Paris", tools=[WEATHER], stream=True
    )
    events = list(stream)
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    (call,) = [item for item in events[-1].response.output if item.type == "function_call"]
    assert call.name == "get_weather" and call.arguments == '{"city": "Paris"}'
    answer = sdk.responses.create(
        model="gpt-4o-mini",
        previous_response_id=events[-1].response.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
    )
    assert answer.output_text == '[sandbox] get_weather returned "sunny".'


def test_structured_outputs_parse_into_a_model(sdk):
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int

    parsed = sdk.responses.parse(model="gpt-4o-mini", input="Facts about 'Paris'", text_format=City)
    assert parsed.output_parsed == City(name="[sandbox] Paris", population=1)


def test_conversations(sdk):
    conversation = sdk.conversations.create(
        items=[{"role": "user", "content": "I like otters."}], metadata={"a": "b"}
    )
    assert conversation.id.startswith("conv_") and conversation.metadata == {"a": "b"}
    assert sdk.conversations.retrieve(conversation.id).id == conversation.id
    reply = sdk.responses.create(model="gpt-4o-mini", input="What do I like?", conversation=conversation.id)
    assert "turn 2 of this conversation" in reply.output_text
    items = list(sdk.conversations.items.list(conversation.id, order="asc"))
    assert [item.role for item in items] == ["user", "user", "assistant"]
    assert items[-1].content[0].text == reply.output_text


def test_background_cancel_token_count_and_compaction(sdk, sandbox):
    sandbox.background_seconds, before = 5.0, sandbox.background_seconds
    try:
        queued = sdk.responses.create(model="gpt-4o-mini", input="Take your time", background=True)
        assert queued.status in {"queued", "in_progress"}
        cancelled = sdk.responses.cancel(queued.id)
        assert cancelled.status == "cancelled"
    finally:
        sandbox.background_seconds = before
    counted = sdk.responses.input_tokens.count(model="gpt-4o-mini", input="How many tokens is this?")
    assert counted.input_tokens > 0
    compacted = sdk.responses.compact(model="gpt-4o-mini", input="A long talk to keep short")
    assert compacted.id and compacted.output


def test_conversation_items_and_metadata(sdk):
    conversation = sdk.conversations.create(metadata={"topic": "otters"})
    updated = sdk.conversations.update(conversation.id, metadata={"topic": "seals"})
    assert updated.metadata == {"topic": "seals"}
    added = sdk.conversations.items.create(
        conversation.id, items=[{"type": "message", "role": "user", "content": "Seals nap on rocks."}]
    )
    (item,) = added.data
    again = sdk.conversations.items.retrieve(item.id, conversation_id=conversation.id)
    assert again.id == item.id and again.content[0].text == "Seals nap on rocks."
    after = sdk.conversations.items.delete(item.id, conversation_id=conversation.id)
    assert after.id == conversation.id
    assert list(sdk.conversations.items.list(conversation.id)) == []
    assert sdk.conversations.delete(conversation.id).deleted is True


def test_containers_and_their_files(sdk):
    container = sdk.containers.create(name="sums")
    assert sdk.containers.retrieve(container.id).name == "sums"
    sdk.responses.create(
        model="gpt-4o-mini",
        input="Run code to add 2 and 3",
        tools=[{"type": "code_interpreter", "container": container.id}],
    )
    (made,) = list(sdk.containers.files.list(container.id))
    assert sdk.containers.files.retrieve(made.id, container_id=container.id).path == made.path
    content = sdk.containers.files.content.retrieve(made.id, container_id=container.id)
    assert content.read() == b"index,value\n1,2\n2,3\n"  # the numbers of the message, as a table
    sdk.containers.delete(container.id)
    with pytest.raises(openai.NotFoundError):
        sdk.containers.retrieve(container.id)
