"""OpenAI's prices per model, dated, with the user's overrides on top.

The table holds the standard-tier list prices in USD that OpenAI published for the
models this package knows, as of `PRICES_AS_OF` (source: `PRICES_SOURCE`; the model
pages under https://developers.openai.com/api/docs/models give the same figures).
Tokens are priced per million: input, cached input (None: cached tokens cost as much as
other input), output, and for some models image or audio input. Images are priced each,
by quality and size; transcription per minute of audio; speech per million characters
(tts-1, tts-1-hd) or per token (gpt-4o-mini-tts, whose per-minute figure is OpenAI's own
estimate, used only when no token count is known). Moderation is free. The Batch API
takes `BATCH_DISCOUNT` off token prices. Models OpenAI has retired since (dall-e-2 and
dall-e-3 in May 2026, gpt-image-1 in October 2026) keep their last published prices, for
the compatible servers that still serve them.

Prices change. Override or add models for the session with `set_prices({...})` (or a
path to a JSON file of the same shape), or for one estimate with `prices=`; update the
table itself by editing `BUILT_IN` and `PRICES_AS_OF` here. A model the table does not
know has no price: its costs show as NaN, never as a guess.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.arguments import type_error
from .._core.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BATCH_DISCOUNT",
    "BUILT_IN",
    "CURRENCY",
    "PRICES_AS_OF",
    "PRICES_SOURCE",
    "Price",
    "PriceOverrides",
    "effective_table",
    "overridden",
    "price_of",
    "price_table",
    "set_prices",
]

PRICES_AS_OF = "2026-08-21"
PRICES_SOURCE = "https://developers.openai.com/api/docs/pricing (standard tier)"
CURRENCY = "USD"
BATCH_DISCOUNT = 0.5  # the Batch API's price cut on tokens

PriceOverrides = Mapping[str, Mapping[str, Any] | None]


@dataclass(frozen=True)
class Price:
    """What one model costs in USD: tokens per 1M, images each, audio per minute, speech per 1M characters."""

    input: float | None = None
    cached_input: float | None = None
    output: float | None = None
    image_input: float | None = None
    cached_image_input: float | None = None
    audio_input: float | None = None
    per_minute: float | None = None
    per_million_characters: float | None = None
    per_image: Mapping[str, Mapping[str, float]] | None = field(
        default=None, hash=False
    )  # quality -> size -> USD


FIELDS = tuple(f.name for f in dataclasses.fields(Price))


def _tokens(input: float, cached_input: float | None, output: float) -> Price:
    return Price(input=input, cached_input=cached_input, output=output)


_FREE = Price(input=0.0, output=0.0)
_GPT_IMAGE_SIZES = ("1024x1024", "1024x1536", "1536x1024")

BUILT_IN: dict[str, Price] = {
    # GPT-5 family
    "gpt-5": _tokens(1.25, 0.125, 10.00),
    "gpt-5-chat-latest": _tokens(1.25, 0.125, 10.00),
    "gpt-5-codex": _tokens(1.25, 0.125, 10.00),
    "gpt-5-mini": _tokens(0.25, 0.025, 2.00),
    "gpt-5-nano": _tokens(0.05, 0.005, 0.40),
    "gpt-5-pro": _tokens(15.00, None, 120.00),
    "gpt-5.1": _tokens(1.25, 0.125, 10.00),
    "gpt-5.1-chat-latest": _tokens(1.25, 0.125, 10.00),
    "gpt-5.2": _tokens(1.75, 0.175, 14.00),
    # GPT-4.1 and GPT-4o
    "gpt-4.1": _tokens(2.00, 0.50, 8.00),
    "gpt-4.1-mini": _tokens(0.40, 0.10, 1.60),
    "gpt-4.1-nano": _tokens(0.10, 0.025, 0.40),
    "gpt-4o": _tokens(2.50, 1.25, 10.00),
    "gpt-4o-2024-05-13": _tokens(5.00, None, 15.00),
    "gpt-4o-mini": _tokens(0.15, 0.075, 0.60),
    "chatgpt-4o-latest": _tokens(5.00, None, 15.00),
    # o-series (reasoning tokens are billed as output)
    "o1": _tokens(15.00, 7.50, 60.00),
    "o1-mini": _tokens(1.10, 0.55, 4.40),
    "o1-pro": _tokens(150.00, None, 600.00),
    "o3": _tokens(2.00, 0.50, 8.00),
    "o3-mini": _tokens(1.10, 0.55, 4.40),
    "o3-pro": _tokens(20.00, None, 80.00),
    "o4-mini": _tokens(1.10, 0.275, 4.40),
    # older chat and completion models
    "gpt-4-turbo": _tokens(10.00, None, 30.00),
    "gpt-4": _tokens(30.00, None, 60.00),
    "gpt-3.5-turbo": _tokens(0.50, None, 1.50),
    "gpt-3.5-turbo-instruct": _tokens(1.50, None, 2.00),
    # fine-tuned models, by base ("ft:<base>:<org>:<suffix>:<id>"): inference prices
    "ft:gpt-4o-2024-08-06": _tokens(3.75, 1.875, 15.00),
    "ft:gpt-4o-mini-2024-07-18": _tokens(0.30, 0.15, 1.20),
    # embeddings
    "text-embedding-3-small": Price(input=0.02),
    "text-embedding-3-large": Price(input=0.13),
    "text-embedding-ada-002": Price(input=0.10),
    # moderation is free (any "omni-moderation-*" or "text-moderation-*" model)
    "omni-moderation-latest": _FREE,
    "text-moderation-latest": _FREE,
    # images: each, by quality and size; GPT image models also by tokens when the answer counts them
    "dall-e-2": Price(per_image={"standard": {"256x256": 0.016, "512x512": 0.018, "1024x1024": 0.020}}),
    "dall-e-3": Price(
        per_image={
            "standard": {"1024x1024": 0.040, "1024x1792": 0.080, "1792x1024": 0.080},
            "hd": {"1024x1024": 0.080, "1024x1792": 0.120, "1792x1024": 0.120},
        }
    ),
    "gpt-image-1": Price(
        input=5.00,
        cached_input=1.25,
        image_input=10.00,
        cached_image_input=2.50,
        output=40.00,
        per_image={
            "low": dict(zip(_GPT_IMAGE_SIZES, (0.011, 0.016, 0.016), strict=True)),
            "medium": dict(zip(_GPT_IMAGE_SIZES, (0.042, 0.063, 0.063), strict=True)),
            "high": dict(zip(_GPT_IMAGE_SIZES, (0.167, 0.25, 0.25), strict=True)),
        },
    ),
    "gpt-image-1-mini": Price(
        input=2.00,
        cached_input=0.20,
        image_input=2.50,
        cached_image_input=0.25,
        output=8.00,
        per_image={
            "low": dict(zip(_GPT_IMAGE_SIZES, (0.005, 0.006, 0.006), strict=True)),
            "medium": dict(zip(_GPT_IMAGE_SIZES, (0.011, 0.015, 0.015), strict=True)),
            "high": dict(zip(_GPT_IMAGE_SIZES, (0.036, 0.052, 0.052), strict=True)),
        },
    ),
    # audio
    "whisper-1": Price(per_minute=0.006),
    "gpt-4o-transcribe": Price(input=2.50, audio_input=6.00, output=10.00, per_minute=0.006),
    "gpt-4o-mini-transcribe": Price(input=1.25, audio_input=3.00, output=5.00, per_minute=0.003),
    "tts-1": Price(per_million_characters=15.00),
    "tts-1-hd": Price(per_million_characters=30.00),
    "gpt-4o-mini-tts": Price(input=0.60, output=12.00, per_minute=0.015),
}

_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # "gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"
_MODERATION = re.compile(r"^(omni|text)-moderation")

_overrides: dict[str, Price | None] = {}  # set_prices(): None marks a model as having no price
_lock = threading.Lock()


def price_of(model: str | None, table: Mapping[str, Price | None] | None = None) -> Price | None:
    """The price of `model`, or None when it is not known.

    Looked up as given, then (for `ft:<base>:...`) by its base, then without a dated
    snapshot suffix; any omni-/text-moderation model is free. A fine-tuned model costs
    more than its base, so an unlisted base gives None rather than the base's price.
    """
    if not isinstance(model, str) or not model.strip():
        return None
    prices = effective_table() if table is None else table
    name = model.strip()
    if name in prices:
        return prices[name]
    lower = name.lower()
    if lower in prices:
        return prices[lower]
    if lower.startswith("ft:"):
        base = "ft:" + lower[3:].split(":", 1)[0]
        return prices.get(base)
    undated = _SNAPSHOT.sub("", lower)
    if undated != lower and undated in prices:
        return prices[undated]
    if _MODERATION.match(lower):
        return _FREE
    return None


def effective_table(prices: PriceOverrides | None = None) -> dict[str, Price | None]:
    """The built-in table with `set_prices` overrides, and then `prices` (one call's), on top."""
    with _lock:
        table: dict[str, Price | None] = {**BUILT_IN, **_overrides}
    if prices is not None:
        table.update(_parse(prices, base=table))
    return table


def overridden() -> list[str]:
    """The models whose prices `set_prices` changed this session."""
    with _lock:
        return sorted(_overrides)


def set_prices(prices: PriceOverrides | str | Path | None) -> None:
    """Change prices for this session; `None` goes back to the built-in table.

        ow.set_prices({"gpt-4o-mini": {"input": 0.15, "output": 0.60}})        # change one model
        ow.set_prices({"ft:gpt-4.1-mini:acme::abc": {"input": 0.8, "output": 3.2}})  # add one
        ow.set_prices({"gpt-4o": None})                                         # no price: costs NaN
        ow.set_prices("prices.json")                                            # the same, from a file

    Fields are those of the price table (`ow.price_table()` lists them): `input`,
    `cached_input`, `output`, `image_input`, `cached_image_input`, `audio_input` (USD per
    1M tokens), `per_minute` (audio), `per_million_characters` (speech) and `per_image`
    ({quality: {size: USD}}). Given fields replace the model's; the others are kept. A JSON
    file holds the same mapping, or `{"models": {...}}`.
    """
    global _overrides
    if prices is None:
        with _lock:
            _overrides = {}
        return
    if isinstance(prices, (str, Path)):
        prices = _read_file(Path(prices))
    current = effective_table()
    parsed = _parse(prices, base=current)
    with _lock:
        _overrides = {**_overrides, **parsed}


def price_table() -> pd.DataFrame:
    """The prices in use, one row per model (USD, tokens per 1M); `.attrs` says their date and source."""
    import pandas as pd

    with _lock:
        changed = set(_overrides)
    rows = []
    for model, price in sorted(effective_table().items()):
        if price is None:
            continue
        row: dict[str, Any] = {"model": model}
        row.update({name: getattr(price, name) for name in FIELDS})
        row["per_image"] = dict(price.per_image) if price.per_image else None
        row["set_by"] = "set_prices" if model in changed else "built-in"
        rows.append(row)
    columns = ["model", *FIELDS, "set_by"]
    frame = pd.DataFrame(rows, columns=columns)
    for name in FIELDS:
        if name != "per_image":
            frame[name] = frame[name].astype("float64")
    frame.attrs.update(
        {
            "as_of": PRICES_AS_OF,
            "source": PRICES_SOURCE,
            "currency": CURRENCY,
            "batch_discount": BATCH_DISCOUNT,
        }
    )
    return frame


# -- reading overrides ----------------------------------------------------------------------


def _parse(prices: Any, *, base: Mapping[str, Price | None]) -> dict[str, Price | None]:
    """`{model: {field: value} | None}` checked, each model's fields laid over its current price."""
    if not isinstance(prices, Mapping):
        raise type_error("prices", "a mapping {model: {field: price}} or a path to a JSON file", prices)
    parsed: dict[str, Price | None] = {}
    for model, fields in prices.items():
        if not isinstance(model, str) or not model.strip():
            raise InvalidInputError(f"prices: model names must be non-empty strings, got {model!r}")
        name = model.strip()
        if fields is None:
            parsed[name] = None
            continue
        if not isinstance(fields, Mapping):
            raise type_error(f"prices[{name!r}]", "a mapping {field: price} or None", fields)
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise InvalidInputError(
                f"prices[{name!r}] has unknown field(s) {', '.join(map(repr, unknown))}; "
                f"use {', '.join(FIELDS)}"
            )
        changes = {key: _checked(name, key, value) for key, value in fields.items()}
        start = base.get(name) or price_of(name, base) or Price()
        parsed[name] = dataclasses.replace(start, **changes)
    return parsed


def _checked(model: str, key: str, value: Any) -> Any:
    if value is None:
        return None
    if key != "per_image":
        return _amount(model, key, value)
    if not isinstance(value, Mapping):
        raise type_error(f"prices[{model!r}]['per_image']", "a mapping {quality: {size: USD}}", value)
    table: dict[str, dict[str, float]] = {}
    for quality, sizes in value.items():
        if not isinstance(sizes, Mapping):
            raise type_error(f"prices[{model!r}]['per_image'][{quality!r}]", "a mapping {size: USD}", sizes)
        table[str(quality)] = {
            str(size): _amount(model, f"per_image[{quality!r}][{size!r}]", cost)
            for size, cost in sizes.items()
        }
    return table


def _amount(model: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise type_error(f"prices[{model!r}][{key!r}]", "a number of USD", value)
    if not (value >= 0 and math.isfinite(value)):
        raise InvalidInputError(f"prices[{model!r}][{key!r}] must be 0 or more USD, got {value!r}")
    return float(value)


def _read_file(path: Path) -> Any:
    try:
        data = json.loads(path.expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"no price file at {str(path)!r}; pass the path of a JSON file") from None
    except ValueError as exc:
        raise InvalidInputError(f"the price file {str(path)!r} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("models"), dict):
        return data["models"]
    return data
