"""Fixtures for the vector store tests: a client whose store indexes quickly, a folder of documents."""

from __future__ import annotations

import pytest

TEXTS = {
    "lighthouse.txt": "The lighthouse keeper climbs the tower at dusk and lights the great lamp for the ships.",
    "bread.md": "# Bread\n\nKnead the dough for ten minutes, then let it rise until it doubles.",
    "notes/garden.txt": "Tomatoes want sun, water at the roots and a stake to climb.",
}


@pytest.fixture
def stores(client, sandbox):
    """`client`, with the sandbox indexing the files of one request over 0.2 s."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.2
    yield client
    sandbox.index_seconds = before


@pytest.fixture
def docs(tmp_path):
    """A folder of three text documents (one in a subfolder), plus files a store must not take:
    a hidden file, a hidden folder and a PNG."""
    folder = tmp_path / "docs"
    for name, text in TEXTS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / ".secret.txt").write_text("hidden")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "old.txt").write_text("hidden too")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


@pytest.fixture
def scan(docs):
    """A PDF the sandbox cannot read (binary): indexing it fails with invalid_file."""
    path = docs / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02 binary stream")
    return path
