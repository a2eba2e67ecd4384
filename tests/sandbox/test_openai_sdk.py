"""The official `openai` SDK works against the sandbox's Responses and Conversations routes."""

from __future__ import annotations

import pytest

from ..conftest import TEST_KEY

openai = pytest.importorskip("openai")

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


@pytest.fixture
def sdk(sandbox):
    with openai.OpenAI(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0, timeout=10) as client:
        yield client


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
