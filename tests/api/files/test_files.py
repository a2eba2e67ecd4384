"""Files against the sandbox: list (all pages), upload every kind of input, read, delete."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._files import sources as _uploads
from openai_widgets.api import files as files_module
from tests.support import tuning as tuning_support
from tests.support.tuning import examples, jsonl, validate_multipart_upload

fresh = tuning_support.fresh  # a fixture

FILE_COLUMNS = ["id", "filename", "purpose", "bytes", "created_at", "status", "expires_at"]


def last_upload(sandbox):
    return sandbox.requests_to("/files", "POST")[-1]


# -- list ------------------------------------------------------------------------------


def test_files_lists_every_page_with_real_dtypes(fresh, spec, monkeypatch):
    server, client = fresh
    monkeypatch.setattr(files_module, "PAGE_SIZE", 2)
    made = [
        client.upload_file(f"row {n}\n".encode(), "user_data", filename=f"f{n}.txt")["id"] for n in range(5)
    ]

    frame = client.files()

    assert list(frame.columns) == FILE_COLUMNS
    assert sorted(frame["id"]) == sorted(made)
    assert list(frame["id"]) == made[::-1], "newest first, as the API lists them"
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert str(frame["expires_at"].dt.tz) == "UTC"
    assert frame["expires_at"].isna().all()
    assert frame["bytes"].dtype == "Int64"
    assert frame["bytes"].tolist() == [6] * 5
    pages = server.requests_to("/files", "GET")
    assert [r.query.get("after", [None])[0] for r in pages] == [None, made[3], made[1]]
    assert all(r.query["limit"] == ["2"] for r in pages)
    first, last = client._get("files", {"limit": 2}), client._get("files", {"limit": 2, "after": made[1]})
    assert first["has_more"] is True
    assert last["has_more"] is False
    for body in (first, last):
        spec.validate_response("GET", "/files", body)


def test_files_filters_by_purpose_and_keeps_columns_when_empty(fresh):
    _, client = fresh
    client.upload_file(jsonl(examples(1)), "batch")

    assert client.files(purpose="batch")["purpose"].tolist() == ["batch"]
    empty = client.files(purpose="vision")
    assert list(empty.columns) == FILE_COLUMNS
    assert len(empty) == 0


def test_files_shows_expires_at_where_present(fresh):
    server, client = fresh
    record = client.upload_file(b"x", "user_data")
    server.state.files[record["id"]]["expires_at"] = record["created_at"] + 3600

    frame = client.files()

    assert frame.loc[0, "expires_at"] - frame.loc[0, "created_at"] == pd.Timedelta(hours=1)


def test_files_refuses_a_purpose_that_is_not_text(client, sandbox):
    with pytest.raises(ow.InvalidTypeError, match="purpose must be a string or None, not int"):
        client.files(purpose=3)
    with pytest.raises(ow.InvalidInputError, match="purpose is empty; pass a purpose such as 'fine-tune'"):
        client.files(purpose=" ")
    assert sandbox.requests == []


# -- upload ----------------------------------------------------------------------------


def test_upload_a_path_sends_its_name_and_bytes(client, sandbox, spec, tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(jsonl(examples(3)))

    record = client.upload_file(path, "fine-tune")

    assert isinstance(record, ow.Record)
    assert record["filename"] == "train.jsonl"
    assert record["bytes"] == path.stat().st_size
    spec.validate_response("POST", "/files", dict(record))
    logged = last_upload(sandbox)
    validate_multipart_upload(spec, logged)
    fields, parts = logged.form()
    assert fields == {"purpose": "fine-tune"}
    assert parts["file"][0].content == path.read_bytes()
    assert parts["file"][0].content_type == "application/jsonl"


def test_upload_a_path_given_as_text(client, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert client.upload_file(str(path), "user_data")["filename"] == "notes.txt"


def test_upload_bytes_are_named_by_purpose(client, sandbox):
    assert client.upload_file(b'{"a": 1}\n', "batch")["filename"] == "upload.jsonl"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    assert client.upload_file(png, "vision")["filename"] == "upload.png"
    assert client.upload_file(b"\x00\x01", "user_data")["filename"] == "upload.bin"
    assert client.upload_file(b"abc", "user_data", filename="a.csv")["filename"] == "a.csv"


def test_upload_file_objects_binary_text_and_unseekable(client, sandbox):
    binary = io.BytesIO(b"binary content")
    binary.name = "/somewhere/data.bin"
    assert client.upload_file(binary, "user_data")["filename"] == "data.bin"
    assert last_upload(sandbox).form()[1]["file"][0].content == b"binary content"

    nameless = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x01" * 40)
    assert client.upload_file(nameless, "vision")["filename"] == "upload.png"
    assert last_upload(sandbox).form()[1]["file"][0].content == nameless.getvalue(), "sent from the start"

    text = io.StringIO("some text")
    record = client.upload_file(text, "user_data", filename="t.txt")
    assert record["bytes"] == 9

    class Pipe:
        def read(self):
            return b"streamed"

    assert client.upload_file(Pipe(), "user_data")["bytes"] == 8


def test_upload_a_dataframe_writes_jsonl(client, sandbox, spec):
    frame = pd.DataFrame(
        {
            "id": np.array([1, 2], dtype="int64"),
            "score": [0.5, np.nan],
            "tags": [["a", "b"], []],
            "when": pd.to_datetime(["2024-01-02", "2024-03-04"], utc=True),
        }
    )

    record = client.upload_file(frame, "batch")

    content = last_upload(sandbox).form()[1]["file"][0].content
    lines = [json.loads(line) for line in content.decode().splitlines()]
    assert lines == [
        {"id": 1, "score": 0.5, "tags": ["a", "b"], "when": "2024-01-02T00:00:00+00:00"},
        {"id": 2, "tags": [], "when": "2024-03-04T00:00:00+00:00"},
    ], "a missing cell is left out, numpy and pandas values become JSON"
    assert record["filename"] == "data.jsonl"
    validate_multipart_upload(spec, last_upload(sandbox))


def test_upload_a_list_of_dicts_writes_jsonl(client, sandbox):
    client.upload_file([{"a": 1}, {"b": "ü"}], "batch")
    assert last_upload(sandbox).form()[1]["file"][0].content == '{"a": 1}\n{"b": "ü"}\n'.encode()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ([{"a": float("nan")}], ow.InvalidInputError, "line 1 cannot be written as JSON"),
        ([{"a": 1}, "text"], ow.InvalidTypeError, "item 2 is a str"),
        ([], ow.InvalidInputError, "has no rows"),
        ({"a": 1}, ow.InvalidTypeError, "must be a path, bytes, a binary file object"),
        (3.5, ow.InvalidTypeError, "not float"),
    ],
)
def test_upload_refuses_data_it_cannot_send(client, sandbox, data, error, message):
    with pytest.raises(error, match=message):
        client.upload_file(data, "batch")
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("purpose", "error", "message"),
    [
        ("fine_tune", ow.InvalidInputError, "purpose 'fine_tune' is not one of fine-tune, batch"),
        ("fine-tune-results", ow.InvalidInputError, "is not one of"),
        (None, ow.InvalidTypeError, "purpose must be one of"),
    ],
)
def test_upload_refuses_unknown_purposes(client, sandbox, purpose, error, message):
    with pytest.raises(error, match=message):
        client.upload_file(b"x", purpose)
    assert sandbox.requests == []


def test_upload_refuses_missing_paths_and_directories(client, sandbox, tmp_path):
    with pytest.raises(ow.InvalidInputError, match="does not exist; give the path of a file"):
        client.upload_file(tmp_path / "nope.jsonl", "fine-tune")
    with pytest.raises(ow.InvalidInputError, match="is a directory"):
        client.upload_file(tmp_path, "fine-tune")
    with pytest.raises(ow.InvalidInputError, match="filename is empty; name the upload"):
        client.upload_file(b"x", "batch", filename=" ")
    with pytest.raises(ow.InvalidTypeError, match="filename must be a string or None, not int"):
        client.upload_file(b"x", "batch", filename=7)
    assert sandbox.requests == []


def test_the_512_mb_limit_is_checked_before_sending(client, sandbox, tmp_path):
    big = tmp_path / "big.jsonl"
    with big.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(_uploads.MAX_UPLOAD_BYTES + 1)

    with pytest.raises(
        ow.InvalidInputError, match=r"big.jsonl is 512.0 MB; a file may be at most 512 MB with method='files'"
    ):
        client.upload_file(big, "fine-tune", method="files")
    with pytest.raises(ow.InvalidInputError, match=r"at most 512 MB for user_data \(the Uploads API"):
        client.upload_file(big, "user_data")

    class Huge(io.RawIOBase):
        """Says it is 600 MB; reading it would fail the test."""

        def seekable(self):
            return True

        def seek(self, offset, whence=0):
            return 600 * 1024**2 if whence == 2 else 0

        def read(self, size=-1):
            raise AssertionError("a file over the limit must not be read")

    with pytest.raises(ow.InvalidInputError, match=r"600\.0 MB"):
        client.upload_file(Huge(), "batch", method="files")
    assert sandbox.requests == []


class FakeBar:
    """Stands in for a tqdm bar: records what the upload reports."""

    made: list[FakeBar] = []

    def __init__(self, total, filename):
        self.total, self.filename, self.n, self.resets, self.closed = total, filename, 0, 0, False
        FakeBar.made.append(self)

    def update(self, count):
        self.n += count

    def reset(self):
        self.n = 0
        self.resets += 1

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    FakeBar.made = []
    monkeypatch.setattr(files_module, "PROGRESS_THRESHOLD", 100_000)
    monkeypatch.setattr(files_module, "_progress_bar", FakeBar)
    return FakeBar.made


def test_large_uploads_show_progress_and_stream_from_disk(client, sandbox, tmp_path, bars):
    path = tmp_path / "large.jsonl"
    payload = b"x" * 300_000
    path.write_bytes(payload)

    record = client.upload_file(path, "batch")

    (bar,) = bars
    assert bar.total == 300_000
    assert bar.n == 300_000
    assert bar.closed
    assert record["bytes"] == 300_000
    logged = last_upload(sandbox)
    assert logged.form()[1]["file"][0].content == payload
    assert "content-length" in logged.headers, "the size is known, so no chunked body"


def test_small_uploads_show_no_progress_bar(client, bars):
    client.upload_file(b"y" * 1000, "batch")
    assert bars == []


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 500}, {"kind": "drop"}])
def test_a_retried_large_upload_sends_the_whole_file_again(client, sandbox, sleeps, bars, fault):
    payload = bytes(range(256)) * 1000  # 256 000 bytes
    kind = fault.pop("kind")
    sandbox.inject(kind, path="/files", times=1, **fault)

    record = client.upload_file(payload, "user_data", filename="blob.bin")

    assert record["bytes"] == len(payload)
    attempts = sandbox.requests_to("/files", "POST")
    assert len(attempts) == 2
    assert len(sleeps) == 1
    assert attempts[-1].form()[1]["file"][0].content == payload
    (bar,) = bars
    assert bar.n == len(payload)
    assert bar.resets >= 2, "the bar starts over with the retry"


def test_progress_bar_uses_tqdm_auto():
    bar = files_module._progress_bar(1000, "x.jsonl")
    try:
        from tqdm.auto import tqdm

        assert isinstance(bar, tqdm)
        assert bar.total == 1000
        assert bar.unit == "B"
    finally:
        bar.close()


# -- retrieve, content, delete -----------------------------------------------------------


def test_file_returns_the_record(client, spec):
    made = client.upload_file(b"abc", "user_data", filename="a.txt")
    record = client.file(made["id"])
    assert isinstance(record, ow.Record)
    assert record == made
    spec.validate_response("GET", f"/files/{made['id']}", dict(record))


def test_file_content_round_trips_a_dataframe(client):
    frame = pd.DataFrame(
        {
            "messages": [m["messages"] for m in examples(3)],
            "weight": [1, 2, 3],
            "score": [0.25, 0.5, 0.75],
            "label": ["x", "y", "z"],
        }
    )
    made = client.upload_file(frame, "fine-tune")

    assert client.file_content(made["id"]) == _jsonl_of(frame)
    back = client.file_content(made["id"], as_frame=True)

    pd.testing.assert_frame_equal(back, frame)


def _jsonl_of(frame) -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in frame.to_dict("records"))


def test_file_content_reads_csv_and_base64_csv(client, sandbox):
    plain = client.upload_file(b"step,train_loss\n1,0.5\n2,0.25\n", "user_data", filename="m.csv")
    encoded = base64.b64encode(b"step,train_loss\n1,0.5\n2,0.25\n")
    results = client.upload_file(encoded, "user_data", filename="step_metrics.csv")

    for made in (plain, results):
        frame = client.file_content(made["id"], as_frame=True)
        assert frame.to_dict("list") == {"step": [1, 2], "train_loss": [0.5, 0.25]}


def test_file_content_as_frame_refuses_what_is_not_a_table(client):
    binary = client.upload_file(b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "vision")
    scalars = client.upload_file(b"[1, 2]\n", "user_data")
    broken = client.upload_file(b'{"a": 1}\n{"a": \n', "user_data")

    with pytest.raises(ow.InvalidInputError, match=f"file {binary['id']} is neither JSONL nor CSV"):
        client.file_content(binary["id"], as_frame=True)
    with pytest.raises(ow.InvalidInputError, match="JSON lines that are not objects"):
        client.file_content(scalars["id"], as_frame=True)
    with pytest.raises(ow.InvalidInputError, match="line 2 is not valid JSON"):
        client.file_content(broken["id"], as_frame=True)
    assert client.file_content(binary["id"]) == b"\x89PNG\r\n\x1a\n\x00\xff\xfe"


def test_empty_file_content_is_an_empty_frame(client):
    made = client.upload_file(b"", "user_data", filename="empty.txt")
    assert client.file_content(made["id"], as_frame=True).empty


def test_delete_file(client, sandbox, spec):
    made = client.upload_file(b"abc", "user_data")

    record = client.delete_file(made["id"])

    assert record == {"id": made["id"], "object": "file", "deleted": True}
    spec.validate_response("DELETE", f"/files/{made['id']}", dict(record))
    with pytest.raises(ow.NotFoundError, match=f"No such File object: {made['id']}"):
        client.file(made["id"])


@pytest.mark.parametrize("call", ["file", "file_content", "delete_file"])
def test_file_ids_are_checked_before_sending(client, sandbox, call):
    with pytest.raises(ow.InvalidInputError, match="file_id is empty"):
        getattr(client, call)("  ")
    with pytest.raises(ow.InvalidTypeError, match="file_id must be a string ID"):
        getattr(client, call)(None)
    assert sandbox.requests == []


def test_module_level_functions_use_the_default_client(connected):
    made = ow.upload_file(b"abc", "user_data")
    assert made["id"] in ow.files()["id"].tolist()
    assert ow.file_content(made["id"]) == b"abc"
    assert ow.delete_file(made["id"])["deleted"] is True
