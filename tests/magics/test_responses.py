"""%%openai respond, %openai responses and %openai conversations in a real IPython shell."""

from __future__ import annotations

import dataclasses

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from PIL import Image

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from tests.support.responses import bodies_sent


def run_cell(ip, source: str):
    """Run `source` as a notebook cell (its own execution count); its value, or the error it raised."""
    outcome = ip.run_cell(source, store_history=True)
    if outcome.error_in_exec is not None:
        raise outcome.error_in_exec
    if outcome.error_before_exec is not None:
        raise outcome.error_before_exec
    return outcome.result


def test_respond_cell_is_the_message_and_streams_by_default(ip, sandbox, spec):
    result = ip.run_cell_magic("openai", "respond -i 'Be brief.'", "Hello there")
    assert isinstance(result, ow.Response)
    (body,) = bodies_sent(sandbox, spec)
    assert body == {
        "model": "gpt-4.1-mini",
        "input": "Hello there",
        "instructions": "Be brief.",
        "stream": True,
    }
    assert result.text.startswith('[sandbox] You said: "Hello there"')


def test_model_setting_and_no_stream(ip, sandbox, spec):
    ip.run_line_magic("config", "OpenAIMagics.respond_model = 'gpt-4o'")
    ip.run_cell_magic("openai", "respond --no-stream", "hi")
    ip.run_cell_magic("openai", "respond -m o4-mini --no-stream", "hi")
    first, second = bodies_sent(sandbox, spec)
    assert (first["model"], second["model"]) == ("gpt-4o", "o4-mini")
    assert "stream" not in first


def test_a_conversation_continued_across_two_cells(ip, sandbox, spec):
    first = run_cell(ip, "%%openai respond --no-stream -o first\nMy name is Ada.")
    second = run_cell(ip, "%%openai respond --continue\nWhat is my name?")
    assert ip.user_ns["first"] is first
    bodies = bodies_sent(sandbox, spec)
    assert bodies[1]["previous_response_id"] == first.id
    assert 'This is turn 2 of this conversation; it began with "My name is Ada."' in second.text
    third = run_cell(ip, "%%openai respond --continue --no-stream\nAnd again?")
    assert bodies_sent(sandbox, spec)[2]["previous_response_id"] == second.id
    assert "This is turn 3" in third.text


def test_continue_needs_an_earlier_cell(ip, sandbox):
    with pytest.raises(UsageError, match="no earlier %%openai respond in this notebook to continue"):
        ip.run_cell_magic("openai", "respond --continue", "hi")
    assert sandbox.requests == []


def test_a_server_side_conversation_across_two_cells(ip, sandbox, spec):
    made = run_cell(ip, '%openai conversations create --metadata \'{"topic": "names"}\' -o conv')
    assert made["metadata"] == {"topic": "names"}
    run_cell(ip, "thread = conv['id']")
    run_cell(ip, "%%openai respond --conversation {thread} --no-stream\nMy name is Ada.")
    run_cell(ip, f"%%openai respond --conversation {made['id']} --no-stream\nWhat is my name?")
    items = run_cell(ip, f"%openai conversations items {made['id']}")
    assert items["role"].tolist() == ["user", "assistant", "user", "assistant"]
    bodies = bodies_sent(sandbox, spec)
    assert {body["conversation"] for body in bodies} == {made["id"]}


def test_tools_built_in_by_name_and_python_functions_by_variable(ip, sandbox, spec):
    seen = []

    def get_weather(city: str) -> str:
        """Weather in a city."""
        seen.append(city)
        return f"hail in {city}"

    ip.user_ns["get_weather"] = get_weather
    result = ip.run_cell_magic(
        "openai",
        "respond --no-stream --tools web_search,get_weather",
        "Search the web, then get_weather for Oslo",
    )
    assert seen == ["Oslo"]
    first = bodies_sent(sandbox, spec)[0]
    assert [tool["type"] for tool in first["tools"]] == ["web_search", "function"]
    assert 'get_weather returned "hail in Oslo"' in result.text


def test_file_search_takes_its_store_after_a_colon(ip, sandbox, spec, connected):
    store = connected.create_vector_store("notes")
    ip.run_cell_magic(
        "openai", f"respond --no-stream --tools file_search:{store['id']}", "What do my files say?"
    )
    (body,) = bodies_sent(sandbox, spec)
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": [store["id"]]}]


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ("file_search", "file_search needs a vector store: --tools file_search:vs_..."),
        ("teleport", "'teleport' is neither a built-in tool"),
    ],
)
def test_bad_tools_are_usage_errors(ip, sandbox, tools, message):
    with pytest.raises(UsageError, match=message):
        ip.run_cell_magic("openai", f"respond --tools {tools}", "hi")
    assert sandbox.requests == []


def test_schema_names_a_class_and_the_answer_is_parsed(ip, sandbox, spec):
    @dataclasses.dataclass
    class City:
        name: str
        population: int

    ip.user_ns["City"] = City
    result = ip.run_cell_magic("openai", "respond --schema City -o city", "Oslo has 709000 people")
    (body,) = bodies_sent(sandbox, spec)
    assert body["text"]["format"]["name"] == "City" and "stream" not in body  # JSON is not streamed
    assert isinstance(result.parsed, City) and result.parsed.population == 709000
    assert ip.user_ns["city"] is result
    with pytest.raises(UsageError, match="'Missing' is not a variable in the notebook"):
        ip.run_cell_magic("openai", "respond --schema Missing", "hi")


def test_background_returns_at_once_and_can_be_waited_for(ip, sandbox, spec):
    result = ip.run_cell_magic("openai", "respond --background", "Hello there")
    (body,) = bodies_sent(sandbox, spec)
    assert body["background"] is True and "stream" not in body
    assert result.status == "queued"
    ip.user_ns["job"] = result
    assert ip.run_line_magic("openai", f"responses get {result.id}").status in (
        "queued",
        "in_progress",
        "completed",
    )
    cancelled = ip.run_line_magic("openai", f"responses cancel {result.id}")
    assert cancelled.status in ("cancelled", "completed")


def test_attachments_go_with_the_message(ip, sandbox, spec):
    ip.user_ns["picture"] = Image.new("RGB", (3, 2))
    result = ip.run_cell_magic("openai", "respond --no-stream --attach picture", "What is this?")
    (body,) = bodies_sent(sandbox, spec)
    assert [part["type"] for part in body["input"][0]["content"]] == ["input_text", "input_image"]
    assert "I see 1 image (3x2)" in result.text


def test_a_streamed_cell_shows_the_reply_once(ip, sandbox, monkeypatch):
    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    sandbox.configure(stream_interval=0.002)
    with capture_output() as captured:
        run_cell(ip, "%%openai respond\nHello there")
    shown = [o for o in captured.outputs if "text/markdown" in o.data]
    assert shown and all(o.transient == shown[0].transient for o in shown)  # one output, updated in place


def test_responses_get_items_delete(ip, sandbox, connected):
    made = connected.respond("Hello there")
    got = ip.run_line_magic("openai", f"responses get {made.id}")
    assert isinstance(got, ow.Response) and got.text == made.text
    items = ip.run_line_magic("openai", f"responses items {made.id} -o inputs")
    assert items["text"].tolist() == ["Hello there"] and ip.user_ns["inputs"] is items
    assert ip.run_line_magic("openai", f"responses delete {made.id}")["deleted"] is True
    with pytest.raises(UsageError, match="NotFoundError"):
        ip.run_line_magic("openai", f"responses get {made.id}")
    with pytest.raises(UsageError, match="required"):
        ip.run_line_magic("openai", "responses")


def test_conversations_create_get_update_delete(ip, sandbox):
    ip.user_ns["first"] = [{"role": "user", "content": "hello"}]
    made = ip.run_line_magic("openai", "conversations create --items first")
    assert ip.run_line_magic("openai", f"conversations get {made['id']}")["id"] == made["id"]
    updated = ip.run_line_magic("openai", f'conversations update {made["id"]} --metadata \'{{"a": "b"}}\'')
    assert updated["metadata"] == {"a": "b"}
    assert ip.run_line_magic("openai", f"conversations items {made['id']}")["text"].tolist() == ["hello"]
    assert ip.run_line_magic("openai", f"conversations delete {made['id']}")["deleted"] is True
    with pytest.raises(UsageError, match="--metadata is not valid JSON"):
        ip.run_line_magic("openai", "conversations create --metadata '{oops'")


def test_help_lists_the_new_subcommands(ip, capsys):
    ip.run_line_magic("openai", "help")
    listed = capsys.readouterr().out
    for name in ("respond", "responses", "conversations"):
        assert f"\n  {name} " in listed
