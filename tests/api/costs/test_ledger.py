"""usage_log(): one row per answered request of every area, its tokens those the answer counted."""

from __future__ import annotations

import datetime as dt
import math
import threading

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._costs import ledger
from openai_widgets._costs.ledger import COLUMNS, Ledger
from tests.conftest import TEST_KEY
from tests.support.media import tone


@pytest.fixture(autouse=True)
def built_in_prices():
    ow.set_prices(None)


def log(client) -> pd.DataFrame:
    return ow.usage_log(client)


def token_cost(prompt: int, completion: int, prices=(0.15, 0.60)) -> float:
    return (prompt * prices[0] + completion * prices[1]) / 1e6


def test_the_log_has_stable_columns_even_when_empty(client):
    frame = log(client)
    assert frame.empty
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == COLUMNS
    assert frame.attrs["requests"] == 0 and frame.attrs["prices_as_of"] == "2026-08-21"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_chat_answer_makes_one_row_with_its_usage(client, stream):
    before = dt.datetime.now(dt.timezone.utc)
    result = client.chat("Tell me about cats", "gpt-4o-mini", stream=stream, on_update=lambda partial: None)
    frame = log(client)
    assert len(frame) == 1
    row = frame.iloc[0]
    usage = result.usage
    assert (row["endpoint"], row["model"]) == ("chat/completions", result.model)
    assert (row["input_tokens"], row["output_tokens"]) == (usage["prompt_tokens"], usage["completion_tokens"])
    assert row["cached_tokens"] == usage["prompt_tokens_details"]["cached_tokens"]
    assert row["estimated_cost"] == pytest.approx(
        token_cost(usage["prompt_tokens"], usage["completion_tokens"])
    )
    assert row["request_id"].startswith("req_") and not row["batch"]
    assert before <= row["time"] <= dt.datetime.now(dt.timezone.utc)
    assert frame.attrs["tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_a_bulk_embed_makes_one_row_per_request(client, sandbox):
    texts = [f"text {i}" for i in range(5000)]  # 2048 inputs per request: three requests
    frame = client.embed(texts, progress=False)
    rows = log(client)
    assert len(rows) == frame.attrs["requests"] == len(sandbox.requests_to("/embeddings")) == 3
    assert set(rows["endpoint"]) == {"embeddings"} and set(rows["model"]) == {"text-embedding-3-small"}
    assert rows["input_tokens"].sum() == frame.attrs["usage"]["prompt_tokens"]
    assert rows["output_tokens"].sum() == 0
    assert rows["estimated_cost"].sum() == pytest.approx(frame.attrs["usage"]["prompt_tokens"] * 0.02 / 1e6)
    assert rows["request_id"].is_unique


def test_moderation_rows_cost_nothing(client, sandbox):
    client.moderate([f"text {i}" for i in range(70)], progress=False)  # 32 per request: three
    rows = log(client)
    assert len(rows) == len(sandbox.requests_to("/moderations")) == 3
    assert set(rows["model"]) == {"omni-moderation-latest"} and (rows["estimated_cost"] == 0).all()


def test_chat_map_rows_match_its_usage(client):
    answers = client.chat_map(
        pd.Series(["cats", "dogs", "birds", "fish"]), "About {}", "gpt-4o", progress=False
    )
    rows = log(client)
    assert len(rows) == 4 and set(rows["endpoint"]) == {"chat/completions"}
    usage = answers.attrs["usage"]
    assert rows["input_tokens"].sum() == usage["prompt_tokens"]
    assert rows["output_tokens"].sum() == usage["completion_tokens"]
    assert rows["estimated_cost"].sum() == pytest.approx(
        token_cost(usage["prompt_tokens"], usage["completion_tokens"], (2.50, 10.00))
    )


def test_batch_api_answers_are_recorded_once_at_half_price(client):
    answers = client.chat_map(
        pd.Series(["cats", "dogs"]), "About {}", batch=True, poll_interval=0.05, progress=False
    )
    rows = log(client)
    assert len(rows) == 2 and rows["batch"].all()
    bodies = list(client.batch_results(answers.attrs["batch_ids"], progress=False)["response"])
    assert len(log(client)) == 2  # reading the same results again adds nothing
    prompt = sum(b["usage"]["prompt_tokens"] for b in bodies)
    completion = sum(b["usage"]["completion_tokens"] for b in bodies)
    assert rows["estimated_cost"].sum() == pytest.approx(token_cost(prompt, completion) / 2)


def test_images_are_counted_and_priced_by_size_or_by_tokens(client):
    client.generate_images("a fox", "dall-e-2", n=2, size="256x256")
    made = client.generate_images("a fox", "gpt-image-1", quality="low", size="1024x1024")
    rows = log(client)
    dalle, gpt_image = rows.iloc[0], rows.iloc[1]
    assert (dalle["endpoint"], dalle["images"], dalle["estimated_cost"]) == ("images/generations", 2, 0.032)
    usage = made.usage
    assert gpt_image["images"] == 1
    assert (gpt_image["input_tokens"], gpt_image["output_tokens"]) == (
        usage["input_tokens"],
        usage["output_tokens"],
    )
    assert gpt_image["estimated_cost"] == pytest.approx(
        (usage["input_tokens"] * 5 + usage["output_tokens"] * 40) / 1e6
    )


def test_transcription_is_priced_by_the_seconds_of_audio(client):
    client.transcribe(tone(2.0))  # json: the answer says the seconds
    client.translate(tone(1.5), response_format="text")  # text: the WAV header says them
    rows = log(client)
    assert list(rows["endpoint"]) == ["audio/transcriptions", "audio/translations"]
    assert list(rows["audio_seconds"]) == [2.0, 1.5]
    assert list(rows["estimated_cost"]) == pytest.approx([2 / 60 * 0.006, 1.5 / 60 * 0.006])


def test_speech_is_priced_by_the_characters(client):
    text = "Hello there, how are you today?"
    speech = client.speak(text, "tts-1", format="wav")
    row = log(client).iloc[0]
    assert (row["endpoint"], row["model"], row["characters"]) == ("audio/speech", "tts-1", len(text))
    assert row["audio_seconds"] == pytest.approx(speech.duration)
    assert row["estimated_cost"] == pytest.approx(len(text) * 15 / 1e6)


def test_an_unpriced_model_costs_nan_and_is_counted_as_such(client):
    ow.set_prices({"gpt-4o-mini": None})
    try:
        client.chat("hi", "gpt-4o-mini")
    finally:
        ow.set_prices(None)
    frame = log(client)
    assert math.isnan(frame["estimated_cost"].iloc[0])
    assert frame.attrs["unpriced"] == 1 and frame.attrs["estimated_cost"] == 0.0


def test_each_client_sees_its_own_requests_and_its_copies(sandbox, client):
    other = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    try:
        client.chat("one", "gpt-4o-mini")
        client.with_options(timeout=5).chat("two", "gpt-4o-mini")
        other.chat("three", "gpt-4o-mini")
        assert len(log(client)) == 2 and len(log(other)) == 1
        assert len(ow.usage_log()) >= 3
    finally:
        other.close()
    with pytest.raises(ow.InvalidTypeError, match="client must be a Client, not str"):
        ow.usage_log("me")


def test_records_stay_correct_under_chat_maps_concurrency(client):
    rows = pd.Series([f"row {i}" for i in range(120)])
    errors: list[BaseException] = []
    side_prompt = client.chat("side question", "gpt-4o-mini").usage["prompt_tokens"]

    def chat_alongside() -> None:
        try:
            for _ in range(10):
                client.chat("side question", "gpt-4o-mini")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    side = [threading.Thread(target=chat_alongside) for _ in range(4)]
    for thread in side:
        thread.start()
    answers = client.chat_map(rows, "About {}", "gpt-4o-mini", max_concurrency=16, progress=False)
    for thread in side:
        thread.join()
    assert errors == []
    frame = log(client)
    assert len(frame) == 1 + 120 + 40 and frame["request_id"].is_unique
    assert frame["input_tokens"].sum() == answers.attrs["usage"]["prompt_tokens"] + 41 * side_prompt
    totals = ledger.totals(client)
    assert totals.requests == 161
    assert (
        totals.input_tokens == frame["input_tokens"].sum()
        and totals.output_tokens == frame["output_tokens"].sum()
    )
    assert totals.estimated_cost == pytest.approx(frame["estimated_cost"].sum())


def test_the_ledger_is_bounded_but_its_totals_count_everything(client, monkeypatch):
    small = Ledger(max_rows=5)
    monkeypatch.setattr(ledger, "LEDGER", small)
    for i in range(8):
        client.chat(f"question {i}", "gpt-4o-mini")
    frame = ow.usage_log()
    assert len(frame) == 5 and frame.attrs["requests"] == 8
    assert frame["time"].is_monotonic_increasing  # the oldest went first


def test_a_request_id_is_counted_once_and_the_log_can_be_cleared(client, monkeypatch):
    monkeypatch.setattr(ledger, "LEDGER", Ledger())
    usage = {"prompt_tokens": 10, "completion_tokens": 1}
    assert ledger.record(client, "chat/completions", "gpt-4o", usage, request_id="req_same") is not None
    assert ledger.record(client, "/v1/chat/completions", "gpt-4o", usage, request_id="req_same") is None
    assert len(ow.usage_log()) == 1
    ow.clear_usage_log()
    assert ow.usage_log().empty and ow.usage_log().attrs["requests"] == 0


def test_completions_edits_and_custom_calls_are_recorded_too(client):
    with pytest.warns(DeprecationWarning, match="complete"):
        client.complete("Say hi", "gpt-3.5-turbo-instruct", max_tokens=5)
    client.edit("teh cat", "Fix the spelling")
    answer = client.request(
        "POST",
        "/v1/chat/completions",
        body={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    rows = log(client)
    assert list(rows["endpoint"]) == ["completions", "chat/completions", "chat/completions"]
    assert rows["model"].iloc[0] == "gpt-3.5-turbo-instruct"
    last = rows.iloc[-1]
    assert (last["input_tokens"], last["output_tokens"]) == (
        answer["usage"]["prompt_tokens"],
        answer["usage"]["completion_tokens"],
    )
    assert last["estimated_cost"] == pytest.approx(
        token_cost(answer["usage"]["prompt_tokens"], answer["usage"]["completion_tokens"], (2.50, 10.00))
    )
