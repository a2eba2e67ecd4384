"""Deterministic text for the sandbox's text routes: replies, tokens, usage, logprobs.

The sandbox is not a model. It answers every request the same way each time and labels
its text "[sandbox]". A few instructions in a system message change the reply the way an
edit would (upper case, lower case, title case, fix spelling, reverse the words), so edit
demos show a visible change.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "count_tokens",
    "logprobs_for",
    "message_text",
    "pieces",
    "stop_at",
    "token_spans",
    "transform_for",
]

# One "token": a word or one punctuation mark with the space before it; trailing space last.
_PIECE = re.compile(r"\s*(?:\w+|[^\w\s])|\s+$")

_MISSPELLINGS = {
    "teh": "the",
    "recieve": "receive",
    "adress": "address",
    "definately": "definitely",
    "seperate": "separate",
    "occured": "occurred",
    "untill": "until",
    "wich": "which",
    "becuase": "because",
    "thier": "their",
}


def pieces(text: str) -> list[str]:
    """`text` cut into tokens that join back to exactly `text`."""
    return _PIECE.findall(text)


def count_tokens(text: str) -> int:
    return len(pieces(text))


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each token of `text` starts and ends, one at a time (a long text is never listed whole)."""
    for match in _PIECE.finditer(text):
        yield match.span()


def message_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def stop_at(text: str, stop: Any) -> tuple[str, bool]:
    """`text` cut before the first stop sequence; True when one was found."""
    sequences = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)]
    cuts = [text.find(s) for s in sequences if s and s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


def _fix_spelling(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        right = _MISSPELLINGS.get(word.lower())
        if right is None:
            return word
        return right.capitalize() if word[0].isupper() else right

    return re.sub(r"[A-Za-z]+", fix, text)


_TRANSFORMS: list[tuple[tuple[str, ...], Callable[[str], str]]] = [
    (("uppercase", "upper case", "capital letters"), str.upper),
    (("lowercase", "lower case"), str.lower),
    (("title case",), str.title),
    (("spelling", "typo"), _fix_spelling),
    (("reverse",), lambda text: " ".join(reversed(text.split()))),
]


def transform_for(instructions: str) -> Callable[[str], str] | None:
    """The edit a system message asks for, when the sandbox knows it."""
    lowered = instructions.lower()
    for words, function in _TRANSFORMS:
        if any(word in lowered for word in words):
            return function
    return None


def _score(token: str, salt: int = 0) -> float:
    """A deterministic log probability in (-2, 0]."""
    return -round((zlib.crc32(f"{salt}:{token}".encode()) % 2000) / 1000, 3)


def logprobs_for(tokens: list[str], top: int = 0) -> list[dict[str, Any]]:
    """`ChatCompletionTokenLogprob` items for `tokens`, with `top` alternatives each."""
    items = []
    for token in tokens:
        alternatives = [token] + [f"{token.strip() or '_'}{n}" for n in range(1, top)]
        items.append(
            {
                "token": token,
                "logprob": _score(token),
                "bytes": list(token.encode()),
                "top_logprobs": [
                    {"token": alt, "logprob": _score(alt, n), "bytes": list(alt.encode())}
                    for n, alt in enumerate(alternatives[:top])
                ],
            }
        )
    return items
