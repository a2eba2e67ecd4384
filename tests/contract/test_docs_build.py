"""The documentation site builds with warnings as errors and leaves the clone unchanged.

`mkdocs build --strict` fails on a broken internal link, a reference that does not
resolve or a notebook cell that raises (the notebooks are executed against the sandbox
while the site is built). Skipped unless the `docs` extra is installed; the build is the
run's one `docs_site` (tests/conftest.py), which tests/e2e/test_docs_site.py reads in Chromium.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.docs


def test_the_site_builds_strictly_and_leaves_the_clone_unchanged(docs_site):
    assert docs_site.returncode == 0, docs_site.stderr[-3000:]
    assert docs_site.clone_after == docs_site.clone_before
    site = docs_site.site
    for page in ("areas/chat", "areas/vector-stores", "reference/functions", "notebooks/images"):
        assert (site / page / "index.html").is_file(), page
    assert "data:image/png" in (site / "notebooks/images/index.html").read_text()  # outputs rendered
    assert 'id="openai_widgets.chat"' in (site / "reference/functions/index.html").read_text()
