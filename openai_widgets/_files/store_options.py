"""The options of vector stores and their files, checked before anything is sent.

Each function takes what a person would write and returns the API's form, or raises
`InvalidTypeError` (wrong type) / `InvalidInputError` (wrong value) with what to change:

    chunking       "auto" | (max_tokens, overlap) | the API's {"type": "static", "static": {...}}
                   | {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}
    expires_after  days (1 to 365) | {"anchor": "last_active_at", "days": 7}
    metadata       up to 16 text pairs (keys up to 64 characters, values up to 512)
    attributes     up to 16 pairs of text, number, boolean or date (dates become Unix seconds)
    ranking        "auto" | "none" | "default-2024-11-15" | {"ranker": ..., "score_threshold": 0.5}
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = [
    "FILE_STATUSES",
    "attribute_value",
    "attributes_option",
    "chunking_option",
    "expires_after_option",
    "flag_option",
    "metadata_option",
    "ranking_option",
    "status_option",
]

MAX_PAIRS = 16
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 512
CHUNK_TOKENS = (100, 4096)
EXPIRY_DAYS = (1, 365)
RANKERS = ("auto", "none", "default-2024-11-15")
FILE_STATUSES = ("in_progress", "completed", "failed", "cancelled")


def chunking_option(value: Any) -> dict[str, Any] | None:
    """How files are cut into chunks; None leaves it to the API (auto: 800 tokens, 400 overlap)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() != "auto":
            raise InvalidInputError(
                f"chunking {value!r} is not 'auto'; give 'auto' or (max_tokens, overlap) such as (800, 400)"
            )
        return {"type": "auto"}
    if isinstance(value, (tuple, list)) and len(value) == 2:
        size, overlap = value
    elif isinstance(value, Mapping):
        if value.get("type") == "auto" and set(value) == {"type"}:
            return {"type": "auto"}
        settings = value.get("static") if value.get("type") == "static" else value
        if not isinstance(settings, Mapping):
            raise InvalidTypeError(
                "chunking's 'static' must be a dict of max_chunk_size_tokens and chunk_overlap_tokens"
            )
        unknown = set(settings) - {"max_chunk_size_tokens", "chunk_overlap_tokens"}
        if unknown:
            raise InvalidInputError(
                f"chunking takes max_chunk_size_tokens and chunk_overlap_tokens, not {sorted(unknown)}"
            )
        size, overlap = settings.get("max_chunk_size_tokens", 800), settings.get("chunk_overlap_tokens", 400)
    else:
        raise InvalidTypeError(
            f"chunking must be 'auto', (max_tokens, overlap) or a dict, not {type(value).__name__}"
        )
    size = _whole(size, "chunking's max_chunk_size_tokens")
    overlap = _whole(overlap, "chunking's chunk_overlap_tokens")
    if not CHUNK_TOKENS[0] <= size <= CHUNK_TOKENS[1]:
        raise InvalidInputError(f"chunks hold {CHUNK_TOKENS[0]} to {CHUNK_TOKENS[1]} tokens, not {size}")
    if not 0 <= overlap <= size // 2:
        raise InvalidInputError(
            f"the chunk overlap must be 0 to half the chunk size ({size // 2}), not {overlap}"
        )
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def expires_after_option(value: Any) -> dict[str, Any] | None:
    """A number of days without use after which the store expires; None: never."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        if set(value) != {"anchor", "days"} or value.get("anchor") != "last_active_at":
            raise InvalidInputError(
                "expires_after must be a number of days or {'anchor': 'last_active_at', 'days': N}"
            )
        value = value["days"]
    days = _whole(value, "expires_after (days)")
    if not EXPIRY_DAYS[0] <= days <= EXPIRY_DAYS[1]:
        raise InvalidInputError(f"expires_after is {EXPIRY_DAYS[0]} to {EXPIRY_DAYS[1]} days, not {days}")
    return {"anchor": "last_active_at", "days": days}


def metadata_option(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    pairs = _pairs(value, "metadata")
    for key, item in pairs.items():
        if not isinstance(item, str):
            raise InvalidTypeError(f"metadata[{key!r}] must be text, not {type(item).__name__}")
        _check_length(item, f"metadata[{key!r}]")
    return pairs


def attributes_option(value: Any, where: str = "attributes") -> dict[str, Any] | None:
    """File attributes for filtering searches: each value text, a number, a boolean or a date."""
    if value is None:
        return None
    pairs = _pairs(value, where)
    return {key: attribute_value(item, f"{where}[{key!r}]") for key, item in pairs.items()}


def attribute_value(value: Any, where: str) -> str | int | float | bool:
    """One attribute (or filter) value in JSON's terms: numpy numbers as Python ones, dates as
    Unix seconds (naive times read as UTC), so that attributes and filters compare alike."""
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{where} is {value}; give a finite number")
        return value
    if isinstance(value, str):
        _check_length(value, where)
        return value
    if isinstance(value, (dt.datetime, dt.date)):  # pandas Timestamps are datetimes
        if value != value:  # NaT
            raise InvalidInputError(f"{where} is a missing time (NaT); give a date or leave the key out")
        return _unix_seconds(value)
    raise InvalidTypeError(
        f"{where} is a {type(value).__name__}; attribute values are text, numbers, booleans or dates"
    )


def ranking_option(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"ranker": value}
    if not isinstance(value, Mapping):
        raise InvalidTypeError(f"ranking must be a ranker name or a dict, not {type(value).__name__}")
    unknown = set(value) - {"ranker", "score_threshold"}
    if unknown:
        raise InvalidInputError(f"ranking takes ranker and score_threshold, not {sorted(unknown)}")
    options = dict(value)
    if "ranker" in options and options["ranker"] not in RANKERS:
        raise InvalidInputError(f"ranker {options['ranker']!r} is not one of {', '.join(RANKERS)}")
    if "score_threshold" in options:
        threshold = options["score_threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise InvalidTypeError(f"score_threshold must be a number, not {type(threshold).__name__}")
        if not 0 <= threshold <= 1:
            raise InvalidInputError(f"score_threshold must be from 0 to 1, not {threshold}")
    return options


def flag_option(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def status_option(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidTypeError(f"status must be text such as 'failed', not {type(value).__name__}")
    if value.strip() not in FILE_STATUSES:
        raise InvalidInputError(f"status {value!r} is not one of {', '.join(FILE_STATUSES)}")
    return value.strip()


def _pairs(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError(f"{where} must be a dict, not {type(value).__name__}")
    if len(value) > MAX_PAIRS:
        raise InvalidInputError(f"{where} holds {len(value)} pairs; at most {MAX_PAIRS} are allowed")
    for key in value:
        if not isinstance(key, str) or not key:
            raise InvalidTypeError(f"{where} keys must be non-empty text, not {key!r}")
        if len(key) > MAX_KEY_CHARS:
            raise InvalidInputError(f"{where} key {key[:20]!r}... has {len(key)} characters; at most 64")
    return dict(value)


def _check_length(text: str, where: str) -> None:
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidInputError(f"{where} has {len(text)} characters; at most {MAX_VALUE_CHARS} are allowed")


def _whole(value: Any, what: str) -> int:
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"{what} must be a whole number, not {type(value).__name__}")
    return value


def _unix_seconds(value: dt.date) -> int:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return int(value.timestamp())
