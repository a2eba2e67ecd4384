"""Counting tokens for embedding requests: tiktoken when it loads, else a conservative estimate.

tiktoken downloads its vocabulary on first use; where that cannot happen (no network,
a firewall) the load is given a few seconds in a background thread and then the
estimate is used instead, silently: prose and code run at 3 ASCII characters per token
or fewer, and text beyond ASCII at 2 UTF-8 bytes per token or fewer, so batches sized
by the estimate stay inside the limits.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

__all__ = [
    "MAX_INPUT_TOKENS",
    "MAX_REQUEST_INPUTS",
    "MAX_REQUEST_TOKENS",
    "count_tokens",
    "encoding_for",
    "estimate_counts",
    "estimate_tokens",
    "split_text",
]

MAX_INPUT_TOKENS = 8192  # per input, for every embedding model
MAX_REQUEST_TOKENS = 300_000  # summed over the inputs of one request
MAX_REQUEST_INPUTS = 2048  # inputs per request
LOAD_TIMEOUT = 3.0  # seconds given to tiktoken to load (and maybe download) its vocabulary
_FALLBACK_ENCODING = "cl100k_base"  # what every embedding model uses


def estimate_counts(texts: Sequence[str]) -> list[int]:
    """Conservative token counts without a tokenizer: ceil(characters / 3) in ASCII, else ceil(bytes / 2)."""
    return [(len(t) + 2) // 3 or 1 if t.isascii() else (len(t.encode("utf-8")) + 1) // 2 or 1 for t in texts]


def estimate_tokens(text: str) -> int:
    return estimate_counts([text])[0]


def encoding_for(model: str) -> Any:
    """The tiktoken encoding for `model`, or None when tiktoken is missing or cannot load it."""
    try:
        import tiktoken
    except ImportError:
        return None
    try:
        name = tiktoken.encoding_name_for_model(model)
    except (KeyError, AttributeError):
        name = _FALLBACK_ENCODING
    return _load_encoding(name)


@functools.lru_cache(maxsize=8)
def _load_encoding(name: str) -> Any:
    """Load in a daemon thread so that a hanging download cannot hold the kernel."""
    import tiktoken

    box: dict[str, Any] = {}

    def load() -> None:
        try:
            box["encoding"] = tiktoken.get_encoding(name)
        except Exception:  # no network, no cache, a broken file: the estimate takes over
            box["encoding"] = None

    worker = threading.Thread(target=load, name="openai-tiktoken", daemon=True)
    worker.start()
    worker.join(LOAD_TIMEOUT)
    return box.get("encoding")


def count_tokens(texts: Sequence[str], model: str) -> tuple[list[int], bool]:
    """Token counts of `texts`, and whether they are exact (tiktoken) or estimated."""
    encoding = encoding_for(model)
    if encoding is None:
        return estimate_counts(texts), False
    return [len(tokens) for tokens in encoding.encode_ordinary_batch(list(texts))], True


def split_text(text: str, model: str, max_tokens: int = MAX_INPUT_TOKENS) -> list[tuple[str, int]]:
    """`text` cut into pieces of at most `max_tokens` tokens: [(piece, tokens), ...]."""
    encoding = encoding_for(model)
    if encoding is not None:
        tokens = encoding.encode_ordinary(text)
        step = max(max_tokens - 16, 1)  # decoding and encoding again can shift a boundary
        pieces = [encoding.decode(tokens[i : i + step]) for i in range(0, len(tokens), step)]
        return [(piece, len(encoding.encode_ordinary(piece))) for piece in pieces if piece]
    return _split_by_estimate(text, max_tokens)


def _split_by_estimate(text: str, max_tokens: int) -> list[tuple[str, int]]:
    pieces: list[tuple[str, int]] = []
    rest = text
    while rest:
        size = estimate_tokens(rest)
        if size <= max_tokens:
            pieces.append((rest, size))
            break
        cut = max(int(len(rest) * max_tokens / size), 1)
        while cut > 1 and estimate_tokens(rest[:cut]) > max_tokens:
            cut = int(cut * 0.95)
        space = rest.rfind(" ", int(cut * 0.9), cut)  # prefer to cut between words
        cut = space + 1 if space > 0 else cut
        piece, rest = rest[:cut], rest[cut:]
        pieces.append((piece, estimate_tokens(piece)))
    return pieces
