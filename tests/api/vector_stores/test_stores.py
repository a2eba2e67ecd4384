"""Vector stores and their files against the sandbox: create, list, retrieve, update, delete;
a file's content, attributes and removal; stable columns and dtypes, also when empty."""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.sandbox import Sandbox
from tests.conftest import TEST_KEY
from tests.support.sent import validate_sent

STORE_COLUMNS = [
    "id",
    "name",
    "status",
    "files_completed",
    "files_in_progress",
    "files_failed",
    "files_cancelled",
    "files_total",
    "usage_bytes",
    "created_at",
    "last_active_at",
    "expires_at",
    "metadata",
]
FILE_COLUMNS = ["file_id", "filename", "status", "last_error", "attributes", "usage_bytes", "created_at"]
COUNTS = ["files_completed", "files_in_progress", "files_failed", "files_cancelled", "files_total"]


def test_a_store_is_created_listed_updated_and_deleted(stores, sandbox, spec):
    store = stores.create_vector_store("policies", expires_after=7, metadata={"owner": "hr"})
    assert store["expires_after"] == {"anchor": "last_active_at", "days": 7}
    assert sandbox.requests_to("/vector_stores", "POST")[-1].json() == {
        "name": "policies",
        "expires_after": {"anchor": "last_active_at", "days": 7},
        "metadata": {"owner": "hr"},
    }
    assert stores.vector_store(store["id"]) == store

    frame = stores.vector_stores()
    row = frame[frame["id"] == store["id"]].iloc[0]
    assert list(frame.columns[: len(STORE_COLUMNS)]) == STORE_COLUMNS
    assert (row["name"], row["status"], row["files_total"], row["metadata"]) == (
        "policies",
        "completed",
        0,
        {"owner": "hr"},
    )
    assert all(frame[column].dtype == "int64" for column in [*COUNTS, "usage_bytes"])
    for column in ("created_at", "last_active_at", "expires_at"):
        assert str(frame[column].dt.tz) == "UTC", column
    assert row["expires_at"] - row["last_active_at"] == pd.Timedelta(days=7)

    renamed = stores.update_vector_store(store["id"], name="staff policies", expires_after=None)
    assert (renamed["name"], renamed["expires_at"], renamed["metadata"]) == (
        "staff policies",
        None,
        {"owner": "hr"},
    )
    assert sandbox.requests[-1].json() == {"name": "staff policies", "expires_after": None}
    assert stores.update_vector_store(store["id"], metadata=None)["metadata"] == {}

    assert stores.delete_vector_store(store["id"]) == {
        "id": store["id"],
        "object": "vector_store.deleted",
        "deleted": True,
    }
    with pytest.raises(ow.NotFoundError):
        stores.vector_store(store["id"])
    assert validate_sent(sandbox, spec) == 3


def test_no_stores_still_gives_every_column_with_its_dtype():
    with Sandbox() as server, ow.Client(api_key=TEST_KEY, base_url=server.base_url) as client:
        frame = client.vector_stores()
    assert list(frame.columns) == STORE_COLUMNS
    assert len(frame) == 0
    assert all(frame[column].dtype == "int64" for column in [*COUNTS, "usage_bytes"])
    assert str(frame["created_at"].dt.tz) == "UTC"


def test_a_stores_files_are_listed_filtered_read_updated_and_removed(stores, sandbox, spec, docs, scan):
    store = stores.create_vector_store("files")
    empty = stores.vector_store_files(store["id"])
    assert list(empty.columns) == FILE_COLUMNS and len(empty) == 0
    assert empty["usage_bytes"].dtype == "int64" and str(empty["created_at"].dt.tz) == "UTC"

    added = stores.add_vector_store_files(store["id"], docs)
    listed = stores.vector_store_files(store["id"])
    assert sorted(listed["filename"]) == sorted(added["filename"])
    assert list(listed.columns[: len(FILE_COLUMNS)]) == FILE_COLUMNS
    failed = stores.vector_store_files(store["id"], status="failed")
    assert failed["filename"].tolist() == ["scan.pdf"]
    assert failed["last_error"][0].startswith("invalid_file: ")
    assert sandbox.requests_to(f"/vector_stores/{store['id']}/files", "GET")[-1].query["filter"] == ["failed"]

    bread = added.loc[added["filename"] == "bread.md", "file_id"].item()
    assert stores.vector_store_file_content(store["id"], bread) == (docs / "bread.md").read_text()
    updated = stores.update_vector_store_file(store["id"], bread, {"topic": "baking", "minutes": 10})
    assert isinstance(updated, ow.Record) and updated["attributes"] == {"topic": "baking", "minutes": 10}

    removed = stores.delete_vector_store_file(store["id"], bread)
    assert removed == {"id": bread, "object": "vector_store.file.deleted", "deleted": True}
    assert bread not in stores.vector_store_files(store["id"])["file_id"].tolist()
    assert stores.file(bread)["id"] == bread, "the File itself stays"
    assert validate_sent(sandbox, spec) >= 7


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.create_vector_store(3), ow.InvalidTypeError, "name must be text"),
        (lambda c: c.create_vector_store("x", expires_after=0), ow.InvalidInputError, "1 to 365 days, not 0"),
        (lambda c: c.create_vector_store("x", expires_after="7"), ow.InvalidTypeError, "whole number"),
        (
            lambda c: c.create_vector_store("x", metadata={"n": 1}),
            ow.InvalidTypeError,
            r"metadata\['n'\] must be text",
        ),
        (lambda c: c.create_vector_store("x", files="nowhere.md"), ow.InvalidInputError, "is not a file"),
        (lambda c: c.update_vector_store("vs_1"), ow.InvalidInputError, "nothing to change"),
        (
            lambda c: c.vector_store_files("vs_1", status="done"),
            ow.InvalidInputError,
            "status 'done' is not one of",
        ),
        (
            lambda c: c.update_vector_store_file("vs_1", "file-1", ["a"]),
            ow.InvalidTypeError,
            "attributes must be a dict",
        ),
        (lambda c: c.vector_store(""), ow.InvalidInputError, "vector_store_id is empty"),
        (
            lambda c: c.vector_store_file_content("vs_1", 5),
            ow.InvalidTypeError,
            "file_id must be a string ID",
        ),
    ],
)
def test_bad_arguments_are_refused_before_sending(stores, sandbox, call, error, message):
    with pytest.raises(error, match=message):
        call(stores)
    assert sandbox.requests == []


def test_module_functions_run_on_the_default_client(connected, sandbox):
    store = ow.create_vector_store("default")
    assert store["id"] in ow.vector_stores()["id"].tolist()
    assert ow.delete_vector_store(store["id"])["deleted"] is True
