"""The API reference (docs/reference/) documents every public name, and only names that exist.

The reference pages hold mkdocstrings directives, `::: openai_widgets.chat`. A name counts
as documented when a directive resolves to the very object the public name is, so a lazy
name may be documented where it is defined (`::: openai_widgets._media.speech.Speech` for
`ow.Speech`). The site build (tests/contract/test_docs_build.py) renders them.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import openai_widgets as ow

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
DIRECTIVE = re.compile(r"^:::\s+(openai_widgets(?:\.\w+)*)\s*$", re.MULTILINE)


def directives() -> list[str]:
    return [path for page in sorted(REFERENCE.glob("*.md")) for path in DIRECTIVE.findall(page.read_text())]


def resolve(dotted: str) -> Any:
    """The object a directive names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def documented() -> list[Any]:
    return [resolve(path) for path in directives()]


def missing(module: Any) -> list[str]:
    objects = documented()
    return [
        name
        for name in module.__all__
        if not any(getattr(module, name) is obj for obj in objects)
        and f"{module.__name__}.{name}" not in directives()
    ]


def test_the_directives_are_found():
    assert "openai_widgets.chat" in directives()
    assert len(directives()) >= len(ow.__all__)


def test_every_public_name_is_in_the_reference():
    assert missing(ow) == [], "add a `::: openai_widgets.<name>` line to a page in docs/reference/"


def test_every_widget_is_in_the_reference():
    import openai_widgets.widgets as widgets

    assert missing(widgets) == [], "add the panel to docs/reference/widgets.md"


def test_the_sandbox_is_in_the_reference():
    import openai_widgets.sandbox as sandbox

    assert "openai_widgets.sandbox" in directives()
    text = (REFERENCE / "sandbox.md").read_text()
    assert [name for name in sandbox.__all__ if name not in text] == []


@pytest.mark.parametrize("path", directives())
def test_every_directive_names_something_that_exists(path):
    resolve(path)


def test_the_check_fails_for_a_name_left_out(monkeypatch):
    """The check can fail: a public name no page documents is reported."""

    def brand_new() -> None:
        """Not documented anywhere."""

    monkeypatch.setattr(ow, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(ow, "__all__", [*ow.__all__, "brand_new"])
    assert missing(ow) == ["brand_new"]
