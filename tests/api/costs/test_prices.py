"""The price table: dated, looked up by model (snapshots, fine-tuned models), overridable, NaN when unknown."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._costs import prices
from openai_widgets._costs.charges import Counts, charge, counts_from_usage


@pytest.fixture(autouse=True)
def built_in_prices():
    ow.set_prices(None)
    yield
    ow.set_prices(None)


def test_the_table_is_dated_and_names_its_source():
    table = ow.price_table()
    assert table.attrs["as_of"] == prices.PRICES_AS_OF == "2026-08-21"
    assert "developers.openai.com" in table.attrs["source"]
    assert table.attrs["currency"] == "USD" and table.attrs["batch_discount"] == 0.5
    assert list(table.columns) == ["model", *prices.FIELDS, "set_by"]
    assert table["input"].dtype == "float64" and set(table["set_by"]) == {"built-in"}
    known = set(table["model"])
    for model in (
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "o3",
        "o4-mini",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "dall-e-2",
        "dall-e-3",
        "gpt-image-1",
        "whisper-1",
        "tts-1",
        "tts-1-hd",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-mini-tts",
    ):
        assert model in known, model


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", (0.15, 0.075, 0.60)),
        ("gpt-4o-mini-2024-07-18", (0.15, 0.075, 0.60)),  # a dated snapshot: its family's price
        ("gpt-4o-2024-05-13", (5.00, None, 15.00)),  # a snapshot priced apart keeps its own
        ("GPT-4.1", (2.00, 0.50, 8.00)),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", (0.30, 0.15, 1.20)),  # fine-tuned: not the base price
        ("omni-moderation-2024-09-26", (0.0, None, 0.0)),  # moderation is free
    ],
)
def test_lookup(model, expected):
    found = prices.price_of(model)
    assert (found.input, found.cached_input, found.output) == expected


@pytest.mark.parametrize("model", ["my-local-llama", "ft:gpt-4.1-mini:acme::x", "gpt-6", "", None])
def test_unknown_models_have_no_price_and_cost_nan(model):
    assert prices.price_of(model) is None
    assert math.isnan(charge(model, "chat/completions", Counts(input_tokens=10, output_tokens=5)))


def test_token_costs_split_fresh_cached_and_output_and_the_batch_discount_halves_them():
    usage = {
        "prompt_tokens": 1_000_000,
        "completion_tokens": 500_000,
        "prompt_tokens_details": {"cached_tokens": 400_000},
    }
    counts = counts_from_usage(usage)
    # 600,000 fresh at $2.50, 400,000 cached at $1.25, 500,000 out at $10 (per 1M)
    assert charge("gpt-4o", "chat/completions", counts) == pytest.approx(1.5 + 0.5 + 5.0)
    assert charge("gpt-4o", "chat/completions", counts, batch=True) == pytest.approx(3.5)
    # no cached price listed: cached tokens cost as much as the rest
    assert charge("gpt-3.5-turbo", "chat/completions", counts) == pytest.approx(0.5 + 0.75)


def test_images_audio_and_speech_are_priced_in_their_own_units():
    assert charge(
        "dall-e-3", "images/generations", Counts(images=2, image_size="1792x1024", image_quality="hd")
    ) == pytest.approx(0.24)
    assert charge("dall-e-2", "images/edits", Counts(images=3)) == pytest.approx(0.06)  # 1024x1024 by default
    assert math.isnan(charge("gpt-image-1", "images/generations", Counts(images=1, image_size="auto")))
    tokens = counts_from_usage(
        {
            "input_tokens": 50,
            "output_tokens": 1000,
            "input_tokens_details": {"text_tokens": 30, "image_tokens": 20},
        }
    )
    assert charge("gpt-image-1", "images/edits", tokens) == pytest.approx(
        (30 * 5 + 20 * 10 + 1000 * 40) / 1e6
    )
    assert charge("whisper-1", "audio/transcriptions", Counts(audio_seconds=90)) == pytest.approx(0.009)
    assert math.isnan(charge("whisper-1", "audio/translations", Counts()))  # seconds not known
    streamed = counts_from_usage(
        {
            "type": "tokens",
            "input_tokens": 110,
            "output_tokens": 20,
            "input_token_details": {"audio_tokens": 100},
        }
    )
    assert charge("gpt-4o-mini-transcribe", "audio/transcriptions", streamed) == pytest.approx(
        (10 * 1.25 + 100 * 3.00 + 20 * 5.00) / 1e6
    )
    assert charge("tts-1-hd", "audio/speech", Counts(characters=2000)) == pytest.approx(0.06)
    assert charge(
        "gpt-4o-mini-tts", "audio/speech", Counts(characters=10, audio_seconds=120)
    ) == pytest.approx(0.03)
    assert math.isnan(charge("gpt-4o-mini-tts", "audio/speech", Counts(characters=10)))


def test_set_prices_changes_adds_and_removes_models_for_the_session():
    ow.set_prices({"gpt-4o": {"input": 2.0}, "ft:gpt-4.1-mini:acme::x": {"input": 0.8, "output": 3.2}})
    changed = prices.price_of("gpt-4o")
    assert (changed.input, changed.cached_input, changed.output) == (2.0, 1.25, 10.0)  # other fields kept
    assert prices.price_of("gpt-4o-2024-08-06").input == 2.0  # its snapshots follow
    assert prices.price_of("ft:gpt-4.1-mini:acme::x").output == 3.2
    table = ow.price_table().set_index("model")
    assert table.loc["gpt-4o", "set_by"] == "set_prices" and table.loc["gpt-4o-mini", "set_by"] == "built-in"
    ow.set_prices({"gpt-4o": None})
    assert prices.price_of("gpt-4o") is None
    assert "gpt-4o" not in set(ow.price_table()["model"])
    ow.set_prices(None)
    assert prices.price_of("gpt-4o").input == 2.50
    assert prices.price_of("ft:gpt-4.1-mini:acme::x") is None


def test_set_prices_reads_a_json_file(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"as_of": "2027-01-01", "models": {"my-model": {"input": 1, "output": 2}}}))
    ow.set_prices(path)
    assert (
        charge("my-model", "chat/completions", Counts(input_tokens=1_000_000, output_tokens=1_000_000)) == 3.0
    )
    ow.set_prices(str(path))  # a path as text works too
    assert prices.price_of("my-model").input == 1.0


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        (
            {"gpt-4o": {"inputs": 1}},
            ow.InvalidInputError,
            "unknown field(s) 'inputs'; use input, cached_input",
        ),
        (
            {"gpt-4o": {"input": -1}},
            ow.InvalidInputError,
            "prices['gpt-4o']['input'] must be 0 or more USD, got -1",
        ),
        (
            {"gpt-4o": {"input": "cheap"}},
            ow.InvalidTypeError,
            "prices['gpt-4o']['input'] must be a number of USD, not str",
        ),
        (
            {"gpt-4o": 2.5},
            ow.InvalidTypeError,
            "prices['gpt-4o'] must be a mapping {field: price} or None, not float",
        ),
        ({"": {"input": 1}}, ow.InvalidInputError, "model names must be non-empty strings"),
        (
            {"dall-e-2": {"per_image": {"standard": 0.02}}},
            ow.InvalidTypeError,
            "a mapping {size: USD}, not float",
        ),
        (["gpt-4o"], ow.InvalidTypeError, "prices must be a mapping {model: {field: price}} or a path"),
        ("/nowhere/prices.json", ow.InvalidInputError, "no price file at '/nowhere/prices.json'"),
    ],
)
def test_bad_overrides_are_refused_and_change_nothing(given, error, message):
    with pytest.raises(error) as info:
        ow.set_prices(given)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert prices.price_of("gpt-4o").input == 2.50
    assert prices.overridden() == []


def test_the_price_table_is_a_frame_even_with_per_image_prices():
    table = ow.price_table().set_index("model")
    assert table.loc["dall-e-3", "per_image"]["hd"]["1024x1792"] == 0.12
    assert pd.isna(table.loc["dall-e-3", "input"])
    assert table.loc["tts-1", "per_million_characters"] == 15.0
