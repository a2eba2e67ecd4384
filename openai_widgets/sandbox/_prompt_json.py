"""JSON mode without a schema (`json_object`): an answer shaped the way the prompt asks.

"Three fruits and their colours as JSON records" asks for a list of three records with a
fruit and a colour, so the answer is

    {"fruits": [{"fruit": "[sandbox] fruit 1", "colour": "[sandbox] colour 1"}, ...]}

The rules, all from the prompt's words (`_prompt_words`):
- the count and the noun come from a number followed by a noun phrase ("three fruits",
  "5 largest cities"), or from "list/name/show the <plural>" (then 3);
- the attributes are the words after "and their", "with their", "with", "including",
  "plus" ("and their colours" -> colour; "with population and country" -> two keys);
- items the prompt lists (quoted, or after a colon: "Three fruits: apple pear plum") fill
  the noun's key in order; the rest are labelled "[sandbox] fruit 2";
- attributes that name quantities (population, age, price, year, rating, ...) get numbers
  made from a hash of the words, the others labelled strings.

A prompt with no count and no plural to list keeps the old answer: one record per word
(the first five) with its index, the word, its length and the source "sandbox".
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from ._prompt_words import count_and_noun, singular, snake

__all__ = ["json_answer"]

DEFAULT_COUNT = 3
_ATTRIBUTES = re.compile(
    r"\b(?:and\s+their|with\s+their|with\s+its|with\s+the|with|including|plus|and\s+its)\s+(.+)",
    re.IGNORECASE,
)
_ATTRIBUTES_END = re.compile(
    r"\s*(?:\bas\b|\bin\s+json\b|\bjson\b|\bformatted\b|\brecords?\b|[.?!;:]|$)", re.IGNORECASE
)
_LIST_REQUEST = re.compile(
    r"\b(?:list|name|show(?:\s+me)?|give\s+me|what\s+are)\s+(?:the\s+|some\s+|all\s+|of\s+)*"
    r"((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*s)\b",
    re.IGNORECASE,
)
_FILLER = {"their", "its", "the", "a", "an", "his", "her", "each", "one's"}
# Attributes that are quantities get numbers; the value is (low, high) for the hash.
_QUANTITIES = {
    "population": (10_000, 10_000_000),
    "age": (1, 99),
    "price": (1, 500),
    "cost": (1, 500),
    "count": (1, 100),
    "number": (1, 100),
    "year": (1900, 2024),
    "founded": (1800, 2020),
    "size": (1, 1000),
    "weight": (1, 1000),
    "height": (1, 1000),
    "length": (1, 1000),
    "width": (1, 1000),
    "depth": (1, 1000),
    "area": (1, 100_000),
    "distance": (1, 10_000),
    "score": (1, 100),
    "rating": (1, 5),
    "rank": (1, 100),
    "amount": (1, 1000),
    "total": (1, 1000),
    "quantity": (1, 100),
    "calories": (10, 900),
    "percent": (0, 100),
    "percentage": (0, 100),
    "speed": (1, 300),
    "temperature": (-40, 45),
    "salary": (20_000, 200_000),
    "revenue": (1_000, 1_000_000),
    "capacity": (1, 100_000),
    "duration": (1, 300),
    "elevation": (0, 8848),
    "moons": (0, 95),
}


def json_answer(prompt: str) -> dict[str, Any]:
    """The JSON object answering `prompt` in JSON mode (see the module doc for the rules)."""
    count, noun = count_and_noun(prompt)
    if noun is None:
        noun = _listed_plural(prompt)
        count = DEFAULT_COUNT if noun else None
    if noun is None or count is None:
        return _word_records(prompt)
    key = snake(singular(noun))
    given = _given_items(prompt)
    attributes = [a for a in _attributes(prompt) if a != key]
    records = []
    for index in range(count):
        record: dict[str, Any] = {key: given[index] if index < len(given) else f"[sandbox] {key} {index + 1}"}
        for attribute in attributes:
            record[attribute] = _value(attribute, key, index)
        records.append(record)
    return {snake(noun): records}


def _listed_plural(prompt: str) -> str | None:
    match = _LIST_REQUEST.search(prompt)
    if match is None:
        return None
    last = match.group(1).split()[-1].lower()
    return None if last in {"json", "records", "is", "was"} or last.endswith("ss") else last


def _attributes(prompt: str) -> list[str]:
    """Keys named after the noun: "and their colours" -> ['colour']."""
    match = _ATTRIBUTES.search(prompt)
    if match is None:
        return []
    phrase = _ATTRIBUTES_END.split(match.group(1), maxsplit=1)[0]
    keys: list[str] = []
    for part in re.split(r",|\band\b|&|/|\bplus\b", phrase):
        words = [w for w in part.split() if w.lower() not in _FILLER]
        if not words:
            continue
        last = words[-1].lower()
        # Plural attributes ("their colours") become singular keys; "-ies" words keep their form
        # ("calories") because their singular is rarely what a person would call the field.
        if last.endswith("s") and not last.endswith(("ss", "us", "is", "ies")) and last not in _QUANTITIES:
            words[-1] = last[:-1]
        key = snake(" ".join(words))
        if key not in keys:
            keys.append(key)
    return keys


def _given_items(prompt: str) -> list[str]:
    """Items the prompt names itself: quoted ones, or those listed after a colon."""
    quoted = re.findall(r"\"([^\"]+)\"|'([^']+)'", prompt)
    if quoted:
        return [a or b for a, b in quoted]
    if ":" not in prompt:
        return []
    tail = prompt.split(":", 1)[1]
    tail = _ATTRIBUTES_END.split(tail.strip(), maxsplit=1)[0] if tail.strip() else ""
    parts = [p.strip() for p in re.split(r",|\band\b", tail) if p.strip()]
    if len(parts) == 1:
        parts = parts[0].split()
    return [p.strip(".,;!?\"'") for p in parts if p.strip(".,;!?\"'")]


def _value(attribute: str, key: str, index: int) -> Any:
    # "year_of_publication" is a year: any word of the key that names a quantity counts.
    bounds = next((_QUANTITIES[w] for w in attribute.split("_") if w in _QUANTITIES), None)
    if bounds is None:
        return f"[sandbox] {attribute} {index + 1}"
    low, high = bounds
    return low + zlib.crc32(f"{key}:{attribute}:{index}".encode()) % (high - low + 1)


def _word_records(prompt: str) -> dict[str, Any]:
    words = [w.strip(".,;:!?\"'") for w in prompt.split()][:5] or ["sandbox"]
    records = [
        {"index": n + 1, "word": w, "length": len(w), "source": "sandbox"} for n, w in enumerate(words) if w
    ]
    return {"records": records}
