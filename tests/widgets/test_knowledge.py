"""The knowledge panel, driven through its widgets against the sandbox: stores listed, made from
uploaded files, indexing followed in the background, searched with a filter, deleted after asking."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.widgets import KnowledgePanel
from tests.support.media import upload_value
from tests.support.sent import validate_sent

DOCS = {
    "lighthouse.txt": b"The lighthouse keeper climbs the tower at dusk and lights the lamp for the ships.",
    "bread.md": b"# Bread\n\nKnead the dough for ten minutes, then let it rise until it doubles.",
    "garden.txt": b"Tomatoes want sun, water at the roots and a stake to climb.",
}


def uploads(*names: str, extra: dict[str, bytes] | None = None) -> tuple[dict, ...]:
    """What a FileUpload holds after a user picks these files (of DOCS, or `extra`)."""
    contents = {**DOCS, **(extra or {})}
    return tuple(item for name in names for item in upload_value(name, contents[name], "text/plain"))


def html_of(output) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in output.outputs)


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("ow-knowledge-*")}


@pytest.fixture
def indexing(sandbox):
    """The sandbox indexing the files of one request over 0.3 s."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.3
    yield sandbox
    sandbox.index_seconds = before


@pytest.fixture
def panel(client, indexing):
    made = KnowledgePanel(client=client)
    made.watch_interval = 0.05
    yield made
    made.close()


@pytest.fixture
def store(client, indexing):
    """A store of three articles with year and lang attributes."""
    articles = pd.DataFrame(
        {
            "text": [
                "Wind turbines turn wind into power on the coast.",
                "Solar power from panels on every roof.",
                "Wind and solar power share the grid.",
            ],
            "year": [2018, 2021, 2023],
            "lang": ["en", "en", "de"],
        },
        index=["turbines", "panels", "grid"],
    )
    return client.create_vector_store("articles", files=articles)


def test_refresh_lists_the_stores_in_the_table_and_the_picker(panel, store, sandbox):
    sandbox.clear_requests()
    panel.refresh_button.click()

    assert isinstance(panel.frame, pd.DataFrame) and panel.result is panel.frame
    row = panel.frame[panel.frame["id"] == store["id"]].iloc[0]
    assert (row["name"], row["files_completed"]) == ("articles", 3)
    assert f"{store['id']}</td>" in html_of(panel.stores_table)
    assert (f"articles · {store['id']} · 3/3 files", store["id"]) in panel.store_picker.options
    count = len(panel.frame)
    assert panel.status.value == (f"{count} stores" if count > 1 else "1 store")
    assert [r.path for r in sandbox.requests] == ["/vector_stores"]


def test_create_uploads_the_chosen_files_and_follows_indexing_in_the_background(panel, sandbox, spec):
    seen, listed_when_done, results = [], [], []

    def on_progress(change):
        seen.append(change["new"])
        if "is indexed" in change["new"]:  # the table is already new when the final counts show
            listed_when_done.append(panel.frame.set_index("id").loc[results[0]["id"], "files_completed"])

    panel.progress.observe(on_progress, names="value")
    panel.observe(lambda change: results.append(change["new"]), names="result")
    panel.store_name.value = "handbook"
    panel.upload.value = uploads("lighthouse.txt", "bread.md", "garden.txt")
    before = leftovers()

    panel.create_button.click()

    created = results[0]
    assert (created["name"], created["status"]) == ("handbook", "in_progress")  # the click did not wait
    assert panel.store_picker.value == created["id"]
    assert panel.upload.value == () and panel.store_name.value == ""
    assert leftovers() == before  # the files were written to a folder that is gone
    sent = {}
    for logged in sandbox.requests_to("/files", "POST"):
        fields, files = logged.form()
        sent[files["file"][0].filename] = (fields["purpose"], files["file"][0].content)
    assert sent == {name: ("assistants", content) for name, content in DOCS.items()}

    assert panel.join_watching(10)
    assert any("in progress 3" in line or "in progress 2" in line for line in seen), seen
    assert "<b>handbook</b> is indexed: completed 3 · in progress 0 · failed 0 of 3" in panel.progress.value
    assert listed_when_done == [3]
    assert panel.result["status"] == "completed" and panel.result["id"] == created["id"]
    listed = panel.frame.set_index("id").loc[created["id"]]
    assert (listed["files_completed"], listed["files_in_progress"]) == (3, 0)
    assert panel.store_picker.value == created["id"]
    assert validate_sent(sandbox, spec, prefix="/vector_stores") >= 2


def test_the_kernel_thread_is_free_while_the_store_indexes(panel, indexing):
    indexing.index_seconds = 1.0
    panel.upload.value = uploads("garden.txt")
    panel.create_button.click()

    assert panel._watcher is not None and panel._watcher is not threading.current_thread()
    assert panel._watcher.is_alive()
    assert "indexing: completed 0 · in progress 1" in panel.progress.value
    assert panel.join_watching(10)
    assert "is indexed: completed 1" in panel.progress.value


def test_a_file_that_fails_to_index_is_counted_and_named(panel):
    panel.upload.value = uploads("lighthouse.txt", "scan.pdf", extra={"scan.pdf": b"%PDF-1.7\n\x00\x01 bin"})
    panel.create_button.click()
    assert panel.join_watching(10)

    assert "completed 1 · in progress 0 · failed 1 of 2" in panel.progress.value
    shown = html_of(panel.files_view)
    assert "scan.pdf" in shown and "invalid_file" in shown
    assert "lighthouse.txt" not in shown


def test_files_search_cannot_read_are_refused_before_sending(panel, sandbox):
    panel.upload.value = uploads("garden.txt", "photo.png", extra={"photo.png": b"\x89PNG\r\n"})
    panel.create_button.click()

    assert "InvalidInputError" in panel.status.value
    assert "photo.png: file search does not read .png" in panel.status.value
    assert sandbox.requests == []
    assert panel.result is None and panel._watcher is None
    assert len(panel.upload.value) == 2  # kept, to choose again


def test_actions_say_what_to_do_first(panel, sandbox):
    panel.create_button.click()
    assert "Choose files first" in panel.status.value
    panel.search_button.click()
    assert "Refresh and pick a store first" in panel.status.value
    panel.delete_button.click()
    assert panel.confirm.layout.display == "none"
    assert sandbox.requests == []


def test_search_fills_the_results_table_and_shows_the_picked_chunk(panel, store, sandbox, spec):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]
    panel.query.value = "wind power"
    panel.k.value = 2

    panel.search_button.click()

    found = panel.results
    assert panel.result is found
    assert list(found.columns) == ["rank", "score", "file_id", "filename", "text", "attributes"]
    assert found["rank"].tolist() == [1, 2]
    assert found["filename"][0] in ("row-turbines.txt", "row-grid.txt")
    assert "row-" in html_of(panel.results_table) and "<table" in html_of(panel.results_table)
    assert [label for label, _ in panel.result_picker.options] == [
        f"{row.rank}. {row.filename} ({row.score:.3f})" for row in found.itertuples()
    ]
    assert panel.chunk.value == found["text"][0]
    panel.result_picker.value = 1
    assert panel.chunk.value == found["text"][1]
    assert panel.status.value == "2 results for 'wind power'"
    body = sandbox.requests_to(f"/vector_stores/{store['id']}/search", "POST")[-1].json()
    assert body == {"query": "wind power", "max_num_results": 2, "rewrite_query": False}
    spec.validate_request("POST", f"/vector_stores/{store['id']}/search", body)


def test_search_takes_a_filter_in_the_short_form(panel, store, sandbox):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]
    panel.query.value = "power"
    panel.filters.value = '{"year": [">=", 2021], "lang": "en"}'

    panel.search_button.click()

    assert panel.results["filename"].tolist() == ["row-panels.txt"]
    assert panel.results["attributes"][0] == {"year": 2021, "lang": "en"}
    body = sandbox.requests_to(f"/vector_stores/{store['id']}/search", "POST")[-1].json()
    assert body["filters"] == {
        "type": "and",
        "filters": [
            {"type": "gte", "key": "year", "value": 2021},
            {"type": "eq", "key": "lang", "value": "en"},
        ],
    }


def test_no_match_and_a_bad_filter_are_told_in_the_status_line(panel, store, sandbox):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]
    panel.query.value = "power"
    panel.filters.value = '{"year": [">=", 2030]}'
    panel.search_button.click()
    assert len(panel.results) == 0 and panel.chunk.value == ""
    assert "Nothing matches" in panel.status.value

    kept = panel.results
    sandbox.clear_requests()
    panel.filters.value = "{year: 2020"
    panel.search_button.click()
    assert "InvalidInputError" in panel.status.value and "the filter is not valid JSON" in panel.status.value
    assert sandbox.requests == []
    assert panel.results is kept


def test_add_puts_uploaded_files_into_the_picked_store(panel, store, sandbox):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]
    panel.upload.value = uploads("bread.md")

    panel.add_button.click()

    assert panel.result["filename"].tolist() == ["bread.md"]
    assert "bread.md" in html_of(panel.files_view)
    assert panel.join_watching(10)
    assert "is indexed: completed 4 · in progress 0 · failed 0 of 4" in panel.progress.value
    assert panel.frame.set_index("id").loc[store["id"], "files_completed"] == 4


def test_files_shows_the_picked_stores_files(panel, store):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]
    panel.files_button.click()

    assert sorted(panel.result["filename"]) == ["row-grid.txt", "row-panels.txt", "row-turbines.txt"]
    assert "row-grid.txt" in html_of(panel.files_view)
    assert panel.status.value == f"3 files in {store['id']}"


def test_delete_asks_first_and_keep_sends_nothing(panel, store, sandbox, client):
    panel.refresh_button.click()
    panel.store_picker.value = store["id"]

    panel.delete_button.click()
    assert panel.confirm.layout.display == ""
    assert f"Delete <b>articles · {store['id']} · 3/3 files</b>?" in panel.confirm_question.value
    panel.keep_button.click()
    assert panel.confirm.layout.display == "none"
    assert sandbox.requests_to(f"/vector_stores/{store['id']}", "DELETE") == []

    panel.delete_button.click()
    panel.confirm_button.click()
    assert panel.confirm.layout.display == "none"
    assert panel.result == {"id": store["id"], "object": "vector_store.deleted", "deleted": True}
    assert store["id"] not in set(panel.frame["id"])
    assert store["id"] not in [value for _, value in panel.store_picker.options]
    assert panel.status.value == f"deleted {store['id']}"
    with pytest.raises(ow.NotFoundError):
        client.vector_store(store["id"])


def test_deleting_the_store_being_indexed_stops_following_it(panel, indexing):
    indexing.index_seconds = 5.0
    panel.upload.value = uploads("garden.txt")
    panel.create_button.click()
    store_id = panel.store_picker.value
    assert panel._watcher.is_alive()

    panel.delete_button.click()
    panel.confirm_button.click()

    assert panel.join_watching(0)  # stopped, not waiting for the indexing to end
    assert panel.status.value == f"deleted {store_id}"  # and no NotFoundError from a last look
    assert panel.progress.value == ""
    assert panel.result["deleted"] is True


def test_the_studio_has_the_knowledge_tab(connected):
    studio = ow.studio("knowledge")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Knowledge"
    assert isinstance(studio.panels["knowledge"], KnowledgePanel)
    studio.close()
