"""estimate_cost: a planned call's tokens counted (or estimated, as a range) and priced, nothing sent."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._embeddings import tokens as token_module
from openai_widgets._embeddings.tokens import estimate_counts

ROWS = pd.DataFrame({"text": ["the cat sat on the mat", "a dog", "birds sing in the early morning light"]})
GPT_4O_MINI = (0.15, 0.60)  # USD per 1M input and output tokens


class WordTokens:
    """A stand-in tokenizer: one token per word, so counts are known exactly."""

    def encode_ordinary(self, text):
        return text.split()

    def encode_ordinary_batch(self, texts):
        return [text.split() for text in texts]


@pytest.fixture
def counted(monkeypatch):
    monkeypatch.setattr(token_module, "encoding_for", lambda model: WordTokens())


@pytest.fixture
def estimated(monkeypatch):
    monkeypatch.setattr(token_module, "encoding_for", lambda model: None)  # tiktoken cannot load


@pytest.fixture(autouse=True)
def nothing_sent(sandbox):
    sandbox.clear_requests()
    ow.set_prices(None)
    yield
    assert sandbox.requests == [], "an estimate sent a request"
    ow.set_prices(None)


def prompt_words() -> int:
    return sum(len(f"Summarise {text}".split()) for text in ROWS["text"])


def test_counted_tokens_give_one_figure_for_the_input(client, counted):
    estimate = client.estimate_cost(
        "chat_map", ROWS, "Summarise {text}", "gpt-4o-mini", max_completion_tokens=100
    )
    framing = 3 * (3 + 3)  # per request: 3 for the one message, 3 for the reply
    assert estimate.counted and estimate.requests == 3 and estimate.model == "gpt-4o-mini"
    assert estimate.input_tokens == estimate.input_tokens_low == prompt_words() + framing
    assert estimate.output_tokens == 300
    assert estimate.low == pytest.approx(estimate.input_tokens * GPT_4O_MINI[0] / 1e6)
    assert estimate.high == pytest.approx(estimate.low + 300 * GPT_4O_MINI[1] / 1e6)
    assert "replies of 0 to 100 tokens each (max_completion_tokens)" in estimate.assumptions
    assert estimate.currency == "USD" and estimate.prices_as_of == "2026-08-21" and not estimate.batch


def test_estimated_tokens_give_a_range(client, estimated):
    estimate = client.estimate_cost(
        "chat_map", ROWS, "Summarise {text}", "gpt-4o-mini", max_completion_tokens=100
    )
    prompts = [f"Summarise {text}" for text in ROWS["text"]]
    framing = 18
    assert not estimate.counted
    assert (
        estimate.input_tokens == sum(estimate_counts(prompts)) + framing
    )  # the safe side: 3 characters a token
    assert estimate.input_tokens_low == sum(math.ceil(len(p) / 5) for p in prompts) + framing
    assert estimate.input_tokens_low < estimate.input_tokens
    assert estimate.low == pytest.approx(estimate.input_tokens_low * GPT_4O_MINI[0] / 1e6)
    assert estimate.high == pytest.approx((estimate.input_tokens * 0.15 + 300 * 0.60) / 1e6)
    assert any("estimated from the characters" in text for text in estimate.assumptions)
    assert (
        f"{estimate.input_tokens_low:,} to {estimate.input_tokens:,} (estimated)"
        in estimate._repr_markdown_()
    )


def test_replies_without_a_limit_are_assumed_and_said_so(client, counted):
    estimate = client.estimate_cost("chat_map", ROWS, "Summarise {text}", "gpt-4o-mini", n=2)
    assert estimate.output_tokens == 3 * 2 * 256
    assert any(
        text.startswith("replies assumed at most 256 tokens each: 3 requests set no max_completion_tokens")
        for text in estimate.assumptions
    )


def test_the_batch_api_halves_the_estimate(client, counted):
    plain = client.estimate_cost("chat_map", ROWS, "Summarise {text}", max_completion_tokens=50)
    batched = client.estimate_cost("chat_map", ROWS, "Summarise {text}", max_completion_tokens=50, batch=True)
    assert batched.batch and "Batch API: 50% off" in batched.assumptions
    assert (batched.low, batched.high) == pytest.approx((plain.low / 2, plain.high / 2))


def test_a_system_message_and_a_resumed_run_are_planned_as_the_call_would(client, counted):
    with_system = client.estimate_cost("chat_map", ROWS, "Summarise {text}", system="Be brief", max_tokens=10)
    plain = client.estimate_cost("chat_map", ROWS, "Summarise {text}", max_tokens=10)
    assert with_system.input_tokens == plain.input_tokens + 3 * (2 + 3)  # two words and a message each


def test_embed_counts_each_distinct_text_once(client, counted):
    texts = pd.Series(["alpha beta", "gamma", "alpha beta", "delta epsilon zeta"])
    estimate = client.estimate_cost("embed", texts, "text-embedding-3-large")
    assert estimate.counted and estimate.requests == 1 and estimate.output_tokens == 0
    assert estimate.input_tokens == 2 + 1 + 3
    assert estimate.low == estimate.high == pytest.approx(6 * 0.13 / 1e6)
    assert estimate.cost_text() == "$0.00000078"


def test_embed_estimated_and_batched(client, estimated):
    estimate = client.estimate_cost("embed", ["hello world", "hello there"], batch=True)
    assert not estimate.counted and estimate.batch
    assert estimate.input_tokens == sum(estimate_counts(["hello world", "hello there"]))
    assert estimate.high == pytest.approx(estimate.input_tokens * 0.02 / 1e6 / 2)


def test_moderation_is_free_and_an_unknown_model_is_unknown(client, counted):
    free = client.estimate_cost("moderate", pd.Series(["one", "two"]))
    assert (free.low, free.high, free.cost_text()) == (0.0, 0.0, "$0.00")
    unknown = client.estimate_cost("chat_map", ROWS, "{text}", "my-local-llama")
    assert math.isnan(unknown.low) and math.isnan(unknown.high) and not unknown.known
    assert unknown.cost_text() == "unknown"
    assert "no price is known for 'my-local-llama'" in " ".join(unknown.assumptions)


def test_prices_apply_to_one_estimate_only(client, counted):
    priced = client.estimate_cost(
        "chat_map",
        ROWS,
        "{text}",
        "my-local-llama",
        max_tokens=1,
        prices={"my-local-llama": {"input": 1.0, "output": 2.0}},
    )
    assert priced.high == pytest.approx((priced.input_tokens * 1.0 + 3 * 2.0) / 1e6)
    assert math.isnan(client.estimate_cost("chat_map", ROWS, "{text}", "my-local-llama").high)


def test_a_batch_of_request_bodies_is_priced_per_model_at_half_price(client, counted):
    requests = [
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "one two three"}], "max_tokens": 10},
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "four"}], "max_tokens": 10},
    ]
    estimate = client.estimate_cost("batch", requests, "/v1/chat/completions")
    assert estimate.model == "several: gpt-4o, gpt-4o-mini" and estimate.batch and estimate.requests == 2
    high = ((3 + 6) * 2.50 + 10 * 10.00 + (1 + 6) * 0.15 + 10 * 0.60) / 1e6 / 2
    assert estimate.high == pytest.approx(high)
    embeddings = client.estimate_cost(
        "batch", [{"model": "text-embedding-3-small", "input": ["a b", "c"]}], "embeddings"
    )
    assert embeddings.input_tokens == 3 and embeddings.output_tokens == 0


def test_respond_map_is_planned_with_instructions_and_the_text_format(client, counted):
    schema = {"type": "object", "properties": {"sentiment": {"type": "string"}}}
    plain = client.estimate_cost("respond_map", ROWS, "Rate {text}", "gpt-5-mini", max_output_tokens=20)
    shaped = client.estimate_cost(
        "respond_map",
        ROWS,
        "Rate {text}",
        "gpt-5-mini",
        instructions="Answer in JSON",
        text_format=schema,
        max_output_tokens=20,
    )
    assert shaped.call == "respond_map" and shaped.output_tokens == 60
    bodies, *_ = client._respond_map_plan(  # the schema as sent: made strict
        ROWS, "Rate {text}", "gpt-5-mini", None, schema, None, None, None, None, {}
    )
    sent = bodies[0]["text"]["format"]["schema"]
    assert set(sent["properties"]) == set(schema["properties"])
    schema_words = len(json.dumps(sent).split())
    assert shaped.input_tokens == plain.input_tokens + 3 * (3 + schema_words)
    assert "replies of 0 to 20 tokens each (max_output_tokens)" in shaped.assumptions


def test_the_call_can_be_the_function_itself_and_the_module_function_works(connected, counted):
    estimate = ow.estimate_cost(ow.chat_map, ROWS, "{text}", max_tokens=5)
    assert estimate.call == "chat_map" and estimate.requests == 3


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            ("summarise", ROWS, "{text}"),
            {},
            ow.InvalidInputError,
            "estimate_cost() plans embed, moderate, chat_map, respond_map, batch; not 'summarise'",
        ),
        ((42,), {}, ow.InvalidTypeError, "call must be the name of a bulk call"),
        (
            ("chat_map", ROWS),
            {},
            ow.InvalidTypeError,
            "estimate_cost('chat_map', ...) must get the arguments chat_map() takes: missing a required argument: 'template'",
        ),
        (
            ("embed", ["a"]),
            {"colour": "red"},
            ow.InvalidTypeError,
            "got an unexpected keyword argument 'colour'",
        ),
        (("chat_map", ROWS, "{txt}"), {}, ow.InvalidInputError, "template field(s) {txt} are not columns"),
        (("embed", [""]), {}, ow.InvalidInputError, "input at index 0 is an empty string"),
        (
            ("batch", [{"input": "a"}], "/v1/nope"),
            {},
            ow.InvalidInputError,
            "the Batch API does not run '/v1/nope'",
        ),
    ],
)
def test_bad_arguments_are_refused_as_the_call_would(client, args, kwargs, error, message):
    with pytest.raises(error) as info:
        client.estimate_cost(*args, **kwargs)
    assert message in str(info.value)


def test_the_notebook_display_says_the_cost_the_tokens_and_the_assumptions(client, counted):
    estimate = client.estimate_cost(
        "chat_map", ROWS, "Summarise {text}", "gpt-4o-mini", max_completion_tokens=100
    )
    shown = estimate._repr_markdown_()
    assert shown.startswith(
        f"**Estimated cost of `chat_map`** on `gpt-4o-mini`: **{estimate.cost_text()}** USD"
    )
    assert "| requests | 3 |" in shown and f"| input tokens | {estimate.input_tokens:,} |" in shown
    assert "| output tokens | 0 to 300 |" in shown and "| prices as of | 2026-08-21 |" in shown
    assert "- no prompt caching: every input token at the full input price" in shown
    assert str(estimate).startswith(f"chat_map on gpt-4o-mini: {estimate.cost_text()} USD (3 requests,")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (12.345, "$12.35"),
        (1234.5, "$1,234.50"),
        (0.0123, "$0.01"),
        (0.00123, "$0.0012"),
        (0.0000477, "$0.000048"),
        (0.0, "$0.00"),
        (float("nan"), "unknown"),
    ],
)
def test_amounts_show_the_digits_that_matter(amount, shown):
    from openai_widgets._costs.estimate import money

    assert money(amount) == shown
