"""Tools in the sandbox's Responses API: function-call rounds, structured outputs, built-in tools, MCP."""

from __future__ import annotations

import base64
import io
import json
import sys
import types

import jsonschema
import pytest

from openai_widgets.sandbox import routes

from .responses_support import (  # noqa: F401 (http_fixture is the `http` fixture)
    MODEL,
    create,
    error_of,
    http_fixture,
    of_type,
    output_text,
)

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
            "units": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "days", "units"],
        "additionalProperties": False,
    },
    "strict": True,
}
TIME = {
    "type": "function",
    "name": "get_time",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
    "strict": False,
}


def answer_calls(calls, outputs):
    return [
        {"type": "function_call_output", "call_id": call["call_id"], "output": output}
        for call, output in zip(calls, outputs, strict=True)
    ]


def test_a_function_is_called_in_two_rounds_before_the_answer(http, spec):
    ask = "Use get_weather for Paris in celsius, then get_weather for 'New York' for 3 days in fahrenheit."
    first = create(http, spec, {"model": MODEL, "input": ask, "tools": [WEATHER]})
    (call,) = of_type(first, "function_call")
    assert first["output"] == [call]  # no message while a call waits for its output
    assert call["id"].startswith("fc_") and call["call_id"].startswith("call_")
    assert json.loads(call["arguments"]) == {"city": "Paris", "days": 1, "units": "celsius"}
    jsonschema.validate(json.loads(call["arguments"]), WEATHER["parameters"])

    body = {"model": MODEL, "tools": [WEATHER], "previous_response_id": first["id"]}
    second = create(http, spec, {**body, "input": answer_calls([call], ["sunny, 21 C"])})
    (again,) = of_type(second, "function_call")
    assert json.loads(again["arguments"]) == {"city": "New York", "days": 3, "units": "fahrenheit"}

    third = create(
        http, spec, {**body, "previous_response_id": second["id"], "input": answer_calls([again], ["rain"])}
    )
    assert of_type(third, "function_call") == []
    assert output_text(third) == '[sandbox] get_weather returned "sunny, 21 C"; get_weather returned "rain".'
    # The rounds are one response's input each.
    (item,) = http.get(f"/responses/{second['id']}/input_items").json()["data"]
    assert item["type"] == "function_call_output" and item["output"] == "sunny, 21 C"


def test_the_loop_also_runs_with_the_whole_history_sent_each_time(http, spec):
    history = [{"role": "user", "content": "get_time for Europe/Paris"}]
    first = create(http, spec, {"model": MODEL, "input": history, "tools": [TIME], "store": False})
    history += first["output"] + answer_calls(first["output"], ["10:00"])
    second = create(http, spec, {"model": MODEL, "input": history, "tools": [TIME], "store": False})
    assert output_text(second) == '[sandbox] get_time returned "10:00".'


def test_parallel_calls_name_each_function_once_per_round(http, spec):
    ask = "Call get_time for 'UTC' and get_weather for Oslo"
    both = create(http, spec, {"model": MODEL, "input": ask, "tools": [WEATHER, TIME]})
    assert [call["name"] for call in of_type(both, "function_call")] == ["get_time", "get_weather"]
    one = create(
        http, spec, {"model": MODEL, "input": ask, "tools": [WEATHER, TIME], "parallel_tool_calls": False}
    )
    assert [call["name"] for call in of_type(one, "function_call")] == ["get_time"]
    follow = {
        "model": MODEL,
        "tools": [WEATHER, TIME],
        "parallel_tool_calls": False,
        "previous_response_id": one["id"],
    }
    two = create(http, spec, {**follow, "input": answer_calls(of_type(one, "function_call"), ["noon"])})
    assert [call["name"] for call in of_type(two, "function_call")] == ["get_weather"]


def test_tool_choice_can_force_or_forbid_a_call(http, spec):
    forced = create(
        http,
        spec,
        {
            "model": MODEL,
            "input": "hello",
            "tools": [TIME],
            "tool_choice": {"type": "function", "name": "get_time"},
        },
    )
    (call,) = of_type(forced, "function_call")
    assert json.loads(call["arguments"]) == {"zone": "[sandbox] zone"}  # nothing to take from "hello"
    required = create(
        http, spec, {"model": MODEL, "input": "hello", "tools": [TIME], "tool_choice": "required"}
    )
    assert [c["name"] for c in of_type(required, "function_call")] == ["get_time"]
    after = create(
        http,
        spec,
        {
            "model": MODEL,
            "tools": [TIME],
            "tool_choice": "required",
            "previous_response_id": required["id"],
            "input": answer_calls(of_type(required, "function_call"), ["9:00"]),
        },
    )
    assert output_text(after) == '[sandbox] get_time returned "9:00".'
    none = create(
        http, spec, {"model": MODEL, "input": "get_time now", "tools": [TIME], "tool_choice": "none"}
    )
    assert of_type(none, "function_call") == [] and output_text(none).startswith("[sandbox] You said")


def test_calls_and_outputs_must_match(http, spec):
    first = create(http, spec, {"model": MODEL, "input": "get_time please", "tools": [TIME]})
    (call,) = of_type(first, "function_call")
    skipped = http.post(
        "/responses",
        json={"model": MODEL, "tools": [TIME], "previous_response_id": first["id"], "input": "never mind"},
    )
    error = error_of(skipped, 400)
    assert error["message"] == f"No tool output found for function call {call['call_id']}."
    assert error["param"] == "input"
    stray = http.post(
        "/responses",
        json={
            "model": MODEL,
            "input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}],
        },
    )
    assert (
        error_of(stray, 400)["message"] == "No tool call found for function call output with call_id call_x."
    )


STRUCTURED = {
    "type": "object",
    "properties": {
        "cities": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": {"$ref": "#/$defs/city"},
        },
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["cities", "note"],
    "additionalProperties": False,
    "$defs": {
        "city": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "population": {"type": "integer", "minimum": 1000},
                "size": {"type": "string", "enum": ["small", "large"]},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
                "mayor": {"type": ["string", "null"]},
            },
            "required": ["name", "population", "size", "tags", "mayor"],
            "additionalProperties": False,
        }
    },
}


def test_structured_outputs_fit_the_schema_and_follow_the_prompt(http, spec):
    fmt = {"type": "json_schema", "name": "cities", "schema": STRUCTURED, "strict": True}
    body = {"model": MODEL, "input": "Three cities: 'Lyon', 'Nice', 'Metz'", "text": {"format": fmt}}
    response = create(http, spec, body)
    data = json.loads(output_text(response))
    jsonschema.validate(data, STRUCTURED)
    assert [city["name"] for city in data["cities"]] == ["[sandbox] Lyon", "[sandbox] Nice", "[sandbox] Metz"]
    assert [city["size"] for city in data["cities"]] == ["small", "large", "small"]
    assert all(city["population"] >= 1000 for city in data["cities"])
    assert response["text"]["format"] == fmt
    assert (
        create(http, spec, body)["output"][0]["content"] == response["output"][0]["content"]
    )  # deterministic


def test_json_mode_answers_records_shaped_by_the_prompt(http, spec):
    body = {
        "model": MODEL,
        "input": "Three fruits and their colours as JSON records",
        "text": {"format": {"type": "json_object"}},
    }
    data = json.loads(output_text(create(http, spec, body)))
    assert data == {
        "fruits": [
            {"fruit": "[sandbox] fruit 1", "colour": "[sandbox] colour 1"},
            {"fruit": "[sandbox] fruit 2", "colour": "[sandbox] colour 2"},
            {"fruit": "[sandbox] fruit 3", "colour": "[sandbox] colour 3"},
        ]
    }


def test_web_search_cites_sandbox_urls(http, spec):
    body = {"model": MODEL, "input": "Latest news on comets", "tools": [{"type": "web_search_preview"}]}
    response = create(http, spec, body)
    call, message = response["output"]
    assert call["type"] == "web_search_call" and call["status"] == "completed"
    assert call["action"]["query"] == "Latest news on comets" and "sources" not in call["action"]
    part = message["content"][0]
    assert part["text"].startswith('[sandbox] Web results for "Latest news on comets" (sandbox results')
    assert len(part["annotations"]) == 3
    for n, note in enumerate(part["annotations"], 1):
        assert note["type"] == "url_citation"
        assert note["url"] == f"https://sandbox.invalid/web/latest-news-on-comets/{n}"
        assert part["text"][note["start_index"] : note["end_index"]] == note["title"]
        assert note["title"] == f"Sandbox result {n} for Latest news on comets"
    sourced = create(http, spec, {**body, "include": ["web_search_call.action.sources"]})
    sources = sourced["output"][0]["action"]["sources"]
    assert [s["url"] for s in sources] == [n["url"] for n in part["annotations"]]


def test_built_in_tools_wait_for_their_words_unless_alone_or_chosen(http, spec):
    tools = [{"type": "web_search"}, {"type": "image_generation", "size": "1024x1024"}]
    quiet = create(http, spec, {"model": MODEL, "input": "hello", "tools": tools})
    assert [item["type"] for item in quiet["output"]] == ["message"]
    chosen = create(
        http,
        spec,
        {"model": MODEL, "input": "hello", "tools": tools, "tool_choice": {"type": "web_search_preview"}},
    )
    assert [item["type"] for item in chosen["output"]] == ["web_search_call", "message"]
    both = create(http, spec, {"model": MODEL, "input": "search the web and draw it", "tools": tools})
    assert [item["type"] for item in both["output"]] == [
        "web_search_call",
        "image_generation_call",
        "message",
    ]
    capped = create(
        http,
        spec,
        {"model": MODEL, "input": "search the web and draw it", "tools": tools, "max_tool_calls": 1},
    )
    assert [item["type"] for item in capped["output"]] == ["web_search_call", "message"]


def test_code_interpreter_makes_a_container_file(http, spec):
    body = {
        "model": MODEL,
        "input": "Compute the mean of 4, 8 and 15",
        "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
        "include": ["code_interpreter_call.outputs"],
    }
    response = create(http, spec, body)
    call, message = response["output"]
    assert call["outputs"] == [{"type": "logs", "logs": "sum=27 mean=9\n"}]
    assert call["code"].startswith("numbers = [4, 8, 15]\n")
    part = message["content"][0]
    (citation,) = part["annotations"]
    assert citation["type"] == "container_file_citation" and citation["container_id"] == call["container_id"]
    assert part["text"][citation["start_index"] : citation["end_index"]] == "sandbox_result.csv"
    base = f"/containers/{call['container_id']}"
    record = http.get(f"{base}/files/{citation['file_id']}").json()
    spec.validate_response("GET", f"{base}/files/{citation['file_id']}", record)
    assert record["path"] == "/mnt/data/sandbox_result.csv" and record["source"] == "assistant"
    content = http.get(f"{base}/files/{citation['file_id']}/content")
    assert content.text == "index,value\n1,4\n2,8\n3,15\n" and record["bytes"] == len(content.content)
    listing = http.get(f"{base}/files").json()
    spec.validate_response("GET", f"{base}/files", listing)
    assert [f["id"] for f in listing["data"]] == [citation["file_id"]]
    spec.validate_response("GET", base, http.get(base).json())
    # Without the include, the outputs are left out, as the API does.
    assert create(http, spec, {**body, "include": []})["output"][0]["outputs"] is None


def test_code_interpreter_uses_a_named_container(http, spec):
    made = http.post("/containers", json={"name": "mine"}).json()
    spec.validate_response("POST", "/containers", made)
    body = {
        "model": MODEL,
        "input": "run code",
        "tools": [{"type": "code_interpreter", "container": made["id"]}],
    }
    (call,) = of_type(create(http, spec, body), "code_interpreter_call")
    assert call["container_id"] == made["id"]
    assert error_of(http.get(f"/containers/{made['id']}/files/cfile_nope"), 404)["message"].startswith(
        "File with id"
    )
    assert http.delete(f"/containers/{made['id']}").json()["deleted"] is True
    assert (
        error_of(http.get(f"/containers/{made['id']}"), 404)["message"]
        == f"Container with id '{made['id']}' not found."
    )


def test_image_generation_returns_a_labelled_picture(http, spec):
    from PIL import Image

    body = {
        "model": MODEL,
        "input": "Draw a red kite",
        "tools": [{"type": "image_generation", "size": "1536x1024", "output_format": "png"}],
    }
    call, message = create(http, spec, body)["output"]
    picture = Image.open(io.BytesIO(base64.b64decode(call["result"])))
    assert picture.format == "PNG" and picture.size == (1536, 1024)
    assert call["revised_prompt"] == "[sandbox] Draw a red kite"
    assert (
        output_text({"output": [message]})
        == '[sandbox] Here is the picture of "Draw a red kite", drawn by the local sandbox.'
    )


MCP = {
    "type": "mcp",
    "server_label": "wiki",
    "server_url": "https://mcp.example/mcp",
    "authorization": "secret-token",
}


def test_mcp_calls_wait_for_approval_and_list_tools_once(http, spec):
    first = create(http, spec, {"model": MODEL, "input": "Use search to find otters", "tools": [MCP]})
    listing, request = first["output"]
    assert listing["type"] == "mcp_list_tools" and [t["name"] for t in listing["tools"]] == [
        "search",
        "fetch",
    ]
    assert request["type"] == "mcp_approval_request" and request["name"] == "search"
    assert "secret-token" not in json.dumps(first)  # credentials are not echoed
    approval = {"type": "mcp_approval_response", "approval_request_id": request["id"], "approve": True}
    # The spec's MCPApprovalResponse requires a `request_id` it does not define: the body is sent as the API documents it.
    follow = {"model": MODEL, "tools": [MCP], "previous_response_id": first["id"], "input": [approval]}
    second = create(http, spec, follow, check_body=False)
    call, message = second["output"]  # listed already: no second listing
    assert call["type"] == "mcp_call" and call["approval_request_id"] == request["id"]
    assert (
        call["output"]
        == '[sandbox] wiki.search found sandbox data for "Use search to find otters" (no server was contacted).'
    )
    assert "wiki.search says:" in output_text({"output": [message]})
    denied = create(http, spec, {**follow, "input": [{**approval, "approve": False}]}, check_body=False)
    assert of_type(denied, "mcp_call") == []
    assert "the call was not approved" in output_text(denied)


def test_mcp_without_approval_calls_at_once(http, spec):
    tool = {**MCP, "require_approval": "never", "allowed_tools": ["lookup"]}
    response = create(http, spec, {"model": MODEL, "input": "lookup beavers", "tools": [tool]})
    assert [item["type"] for item in response["output"]] == ["mcp_list_tools", "mcp_call", "message"]
    assert response["output"][1]["name"] == "lookup"


@pytest.fixture
def vector_stores(monkeypatch):
    """A stand-in for the vector store routes' search, with the contract file_search relies on."""
    asked = []

    def search_chunks(
        sandbox, vector_store_ids, query, *, max_num_results=10, filters=None, ranking_options=None
    ):
        asked.append((vector_store_ids, query, max_num_results, filters))
        return [
            {
                "file_id": "file-abc",
                "filename": "otters.md",
                "score": 0.9,
                "attributes": {"topic": "animals"},
                "content": [{"type": "text", "text": "Otters hold hands while they sleep."}],
            }
        ]

    fake = types.SimpleNamespace(search_chunks=search_chunks)
    monkeypatch.setattr(routes, "vector_stores", fake, raising=False)
    return asked


def test_file_search_quotes_and_cites_what_the_vector_stores_find(http, spec, vector_stores):
    tool = {
        "type": "file_search",
        "vector_store_ids": ["vs_1"],
        "max_num_results": 5,
        "filters": {"type": "eq", "key": "topic", "value": "animals"},
    }
    body = {
        "model": MODEL,
        "input": "What do otters do in the files?",
        "tools": [tool],
        "include": ["file_search_call.results"],
    }
    call, message = create(http, spec, body)["output"]
    assert vector_stores == [(["vs_1"], "What do otters do in the files?", 5, tool["filters"])]
    assert call["queries"] == ["What do otters do in the files?"]
    assert call["results"] == [
        {
            "file_id": "file-abc",
            "filename": "otters.md",
            "score": 0.9,
            "attributes": {"topic": "animals"},
            "text": "Otters hold hands while they sleep.",
        }
    ]
    part = message["content"][0]
    (citation,) = part["annotations"]
    assert citation == {
        "type": "file_citation",
        "file_id": "file-abc",
        "filename": "otters.md",
        "index": citation["index"],
    }
    assert part["text"][: citation["index"]].endswith('"Otters hold hands while they sleep."')
    assert create(http, spec, {**body, "include": []})["output"][0]["results"] is None


def test_file_search_without_vector_stores_is_refused(http, monkeypatch):
    monkeypatch.delattr(routes, "vector_stores", raising=False)
    monkeypatch.setitem(sys.modules, "openai_widgets.sandbox.routes.vector_stores", None)
    body = {
        "model": MODEL,
        "input": "search my files",
        "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}],
    }
    error = error_of(http.post("/responses", json=body), 400)
    assert error["message"] == "file_search needs vector stores" and error["param"] == "tools[0]"
