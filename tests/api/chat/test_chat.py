"""chat() against the sandbox: request bodies as the spec wants them, results as documented."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import openai_widgets as ow


def sent(sandbox, spec, index=0):
    """The index-th chat request the sandbox received, checked against the official spec."""
    body = sandbox.requests_to("/chat/completions")[index].json()
    spec.validate_request("POST", "/chat/completions", body)
    return body


def test_string_is_one_user_message(sandbox, client, spec):
    result = client.chat("Hello there")
    body = sent(sandbox, spec)
    assert body == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there"}]}
    assert isinstance(result, ow.ChatResult)
    assert result.text.startswith('[sandbox] You said: "Hello there".')
    assert result.finish_reason == "stop"
    assert result.model == "gpt-4o-mini"
    assert result.usage["total_tokens"] == result.usage["prompt_tokens"] + result.usage["completion_tokens"]
    assert result.messages == [
        {"role": "user", "content": "Hello there"},
        {"role": "assistant", "content": result.text},
    ]
    assert result.raw["object"] == "chat.completion"
    assert result.interrupted is False
    assert str(result) == result.text


def test_messages_with_names_and_advanced_settings_pass_through(sandbox, client, spec):
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "system", "content": "You are kind."},
        {"role": "user", "content": "Hi", "name": "ada_1"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "And now?"},
    ]
    client.chat(
        messages,
        "gpt-4o",
        temperature=0.2,
        top_p=0.9,
        max_completion_tokens=50,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        seed=7,
        stop=["\n\n"],
        user="user-1",
        metadata={"run": "a"},
        store=False,
        unknown_future_field=None,  # None means "not set"
    )
    body = sent(sandbox, spec)
    assert body["model"] == "gpt-4o"
    assert body["messages"] == messages
    assert {
        k: body[k] for k in ("temperature", "top_p", "max_completion_tokens", "seed", "stop", "user")
    } == {
        "temperature": 0.2,
        "top_p": 0.9,
        "max_completion_tokens": 50,
        "seed": 7,
        "stop": ["\n\n"],
        "user": "user-1",
    }
    assert body["metadata"] == {"run": "a"}
    assert body["store"] is False
    assert "unknown_future_field" not in body


def test_n_gives_every_choice(sandbox, client, spec):
    result = client.chat("Hi", n=3)
    assert sent(sandbox, spec)["n"] == 3
    assert len(result.texts) == 3
    assert result.texts[1].startswith("[sandbox] (choice 2)")
    assert result.text == result.texts[0]
    markdown = result._repr_markdown_()
    assert "**Choice 1**" in markdown
    assert "**Choice 3**" in markdown


def test_max_tokens_cuts_and_says_so(client):
    result = client.chat("Tell me everything", max_completion_tokens=3)
    assert result.finish_reason == "length"
    assert result.text == "[sandbox]"
    assert "cut at the token limit" in result._repr_markdown_()


def test_stop_sequence(client):
    result = client.chat("Hello", stop="deterministic")
    assert result.text.endswith("This is a ")


def test_tools_give_a_tool_call_and_the_loop_continues(sandbox, client, spec):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ]
    first = client.chat("Weather in Paris?", tools=tools)
    sent(sandbox, spec)
    assert first.finish_reason == "tool_calls"
    assert first.text == ""
    (call,) = first.tool_calls
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}  # taken from the question
    assert "**Tool call** `get_weather`" in first._repr_markdown_()
    history = [*first.messages, {"role": "tool", "tool_call_id": call["id"], "content": "sunny, 21 C"}]
    second = client.chat(history, tools=tools)
    body = sent(sandbox, spec, 1)
    assert body["messages"][1] == {"role": "assistant", "tool_calls": first.tool_calls}
    assert second.text == "[sandbox] The tool returned: sunny, 21 C"


def test_tool_choice_none_gives_text(client):
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert client.chat("hi", tools=tools, tool_choice="none").tool_calls == []


def test_json_mode_adds_the_hint_and_parses_records_into_a_dataframe(sandbox, client, spec):
    result = client.chat("Three fruits with their calories: apple pear plum", response_format="json")
    body = sent(sandbox, spec)
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0] == {"role": "system", "content": "Reply with JSON."}
    frame = result.data
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["fruit", "calories"]  # one record per fruit, named as asked
    assert frame["fruit"].tolist() == ["apple", "pear", "plum"]
    assert frame["calories"].dtype.kind == "i"
    bundle, _metadata = result._repr_mimebundle_()
    assert "<table" in bundle["text/html"]


def test_json_mode_keeps_messages_that_mention_json(sandbox, client, spec):
    client.chat("Answer in JSON please", response_format={"type": "json_object"})
    assert sent(sandbox, spec)["messages"] == [{"role": "user", "content": "Answer in JSON please"}]


def test_bare_json_schema_is_wrapped_and_the_reply_follows_it(sandbox, client, spec):
    schema = {
        "title": "City facts",
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    result = client.chat("Facts about Paris", response_format=schema)
    body = sent(sandbox, spec)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "City_facts", "schema": schema},
    }
    assert result.data == {"city": "[sandbox] Paris", "population": 1}
    assert '"population": 1' in result.bundle()["text/markdown"]


def test_invalid_json_reply_raises_a_clear_error(client):
    result = client.chat("json please", response_format="json", max_completion_tokens=4)
    with pytest.raises(ow.APIResponseValidationError, match=r"not valid JSON \(cut at the token limit"):
        _ = result.data
    assert result.bundle()["text/plain"] == result.text  # still shows what came


def test_logprobs(sandbox, client, spec):
    result = client.chat("hi", logprobs=True, top_logprobs=2)
    sent(sandbox, spec)
    content = result.choices[0]["logprobs"]["content"]
    assert "".join(item["token"] for item in content) == result.text
    assert all(len(item["top_logprobs"]) == 2 for item in content)


def test_response_validates_against_the_spec(sandbox, client, spec):
    result = client.chat("hi", n=2, logprobs=True)
    spec.validate_response("POST", "/chat/completions", dict(result.raw))


def test_display_metadata_records_request_and_usage(client):
    result = client.chat("hi", temperature=0.3, seed=1)
    data, metadata = result._repr_mimebundle_()
    assert data["text/markdown"] == result.text
    recorded = metadata["openai_widgets"]
    assert recorded["request"] == {"model": "gpt-4o-mini", "temperature": 0.3, "seed": 1}
    assert recorded["usage"]["total_tokens"] == result.usage["total_tokens"]
    assert recorded["model"] == "gpt-4o-mini"
    assert recorded["finish_reason"] == "stop"
    json.dumps(metadata)  # notebook metadata must be JSON


def test_notebook_display_publishes_markdown_with_metadata(ip, connected):
    from IPython.utils.capture import capture_output

    result = connected.chat("hi")
    with capture_output() as captured:
        result._ipython_display_()
    (output,) = captured.outputs
    assert output.data["text/markdown"] == result.text
    assert output.metadata["openai_widgets"]["request"]["model"] == "gpt-4o-mini"


def test_unknown_model_is_a_not_found_error(client):
    with pytest.raises(ow.NotFoundError, match="The model `gpt-nope` does not exist"):
        client.chat("hi", model="gpt-nope")


def test_non_chat_model_is_refused_by_the_server(client):
    with pytest.raises(ow.NotFoundError, match="This is not a chat model"):
        client.chat("hi", model="text-embedding-3-small")


def test_module_function_uses_the_default_client(sandbox, connected):
    assert ow.chat("hi").text.startswith("[sandbox]")
    assert len(sandbox.requests_to("/chat/completions")) == 1


def test_repr_is_short(client):
    result = client.chat("hi")
    assert repr(result).startswith(
        "ChatResult(model='gpt-4o-mini', finish_reason='stop', text='[sandbox] You said"
    )
    assert len(repr(result)) < 160


def test_importing_the_package_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, openai_widgets as ow; ow.ChatResult, ow.Conversation; "
        "print(sorted(m for m in ('pandas', 'numpy', 'PIL', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
