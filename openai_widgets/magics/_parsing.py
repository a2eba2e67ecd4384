"""Argument parsing for magics: argparse that speaks in one-line UsageErrors.

It also holds the one rule for words that may name a variable (TEXT | VARIABLE, PATH |
VARIABLE): a lone bare identifier names a variable, and one that is not defined is an
error with a "did you mean" from the notebook's names; quoted words are always literal
text. `split_line` keeps, for each word, whether the user quoted it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from IPython.core.error import UsageError

__all__ = [
    "HelpShown",
    "MagicArgumentParser",
    "Word",
    "add_out_option",
    "file_or_variable",
    "interpolate",
    "interpolate_words",
    "is_identifier",
    "json_or_variable",
    "split_line",
    "text_or_variable",
    "undefined_name",
]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HELP = ("-h", "--help")
_SPACE = " \t\r\n"  # what separates words, as in shlex
_HIDDEN = {"In", "Out", "exit", "quit", "get_ipython"}  # IPython's own names: never suggested


class HelpShown(Exception):
    """`--help` was printed; the magic returns nothing."""


class MagicArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are UsageErrors and whose --help does not exit the kernel.

    A subcommand with several actions (`%openai files list|upload|...`) declares them
    with `add_action`: each is a parser of its own, with its own options and --help.
    """

    def __init__(self, prog: str, description: str | None = None, **kwargs: Any) -> None:
        super().__init__(prog=prog, description=description, allow_abbrev=False, **kwargs)
        self.default_action: str | None = None
        self._action_set: argparse._SubParsersAction | None = None

    def add_action(self, name: str, help: str, *, default: bool = False) -> MagicArgumentParser:
        """Declare action `name` (a subparser) and return its parser, to add its arguments to.

        `help` is its line in this subcommand's --help and the description in its own. The
        `default` action runs when a line names none (`%openai files` lists).
        """
        if self._action_set is None:
            self._action_set = self.add_subparsers(dest="action", title="actions", required=True)
            self.epilog = f"{self.prog} ACTION --help shows the options of that action."
        if default:
            self.default_action = name
        parser: MagicArgumentParser = self._action_set.add_parser(name, help=help, description=help)
        return parser

    @property
    def action_parsers(self) -> dict[str, MagicArgumentParser]:
        """The parsers of the declared actions, by name (none for a single-action subcommand)."""
        return dict(self._action_set.choices) if self._action_set is not None else {}

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(args or ())
        if self.default_action and self._names_no_action(words):
            words.insert(0, self.default_action)  # `%openai files --purpose batch` lists
        return super().parse_known_args(words, namespace)

    def _names_no_action(self, words: list[str]) -> bool:
        """An empty line, or options only (not --help) with no action among the words."""
        if not words:
            return True
        if not words[0].startswith("-") or words[0] in _HELP:
            return False
        return not set(words) & set(self.action_parsers)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self._refuse(parsed, extras)
        return parsed

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message)
        raise HelpShown()

    def _refuse(self, parsed: argparse.Namespace, extras: list[str]) -> NoReturn:
        """Words no parser took: an option of another action says so, else the action's parser errs."""
        action = getattr(parsed, "action", None)
        actions = self.action_parsers
        chosen = actions.get(action or "", self)
        for word in extras:
            option = word.split("=", 1)[0]
            owners = [name for name, parser in actions.items() if parser.takes(option)]
            if word.startswith("-") and owners:
                raise UsageError(f"{option} is for {' and '.join(owners)}, not {action}")
        chosen.error(f"unrecognized arguments: {' '.join(extras)}")

    def takes(self, option: str) -> bool:
        """Whether `option` (like `--purpose`) is one of this parser's options."""
        return option in self._option_string_actions


def add_out_option(parser: MagicArgumentParser) -> None:
    """`-o/--out NAME` on `parser` and on each of its actions, so it may come anywhere."""
    help = "also store the result in variable NAME"
    parser.add_argument("-o", "--out", metavar="NAME", help=help)
    for action in parser.action_parsers.values():
        action.add_argument("-o", "--out", metavar="NAME", default=argparse.SUPPRESS, help=help)


class Word(str):
    """A word of a magic line; `quoted` is True when any of it was quoted or escaped."""

    quoted: bool = False


def _word(text: str, quoted: bool) -> Word:
    word = Word(text)
    word.quoted = quoted
    return word


def split_line(line: str) -> list[Word]:
    """Words of a magic line, shell-style (quotes group words), each knowing whether it was quoted.

    The same words as `shlex.split(line)`; a quoted word is literal text, never a variable name.
    """
    words: list[Word] = []
    chars: list[str] = []
    quote, quoted, started = "", False, False
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                chars.append(char)
        elif quote == '"':
            if char == '"':
                quote = ""
            elif char == "\\" and line[index + 1 : index + 2] in ('"', "\\"):
                index += 1
                chars.append(line[index])
            else:
                chars.append(char)
        elif char in "'\"":
            quote, quoted, started = char, True, True
        elif char == "\\":
            if index + 1 == len(line):
                raise UsageError("cannot read the line: No escaped character (check the quotes)")
            index += 1
            chars.append(line[index])
            quoted = started = True
        elif char in _SPACE:
            if started:
                words.append(_word("".join(chars), quoted))
            chars, quoted, started = [], False, False
        else:
            chars.append(char)
            started = True
        index += 1
    if quote:
        raise UsageError("cannot read the line: No closing quotation (check the quotes)")
    if started:
        words.append(_word("".join(chars), quoted))
    return words


def interpolate(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace `{name}` with the value of `name` from `namespace`; unknown names stay as written."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(namespace[name]) if name in namespace else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def interpolate_words(words: Sequence[str], namespace: Mapping[str, Any]) -> list[Word]:
    """`interpolate` each word; one whose `{name}` was replaced is text, as if quoted."""
    done = []
    for word in words:
        text = interpolate(word, namespace)
        done.append(_word(text, getattr(word, "quoted", False) or text != word))
    return done


def text_or_variable(words: Sequence[str], namespace: Mapping[str, Any]) -> Any:
    """A lone bare word names a variable: its value (undefined: a UsageError); otherwise the words are text.

    Quote a lone word to send it as text: `%openai embed "hello"`.
    """
    if len(words) == 1 and _names_variable(words[0]):
        name = words[0]
        if name in namespace:
            return namespace[name]
        raise UsageError(
            f"{undefined_name(name, namespace)}; to send the word itself as text, quote it: '{name}'"
        )
    return " ".join(words)


def file_or_variable(word: str, namespace: Mapping[str, Any], what: str) -> Any:
    """The variable a bare `word` names, else `word` as a path (a missing file is reported by the call).

    A bare identifier that is neither a variable nor a file is a UsageError with a "did you mean".
    """
    if not _names_variable(word):
        return word
    if word in namespace:
        return namespace[word]
    if Path(word).exists():
        return word
    raise UsageError(f"{what} {undefined_name(word, namespace, file=True)}")


def undefined_name(name: str, namespace: Mapping[str, Any], *, file: bool = False) -> str:
    """ "'nme' is not a variable in the notebook (did you mean 'name'?)": the start of the error.

    With `file`: "'nme' is neither a variable in the notebook nor a file (did you mean ...)".
    """
    names = [n for n in namespace if is_identifier(n) and not n.startswith("_") and n not in _HIDDEN]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    guess = f" (did you mean {' or '.join(repr(n) for n in close)}?)" if close else ""
    if file:
        return f"{name!r} is neither a variable in the notebook nor a file{guess}"
    return f"{name!r} is not a variable in the notebook{guess}"


def _names_variable(word: str) -> bool:
    return is_identifier(word) and not getattr(word, "quoted", False)


def json_or_variable(word: str, namespace: Mapping[str, Any], what: str) -> Any:
    """A bare word naming a variable is its value; any other word is read as JSON (`what` names it).

    Quoted words are never variables (the rule of `text_or_variable`).
    """
    if _names_variable(word) and word in namespace:
        return namespace[word]
    try:
        return json.loads(word)
    except json.JSONDecodeError as exc:
        hint = "no variable has that name, and " if _names_variable(word) else ""
        raise UsageError(
            f"{what}: {hint}{word[:40]!r} is not JSON ({exc.msg}); give a variable name or JSON text"
        ) from None


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))
