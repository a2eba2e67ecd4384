"""Tools in respond(): Python functions as strict function tools, the tool loop (rounds, parallel calls,
errors, confirmation, limits), threads kept by ID, conversation or resent context, and built-in tools."""

from __future__ import annotations

import builtins
import dataclasses
import io
import json
import threading
import time

import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from openai_widgets._responses import confirm as _confirm
from openai_widgets._responses.confirm import DECLINED
from openai_widgets._responses.tools import function_tool
from tests.support.responses import bodies_sent

TWICE = "Use get_weather for Paris, then get_weather for 'New York' for 3 days."


def get_weather(city: str, days: int = 1) -> str:
    """Weather in a city.

    Args:
        city: the city's name
        days: how many days ahead
    """
    return f"sunny in {city} for {days} days"


@dataclasses.dataclass
class Trip:
    city: str
    nights: int


# -- function tools -------------------------------------------------------------------------


def test_a_function_becomes_a_strict_tool_from_its_signature_and_docstring():
    tool = function_tool(get_weather)
    assert tool.spec == {
        "type": "function",
        "name": "get_weather",
        "description": "Weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "the city's name"},
                "days": {"type": ["integer", "null"], "description": "how many days ahead"},
            },
            "required": ["city", "days"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    assert tool.arguments('{"city": "Oslo", "days": null}') == {"city": "Oslo"}  # the default applies


def test_other_docstring_styles_hints_and_defaults():
    def sphinx(name, count=2, *args, flag: bool = False, **kwargs):
        """Count things.

        :param name: what to count
        :param int count: how many
        """

    def numpy_style(trip: Trip, when: str | None = None):
        """Book a trip.

        Parameters
        ----------
        trip : Trip
            where and how long
        """

    spec = function_tool(sphinx).spec
    assert spec["description"] == "Count things."
    properties = spec["parameters"]["properties"]
    assert properties == {
        "name": {"type": "string", "description": "what to count"},
        "count": {"type": ["integer", "null"], "description": "how many"},
        "flag": {"type": ["boolean", "null"]},
    }
    trip = function_tool(numpy_style)
    parameters = trip.spec["parameters"]
    # a reference with a description beside it is inlined, as strict mode wants
    assert parameters["properties"]["trip"] == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
        "required": ["city", "nights"],
        "additionalProperties": False,
        "description": "where and how long",
    }
    assert trip.arguments('{"trip": {"city": "Oslo", "nights": 2}, "when": null}') == {
        "trip": Trip("Oslo", 2),
        "when": None,
    }


def test_functions_without_a_usable_name_or_schema_are_refused(sandbox, client):
    with pytest.raises(ow.InvalidInputError, match="define the function with def"):
        client.respond("hi", tools=[lambda x: x])

    def loose(options: dict):
        return options

    with pytest.raises(ow.InvalidInputError, match=r"argument options is a dict"):
        client.respond("hi", tools=[loose])
    with pytest.raises(ow.InvalidInputError, match="two tools are named 'get_weather'"):
        client.respond("hi", tools=[get_weather, get_weather])
    assert sandbox.requests == []


# -- the loop -------------------------------------------------------------------------------


def test_a_function_called_twice_before_the_answer(sandbox, client, spec):
    seen = []

    def get_weather(city: str, days: int = 1) -> str:
        """Weather in a city."""
        seen.append((city, days))
        return f"sunny in {city}"

    result = client.respond(TWICE, tools=[get_weather])
    assert seen == [("Paris", 1), ("New York", 3)]
    first, second, third = bodies_sent(sandbox, spec)
    rounds = result.rounds
    assert len(rounds) == 3
    assert first["input"] == TWICE and first["tools"][0]["name"] == "get_weather"
    calls = [[i for i in r["output"] if i["type"] == "function_call"] for r in rounds[:2]]
    assert second["previous_response_id"] == rounds[0]["id"]
    assert second["input"] == [
        {"type": "function_call_output", "call_id": calls[0][0]["call_id"], "output": "sunny in Paris"}
    ]
    assert third["previous_response_id"] == rounds[1]["id"]
    assert third["input"][0]["output"] == "sunny in New York"
    assert second["tools"] == first["tools"]  # every round offers the same tools
    assert (
        result.text
        == '[sandbox] get_weather returned "sunny in Paris"; get_weather returned "sunny in New York".'
    )
    frame = result.output
    assert frame["type"].tolist() == [
        "function_call",
        "function_call_output",
        "function_call",
        "function_call_output",
        "message",
    ]
    assert frame["round"].tolist() == [0, 0, 1, 1, 2]
    assert frame["tool"].tolist()[:4] == ["get_weather"] * 4
    assert json.loads(frame.loc[0, "arguments"]) == {"city": "Paris", "days": 1}
    assert result.usage["total_tokens"] == sum(r["usage"]["total_tokens"] for r in rounds)
    markdown = result.markdown()
    assert '- ⚙ `get_weather(city="Paris", days=1)` → `sunny in Paris`' in markdown
    assert result.tool_calls == []


def test_parallel_calls_run_at_the_same_time(sandbox, client, spec):
    meeting = threading.Barrier(2, timeout=5)  # each call waits for the other: only concurrent calls pass

    def get_time(zone: str) -> str:
        """The time in a zone."""
        meeting.wait()
        return f"noon in {zone}"

    def get_weather(city: str) -> str:
        """Weather in a city."""
        meeting.wait()
        return f"rain in {city}"

    result = client.respond("Call get_time for 'UTC' and get_weather for Oslo", tools=[get_time, get_weather])
    assert len(result.rounds) == 2
    second = bodies_sent(sandbox, spec)[1]
    assert [item["output"] for item in second["input"]] == ["noon in UTC", "rain in Oslo"]


def test_an_exception_in_a_tool_goes_back_to_the_model(sandbox, client, spec):
    def get_weather(city: str) -> str:
        """Weather in a city."""
        raise ValueError(f"no station in {city}")

    result = client.respond("Use get_weather for Atlantis", tools=[get_weather])
    second = bodies_sent(sandbox, spec)[1]
    assert second["input"][0]["output"] == "Error: ValueError: no station in Atlantis"
    assert 'get_weather returned "Error: ValueError: no station in Atlantis"' in result.text
    assert "✗ raised `Error: ValueError: no station in Atlantis`" in result.markdown()


def test_arguments_arrive_as_the_hinted_types(client):
    booked = []

    def book(trip: Trip, note: str | None = None) -> dict:
        """Book a trip."""
        booked.append((trip, note))
        return {"booked": True, "trip": dataclasses.asdict(trip)}

    result = client.respond("Please book 'Oslo' for 2 nights", tools=[book])
    ((trip, _),) = booked
    assert isinstance(trip, Trip) and isinstance(trip.nights, int)
    output = result.output.query("type == 'function_call_output'")["text"].iloc[0]
    assert json.loads(output)["booked"] is True  # a dict goes back as JSON


def test_confirm_asks_before_each_call_and_a_no_is_told_to_the_model(sandbox, client, spec):
    asked = []

    def only_paris(call: ow.ToolCall) -> bool:
        asked.append(call)
        return call.arguments["city"] == "Paris"

    ran = []

    def get_weather(city: str, days: int = 1) -> str:
        """Weather."""
        ran.append(city)
        return "fine"

    client.respond(TWICE, tools=[get_weather], confirm=only_paris)
    assert [(c.name, c.arguments["city"]) for c in asked] == [
        ("get_weather", "Paris"),
        ("get_weather", "New York"),
    ]
    assert ran == ["Paris"]
    outputs = [body["input"][0]["output"] for body in bodies_sent(sandbox, spec)[1:]]
    assert outputs == ["fine", DECLINED]


def test_confirm_true_asks_at_the_terminal(client, monkeypatch, capsys):
    answers = iter(["y", "no"])
    prompts = []
    monkeypatch.setattr(builtins, "input", lambda prompt: prompts.append(prompt) or next(answers))
    result = client.respond(TWICE, tools=[get_weather], confirm=True)
    assert prompts == ["Run get_weather? [y/N] "] * 2
    printed = capsys.readouterr().out
    assert 'The model wants to call get_weather({"city": "Paris", "days": 1})' in printed
    assert DECLINED in result.text


def test_confirm_true_shows_the_call_as_a_widget_in_a_notebook(ip, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt: "yes")
    cards = []
    shown = _confirm._show_in_notebook
    monkeypatch.setattr(_confirm, "_show_in_notebook", lambda *a: cards.append(shown(*a)) or cards[-1])
    with capture_output() as captured:
        connected.respond("Use get_weather for Paris", tools=[get_weather], confirm=True)
    views = [o for o in captured.outputs if "application/vnd.jupyter.widget-view+json" in o.data]
    (card,) = cards
    assert [v.data["application/vnd.jupyter.widget-view+json"]["model_id"] for v in views] == [card.model_id]
    assert "get_weather" in card.value and "approved" in card.value


def test_too_many_rounds_raise_with_the_rounds_so_far(client):
    ask = "get_weather for Oslo, get_weather for Rome, get_weather for Paris"
    with pytest.raises(ow.ToolLoopError, match=r"after 2 rounds \(max_tool_rounds=2\)") as info:
        client.respond(ask, tools=[get_weather], max_tool_rounds=2)
    partial = info.value.partial
    assert isinstance(partial, ow.Response) and len(partial.rounds) == 3
    assert [json.loads(c["arguments"])["city"] for c in partial.tool_calls] == ["Paris"]


def test_max_tool_rounds_zero_returns_the_calls_unrun(client):
    ran = []

    def get_weather(city: str) -> str:
        """Weather."""
        ran.append(city)
        return ""

    result = client.respond("Use get_weather for Oslo", tools=[get_weather], max_tool_rounds=0)
    assert ran == [] and [c["name"] for c in result.tool_calls] == ["get_weather"]
    assert "the model called get_weather: answer the calls" in result.markdown()


def test_a_function_given_as_a_dict_is_left_for_the_caller(sandbox, client, spec):
    tool = {
        "type": "function",
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]},
        "strict": False,
    }
    result = client.respond("Please lookup 'pandas'", tools=[tool])
    (call,) = result.tool_calls
    assert call["name"] == "lookup" and json.loads(call["arguments"]) == {"term": "pandas"}
    answered = client.respond(
        [{"type": "function_call_output", "call_id": call["call_id"], "output": "a library"}],
        previous_response_id=result.id,
    )
    assert 'lookup returned "a library"' in answered.text
    assert len(bodies_sent(sandbox, spec)) == 2


def test_without_storage_the_context_is_sent_again(sandbox, client, spec):
    result = client.respond("Use get_weather for Paris", tools=[get_weather], store=False)
    _, second = bodies_sent(sandbox, spec)
    assert "previous_response_id" not in second and second["store"] is False
    kinds = [item.get("type", "message") for item in second["input"]]
    assert kinds == ["message", "function_call", "function_call_output"]
    assert second["input"][0] == {"role": "user", "content": "Use get_weather for Paris"}
    assert "sunny in Paris" in result.text


def test_a_tool_loop_in_a_conversation_sends_only_the_outputs(sandbox, client, spec):
    conversation = client.create_conversation()
    client.respond("Use get_weather for Paris", tools=[get_weather], conversation=conversation["id"])
    _, second = bodies_sent(sandbox, spec)
    assert second["conversation"] == conversation["id"] and "previous_response_id" not in second
    assert [item["type"] for item in second["input"]] == ["function_call_output"]
    kinds = client.conversation_items(conversation["id"])["type"].tolist()
    assert kinds == ["message", "function_call", "function_call_output", "message"]


# -- built-in tools -------------------------------------------------------------------------


def test_code_interpreter_files_are_listed_and_saved(sandbox, client, spec, tmp_path):
    result = client.respond("Calculate the sum of 4, 5 and 6", tools=["code_interpreter"])
    (body,) = bodies_sent(sandbox, spec)
    assert body["tools"] == [{"type": "code_interpreter", "container": {"type": "auto"}}]
    files = result.files
    assert list(files.columns) == ["container_id", "file_id", "filename"]
    assert files["filename"].tolist() == ["sandbox_result.csv"]
    (saved,) = result.save_files(tmp_path / "out")
    assert saved == tmp_path / "out" / "sandbox_result.csv"
    assert saved.read_text() == "index,value\n1,4\n2,5\n3,6\n"
    (again,) = result.save_files(tmp_path / "out")
    assert again.name == "sandbox_result-1.csv"  # nothing is overwritten
    assert "sum=15" in result.text
    assert "code interpreter" in result.markdown()


def test_image_generation_gives_pil_images(client):
    result = client.respond(
        "Draw a picture of a red boat", tools=[{"type": "image_generation", "size": "1024x1024"}]
    )
    (picture,) = result.images
    assert isinstance(picture, Image.Image) and picture.size == (1024, 1024)
    assert picture.info["revised_prompt"] == "[sandbox] Draw a picture of a red boat"


def test_mcp_servers_pass_through(sandbox, client, spec):
    server = {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://example.invalid/mcp",
        "require_approval": "never",
    }
    result = client.respond("Please search the docs", tools=[server])
    (body,) = bodies_sent(sandbox, spec)
    assert body["tools"] == [server]
    assert "docs.search" in result.text
    assert "- ⚙ MCP `docs.search` (completed)" in result.markdown()


def test_vector_store_ids_alone_add_file_search(sandbox, client, spec):
    store = client.create_vector_store("notes")
    client.respond("What do the files say?", vector_store_ids=[store["id"]])
    (body,) = bodies_sent(sandbox, spec)
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": [store["id"]]}]


def test_an_image_attachment_and_a_tool_together(client):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2)).save(buffer, format="PNG")
    result = client.respond(["Search the web for this", buffer.getvalue()], tools=["web_search"])
    assert len(result.citations) == 3


# -- streamed loops -------------------------------------------------------------------------


def test_a_streamed_loop_shows_calls_as_they_start_and_finish(sandbox, client):
    def get_weather(city: str, days: int = 1) -> str:
        """Weather."""
        time.sleep(0.2)
        return f"sunny in {city}"

    shown = []
    result = client.respond(
        TWICE, tools=[get_weather], stream=True, on_update=lambda r: shown.append(r.markdown())
    )
    running = [text for text in shown if "… running" in text]
    assert running and '`get_weather(city="Paris", days=1)` … running' in running[0]
    assert any(
        "→ `sunny in Paris`" in text and "… running" in text for text in shown
    )  # Paris done, New York running
    assert shown[-1] == result.markdown()
    assert len(result.rounds) == 3
