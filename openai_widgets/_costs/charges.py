"""What a use of the API costs: counted tokens, images, seconds or characters, priced.

`Counts` is what one answered request used, whatever the endpoint; `counts_from_usage`
reads it from an answer's `usage` object (chat, Responses, embeddings, images and
transcription each name the fields their own way). `charge` prices it with the table of
`prices`: NaN when the model, or what the request used, has no price, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from .prices import BATCH_DISCOUNT, Price, price_of

__all__ = ["UNKNOWN", "Counts", "charge", "counts_from_usage"]

UNKNOWN = float("nan")
_MILLION = 1_000_000

# Endpoints priced by size and quality per image, by seconds of audio, or by characters.
IMAGE_ENDPOINTS = frozenset({"images/generations", "images/edits", "images/variations"})
TRANSCRIPTION_ENDPOINTS = frozenset({"audio/transcriptions", "audio/translations"})
SPEECH_ENDPOINT = "audio/speech"


@dataclass(frozen=True)
class Counts:
    """What one request used. Token counts include their cached and image/audio parts."""

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    image_tokens: int = 0  # input tokens that were images (GPT image models)
    audio_tokens: int = 0  # input tokens that were audio (transcription models)
    images: int = 0
    image_size: str | None = None
    image_quality: str | None = None
    audio_seconds: float | None = None  # None: not known
    characters: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def counts_from_usage(usage: Mapping[str, Any] | None, **more: Any) -> Counts:
    """An answer's `usage` (any endpoint's naming) and `more` counts -> `Counts`."""
    usage = usage if isinstance(usage, Mapping) else {}
    input_details = _mapping(usage.get("input_tokens_details") or usage.get("input_token_details"))
    prompt_details = _mapping(usage.get("prompt_tokens_details"))
    seconds = usage.get("seconds") if usage.get("type") == "duration" else None
    found: dict[str, Any] = {  # Counts fields; `more` may add any of them
        "input_tokens": _whole(usage.get("prompt_tokens", usage.get("input_tokens"))),
        "cached_tokens": _whole(prompt_details.get("cached_tokens", input_details.get("cached_tokens"))),
        "output_tokens": _whole(usage.get("completion_tokens", usage.get("output_tokens"))),
        "image_tokens": _whole(input_details.get("image_tokens")),
        "audio_tokens": _whole(input_details.get("audio_tokens", prompt_details.get("audio_tokens"))),
    }
    if _is_number(seconds):
        found["audio_seconds"] = float(seconds)
    for key, value in more.items():  # the answer's own figures win over the caller's
        if value is not None:
            found.setdefault(key, value)
    return Counts(**found)


def charge(
    model: str | None,
    endpoint: str,
    counts: Counts,
    *,
    batch: bool = False,
    table: Mapping[str, Price | None] | None = None,
) -> float:
    """USD for `counts` on `endpoint` with `model`'s price; NaN when it cannot be priced."""
    price = price_of(model, table)
    if price is None:
        return UNKNOWN
    if endpoint in IMAGE_ENDPOINTS:
        cost = _images(price, counts)
    elif endpoint in TRANSCRIPTION_ENDPOINTS:
        cost = _transcription(price, counts)
    elif endpoint == SPEECH_ENDPOINT:
        cost = _speech(price, counts)
    else:
        cost = _tokens(price, counts)
    return cost * (1 - BATCH_DISCOUNT) if batch else cost


def _tokens(price: Price, counts: Counts) -> float:
    """Text tokens: fresh input, cached input (at the input price when none is listed), output."""
    if price.input is None:
        return UNKNOWN
    cached = min(counts.cached_tokens, counts.input_tokens)
    cached_price = price.cached_input if price.cached_input is not None else price.input
    total = (counts.input_tokens - cached) * price.input + cached * cached_price
    if counts.output_tokens:
        if price.output is None:
            return UNKNOWN
        total += counts.output_tokens * price.output
    return total / _MILLION


def _images(price: Price, counts: Counts) -> float:
    """GPT image models by the tokens the answer counted, DALL-E (or no token count) by the image."""
    if (counts.input_tokens or counts.output_tokens) and price.output is not None and price.input is not None:
        image_in = min(counts.image_tokens, counts.input_tokens)
        image_price = price.image_input if price.image_input is not None else price.input
        total = (counts.input_tokens - image_in) * price.input + image_in * image_price
        return (total + counts.output_tokens * price.output) / _MILLION
    if not counts.images:
        return 0.0
    per_size = (price.per_image or {}).get(counts.image_quality or "standard")
    each = per_size.get(counts.image_size or "1024x1024") if per_size else None
    return UNKNOWN if each is None else counts.images * each


def _transcription(price: Price, counts: Counts) -> float:
    """Transcription models by tokens when the answer counted them, else by the minute."""
    if counts.input_tokens and price.input is not None and price.output is not None:
        audio = min(counts.audio_tokens, counts.input_tokens)
        audio_price = price.audio_input if price.audio_input is not None else price.input
        total = (counts.input_tokens - audio) * price.input + audio * audio_price
        return (total + counts.output_tokens * price.output) / _MILLION
    return _by_the_minute(price, counts)


def _speech(price: Price, counts: Counts) -> float:
    if price.per_million_characters is not None:
        return counts.characters * price.per_million_characters / _MILLION
    return _by_the_minute(price, counts)


def _by_the_minute(price: Price, counts: Counts) -> float:
    if price.per_minute is None or counts.audio_seconds is None or math.isnan(counts.audio_seconds):
        return UNKNOWN
    return counts.audio_seconds / 60 * price.per_minute


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any) -> int:
    return int(value) if _is_number(value) and value >= 0 else 0
