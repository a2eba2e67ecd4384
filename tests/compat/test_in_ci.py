"""The compatibility suites run wherever the README's test command runs, CI included.

CI (`.ci/run`) runs the README's test command verbatim (tests/contract/test_readme.py
checks that); these checks keep that command collecting this folder with its second
server installed, so a regression in compatibility fails CI rather than going unseen.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = (ROOT / "pyproject.toml").read_text()


def setting(name: str) -> str:
    """One `name = value` line of pyproject.toml (read as text: tomllib needs Python 3.11)."""
    (value,) = re.findall(rf"^{name} = (.*)$", PYPROJECT, re.MULTILINE)
    return value


def extra(name: str) -> list[str]:
    """The requirements of one optional-dependencies list."""
    (block,) = re.findall(rf"^{name} = \[(.*?)^\]", PYPROJECT, re.MULTILINE | re.DOTALL)
    return re.findall(r'"([^"]+)"', block)


def test_the_default_test_run_collects_this_folder():
    assert setting("testpaths") == '["tests"]'
    addopts = setting("addopts")
    assert "compat" not in addopts and not re.search(r"(^|\s)-m\b", addopts), addopts
    markers = [
        marker
        for path in Path(__file__).parent.glob("test_*.py")
        for marker in re.findall(r"pytest\.mark\.(browser|notebooks|skip)\b", path.read_text())
    ]
    assert markers == [], 'a compat test is left out of the README\'s `-m "not browser"` run'


def test_the_test_extra_installs_the_second_server_and_the_sdk():
    own = [re.search(r"\[(.*)\]", r) for r in extra("test") if r.startswith("openai-widgets[")]
    assert any(match and "compat" in match.group(1).split(",") for match in own)
    names = {re.split(r"[<>=~!\[ ]", requirement)[0] for requirement in extra("compat")}
    assert {"llmock", "openai"} <= names
    readme = (ROOT / "README.md").read_text()
    assert 'pip install -e ".[test]" && python -m pytest' in readme


def test_ci_runs_the_readme_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && python -m pytest' in script
