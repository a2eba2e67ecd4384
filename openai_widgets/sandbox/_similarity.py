"""The text_similarity grader's metrics, computed for real but simplified (scores in [0, 1]).

What each metric is here (OpenAI's service may differ in details such as tokenisation):

- `fuzzy_match`: `difflib.SequenceMatcher` ratio of the two strings.
- `bleu`: sentence BLEU-4 over lower-cased words, add-one smoothing for 2- to 4-grams,
  with the brevity penalty.
- `gleu`: Google-BLEU: min(precision, recall) of all 1- to 4-grams together.
- `meteor`: unigram harmonic mean (recall weighted 9:1) with the fragmentation penalty,
  exact word matches only (no stems or synonyms).
- `rouge_1` ... `rouge_5`: F1 of n-gram overlap; `rouge_l`: F1 from the longest common
  subsequence of words.
- `cosine`: cosine of word-count vectors (OpenAI compares embeddings; the sandbox's
  embeddings are not semantic, so word counts say more here).
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable

__all__ = ["METRICS", "similarity"]

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _overlap(a: Counter, b: Counter) -> int:
    return sum((a & b).values())


def fuzzy_match(output: str, reference: str) -> float:
    return difflib.SequenceMatcher(None, output, reference).ratio()


def bleu(output: str, reference: str) -> float:
    candidate, wanted = _words(output), _words(reference)
    if not candidate or not wanted:
        return float(candidate == wanted)
    logs = []
    for n in range(1, 5):
        grams = _ngrams(candidate, n)
        total = sum(grams.values())
        hits = _overlap(grams, _ngrams(wanted, n))
        if n == 1:
            if hits == 0:
                return 0.0
            logs.append(math.log(hits / total))
        else:
            logs.append(math.log((hits + 1) / (total + 1)))
    brevity = 1.0 if len(candidate) > len(wanted) else math.exp(1 - len(wanted) / len(candidate))
    return brevity * math.exp(sum(logs) / 4)


def gleu(output: str, reference: str) -> float:
    candidate, wanted = _words(output), _words(reference)
    mine = sum((_ngrams(candidate, n) for n in range(1, 5)), Counter())
    theirs = sum((_ngrams(wanted, n) for n in range(1, 5)), Counter())
    if not mine or not theirs:
        return float(candidate == wanted)
    hits = _overlap(mine, theirs)
    return min(hits / sum(mine.values()), hits / sum(theirs.values()))


def meteor(output: str, reference: str) -> float:
    candidate, wanted = _words(output), _words(reference)
    if not candidate or not wanted:
        return float(candidate == wanted)
    used: set[int] = set()
    positions = []  # (candidate index, reference index) of greedy exact matches
    for index, word in enumerate(candidate):
        slot = next((j for j, other in enumerate(wanted) if other == word and j not in used), None)
        if slot is not None:
            used.add(slot)
            positions.append((index, slot))
    matches = len(positions)
    if matches == 0:
        return 0.0
    precision, recall = matches / len(candidate), matches / len(wanted)
    fmean = 10 * precision * recall / (recall + 9 * precision)
    chunks = 1 + sum(1 for (a, b), (c, d) in itertools.pairwise(positions) if c != a + 1 or d != b + 1)
    return fmean * (1 - 0.5 * (chunks / matches) ** 3)


def _rouge_n(n: int) -> Callable[[str, str], float]:
    def rouge(output: str, reference: str) -> float:
        mine, theirs = _ngrams(_words(output), n), _ngrams(_words(reference), n)
        hits = _overlap(mine, theirs)
        if not hits:
            return float(not mine and not theirs)
        precision, recall = hits / sum(mine.values()), hits / sum(theirs.values())
        return 2 * precision * recall / (precision + recall)

    return rouge


def rouge_l(output: str, reference: str) -> float:
    candidate, wanted = _words(output), _words(reference)
    if not candidate or not wanted:
        return float(candidate == wanted)
    previous = [0] * (len(wanted) + 1)
    for word in candidate:
        current = [0]
        for j, other in enumerate(wanted):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    longest = previous[-1]
    if not longest:
        return 0.0
    precision, recall = longest / len(candidate), longest / len(wanted)
    return 2 * precision * recall / (precision + recall)


def cosine(output: str, reference: str) -> float:
    mine, theirs = Counter(_words(output)), Counter(_words(reference))
    if not mine or not theirs:
        return float(mine == theirs)
    dot = sum(count * theirs[word] for word, count in mine.items())
    norms = math.sqrt(sum(v * v for v in mine.values())) * math.sqrt(sum(v * v for v in theirs.values()))
    return dot / norms


METRICS: dict[str, Callable[[str, str], float]] = {
    "cosine": cosine,
    "fuzzy_match": fuzzy_match,
    "bleu": bleu,
    "gleu": gleu,
    "meteor": meteor,
    **{f"rouge_{n}": _rouge_n(n) for n in range(1, 6)},
    "rouge_l": rouge_l,
}


def similarity(metric: str, output: str, reference: str) -> float:
    """The metric's score for `output` against `reference`, rounded to 6 places."""
    return round(min(max(METRICS[metric](output, reference), 0.0), 1.0), 6)
