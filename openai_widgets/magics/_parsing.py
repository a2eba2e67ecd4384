"""Argument parsing for magics: argparse that speaks in one-line UsageErrors."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError

__all__ = ["HelpShown", "MagicArgumentParser", "interpolate", "split_line", "text_or_variable"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class HelpShown(Exception):
    """`--help` was printed; the magic returns nothing."""


class MagicArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are UsageErrors and whose --help does not exit the kernel."""

    def __init__(self, prog: str, description: str | None = None, **kwargs: Any) -> None:
        super().__init__(prog=prog, description=description, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            print(message)
        raise HelpShown()


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


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))
