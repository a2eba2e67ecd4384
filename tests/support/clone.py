"""What the test run may not change: the state of the git checkout it runs in."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATE_AT_START = pytest.StashKey[dict]()  # set by tests/conftest.py when the run starts


def checkout_state(root: Path = ROOT) -> dict[str, str] | None:
    """`git status --porcelain` as {path: status and content hash}; None outside a git checkout.

    The hash catches a file that was already changed before the run and is changed again.
    """
    if shutil.which("git") is None or not root.is_dir():
        return None
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "-z"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    state = {}
    for entry in filter(None, done.stdout.split("\0")):
        status, path = entry[:2], entry[3:]
        file = root / path
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16] if file.is_file() else "-"
        state[path] = f"{status} {digest}"
    return state
