"""respond() with file_search over a vector store made by ow.create_vector_store: citations as a DataFrame."""

from __future__ import annotations

import pytest

from tests.support.responses import bodies_sent

DOCUMENTS = {
    "lighthouse.txt": "The lighthouse keeper climbs the tower at dusk and lights the great lamp for the ships.",
    "bread.md": "# Bread\n\nKnead the dough for ten minutes, then let it rise until it doubles.",
}


@pytest.fixture
def store(client, sandbox, tmp_path):
    """A vector store of two documents, indexed (the sandbox indexes them over 0.1 s)."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.1
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text)
    made = client.create_vector_store("handbook", files=folder)
    yield made
    sandbox.index_seconds = before


def test_file_search_answers_with_file_citations(sandbox, client, spec, store):
    sandbox.clear_requests()
    result = client.respond(
        "What do the documents say about the lighthouse keeper?",
        tools=["file_search"],
        vector_store_ids=[store["id"]],
        include=["file_search_call.results"],
    )
    (body,) = bodies_sent(sandbox, spec)
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": [store["id"]]}]
    citations = result.citations
    assert len(citations) >= 1
    assert set(citations["type"]) == {"file_citation"}
    files = {row.file_id: row.filename for row in client.vector_store_files(store["id"]).itertuples()}
    first = citations.iloc[0]
    assert first["filename"] == "lighthouse.txt"
    assert files[first["file_id"]] == "lighthouse.txt"
    assert first["url"] is None and first["start"] >= 0
    assert "lighthouse keeper" in result.text
    assert (
        "- ⚙ file search `What do the documents say about the lighthouse keeper?` (completed)"
        in result.markdown()
    )
    assert f"lighthouse.txt (`{first['file_id']}`)" in result.markdown()
    searched = result.output.query("type == 'file_search_call'")
    assert searched["tool"].tolist() == ["file_search"]
    assert "lighthouse.txt" in searched["text"].iloc[0]  # the results, asked for with include
