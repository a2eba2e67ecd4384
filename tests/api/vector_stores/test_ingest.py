"""Filling vector stores against the sandbox: folders, globs, File IDs and DataFrames uploaded, one
polled file batch, failing files reported, reruns that skip what is attached, Ctrl-C that loses nothing."""

from __future__ import annotations

import re
import signal
import threading

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._files import parts
from openai_widgets.api import vector_store_files as ingest_module
from openai_widgets.api.vector_store_files import FIRST_POLL
from tests.support.sent import validate_sent

from .conftest import TEXTS

ROW_COLUMNS = [
    "file_id",
    "filename",
    "status",
    "last_error",
    "attributes",
    "usage_bytes",
    "created_at",
    "chunking_strategy",
    "skipped",
]


def uploads(sandbox):
    """(filename, purpose, content) of each POST /files the sandbox answered with 200."""
    sent = []
    for logged in sandbox.requests_to("/files", "POST"):
        if logged.status == 200:
            fields, files = logged.form()
            sent.append((files["file"][0].filename, fields["purpose"], files["file"][0].content))
    return sent


def batch_bodies(sandbox):
    return [r.json() for r in sandbox.requests if r.method == "POST" and r.path.endswith("/file_batches")]


def interrupt_main_thread():
    """What Ctrl-C does: SIGINT to the main thread, which raises KeyboardInterrupt where it waits."""
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


# -- folders, globs, IDs ---------------------------------------------------------------------


def test_a_folder_becomes_a_store_and_the_failing_file_is_named(stores, sandbox, spec, sleeps, docs, scan):
    with pytest.warns(
        UserWarning, match=r"1 of 4 files failed to index in vs_\w+: scan.pdf \(invalid_file: "
    ):
        store = stores.create_vector_store("handbook", files=docs, metadata={"team": "docs"})

    assert isinstance(store, ow.Record)
    assert (store["name"], store["status"], store["metadata"]) == ("handbook", "completed", {"team": "docs"})
    assert store["file_counts"] == {"in_progress": 0, "completed": 3, "failed": 1, "cancelled": 0, "total": 4}
    sent = uploads(sandbox)
    assert sorted(name for name, _, _ in sent) == ["bread.md", "garden.txt", "lighthouse.txt", "scan.pdf"]
    assert {purpose for _, purpose, _ in sent} == {"assistants"}
    assert {name: content for name, _, content in sent}["garden.txt"] == TEXTS["notes/garden.txt"].encode()
    (batch,) = batch_bodies(sandbox)
    assert set(batch) == {"file_ids"} and len(batch["file_ids"]) == 4
    polls = sandbox.requests_to(f"/vector_stores/{store['id']}/file_batches/", "GET")
    assert any(r.path.count("/") == 4 for r in polls), "the batch was polled"
    assert sleeps[0] == FIRST_POLL and sleeps == sorted(sleeps), "polls slow down"
    assert validate_sent(sandbox, spec) == 6  # the store, four files, the batch


def test_adding_files_returns_one_row_each_with_status_and_error(stores, docs, scan):
    store = stores.create_vector_store("rows")

    frame = stores.add_vector_store_files(store["id"], docs)

    assert list(frame.columns) == ROW_COLUMNS
    assert frame["filename"].tolist() == [
        "bread.md",
        "lighthouse.txt",
        "garden.txt",
        "scan.pdf",
    ]  # path order
    assert frame["status"].tolist() == ["completed", "completed", "completed", "failed"]
    assert frame["last_error"][:3].isna().all()
    assert frame["last_error"][3].startswith("invalid_file: The file scan.pdf could not be read as text")
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert frame["usage_bytes"].dtype == "int64" and (frame["usage_bytes"][:3] > 0).all()
    assert frame["skipped"].dtype == bool and not frame["skipped"].any()
    assert frame["file_id"].str.startswith("file-").all()


def test_a_glob_pattern_takes_the_matching_files(stores, sandbox, docs):
    store = stores.create_vector_store("glob")

    frame = stores.add_vector_store_files(store["id"], str(docs / "**" / "*.txt"))

    assert frame["filename"].tolist() == ["lighthouse.txt", "garden.txt"]  # path order; hidden files skipped
    assert sorted(name for name, _, _ in uploads(sandbox)) == ["garden.txt", "lighthouse.txt"]


def test_file_ids_paths_and_tables_mix_in_one_list(stores, sandbox, docs):
    made = stores.upload_file(b"Sailing needs wind and a good map.", "assistants", filename="sailing.txt")
    store = stores.create_vector_store("mixed")
    sandbox.clear_requests()

    frame = stores.add_vector_store_files(
        store["id"], [made["id"], docs / "bread.md", pd.Series(["one line"], name="note")]
    )

    assert frame["filename"].tolist() == ["sailing.txt", "bread.md", "row-0.txt"]
    assert frame["file_id"][0] == made["id"]
    assert (frame["status"] == "completed").all()
    assert sorted(name for name, _, _ in uploads(sandbox)) == ["bread.md", "row-0.txt"]  # the ID is not sent


# -- tables ----------------------------------------------------------------------------------


def test_a_dataframe_gives_one_document_per_row_with_its_columns_as_attributes(stores, sandbox, spec):
    table = pd.DataFrame(
        {
            "text": ["Solar panels on roofs.", "Wind farms at sea.", "Hydro power in the hills."],
            "year": [2019, 2022, 2024],
            "lang": ["en", "en", "de"],
            "score": [0.5, float("nan"), 1.25],
            "reviewed": [True, False, True],
            "published": pd.to_datetime(["2019-03-01", "2022-06-15", "2024-01-31"]),
        },
        index=["solar", "wind", "hydro"],
    )
    store = stores.create_vector_store("energy")

    frame = stores.add_vector_store_files(store["id"], table)

    assert frame["filename"].tolist() == ["row-solar.txt", "row-wind.txt", "row-hydro.txt"]
    assert frame["attributes"].tolist() == [
        {"year": 2019, "lang": "en", "score": 0.5, "reviewed": True, "published": 1551398400},
        {"year": 2022, "lang": "en", "reviewed": False, "published": 1655251200},  # NaN left out
        {"year": 2024, "lang": "de", "score": 1.25, "reviewed": True, "published": 1706659200},
    ]
    assert sorted(content.decode() for _, _, content in uploads(sandbox)) == sorted(table["text"])
    (batch,) = batch_bodies(sandbox)
    assert set(batch) == {"files"}, "attributes differ, so each file carries its own"
    assert [entry["attributes"] for entry in batch["files"]] == frame["attributes"].tolist()
    assert validate_sent(sandbox, spec) >= 5
    listed = stores.vector_store_files(store["id"])
    assert sorted(map(str, listed["attributes"])) == sorted(map(str, frame["attributes"]))


def test_the_text_column_is_text_the_only_string_column_or_named(stores, sandbox):
    two = pd.DataFrame({"title": ["A", "B"], "body": ["first body", "second body"], "n": [1, 2]})
    with pytest.raises(
        ow.InvalidInputError, match=r"its columns of text are title, body; name it with text_column="
    ):
        stores.add_vector_store_files("vs_anything", two)
    assert sandbox.requests == []

    store = stores.create_vector_store("columns")
    frame = stores.add_vector_store_files(store["id"], two, text_column="body")
    assert frame["attributes"].tolist() == [{"title": "A", "n": 1}, {"title": "B", "n": 2}]
    assert stores.vector_store_file_content(store["id"], frame["file_id"][1]) == "second body"

    only = pd.DataFrame({"id": [7], "words": ["the only text column"]})
    frame = stores.add_vector_store_files(store["id"], only)
    assert stores.vector_store_file_content(store["id"], frame["file_id"][0]) == "the only text column"
    assert frame["attributes"][0] == {"id": 7}


# -- what goes in the batch ------------------------------------------------------------------


def test_shared_attributes_and_chunking_go_once_in_the_batch(stores, sandbox, spec, docs):
    store = stores.create_vector_store("shared")

    frame = stores.add_vector_store_files(store["id"], docs, attributes={"team": "docs"}, chunking=(200, 50))

    (batch,) = batch_bodies(sandbox)
    assert batch["attributes"] == {"team": "docs"}
    assert batch["chunking_strategy"] == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50},
    }
    assert frame["attributes"].tolist() == [{"team": "docs"}] * 3
    assert frame["chunking_strategy"][0]["static"]["max_chunk_size_tokens"] == 200
    assert validate_sent(sandbox, spec) == 5


def test_without_wait_the_files_come_back_in_progress(stores, sandbox, docs):
    sandbox.index_seconds = 30
    store = stores.create_vector_store("later")

    frame = stores.add_vector_store_files(store["id"], docs, wait=False)

    assert (frame["status"] == "in_progress").all()
    assert not [
        r
        for r in sandbox.requests_to(f"/vector_stores/{store['id']}/file_batches/", "GET")
        if r.path.count("/") == 4
    ]


def test_a_large_document_goes_through_the_uploads_api(stores, sandbox, spec, monkeypatch, tmp_path):
    monkeypatch.setattr(parts, "PART_BYTES", 64 * 1024)
    big = tmp_path / "manual.txt"
    big.write_text("Turn the valve slowly. " * 9000)  # 207 000 bytes: four parts
    store = stores.create_vector_store("large")

    frame = stores.add_vector_store_files(store["id"], big)

    assert frame["status"].tolist() == ["completed"]
    assert len(sandbox.requests_to("/uploads/", "POST")) == 5  # four parts and the completion
    assert sandbox.requests_to("/files", "POST") == []
    assert stores.vector_store_file_content(store["id"], frame["file_id"][0]) == big.read_text()
    assert validate_sent(sandbox, spec) >= 7


# -- reruns ----------------------------------------------------------------------------------


def test_running_again_skips_attached_files_and_retries_failed_ones_without_uploading(
    stores, sandbox, spec, docs, scan
):
    store = stores.create_vector_store("again")
    first = stores.add_vector_store_files(store["id"], docs)
    sandbox.clear_requests()

    again = stores.add_vector_store_files(store["id"], docs)

    assert uploads(sandbox) == [], "nothing is uploaded twice"
    assert again["skipped"].tolist() == [True, True, True, False]
    assert again["file_id"].tolist() == first["file_id"].tolist()
    (batch,) = batch_bodies(sandbox)
    assert batch == {"file_ids": [first["file_id"][3]]}, "the failed file is added again by its ID"
    assert again["status"].tolist() == ["completed", "completed", "completed", "failed"]

    (docs / "new.txt").write_text("A new page about kites and wind.")
    sandbox.clear_requests()
    third = stores.add_vector_store_files(store["id"], docs)
    assert [name for name, _, _ in uploads(sandbox)] == ["new.txt"]
    assert third.loc[third["filename"] == "new.txt", "skipped"].tolist() == [False]
    assert validate_sent(sandbox, spec) >= 2


def test_a_local_file_matches_by_name_and_size(stores, sandbox, docs):
    """The documented rule: same filename and size counts as attached, even with other bytes."""
    store = stores.create_vector_store("rule")
    stores.add_vector_store_files(store["id"], docs / "bread.md")
    text = (docs / "bread.md").read_text()
    (docs / "bread.md").write_text(text.upper())  # same length
    sandbox.clear_requests()

    assert stores.add_vector_store_files(store["id"], docs / "bread.md")["skipped"].tolist() == [True]
    (docs / "bread.md").write_text(text + "!")
    assert stores.add_vector_store_files(store["id"], docs / "bread.md")["skipped"].tolist() == [False]
    assert [name for name, _, _ in uploads(sandbox)] == ["bread.md"]


# -- Ctrl-C and failures ---------------------------------------------------------------------


def test_ctrl_c_while_polling_leaves_the_batch_indexing(stores, sandbox, sleeps, docs):
    store = stores.create_vector_store("interrupted")

    def ctrl_c(seconds):
        raise KeyboardInterrupt

    stores.sleep = ctrl_c
    with pytest.raises(ow.IndexingInterrupted) as caught:
        stores.add_vector_store_files(store["id"], docs)

    error = caught.value
    assert isinstance(error, KeyboardInterrupt)
    assert error.vector_store_id == store["id"] and len(error.batch_ids) == 1 and len(error.file_ids) == 3
    assert f"ow.vector_store_files('{store['id']}')" in str(error)
    assert "run the same call again" in str(error)
    assert not [r for r in sandbox.requests if r.path.endswith("/cancel")], "the batch is not cancelled"
    uploaded = len(uploads(sandbox))

    stores.sleep = sleeps.append
    again = stores.add_vector_store_files(store["id"], docs)

    assert len(uploads(sandbox)) == uploaded == 3, "nothing uploaded twice"
    assert again["skipped"].all()
    assert (again["status"] == "completed").all(), "the rerun waits for the files still indexing"


def test_a_store_created_with_files_and_stopped_says_to_add_the_files_to_it(stores, sandbox, sleeps, docs):
    def ctrl_c(seconds):
        raise KeyboardInterrupt

    stores.sleep = ctrl_c
    with pytest.raises(ow.IndexingInterrupted) as caught:
        stores.create_vector_store("made", files=docs)

    store_id = caught.value.vector_store_id
    assert f"run ow.add_vector_store_files('{store_id}', ...) with the same files" in str(caught.value)
    stores.sleep = sleeps.append
    frame = stores.add_vector_store_files(store_id, docs)
    assert frame["skipped"].all() and (frame["status"] == "completed").all()
    assert len(sandbox.requests_to("/vector_stores", "POST")) == 2, "one store, one batch"


def test_ctrl_c_during_the_uploads_attaches_what_was_uploaded(stores, sandbox, docs, monkeypatch):
    monkeypatch.setattr(ingest_module, "FILE_WORKERS", 1)
    store = stores.create_vector_store("stopped")

    def after_first_upload(info):
        if info.method == "POST" and info.path == "/files" and info.status == 200:
            stores.remove_listener(after_first_upload)
            interrupt_main_thread()

    stores.add_listener(after_first_upload)
    with pytest.raises(
        ow.IndexingInterrupted, match=r"stopped: \d of 3 files were uploaded and added to vs_"
    ) as caught:
        stores.add_vector_store_files(store["id"], docs)

    done = caught.value.file_ids
    assert 1 <= len(done) < 3
    (batch,) = batch_bodies(sandbox)
    assert batch["file_ids"] == done
    frame = stores.add_vector_store_files(store["id"], docs)
    assert len(uploads(sandbox)) == 3, "each file uploaded once over both calls"
    assert frame["skipped"].sum() == len(done)
    assert (frame["status"] == "completed").all()


def test_a_failed_upload_attaches_the_others_and_says_how_to_go_on(stores, sandbox, docs):
    store = stores.create_vector_store("failing")
    sandbox.inject("status", path="/files", method="POST", status=400)

    with pytest.raises(ow.BadRequestError) as caught:
        stores.add_vector_store_files(store["id"], docs)

    (note,) = caught.value.__notes__
    assert re.match(rf"[0-2] of 3 files were uploaded and added to {store['id']}", note)
    assert note.endswith(
        "run the same call again to upload the rest: files already in the store are skipped."
    )
    frame = stores.add_vector_store_files(store["id"], docs)
    assert len(uploads(sandbox)) == 3
    assert (frame["status"] == "completed").all()


# -- refused before sending ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "options", "error", "message"),
    [
        ([], {}, ow.InvalidInputError, "files is empty"),
        ("nowhere.txt", {}, ow.InvalidInputError, "is not a file, a folder, a glob pattern or a File ID"),
        ("{docs}/photo.png", {}, ow.InvalidInputError, r"photo.png: file search does not read .png"),
        ("{docs}/*.png", {}, ow.InvalidInputError, r"holds no file that file search reads \(only .png\)"),
        ("{docs}/missing/*.txt", {}, ow.InvalidInputError, "holds no file that file search reads;"),
        (42, {}, ow.InvalidTypeError, "not int"),
        ("{docs}", {"attributes": {"tags": ["a"]}}, ow.InvalidTypeError, r"attributes\['tags'\] is a list"),
        ("{docs}", {"attributes": {f"k{n}": n for n in range(17)}}, ow.InvalidInputError, "at most 16"),
        ("{docs}", {"chunking": (50, 10)}, ow.InvalidInputError, "chunks hold 100 to 4096 tokens, not 50"),
        (
            "{docs}",
            {"chunking": (800, 500)},
            ow.InvalidInputError,
            r"overlap must be 0 to half the chunk size \(400\)",
        ),
        ("{docs}", {"chunking": "fixed"}, ow.InvalidInputError, "is not 'auto'"),
        ("{docs}", {"wait": "yes"}, ow.InvalidTypeError, "wait must be True or False"),
        ("table-blank", {}, ow.InvalidInputError, "row 1 has no text in column 'text'"),
        ("table-wide", {}, ow.InvalidInputError, "the table has 17 columns besides 'text'"),
        ("table-list", {}, ow.InvalidTypeError, r"column 'tags', row 0 is a list"),
        ("table-wide", {"text_column": "body"}, ow.InvalidInputError, "text_column 'body' is not a column"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(stores, sandbox, docs, files, options, error, message):
    tables = {
        "table-blank": pd.DataFrame({"text": ["fine", None]}),
        "table-wide": pd.DataFrame({"text": ["t"], **{f"c{n}": [n] for n in range(17)}}),
        "table-list": pd.DataFrame({"text": ["t"], "tags": [["a", "b"]]}),
    }
    if isinstance(files, str):
        files = tables.get(files, files.replace("{docs}", str(docs)))
    with pytest.raises(error, match=message):
        stores.add_vector_store_files("vs_anything", files, **options)
    assert sandbox.requests == []
