"""Chunking for vector store files: the request's strategy checked, and text cut into chunks.

OpenAI's `auto` strategy is static chunking with 800-token chunks overlapping by 400, and a
file's `chunking_strategy` always reports the static numbers used. Tokens are counted the
way the rest of the sandbox counts them (a word or a punctuation mark, see
`_replies.token_spans`), so a chunk of N tokens holds N words and marks. The text is walked
once, holding only one chunk's worth of token positions, so a large file is never listed
token by token.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .._http import ApiError
from ._checks import check_range
from ._replies import token_spans
from ._store_checks import check_keys, expect_object

__all__ = ["AUTO", "chunk_text", "chunking_strategy"]

AUTO = {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}
MIN_CHUNK, MAX_CHUNK = 100, 4096


def chunking_strategy(value: Any, param: str = "chunking_strategy") -> dict[str, Any]:
    """The strategy a request asks for (None means auto), as a file reports it: always static."""
    if value is None:
        return _static(AUTO)
    strategy = expect_object(value, param)
    kind = strategy.get("type")
    if kind == "auto":
        check_keys(strategy, {"type"}, param)
        return _static(AUTO)
    if kind != "static":
        raise ApiError(
            400,
            f"Invalid value for '{param}.type': expected 'auto' or 'static', but got {kind!r} instead.",
            param=f"{param}.type",
            code="invalid_value",
        )
    check_keys(strategy, {"type", "static"}, param)
    settings = expect_object(_required(strategy, "static", param), f"{param}.static")
    check_keys(settings, set(AUTO), f"{param}.static")
    size_name = f"{param}.static.max_chunk_size_tokens"
    overlap_name = f"{param}.static.chunk_overlap_tokens"
    size = _required(settings, "max_chunk_size_tokens", f"{param}.static")
    overlap = _required(settings, "chunk_overlap_tokens", f"{param}.static")
    check_range({size_name: size}, size_name, MIN_CHUNK, MAX_CHUNK, integer=True)
    check_range({overlap_name: overlap}, overlap_name, 0, MAX_CHUNK, integer=True)
    if overlap > size / 2:
        raise ApiError(
            400,
            f"Invalid '{overlap_name}': the overlap must not exceed half of max_chunk_size_tokens "
            f"({size // 2}), but got {overlap}.",
            param=overlap_name,
            code="invalid_value",
        )
    return _static({"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap})


def _required(body: dict[str, Any], name: str, prefix: str) -> Any:
    if body.get(name) is None:
        raise ApiError(
            400, f"Missing required parameter: '{prefix}.{name}'.", param=f"{prefix}.{name}", code="missing"
        )
    return body[name]


def _static(settings: dict[str, int]) -> dict[str, Any]:
    return {"type": "static", "static": dict(settings)}


def chunk_text(text: str, max_tokens: int, overlap: int) -> list[str]:
    """`text` cut into chunks of at most `max_tokens` tokens, each sharing `overlap` with the last."""
    chunks: list[str] = []
    window: deque[tuple[int, int]] = deque()
    step = max_tokens - overlap
    fresh = 0  # tokens in the window that no chunk holds yet
    for span in token_spans(text):
        window.append(span)
        fresh += 1
        if len(window) == max_tokens:
            chunks.append(text[window[0][0] : window[-1][1]].strip())
            for _ in range(step):
                window.popleft()
            fresh = 0
    if fresh:
        chunks.append(text[window[0][0] : window[-1][1]].strip())
    return [chunk for chunk in chunks if chunk]
