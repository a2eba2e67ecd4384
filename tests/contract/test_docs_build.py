"""The documentation site builds with warnings as errors and leaves the clone unchanged.

`mkdocs build --strict` fails on a broken internal link, a reference that does not
resolve or a notebook cell that raises (the notebooks are executed against the sandbox
while the site is built). Skipped unless the `docs` extra is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocs_jupyter")
pytest.importorskip("mkdocstrings")

pytestmark = pytest.mark.docs


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_site_builds_strictly_and_leaves_the_clone_unchanged(tmp_path):
    before = git_status()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert git_status() == before
    for page in ("areas/chat", "areas/vector-stores", "reference/functions", "notebooks/images"):
        assert (site / page / "index.html").is_file(), page
    assert "data:image/png" in (site / "notebooks/images/index.html").read_text()  # outputs rendered
    assert 'id="openai_widgets.chat"' in (site / "reference/functions/index.html").read_text()
