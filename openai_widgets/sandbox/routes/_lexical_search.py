"""Lexical search for the vector stores: Okapi BM25 over chunks, deterministic, scores in 0..1.

The sandbox has no embedding model, so "semantic" search is a word-overlap ranking that
still puts the most relevant chunk first in a demo. Words are lower-cased, common English
stop words are dropped and plural endings removed ("policies" finds "policy").

Scores: BM25 is unbounded, and OpenAI's scores lie in 0..1, so each raw score is divided by
the most a chunk could score for that query (every query term at saturation). A chunk that
holds each query word once in a chunk of average length scores about 0.45; only chunks
sharing no word with the query score 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Passage", "passage", "rewrite", "scores", "terms"]

K1 = 1.2  # how fast repeats of a term stop adding to the score
B = 0.75  # how much a long chunk is penalised

_WORD = re.compile(r"\w+")
_STOPWORDS_TEXT = """a about all an and any are as at be been but by can could did do does for from had has
have how i if in into is it its me my no not of on or our so than that the their them then there these
they this those to was we were what when where which who whom why will with would you your"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def _stem(word: str) -> str:
    """Plural endings only: enough for "policies" to meet "policy", never mangling a word."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


@dataclass(frozen=True)
class Passage:
    """A chunk as the ranking sees it: how often each term occurs, and how many terms it has."""

    counts: dict[str, int]
    length: int


def passage(text: str) -> Passage:
    found = terms(text)
    return Passage(dict(Counter(found)), len(found))


def scores(passages: Sequence[Passage], query: str) -> list[float]:
    """Each passage's BM25 score for `query`, as a share (0..1) of the best score possible."""
    wanted = sorted(set(terms(query)))
    if not wanted or not passages:
        return [0.0] * len(passages)
    count = len(passages)
    average = sum(p.length for p in passages) / count or 1.0
    weights = {}
    for term in wanted:
        holding = sum(1 for p in passages if term in p.counts)
        weights[term] = math.log(1 + (count - holding + 0.5) / (holding + 0.5))
    ceiling = sum(weight * (K1 + 1) for weight in weights.values())
    results = []
    for item in passages:
        norm = K1 * (1 - B + B * item.length / average)
        raw = 0.0
        for term, weight in weights.items():
            frequency = item.counts.get(term, 0)
            if frequency:
                raw += weight * frequency * (K1 + 1) / (frequency + norm)
        results.append(round(min(raw / ceiling, 1.0), 6))
    return results


def rewrite(query: str) -> str:
    """The query as a keyword search: stop words and punctuation dropped, repeats removed.

    OpenAI rewrites queries with a model; the sandbox's rewrite is deterministic, so tests and
    demos see the same `search_query` every time.
    """
    kept: list[str] = []
    for word in _WORD.findall(query.lower()):
        if word not in STOPWORDS and word not in kept:
            kept.append(word)
    return " ".join(kept) or query.strip()
