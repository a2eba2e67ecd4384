"""The test run leaves the clone as it found it: no file written, changed or left behind.

Run last (tests/conftest.py orders it so): screenshots, notebooks, caches and uploads all
go to temporary folders. The state is taken when the run starts, so a checkout that had
uncommitted changes before is compared with itself; a fresh clone (CI) must stay clean.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.support.clone import STATE_AT_START, checkout_state


def test_the_run_left_the_clone_unchanged(request):
    before = request.config.stash.get(STATE_AT_START, None)
    after = checkout_state()
    if before is None or after is None:
        pytest.skip("not in a git checkout")
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert changed == [], f"the test run changed or left these files: {changed}"


def test_the_check_sees_new_changed_and_deleted_files(tmp_path):
    def git(*words):
        subprocess.run(["git", *words], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "kept.txt").write_text("one")
    (tmp_path / "gone.txt").write_text("two")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    assert checkout_state(tmp_path) == {}
    (tmp_path / "kept.txt").write_text("changed")
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "new.png").write_bytes(b"png")
    state = checkout_state(tmp_path)
    assert set(state) == {"kept.txt", "gone.txt", "docs/new.png"}
    assert state["docs/new.png"].startswith("??")
    first = state["kept.txt"]
    (tmp_path / "kept.txt").write_text("changed again")
    assert checkout_state(tmp_path)["kept.txt"] != first  # changed again: seen too
    assert checkout_state(tmp_path.parent / "nowhere") is None
