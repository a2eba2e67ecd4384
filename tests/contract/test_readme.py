"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re

from tests.support.browser import ROOT


def commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_the_two_commands():
    first, second = commands()[:2]
    assert "notebooks/quickstart.ipynb" in first
    assert second.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands()[1] in ci.splitlines()
