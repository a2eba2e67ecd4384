"""The sandbox's price table, for GET /organization/costs: demo figures, not OpenAI's prices.

Round numbers of the order of OpenAI's list prices when this table was written (dated
below), so cost reports look plausible; OpenAI's pricing page is the truth. Tokens are
priced per million, images each, speech per million characters, transcription per
minute. A fine-tuned model costs twice its base model; an unknown model the default.
Moderations are free, as with OpenAI.
"""

from __future__ import annotations

__all__ = ["PRICES_DATED", "LineItem", "line_items"]

PRICES_DATED = "2025-06 (sandbox table)"

# model: (input, cached input, output) in USD per 1M tokens
TOKENS = {
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-4o-mini-2024-07-18": (0.15, 0.075, 0.60),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "o3-mini": (1.10, 0.55, 4.40),
    "o4-mini": (1.10, 0.275, 4.40),
    "o4-mini-2025-04-16": (1.10, 0.275, 4.40),
    "gpt-3.5-turbo": (0.50, 0.25, 1.50),
    "gpt-3.5-turbo-instruct": (1.50, 0.75, 2.00),
}
DEFAULT_TOKENS = (1.00, 0.50, 4.00)
EMBEDDINGS = {"text-embedding-3-small": 0.02, "text-embedding-3-large": 0.13, "text-embedding-ada-002": 0.10}
IMAGES = {"dall-e-2": 0.02, "dall-e-3": 0.04, "gpt-image-1": 0.04}
SPEECH = {"tts-1": 15.00, "gpt-4o-mini-tts": 12.00}
TRANSCRIPTION = {"whisper-1": 0.006, "gpt-4o-mini-transcribe": 0.003}

LineItem = tuple[str, float, str, float]  # (line item, quantity, unit, USD)


def line_items(kind: str, model: str | None, amounts: dict[str, int]) -> list[LineItem]:
    """What one usage record costs, as OpenAI's cost report names it ("gpt-4o-mini, input")."""
    model = model or "unknown"
    if kind == "completions":
        prices = _token_prices(model)
        cached = amounts.get("input_cached_tokens", 0)
        fresh = amounts.get("input_tokens", 0) - cached
        output = amounts.get("output_tokens", 0)
        items = [
            (f"{model}, input", fresh, "tokens", fresh * prices[0] / 1e6),
            (f"{model}, cached input", cached, "tokens", cached * prices[1] / 1e6),
            (f"{model}, output", output, "tokens", output * prices[2] / 1e6),
        ]
        return [item for item in items if item[1]]
    if kind == "embeddings":
        tokens = amounts.get("input_tokens", 0)
        return [(f"{model}, input", tokens, "tokens", tokens * EMBEDDINGS.get(model, 0.10) / 1e6)]
    if kind == "images":
        count = amounts.get("images", 0)
        return [(f"{model}, images", count, "images", count * IMAGES.get(model, 0.04))]
    if kind == "audio_speeches":
        characters = amounts.get("characters", 0)
        return [
            (f"{model}, characters", characters, "characters", characters * SPEECH.get(model, 15.0) / 1e6)
        ]
    if kind == "audio_transcriptions":
        seconds = amounts.get("seconds", 0)
        return [
            (f"{model}, audio", seconds, "duration_seconds", seconds / 60 * TRANSCRIPTION.get(model, 0.006))
        ]
    return []


def _token_prices(model: str) -> tuple[float, float, float]:
    if model.startswith("ft:") and model.count(":") >= 2:
        base = TOKENS.get(model.split(":")[1], DEFAULT_TOKENS)
        return (base[0] * 2, base[1] * 2, base[2] * 2)
    return TOKENS.get(model, DEFAULT_TOKENS)
