"""A tiny tiktoken vocabulary for tests: tiktoken's real ones are downloaded on first use, which tests never do.

`tiny_encoding()` is a real `tiktoken.Encoding` (byte-level BPE, the GPT-2 split pattern)
with every single byte and a few dozen English merges, so counts are exact and small
texts split into several tokens. `installed_as(name)` puts it into tiktoken's registry
under an encoding name, the way tiktoken's own loader caches what it has loaded, so the
package reaches it through `tiktoken.get_encoding` exactly as it would reach cl100k_base.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
# Merges in rank order; each is made of two tokens that exist before it.
MERGES = [
    "th",
    "he",
    "in",
    "er",
    "an",
    "re",
    "on",
    "en",
    " t",
    " a",
    " s",
    " w",
    " o",
    " b",
    " c",
    "the",
    " th",
    " the",
    "ing",
    "and",
    " an",
    " and",
    "er ",
    "ou",
    "is",
    " is",
    "it",
    " it",
    "al",
    "ha",
    "ve",
    "ar",
    "or",
    "at",
    " f",
    " of",
    "es",
    "ed",
    "to",
    " to",
    "wo",
    "rd",
    "word",
    " word",
    "ta",
    "lph",
    "alph",
    "alpha",
    " alpha",
]


def tiny_ranks() -> dict[bytes, int]:
    ranks = {bytes([b]): b for b in range(256)}
    for merge in MERGES:
        token = merge.encode()
        if token not in ranks:
            ranks[token] = len(ranks)
    return ranks


def tiny_encoding(name: str = "tiny"):
    import tiktoken

    return tiktoken.Encoding(name=name, pat_str=PATTERN, mergeable_ranks=tiny_ranks(), special_tokens={})


@contextlib.contextmanager
def installed_as(name: str) -> Iterator[object]:
    """The tiny encoding answers `tiktoken.get_encoding(name)` inside the block."""
    from tiktoken import registry

    encoding = tiny_encoding(name)
    before = registry.ENCODINGS.get(name)
    registry.ENCODINGS[name] = encoding
    try:
        yield encoding
    finally:
        if before is None:
            registry.ENCODINGS.pop(name, None)
        else:
            registry.ENCODINGS[name] = before
