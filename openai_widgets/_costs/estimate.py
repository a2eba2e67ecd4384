"""What a planned bulk call will cost, worked out before anything is sent.

A bulk call is planned as request bodies (or, for `embed`, as the texts it will send).
Input tokens are counted with tiktoken when it loads, else estimated from the characters
and then shown as a range: at least one token per 5 ASCII characters (6 UTF-8 bytes
beyond ASCII), at most one per 3 (2 bytes), which holds for prose, code and most scripts.
Chat messages add 3 tokens each and 3 for the reply, as OpenAI's cookbook counts them.
Output tokens run from 0 up to the requests' own limit (`max_completion_tokens`,
`max_tokens`, `max_output_tokens`), or up to `REPLY_TOKENS` per reply when none is set,
which the result states among its assumptions. The low end is the fewest input tokens
and no output; the high end, the most input and every reply at its limit. No prompt
caching is assumed. `batch=True` takes the Batch API's discount.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._embeddings.tokens import count_tokens
from .charges import Counts, charge
from .prices import BATCH_DISCOUNT, CURRENCY, PRICES_AS_OF, PriceOverrides, effective_table, price_of

__all__ = [
    "REPLY_TOKENS",
    "CostEstimate",
    "Planned",
    "estimate_bodies",
    "estimate_planned",
    "estimate_texts",
    "fewest_tokens",
    "money",
    "plan_body",
]

REPLY_TOKENS = 256  # tokens a reply is assumed to take when the request sets no limit
MESSAGE_TOKENS = 3  # per chat message: role and separators
REPLY_PRIMING = 3  # every chat reply starts with these
COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # the legacy completions endpoint's own default

_LIMITS = {
    "chat/completions": ("max_completion_tokens", "max_tokens"),
    "responses": ("max_output_tokens",),
    "completions": ("max_tokens",),
}


@dataclass(frozen=True)
class CostEstimate:
    """A planned call's tokens and cost in USD, as a range `low`..`high` (equal when nothing is uncertain)."""

    call: str
    model: str
    requests: int
    input_tokens: int  # counted, or the high end of the estimate
    output_tokens: int  # what the high end assumes
    low: float
    high: float
    currency: str = CURRENCY
    prices_as_of: str = PRICES_AS_OF
    counted: bool = True  # input tokens counted with tiktoken (else estimated from characters)
    batch: bool = False
    input_tokens_low: int = 0  # the low end of the estimate (== input_tokens when counted)
    assumptions: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """Whether every model involved has a price."""
        return not (math.isnan(self.low) or math.isnan(self.high))

    def cost_text(self) -> str:
        """'$0.0123', '$0.01 to $0.25', or 'unknown'."""
        if not self.known:
            return "unknown"
        if math.isclose(self.low, self.high, rel_tol=1e-9, abs_tol=1e-12):
            return money(self.high)
        return f"{money(self.low)} to {money(self.high)}"

    def __str__(self) -> str:
        way = "Batch API, " if self.batch else ""
        return (
            f"{self.call} on {self.model}: {self.cost_text()} {self.currency} ({way}{self.requests_text()}, "
            f"{self._input_text()} input and up to {self.output_tokens:,} output tokens; "
            f"prices as of {self.prices_as_of})"
        )

    def requests_text(self) -> str:
        """'1 request', '2,000 requests'."""
        return f"{self.requests:,} request{'' if self.requests == 1 else 's'}"

    def _input_text(self) -> str:
        if self.counted or self.input_tokens_low == self.input_tokens:
            return f"{self.input_tokens:,}"
        return f"{self.input_tokens_low:,} to {self.input_tokens:,} (estimated)"

    def _repr_markdown_(self) -> str:
        lines = [
            f"**Estimated cost of `{self.call}`** on `{self.model}`: **{self.cost_text()}** {self.currency}",
            "",
            "| | |",
            "| --- | --- |",
            f"| requests | {self.requests:,}{' (Batch API)' if self.batch else ''} |",
            f"| input tokens | {self._input_text()} |",
            f"| output tokens | 0 to {self.output_tokens:,} |",
            f"| prices as of | {self.prices_as_of} |",
        ]
        if self.assumptions:
            lines += ["", "Assumptions:", *[f"- {text}" for text in self.assumptions]]
        return "\n".join(lines)


def money(amount: float) -> str:
    """USD with the digits that matter: $12.35, $0.0123, $0.000045."""
    if math.isnan(amount):
        return "unknown"
    if amount == 0:
        return "$0.00"
    if round(amount, 2) >= 0.01:
        return f"${amount:,.2f}"
    digits = max(2, -math.floor(math.log10(amount)) + 1)
    return f"${amount:.{digits}f}"


@dataclass
class Planned:
    """One request's input, as texts to count plus fixed framing tokens, and its reply budget."""

    model: str
    texts: list[str] = field(default_factory=list)
    framing: int = 0  # tokens counted without text: message framing, token-array inputs
    replies: int = 0  # most tokens the reply (all its choices) may take
    limited: bool = True  # `replies` comes from a limit the request sets (not from REPLY_TOKENS)
    limit_name: str | None = None
    images: int = 0  # images in the input, not counted
    tools: bool = False


def plan_body(endpoint: str, body: Mapping[str, Any]) -> Planned:
    """What one request body for `endpoint` sends and may get back."""
    model = body.get("model")
    planned = Planned(model if isinstance(model, str) else "unknown")
    if endpoint == "chat/completions":
        messages = body.get("messages")
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, Mapping):
                _add_content(planned, message.get("content"))
                planned.framing += MESSAGE_TOKENS + (1 if message.get("name") else 0)
        planned.framing += REPLY_PRIMING
        fmt = body.get("response_format")
        if isinstance(fmt, Mapping) and isinstance(fmt.get("json_schema"), Mapping):
            planned.texts.append(_json(fmt["json_schema"]))
    elif endpoint == "responses":
        _add_content(planned, body.get("input"))
        if isinstance(body.get("instructions"), str):
            planned.texts.append(body["instructions"])
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, Mapping) else None
        if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
            planned.texts.append(_json(fmt.get("schema")))
    elif endpoint in ("embeddings", "moderations"):
        _add_content(planned, body.get("input"))
    elif endpoint == "completions":
        _add_content(planned, body.get("prompt"))
    if body.get("tools"):
        planned.texts.append(_json(body["tools"]))
        planned.tools = True
    _reply_budget(planned, endpoint, body)
    return planned


def estimate_bodies(
    call: str,
    endpoint: str,
    bodies: Iterable[Mapping[str, Any]],
    *,
    batch: bool = False,
    prices: PriceOverrides | None = None,
) -> CostEstimate:
    """The cost of sending `bodies` to `endpoint` (chat/completions, responses, embeddings, ...)."""
    return estimate_planned(
        call, endpoint, [plan_body(endpoint, body) for body in bodies], batch=batch, prices=prices
    )


def estimate_texts(
    call: str,
    endpoint: str,
    model: str,
    texts: Sequence[str],
    *,
    requests: int,
    tokens: Sequence[int] | None = None,
    counted: bool = False,
    batch: bool = False,
    prices: PriceOverrides | None = None,
) -> CostEstimate:
    """The cost of sending `texts` as input only (embeddings, moderations) in `requests` requests.

    `tokens` are the texts' token counts when the caller has them already (`counted`: by
    tiktoken, else a high estimate); otherwise they are counted here.
    """
    planned = Planned(model, list(texts))
    known = None if tokens is None else (list(tokens), counted)
    estimate = estimate_planned(call, endpoint, [planned], batch=batch, prices=prices, known_counts=known)
    return _with_requests(estimate, requests)


def estimate_planned(
    call: str,
    endpoint: str,
    planned: Sequence[Planned],
    *,
    batch: bool = False,
    prices: PriceOverrides | None = None,
    known_counts: tuple[list[int], bool] | None = None,
) -> CostEstimate:
    """Count (or estimate) every planned request's tokens and price them, one model at a time."""
    table = effective_table(prices)
    by_model: dict[str, list[Planned]] = {}
    for item in planned:
        by_model.setdefault(item.model, []).append(item)
    low = high = 0.0
    input_low = input_high = output_high = 0
    counted_all = True
    notes: list[str] = []
    for model, items in by_model.items():
        texts = [text for item in items for text in item.texts if text]
        if known_counts is not None:
            highs, counted = known_counts
        else:
            highs, counted = count_tokens(texts, model) if texts else ([], True)
        lows = highs if counted else [fewest_tokens(text) for text in texts]
        framing = sum(item.framing for item in items)
        model_low = sum(lows) + framing
        model_high = sum(highs) + framing
        replies = sum(item.replies for item in items)
        low += charge(model, endpoint, Counts(input_tokens=model_low), batch=batch, table=table)
        high += charge(
            model, endpoint, Counts(input_tokens=model_high, output_tokens=replies), batch=batch, table=table
        )
        input_low += model_low
        input_high += model_high
        output_high += replies
        counted_all = counted_all and counted
        if price_of(model, table) is None:
            notes.append(
                f"no price is known for {model!r}: set one with ow.set_prices({{{model!r}: {{...}}}})"
            )
    notes = _assumptions(endpoint, planned, counted_all, batch) + notes
    models = sorted(by_model)
    return CostEstimate(
        call=call,
        model=models[0] if len(models) == 1 else ("several: " + ", ".join(models) if models else "none"),
        requests=len(planned),
        input_tokens=input_high,
        output_tokens=output_high,
        low=low,
        high=high,
        counted=counted_all,
        batch=batch,
        input_tokens_low=input_low,
        assumptions=tuple(notes),
    )


def fewest_tokens(text: str) -> int:
    """A low estimate of a text's tokens: 5 ASCII characters, or 6 UTF-8 bytes, per token."""
    if text.isascii():
        return -(-len(text) // 5)
    return -(-len(text.encode("utf-8")) // 6)


# -- helpers ---------------------------------------------------------------------------------


def _add_content(planned: Planned, content: Any) -> None:
    """Texts of a message's content, a Responses input, or an embeddings/moderation input."""
    if isinstance(content, str):
        planned.texts.append(content)
    elif isinstance(content, Mapping):
        kind = content.get("type")
        if isinstance(content.get("text"), str):
            planned.texts.append(content["text"])
        elif kind in ("image_url", "input_image", "image"):
            planned.images += 1
        elif "content" in content:
            _add_content(planned, content.get("content"))
    elif isinstance(content, list):
        if content and all(isinstance(x, int) and not isinstance(x, bool) for x in content):
            planned.framing += len(content)  # one input given as token IDs
            return
        for part in content:
            _add_content(planned, part)


def _reply_budget(planned: Planned, endpoint: str, body: Mapping[str, Any]) -> None:
    names = _LIMITS.get(endpoint)
    if names is None:
        planned.replies = 0  # embeddings and moderations answer without output tokens
        return
    n = body.get("n")
    choices = n if isinstance(n, int) and n > 0 else 1
    for name in names:
        limit = body.get(name)
        if isinstance(limit, int) and not isinstance(limit, bool):
            planned.replies, planned.limit_name = limit * choices, name
            return
    if endpoint == "completions":
        planned.replies, planned.limit_name = (
            COMPLETIONS_DEFAULT_MAX_TOKENS * choices,
            "max_tokens (default 16)",
        )
        return
    planned.replies, planned.limited, planned.limit_name = REPLY_TOKENS * choices, False, names[0]


def _assumptions(endpoint: str, planned: Sequence[Planned], counted: bool, batch: bool) -> list[str]:
    notes = []
    if not counted:
        notes.append(
            "input tokens estimated from the characters (tiktoken could not load): 1 token per "
            "3 to 5 characters"
        )
    if endpoint in _LIMITS and planned:
        unlimited = [item for item in planned if not item.limited]
        if unlimited:
            notes.append(
                f"replies assumed at most {REPLY_TOKENS} tokens each: {len(unlimited):,} requests set no "
                f"{unlimited[0].limit_name} (reasoning models may use more); the low end assumes none"
            )
        if len(unlimited) < len(planned):
            limits = {item.replies for item in planned if item.limited}
            shown = f"{limits.pop():,}" if len(limits) == 1 else "their limit"
            name = next(item.limit_name for item in planned if item.limited)
            notes.append(f"replies of 0 to {shown} tokens each ({name})")
        notes.append("no prompt caching: every input token at the full input price")
    images = sum(item.images for item in planned)
    if images:
        notes.append(f"{images:,} images in the input are not counted (from 85 tokens each)")
    if any(item.tools for item in planned):
        notes.append("tool definitions counted as their JSON text; tool calls are not priced")
    if batch:
        notes.append(f"Batch API: {BATCH_DISCOUNT:.0%} off")
    return notes


def _with_requests(estimate: CostEstimate, requests: int) -> CostEstimate:
    return dataclasses.replace(estimate, requests=requests)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)
