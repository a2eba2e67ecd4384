"""Deterministic text for the sandbox's text routes: replies, tokens, usage, logprobs.

The sandbox is not a model. It answers every request the same way each time and labels
its text "[sandbox]". A few instructions in a system message change the reply the way an
edit would (upper case, lower case, title case, fix spelling, reverse the words), so edit
demos show a visible change.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "alternatives",
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


def _score(token: str) -> float:
    """A deterministic log probability in [-0.69, -0.001]: over half the probability, never all of it.

    So the chosen token is the most likely one, as it is at temperature 0, and some
    probability is left for the alternatives.
    """
    return -max(round((zlib.crc32(f"0:{token}".encode()) % 690) / 1000, 3), 0.001)


def _floor(logprob: float) -> float:
    """Rounded down to 6 places, so probabilities made from it never add up to more than they were."""
    return math.floor(logprob * 1_000_000) / 1_000_000


def alternatives(token: str, top: int) -> list[tuple[str, float]]:
    """The `top` most likely tokens at a position (with `token`, the one chosen), most likely first.

    `token` keeps its own score; the rest of the probability is shared out in halves
    (9/20, 9/40, ...) among made-up alternatives, so the probabilities add up to less than 1.
    """
    if top <= 0:
        return []
    chosen = _score(token)
    left = 1.0 - math.exp(chosen)
    named = [f"{token.strip() or '_'}{n}" for n in range(1, top)]
    options = [(token, chosen)] + [
        (alt, _floor(math.log(left * 0.9 / 2**n))) for n, alt in enumerate(named, 1)
    ]
    return sorted(options, key=lambda option: option[1], reverse=True)


def logprobs_for(tokens: list[str], top: int = 0) -> list[dict[str, Any]]:
    """`ChatCompletionTokenLogprob` items for `tokens`, with `top` alternatives each."""
    return [
        {
            "token": token,
            "logprob": _score(token),
            "bytes": list(token.encode()),
            "top_logprobs": [
                {"token": alt, "logprob": value, "bytes": list(alt.encode())}
                for alt, value in alternatives(token, top)
            ],
        }
        for token in tokens
    ]
