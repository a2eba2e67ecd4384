"""What an eval run's tokens cost: a per-model price lookup, and the sum over a run's usage.

`run_cost(per_model_usage, lookup)` prices the `per_model_usage` rows of an eval run with
`lookup(model) -> TokenPrice | None` (US dollars per million input, cached input and output
tokens); a model the lookup does not know makes the cost unknown (None), never zero.

`DEFAULT_LOOKUP` is what `compare_models` uses when given no `prices=`. It reads the small
dated table below, a stand-in: point `DEFAULT_LOOKUP` at the package's shared price table
(or pass `prices=` per call) and every comparison follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = ["DEFAULT_LOOKUP", "PRICES_DATED", "PriceLookup", "TokenPrice", "price_lookup", "run_cost"]


class TokenPrice(NamedTuple):
    """US dollars per million tokens."""

    input: float
    cached_input: float
    output: float


PriceLookup = Callable[[str], TokenPrice | None]

PRICES_DATED = "2025-06"  # list prices per 1M tokens as published then; check OpenAI's pricing page
_TABLE = {
    "gpt-4o": TokenPrice(2.50, 1.25, 10.00),
    "gpt-4o-mini": TokenPrice(0.15, 0.075, 0.60),
    "gpt-4.1": TokenPrice(2.00, 0.50, 8.00),
    "gpt-4.1-mini": TokenPrice(0.40, 0.10, 1.60),
    "gpt-4.1-nano": TokenPrice(0.10, 0.025, 0.40),
    "o3-mini": TokenPrice(1.10, 0.55, 4.40),
    "o4-mini": TokenPrice(1.10, 0.275, 4.40),
    "gpt-3.5-turbo": TokenPrice(0.50, 0.50, 1.50),
}


def table_price(model: str) -> TokenPrice | None:
    """The dated table's price of `model`: dated snapshots as their family, fine-tuned models
    at twice their base (OpenAI's rule of thumb for inference on tuned models)."""
    if model.startswith("ft:") and model.count(":") >= 2:
        base = table_price(model.split(":")[1])
        return None if base is None else TokenPrice(*(2 * value for value in base))
    if model in _TABLE:
        return _TABLE[model]
    family = max((name for name in _TABLE if model.startswith(f"{name}-")), key=len, default=None)
    return _TABLE[family] if family else None


DEFAULT_LOOKUP: PriceLookup = table_price


def price_lookup(prices: Any) -> PriceLookup:
    """`prices=` as a lookup: None (the default lookup), a callable, or a dict of model -> prices.

    Dict values are `TokenPrice`s or tuples (input, output) or (input, cached input, output),
    in US dollars per million tokens.
    """
    if prices is None:
        return DEFAULT_LOOKUP
    if callable(prices):
        return prices
    if not isinstance(prices, Mapping):
        raise InvalidTypeError(
            f"prices must be a dict of model -> (input, output) dollars per 1M tokens or a function, "
            f"not {type(prices).__name__}"
        )
    table = {str(model): _price(value, str(model)) for model, value in prices.items()}
    return table.get


def run_cost(usage: Iterable[Mapping[str, Any]], lookup: PriceLookup) -> float | None:
    """The dollars of `per_model_usage` rows (None when a model's price is unknown)."""
    total = 0.0
    for row in usage:
        price = lookup(str(row.get("model_name")))
        if price is None:
            return None
        cached = int(row.get("cached_tokens") or 0)
        fresh = int(row.get("prompt_tokens") or 0) - cached
        output = int(row.get("completion_tokens") or 0)
        total += (fresh * price.input + cached * price.cached_input + output * price.output) / 1e6
    return total


def _price(value: Any, model: str) -> TokenPrice:
    if isinstance(value, TokenPrice):
        return value
    if isinstance(value, (tuple, list)) and len(value) in (2, 3):
        numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) == len(value) and all(v >= 0 for v in numbers):
            if len(numbers) == 2:
                return TokenPrice(numbers[0], numbers[0], numbers[1])
            return TokenPrice(*numbers)
    raise InvalidInputError(
        f"prices[{model!r}] must be (input, output) or (input, cached input, output) dollars per 1M "
        f"tokens, got {value!r}"
    )
