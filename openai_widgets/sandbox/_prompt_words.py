"""What the sandbox reads in a prompt: counts, nouns, quoted strings, names and numbers.

The sandbox is not a model, but a few plain readings of the user's words make its
answers follow the request: "Three fruits" asks for three records of a fruit, "'Paris'"
or "Paris" is a value a tool argument can take, "age 36" names a value for a field
called age. Every reading here is a pure function of the text, so answers stay
deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["PromptValues", "count_and_noun", "named_value", "singular", "snake", "values_in"]

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "a few": 3,
    "several": 4,
}
# Words that end a noun phrase: "three fruits AND their colours", "five cities AS json".
_PHRASE_END = {
    "and",
    "with",
    "as",
    "in",
    "of",
    "from",
    "that",
    "for",
    "to",
    "which",
    "who",
    "including",
    "plus",
    "along",
    "json",
    "their",
    "each",
    "per",
    "by",
    "or",
    "please",
    "is",
    "are",
    "was",
    "were",
    "be",
    "can",
    "will",
    "would",
    "should",
}
# Capitalised words that begin requests rather than name things.
_NOT_NAMES = {
    "I",
    "A",
    "An",
    "The",
    "Please",
    "What",
    "Which",
    "Who",
    "How",
    "Why",
    "When",
    "Where",
    "Call",
    "Use",
    "Give",
    "List",
    "Tell",
    "Show",
    "Find",
    "Get",
    "Make",
    "Write",
    "Return",
    "Then",
    "And",
    "JSON",
}
_MAX_COUNT = 50  # a count above this is read as a value, not a number of items
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'|“([^”]+)”")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*")


def singular(noun: str) -> str:
    """`fruits` -> `fruit`, `cities` -> `city`, `boxes` -> `box`, `people` -> `person`."""
    lowered = noun.lower()
    irregular = {"people": "person", "children": "child", "men": "man", "women": "woman", "mice": "mouse"}
    if lowered in irregular:
        return irregular[lowered]
    if lowered.endswith("ies") and len(lowered) > 4:
        return lowered[:-3] + "y"
    if re.search(r"(s|x|z|ch|sh)es$", lowered):
        return lowered[:-2]
    if lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")):
        return lowered[:-1]
    return lowered


def snake(text: str) -> str:
    """A JSON key from words: `Boiling point` -> `boiling_point`."""
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "value"


def count_and_noun(prompt: str) -> tuple[int | None, str | None]:
    """The number of things asked for and the noun naming them: `List three fruits` -> (3, 'fruits').

    The count is a digit or number word that is followed by a noun phrase; the noun is the
    phrase's last word ("5 largest cities" -> 'cities'). (None, None) when there is none.
    """
    words = re.findall(r"[A-Za-z][\w'-]*|\d+|[^\w\s]", prompt)
    lowered = [w.lower() for w in words]
    for index in range(len(lowered)):
        number = _count_at(lowered, index)
        if number is None:
            continue
        value, width = number
        phrase = []
        for following in words[index + width :]:
            if not following[0].isalpha() or following.lower() in _PHRASE_END:
                break
            phrase.append(following)
        if phrase and value <= _MAX_COUNT:
            return value, phrase[-1].lower()
    return None, None


def _count_at(words: list[str], index: int) -> tuple[int, int] | None:
    """The count starting at words[index], and how many words it spans."""
    for phrase, value in NUMBER_WORDS.items():
        parts = phrase.split()
        if words[index : index + len(parts)] == parts:
            return value, len(parts)
    if words[index].isdigit():
        return int(words[index]), 1
    return None


@dataclass
class PromptValues:
    """Values found in a prompt, in order, handed out once each (see `values_in`)."""

    strings: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    text: str = ""

    def take_string(self) -> str | None:
        return self.strings.pop(0) if self.strings else None

    def take_number(self) -> float | None:
        return self.numbers.pop(0) if self.numbers else None

    def take_date(self) -> str | None:
        return self.dates.pop(0) if self.dates else None

    def mentioned(self, options: list[object]) -> object | None:
        """The first of `options` the prompt names as a word (case does not matter)."""
        for option in options:
            if (
                isinstance(option, str)
                and option
                and re.search(rf"(?<!\w){re.escape(option)}(?!\w)", self.text, re.IGNORECASE)
            ):
                return option
        return None


def values_in(text: str, *, skip: tuple[str, ...] = (), skip_count: bool = False) -> PromptValues:
    """Quoted strings, then names (runs of capitalised words not at a sentence start), and numbers.

    `skip` drops words that are not values (a function's own name); `skip_count` drops the
    number `count_and_noun` reads as a count of items.
    """
    strings = [next(g for g in match.groups() if g) for match in _QUOTED.finditer(text)]
    unquoted = _QUOTED.sub(" ", text)
    for match in _CAPITALISED.finditer(unquoted):
        name = _trim_name(unquoted, match)
        if name and name not in skip and name not in strings:
            strings.append(name)
    dates = _DATE.findall(unquoted)
    numbers = [float(n) for n in _NUMBER.findall(_DATE.sub(" ", unquoted))]
    if skip_count:
        count, _ = count_and_noun(text)
        if count is not None and float(count) in numbers:
            numbers.remove(float(count))
    return PromptValues(strings, numbers, dates, text)


def _trim_name(text: str, match: re.Match[str]) -> str:
    """A run of capitalised words, without a sentence-initial word or a request word."""
    words = match.group(0).split()
    before = text[: match.start()].rstrip()
    if not before or before[-1] in ".!?:;\n":
        words = words[1:]  # "Paris is ..." at a sentence start: the first word is capitalised anyway
    while words and words[0] in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def named_value(text: str, name: str) -> str | None:
    """The value written with a field's name: `age 36`, `city: Paris`, `subject 'Hi'`, `3 days`."""
    spoken = re.escape(name.replace("_", " ")).replace(r"\ ", r"[\s_]")
    # Only the name is matched without regard to case: a value is quoted, a number or Capitalised.
    pattern = (
        rf"(?<!\w)(?i:{spoken})\s*(?:[:=]|\bis\b|\bof\b)?\s*"
        r"(\"[^\"]+\"|'[^']+'|-?\d+(?:\.\d+)?(?![\w.])|[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)"
    )
    match = re.search(pattern, text)
    if match is None:  # a number written before the name: "3 days"
        match = re.search(rf"(?<![\w.])(-?\d+(?:\.\d+)?)\s+(?i:{spoken})(?!\w)", text)
    if match is None:
        return None
    value = match.group(1)
    return value[1:-1] if value[0] in "\"'" else value
