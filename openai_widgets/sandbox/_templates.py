"""`{{item.field}}` and `{{sample.output_text}}` templates, as graders and eval runs use them.

A template names a value by a dotted path into a namespace (`item`, `sample`). Graders
say which variables they use before anything runs (`variables`), so a bad name is
refused when a grader is validated; `render` then fills them in and raises
`MissingVariable` when the data lacks one.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MissingVariable", "lookup", "render", "variables"]

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


class MissingVariable(LookupError):
    """A template names a value the namespace does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def variables(text: Any) -> list[str]:
    """The dotted names a template uses, in order (`["item.answer", "sample.output_text"]`)."""
    return _VARIABLE.findall(text) if isinstance(text, str) else []


def lookup(namespace: dict[str, Any], name: str) -> Any:
    """The value at a dotted path (`item.answer.text`); list items by index (`item.tags.0`)."""
    node: Any = namespace
    for part in name.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise MissingVariable(name)
    return node


def render(text: str, namespace: dict[str, Any]) -> str:
    """The template with every variable replaced by its value (objects as JSON)."""

    def value(match: re.Match[str]) -> str:
        found = lookup(namespace, match.group(1))
        if found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found)

    return _VARIABLE.sub(value, text)
