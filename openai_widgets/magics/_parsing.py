"""Argument parsing for magics: argparse that speaks in one-line UsageErrors."""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from IPython.core.error import UsageError

__all__ = [
    "HelpShown",
    "MagicArgumentParser",
    "add_out_option",
    "interpolate",
    "is_identifier",
    "json_or_variable",
    "split_line",
    "text_or_variable",
]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HELP = ("-h", "--help")


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


def split_line(line: str) -> list[str]:
    """Words of a magic line, shell-style (quotes group words)."""
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise UsageError(f"cannot read the line: {exc} (check the quotes)") from None


def interpolate(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace `{name}` with the value of `name` from `namespace`; unknown names stay as written."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(namespace[name]) if name in namespace else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def text_or_variable(words: list[str], namespace: Mapping[str, Any]) -> Any:
    """A lone word naming a variable is that variable's value; otherwise the words are text."""
    if len(words) == 1 and _IDENTIFIER.match(words[0]) and words[0] in namespace:
        return namespace[words[0]]
    return " ".join(words)


def json_or_variable(word: str, namespace: Mapping[str, Any], what: str) -> Any:
    """A word naming a variable is its value; any other word is read as JSON (`what` names it)."""
    if _IDENTIFIER.match(word) and word in namespace:
        return namespace[word]
    try:
        return json.loads(word)
    except json.JSONDecodeError as exc:
        hint = "no variable has that name, and " if _IDENTIFIER.match(word) else ""
        raise UsageError(
            f"{what}: {hint}{word[:40]!r} is not JSON ({exc.msg}); give a variable name or JSON text"
        ) from None


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))
