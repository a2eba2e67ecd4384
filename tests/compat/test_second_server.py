"""The package's public API against a second OpenAI-compatible server: LLMock, from PyPI.

The sandbox and the client were written side by side, so a shared misreading of the API
would pass every other test. LLMock was written by someone else; what it serves here is
called through `ow.Client` and checked for real outputs. Its scripted faults (admin API
under /_llmock) check the client's stream, retry and error handling against a server
that breaks in its own way. See tests/compat/README.md for the routes it lacks.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow

from ..conftest import TEST_KEY

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}


class Admin:
    """LLMock's admin API: scripted behaviours for the next requests, and the request journal."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/_llmock", timeout=10)

    def reset(self) -> None:
        self.http.post("/reset").raise_for_status()

    def script(self, *behaviors: dict[str, Any]) -> None:
        self.http.post("/scenario", json={"behaviors": list(behaviors)}).raise_for_status()

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        records = self.http.get("/requests").json()["requests"]
        return [r for r in records if path is None or r["path"] == path]

    def verdict(self) -> dict[str, Any]:
        return self.http.get("/verdict").json()


@pytest.fixture(scope="module")
def _admin(second_server):
    made = Admin(second_server.url)
    yield made
    made.http.close()


@pytest.fixture
def admin(_admin):
    """The admin API, with no scripted behaviour left and an empty journal."""
    _admin.reset()
    yield _admin
    _admin.reset()


@pytest.fixture
def other(second_server, admin):
    """A client of the package on the second server."""
    with ow.Client(api_key=TEST_KEY, base_url=second_server.base_url, max_retries=2, timeout=10) as made:
        yield made


# -- models ----------------------------------------------------------------------------------


def test_models(other):
    frame = other.models()
    assert list(frame.columns) == ["id", "created", "owned_by"]
    assert str(frame["created"].dtype) in {"datetime64[ns, UTC]", "datetime64[s, UTC]", "datetime64[us, UTC]"}
    assert {"gpt-4o-mini", "text-embedding-3-small"} <= set(frame["id"])
    assert set(frame["owned_by"]) == {"llmock"}
    assert frame["created"].min() == pd.Timestamp(1677610602, unit="s", tz="UTC")


# -- chat ------------------------------------------------------------------------------------


def test_chat_whole(other, admin):
    result = other.chat("Hello there", model="gpt-4o-mini", temperature=0.5)
    assert result.text == "Hello! You said: Hello there"
    assert result.finish_reason == "stop"
    assert result.usage["total_tokens"] == result.usage["prompt_tokens"] + result.usage["completion_tokens"]
    assert result.messages[-1] == {"role": "assistant", "content": "Hello! You said: Hello there"}
    (sent,) = admin.requests("/v1/chat/completions")
    assert sent["body"]["messages"] == [{"role": "user", "content": "Hello there"}]
    assert sent["body"]["temperature"] == 0.5


def test_chat_stream(other, admin):
    updates = []
    result = other.chat("Stream me please", model="gpt-4o-mini", stream=True, on_update=updates.append)
    assert result.text == "Hello! You said: Stream me please"
    assert result.finish_reason == "stop"
    assert not result.interrupted
    assert updates and updates[-1].text == result.text
    (sent,) = admin.requests("/v1/chat/completions")
    assert sent["stream"] is True and sent["completed"] is True
    assert "stream_options" not in sent["body"]  # not OpenAI: usage is not asked for...
    assert result.usage is None  # ...and LLMock sends none unasked


def test_chat_stream_with_usage_when_asked(second_server, admin):
    with ow.Client(api_key=TEST_KEY, base_url=second_server.base_url, stream_usage=True) as asking:
        result = asking.chat("Count me", model="gpt-4o-mini", stream=True)
    assert result.usage["completion_tokens"] > 0  # from the include_usage chunk
    (sent,) = admin.requests("/v1/chat/completions")
    assert sent["body"]["stream_options"] == {"include_usage": True}


def test_a_server_that_refuses_include_usage_is_asked_again_without_it(second_server, admin):
    admin.script(
        {"type": "fail", "status": 400, "message": "Unrecognized request argument supplied: stream_options"}
    )
    with ow.Client(api_key=TEST_KEY, base_url=second_server.base_url, stream_usage=True) as asking:
        with pytest.warns(RuntimeWarning, match="refused stream_options"):
            result = asking.chat("Refuse the options", model="gpt-4o-mini", stream=True)
        assert result.text == "Hello! You said: Refuse the options"
        asking.chat("Again", model="gpt-4o-mini", stream=True)
    refused, again, later = admin.requests("/v1/chat/completions")
    assert (refused["status"], again["status"], later["status"]) == (400, 200, 200)
    assert refused["body"]["stream_options"] == {"include_usage": True}
    assert "stream_options" not in again["body"] and "stream_options" not in later["body"]


def test_chat_with_a_tool(other):
    result = other.chat("Weather in Oslo?", model="gpt-4o-mini", tools=[WEATHER])
    assert result.finish_reason == "tool_calls"
    (call,) = result.tool_calls
    assert call["function"]["name"] == "get_weather"
    assert "city" in json.loads(call["function"]["arguments"])


def test_chat_json_mode(other, admin):
    result = other.chat("Answer in JSON", model="gpt-4o-mini", response_format="json")
    assert result.data == {"message": "Hello! You said: Answer in JSON"}
    assert admin.requests("/v1/chat/completions")[0]["body"]["response_format"] == {"type": "json_object"}


def test_edit_runs_on_chat_completions(other, admin):
    edited = other.edit("teh cat", "Fix the spelling", model="gpt-4o-mini")
    (sent,) = admin.requests("/v1/chat/completions")
    system, user = sent["body"]["messages"]
    assert system["role"] == "system" and "Fix the spelling" in system["content"]
    assert user == {"role": "user", "content": "teh cat"}
    # The echo style quotes the whole conversation, the instruction first.
    assert edited.startswith("Hello! You said: " + system["content"][:40])


def test_conversation_keeps_the_history(other, admin):
    talk = ow.Conversation(system="Be brief.", model="gpt-4o-mini", client=other)
    first = talk.ask("First question")
    second = talk.ask("Second question", stream=True)
    assert [m["role"] for m in talk.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert talk.messages[2]["content"] == first.text and talk.messages[4]["content"] == second.text
    sent = admin.requests("/v1/chat/completions")[1]["body"]["messages"]
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": "Second question"},
    ]


def test_module_functions_and_magics_on_the_default_client(second_server, admin):
    from IPython.core.interactiveshell import InteractiveShell

    client = ow.connect(api_key=TEST_KEY, base_url=second_server.base_url)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "openai_widgets")
    try:
        assert client is ow.get_client()
        assert TEST_KEY not in repr(client)
        assert "gpt-4o-mini" in set(ow.models()["id"])
        listed = shell.run_line_magic("openai", "models")
        assert "text-embedding-3-small" in set(listed["id"])
        reply = shell.run_cell_magic("openai", "chat -m gpt-4o-mini --no-stream --new", "Hello magic")
        assert "Hello! You said: Hello magic" in str(reply)
    finally:
        shell.run_line_magic("unload_ext", "openai_widgets")
        ow.set_client(None)
        client.close()
    assert len(admin.requests("/v1/models")) == 2


def test_chat_map_over_rows(other, admin):
    rows = pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "n": ["1", "2", "3"]}, index=["a", "b", "c"])
    answers = other.chat_map(rows, "Name {n} sights in {city}", model="gpt-4o-mini", progress=False)
    assert list(answers.index) == ["a", "b", "c"]
    assert answers.tolist() == [
        "Hello! You said: Name 1 sights in Oslo",
        "Hello! You said: Name 2 sights in Lima",
        "Hello! You said: Name 3 sights in Pune",
    ]
    assert len(admin.requests("/v1/chat/completions")) == 3


# -- embeddings ------------------------------------------------------------------------------


def test_embed(other):
    texts = pd.Series(["the cat sat", "a dog ran", "the cat sat"], index=[7, 8, 9])
    frame = other.embed(texts, model="text-embedding-3-small", progress=False)
    assert frame.shape == (3, 2)
    assert list(frame.index) == [7, 8, 9]
    assert frame["input"].tolist() == texts.tolist()
    matrix = np.stack(frame["embedding"].tolist())
    assert matrix.dtype == np.float32 and matrix.shape == (3, 1536)
    assert frame.attrs["model"] == "text-embedding-3-small"
    # The vectors are the server's: compare with its raw answer (a custom call).
    raw = other.request(
        "POST", "embeddings", body={"model": "text-embedding-3-small", "input": ["a dog ran"]}
    )
    np.testing.assert_allclose(matrix[1], raw["data"][0]["embedding"], rtol=1e-6)
    np.testing.assert_array_equal(matrix[0], matrix[2])
    assert not np.allclose(matrix[0], matrix[1])


def test_search_ranks_the_same_text_first(other):
    frame = other.embed(
        ["the cat sat", "a dog ran", "birds fly south"], model="text-embedding-3-small", progress=False
    )
    ranked = other.search(frame, "a dog ran", k=2)
    assert len(ranked) == 2
    assert ranked.iloc[0]["input"] == "a dog ran"
    score = next(column for column in ranked.columns if column not in {"input", "embedding"})
    assert ranked.iloc[0][score] == pytest.approx(1.0, abs=1e-5)
    assert ranked.iloc[0][score] > ranked.iloc[1][score]


@pytest.mark.parametrize("batch", [False, True])
def test_embed_notices_a_server_that_ignores_dimensions(other, admin, batch):
    more = {"batch": True, "poll_interval": 0.3} if batch else {}
    with pytest.raises(ow.APIResponseValidationError) as caught:
        other.embed(["a", "b"], model="text-embedding-3-small", dimensions=256, progress=False, **more)
    assert "the server sent embeddings of 1536 dimensions, not the 256 asked for" in str(caught.value)
    assert "Leave dimensions out" in str(caught.value)
    if not batch:
        (sent,) = admin.requests("/v1/embeddings")
        assert sent["body"]["dimensions"] == 256


# -- custom calls ----------------------------------------------------------------------------


def test_request(other):
    listed = other.request("GET", "models")
    assert listed["object"] == "list"
    assert "gpt-4o" in {model["id"] for model in listed["data"]}
    answer = other.request(
        "POST",
        "chat/completions",
        body={"model": "gpt-4o", "messages": [{"role": "user", "content": "raw call"}]},
    )
    assert answer["choices"][0]["message"]["content"] == "Hello! You said: raw call"


# -- files and the Batch API -----------------------------------------------------------------


def test_files(other):
    content = b'{"custom_id": "x", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n'
    made = other.upload_file(content, purpose="batch", filename="lines.jsonl")
    assert (made["filename"], made["bytes"], made["purpose"]) == ("lines.jsonl", len(content), "batch")
    assert other.file(made["id"])["id"] == made["id"]
    assert other.file_content(made["id"]) == content
    assert other.delete_file(made["id"])["deleted"] is True
    with pytest.raises(ow.NotFoundError):
        other.file(made["id"])


def test_chat_map_through_the_batch_api(other, admin):
    rows = pd.Series(["Oslo", "Lima"], index=[3, 4], name="city")
    answers = other.chat_map(
        rows, "Hello from {city}", model="gpt-4o-mini", batch=True, progress=False, poll_interval=0.3
    )
    assert list(answers.index) == [3, 4]
    assert answers.tolist() == ["Hello! You said: Hello from Oslo", "Hello! You said: Hello from Lima"]
    assert len(admin.requests("/v1/batches")) == 1  # one batch, then polls of it
    listed = other.batches()
    assert "id" in listed.columns and len(listed) >= 1
    assert listed.iloc[0]["status"] == "completed"


def test_embed_through_the_batch_api(other):
    direct = other.embed(["alpha", "beta"], model="text-embedding-3-small", progress=False)
    batched = other.embed(
        ["alpha", "beta"], model="text-embedding-3-small", batch=True, progress=False, poll_interval=0.3
    )
    assert batched.shape == (2, 2)
    np.testing.assert_allclose(
        np.stack(batched["embedding"].tolist()), np.stack(direct["embedding"].tolist()), rtol=1e-6
    )


def test_cancel_batch(other):
    (created,) = other.batch(
        [{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "later"}]}],
        "/v1/chat/completions",
        wait=False,
    )
    cancelled = other.cancel_batch(created["id"])
    assert cancelled["id"] == created["id"] and cancelled["status"] == "cancelled"
    assert other.batch_job(created["id"])["status"] == "cancelled"


# -- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"model": "dall-e-2", "response_format": "b64_json"},
        {"model": "dall-e-2", "response_format": "url"},
        {"model": "gpt-image-1", "stream": True, "partial_images": 1},
    ],
)
def test_images_the_server_draws_as_svg_are_refused_clearly(other, admin, settings):
    # LLMock's images are SVG, which the API never sends and PIL cannot read; its URLs are
    # data: URLs, decoded here without a request; it ignores stream=true and answers whole.
    with pytest.raises(
        ow.APIResponseValidationError, match=r"not an image that can be read \(an SVG drawing"
    ):
        other.generate_images("a red fox", size="1024x1024", **settings)
    (sent,) = admin.requests()
    assert sent["path"] == "/v1/images/generations"
    assert sent["body"].get("stream") is settings.get("stream")


# -- faults the second server scripts --------------------------------------------------------


# LLMock's OpenAI stream: a role chunk, one chunk per word, a finish chunk per choice, then
# (when asked) a usage chunk, then [DONE]. "truncate" ends the response cleanly after
# `after_chunks` of them: no terminator, and no finish_reason unless it came before the cut.
REPLY = {"type": "reply", "text": "Two words"}  # role, "Two ", "words", finish: 4 chunks


def test_a_stream_cut_cleanly_mid_reply_is_not_taken_for_a_whole_answer(other, admin):
    admin.script(REPLY, {"type": "stream_fault", "kind": "truncate", "after_chunks": 2})
    with pytest.raises(
        ow.StreamInterruptedError, match=r"\[DONE\]\) and choice 0 had no finish_reason"
    ) as info:
        other.chat("Cut me short", model="gpt-4o-mini", stream=True, on_update=lambda partial: None)
    partial = info.value.partial
    assert partial.interrupted
    assert partial.text == "Two "


def test_a_finished_stream_without_done_is_a_whole_answer(other, admin):
    admin.script(REPLY, {"type": "stream_fault", "kind": "truncate", "after_chunks": 4})
    result = other.chat("End without DONE", model="gpt-4o-mini", stream=True)
    assert (result.text, result.finish_reason, result.interrupted) == ("Two words", "stop", False)
    (sent,) = admin.requests("/v1/chat/completions")
    assert sent["chunks_sent"] == 4 and sent["completed"] is False  # LLMock's word: it was cut


def test_a_clean_end_with_a_choice_left_unfinished_raises(other, admin):
    # n=2: LLMock streams choice 0 whole, then choice 1; cut after choice 0's finish.
    admin.script(REPLY, {"type": "stream_fault", "kind": "truncate", "after_chunks": 4})
    with pytest.raises(ow.StreamInterruptedError, match="only 1 of 2 choices arrived") as info:
        other.chat("Two choices", model="gpt-4o-mini", stream=True, n=2)
    assert info.value.partial.texts == ["Two words"]


def test_a_dropped_stream_raises_with_what_arrived(other, admin):
    admin.script({"type": "stream_fault", "kind": "disconnect", "after_chunks": 2})
    with pytest.raises(ow.StreamInterruptedError) as info:
        other.chat("Drop me", model="gpt-4o-mini", stream=True, on_update=lambda partial: None)
    assert "Hello! You said: Drop me".startswith(info.value.partial.text)


def test_a_malformed_stream_chunk_is_reported(other, admin):
    admin.script({"type": "stream_fault", "kind": "malformed", "after_chunks": 1})
    with pytest.raises(ow.APIResponseValidationError, match="not JSON"):
        other.chat("Garble me", model="gpt-4o-mini", stream=True, on_update=lambda partial: None)


def test_429_is_retried_after_the_wait_the_server_asks(other, admin):
    admin.script({"type": "fail", "status": 429, "retry_after": 0.3, "times": 1})
    assert other.chat("Patience", model="gpt-4o-mini").text == "Hello! You said: Patience"
    first, second = admin.requests("/v1/chat/completions")
    assert (first["status"], second["status"]) == (429, 200)
    assert second["started_at"] - first["ended_at"] >= 0.3 - 0.02
    verdict = admin.verdict()
    assert verdict["passed"] is True, verdict["findings"]


def test_chat_map_rides_out_429s(other, admin):
    admin.script({"type": "fail", "status": 429, "retry_after": 0.3, "times": 2})
    rows = pd.Series(["w", "x", "y", "z"])
    answers = other.chat_map(rows, "Row {}", model="gpt-4o-mini", progress=False, max_concurrency=2)
    assert answers.tolist() == [f"Hello! You said: Row {value}" for value in rows]
    statuses = [r["status"] for r in admin.requests("/v1/chat/completions")]
    assert sorted(statuses) == [200, 200, 200, 200, 429, 429]
    verdict = admin.verdict()
    assert verdict["passed"] is True, verdict["findings"]


def test_503_is_retried(other, admin):
    admin.script({"type": "fail", "status": 503, "times": 1})
    assert other.chat("Again", model="gpt-4o-mini").text == "Hello! You said: Again"
    assert [r["status"] for r in admin.requests("/v1/chat/completions")] == [503, 200]


def test_400_is_raised_at_once_with_the_server_message(other, admin):
    admin.script({"type": "fail", "status": 400, "message": "Bad temperature here.", "code": "invalid_value"})
    with pytest.raises(ow.BadRequestError) as info:
        other.chat("Refuse me", model="gpt-4o-mini")
    assert info.value.status_code == 400
    assert "Bad temperature here." in str(info.value)
    assert len(admin.requests("/v1/chat/completions")) == 1  # no retry of a 400


def test_401_names_no_key(other, admin):
    admin.script({"type": "fail", "status": 401, "message": "Incorrect API key provided."})
    with pytest.raises(ow.AuthenticationError) as info:
        other.models()
    assert TEST_KEY not in str(info.value) and TEST_KEY not in repr(info.value)
    assert "Incorrect API key" in str(info.value)


def test_a_route_the_server_lacks_fails_clearly(other, admin):
    started = time.monotonic()
    with pytest.raises(ow.NotFoundError) as info:
        other.moderate(["fine text"])
    assert info.value.status_code == 404
    assert time.monotonic() - started < 5  # no retries of a 404
    assert len(admin.requests("/v1/moderations")) == 1
