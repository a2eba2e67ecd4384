"""Large files through the Uploads API against the sandbox: when it is used, what each request
carries, a part retried alone, limits refused before sending, Ctrl-C and failures that resume
with the parts already sent, and a 200 MB round trip whose memory stays under two parts."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import tracemalloc

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._files import parts
from openai_widgets.api import uploads as uploads_module
from tests.conftest import TEST_KEY
from tests.support.sent import validate_sent, whole_requests

SMALL_PART = 64 * 1024


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 64 KB, so that a few hundred KB make several parts."""
    monkeypatch.setattr(parts, "PART_BYTES", SMALL_PART)
    return SMALL_PART


@pytest.fixture
def one_part_at_a_time(monkeypatch):
    monkeypatch.setattr(uploads_module, "PART_WORKERS", 1)


def write(path, size, seed=1):
    data = hashlib.shake_256(str(seed).encode()).digest(size)
    path.write_bytes(data)
    return data


def part_requests(sandbox, upload_id=None):
    return [
        r
        for r in sandbox.requests_to("/uploads/", "POST")
        if r.path.endswith("/parts") and (upload_id is None or f"/{upload_id}/" in r.path)
    ]


def completion(sandbox):
    (logged,) = [
        r
        for r in sandbox.requests_to("/uploads/", "POST")
        if r.path.endswith("/complete") and r.status == 200
    ]
    return logged.json()


def interrupt_main_thread():
    """What Ctrl-C does: SIGINT to the main thread, which raises KeyboardInterrupt where it waits."""
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


def after_parts(client, count, action):
    """Run `action()` once, in the listener, when `count` parts have been answered with 200."""
    seen = []

    def listener(info):
        if info.method == "POST" and info.path.endswith("/parts") and info.status == 200:
            seen.append(info)
            if len(seen) == count:
                client.remove_listener(listener)
                action()

    client.add_listener(listener)


# -- which way a file goes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "purpose", "method", "in_parts"),
    [
        ("data.txt", "assistants", None, True),  # over the part size: the Uploads API
        ("data.jsonl", "fine-tune", None, True),
        ("data.jsonl", "user_data", None, False),  # the Uploads API does not take user_data
        ("data.txt", "assistants", "files", False),
        ("data.jsonl", "batch", "uploads", True),
    ],
)
def test_files_over_one_part_go_in_parts_unless_told_otherwise(
    client, sandbox, small_parts, tmp_path, filename, purpose, method, in_parts
):
    path = tmp_path / filename
    data = write(path, 3 * SMALL_PART + 5)

    record = client.upload_file(path, purpose, method=method)

    assert record["bytes"] == len(data) and record["purpose"] == purpose
    assert client.file_content(record["id"]) == data
    assert len(part_requests(sandbox)) == (4 if in_parts else 0)
    assert len(sandbox.requests_to("/files", "POST")) == (0 if in_parts else 1)


def test_a_small_file_goes_in_parts_when_asked(client, sandbox):
    record = client.upload_file(b"tiny", "assistants", filename="tiny.txt", method="uploads")
    assert client.file_content(record["id"]) == b"tiny"
    assert len(part_requests(sandbox)) == 1


def test_the_upload_declares_size_and_mime_type_and_completes_with_the_parts_in_order_and_the_md5(
    client, sandbox, spec, small_parts, tmp_path
):
    path = tmp_path / "notes.md"
    data = write(path, 5 * SMALL_PART - 100)

    record = client.upload_file(path, "assistants")

    assert sandbox.requests_to("/uploads", "POST")[0].json() == {
        "filename": "notes.md",
        "purpose": "assistants",
        "bytes": len(data),
        "mime_type": "text/markdown",
    }
    sizes = sorted(len(r.form()[1]["data"][0].content) for r in part_requests(sandbox))
    assert sizes == [SMALL_PART - 100] + [SMALL_PART] * 4
    body = completion(sandbox)
    assert body["md5"] == hashlib.md5(data).hexdigest()
    assert len(body["part_ids"]) == 5
    assert client.file_content(record["id"]) == data, "the server joined the parts in the order given"
    assert record["filename"] == "notes.md" and record["id"] in client.files()["id"].tolist()
    assert validate_sent(sandbox, spec, prefix="/uploads") == 7


@pytest.mark.parametrize(
    ("filename", "mime_type"), [("app.ts", "application/typescript"), ("a.py", "text/x-python")]
)
def test_the_mime_type_comes_from_one_table(client, sandbox, filename, mime_type):
    client.upload_file(b"x = 1\n", "assistants", filename=filename, method="uploads")
    assert sandbox.requests_to("/uploads", "POST")[0].json()["mime_type"] == mime_type


def test_a_failed_part_is_retried_alone(client, sandbox, sleeps, small_parts, tmp_path):
    path = tmp_path / "big.txt"
    data = write(path, 4 * SMALL_PART)
    sandbox.inject("status", path="/uploads/", method="POST", status=503)

    record = client.upload_file(path, "assistants")

    assert client.file_content(record["id"]) == data
    statuses = sorted(r.status for r in part_requests(sandbox))
    assert statuses == [200, 200, 200, 200, 503]
    assert len(sleeps) == 1, "one retry, after a backoff"
    assert len(sandbox.requests_to("/uploads", "POST")) == 7  # create, 5 part attempts, complete


# -- limits, before sending ------------------------------------------------------------------


def test_the_8_gb_limit_is_checked_before_sending(client, sandbox, tmp_path):
    huge = tmp_path / "archive.jsonl"
    with huge.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(8 * 1024**3 + 1)

    with pytest.raises(
        ow.InvalidInputError,
        match=r"archive.jsonl is 8,192.0 MB; a file may be at most 8 GB \(the Uploads API's limit\)",
    ):
        client.upload_file(huge, "batch")

    class Claims9GB(io.RawIOBase):
        """Says it holds 9 GB; reading it would fail the test."""

        def seekable(self):
            return True

        def seek(self, offset, whence=0):
            return 9 * 1024**3 if whence == 2 else 0

        def read(self, size=-1):
            raise AssertionError("a file over the limit must not be read")

    with pytest.raises(ow.InvalidInputError, match=r"9,216.0 MB; a file may be at most 8 GB"):
        client.upload_file(Claims9GB(), "assistants", filename="big.bin")
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"method": "ftp"}, ow.InvalidInputError, "method 'ftp' is not 'files'"),
        ({"method": 2}, ow.InvalidTypeError, "method must be 'files', 'uploads' or None"),
        (
            {"method": "uploads", "purpose": "user_data"},
            ow.InvalidInputError,
            "the Uploads API takes files for",
        ),
        ({"resume": {"upload_id": "upload_1"}}, ow.InvalidTypeError, "resume must be the .partial"),
    ],
)
def test_bad_methods_are_refused_before_sending(client, sandbox, options, error, message):
    purpose = options.pop("purpose", "assistants")
    with pytest.raises(error, match=message):
        client.upload_file(b"abc", purpose, filename="a.txt", **options)
    assert sandbox.requests == []


# -- stopping and resuming -------------------------------------------------------------------


def test_ctrl_c_keeps_the_upload_and_resume_sends_only_the_missing_parts(
    client, sandbox, spec, small_parts, one_part_at_a_time, tmp_path
):
    path = tmp_path / "report.pdf"
    data = write(path, 5 * SMALL_PART)
    after_parts(client, 2, interrupt_main_thread)

    with pytest.raises(ow.UploadInterrupted) as caught:
        client.upload_file(path, "assistants")

    error = caught.value
    assert isinstance(error, KeyboardInterrupt)
    partial = error.partial
    sent = len(partial.parts)
    assert 2 <= sent <= 3, "the part in flight may still have arrived"
    assert sorted(partial.parts) == list(range(1, sent + 1)) and partial.missing == list(range(sent + 1, 6))
    assert (
        f"stopped after {sent} of 5 parts; resume with ow.upload_file('{path}', 'assistants', resume=error.partial)"
        in str(error)
    )
    assert not [r for r in sandbox.requests if r.path.endswith("/cancel")]
    assert repr(partial) == f"UploadPartial({partial.upload_id!r}, 'report.pdf', {sent} of 5 parts sent)"
    sandbox.clear_requests()

    record = client.upload_file(path, "assistants", resume=partial)

    assert len([r for r in part_requests(sandbox) if r.status == 200]) == 5 - sent
    assert not sandbox.requests_to("/uploads", "POST")[0].path.endswith("/uploads"), "no new upload"
    body = completion(sandbox)
    assert body["part_ids"][:sent] == [partial.parts[n] for n in range(1, sent + 1)]
    assert client.file_content(record["id"]) == data
    assert validate_sent(sandbox, spec, prefix="/uploads") == 6 - sent


def test_a_part_failing_after_its_retries_keeps_the_upload_for_resume(
    client, sandbox, small_parts, one_part_at_a_time, tmp_path
):
    path = tmp_path / "data.jsonl"
    data = write(path, 5 * SMALL_PART)
    after_parts(
        client, 2, lambda: sandbox.inject("status", path="/uploads/", method="POST", status=500, times=3)
    )

    with pytest.raises(ow.UploadError) as caught:
        client.upload_file(path, "fine-tune")

    error = caught.value
    assert isinstance(error, ow.APIError) and isinstance(error.cause, ow.InternalServerError)
    assert error.status_code == 500
    assert str(error).startswith("the upload of data.jsonl failed after 2 of 5 parts: 500")
    assert "To go on: resume with ow.upload_file(" in str(error)
    assert sorted(error.partial.parts) == [1, 2]

    record = client.upload_file(str(path), "fine-tune", resume=error.partial)
    assert client.file_content(record["id"]) == data


def test_an_upload_that_could_not_resume_is_cancelled(client, sandbox, small_parts):
    sandbox.inject("status", path="/uploads/", method="POST", status=400)

    with pytest.raises(ow.UploadError, match="the upload was cancelled; send the file again") as caught:
        client.upload_file(bytes(3 * SMALL_PART), "assistants", filename="zeros.bin")

    assert caught.value.partial is None
    (cancel,) = [r for r in sandbox.requests if r.path.endswith("/cancel")]
    upload_id = cancel.path.split("/")[2]
    assert sandbox.state.uploads[upload_id]["record"]["status"] == "cancelled"


def test_resume_is_checked_before_sending(client, sandbox, small_parts, one_part_at_a_time, tmp_path):
    path = tmp_path / "notes.txt"
    write(path, 3 * SMALL_PART)
    after_parts(client, 1, interrupt_main_thread)
    with pytest.raises(ow.UploadInterrupted) as caught:
        client.upload_file(path, "assistants")
    partial = caught.value.partial
    sandbox.clear_requests()

    with pytest.raises(ow.InvalidTypeError, match="resume= continues an upload from a file on disk"):
        client.upload_file(path.read_bytes(), "assistants", resume=partial)
    with pytest.raises(ow.InvalidInputError, match="was for purpose 'assistants', not 'batch'"):
        client.upload_file(path, "batch", resume=partial)
    with pytest.raises(ow.InvalidInputError, match="resume= continues an upload in parts"):
        client.upload_file(path, "assistants", method="files", resume=partial)
    other = tmp_path / "other.txt"
    other.write_bytes(path.read_bytes())
    with pytest.raises(ow.InvalidInputError, match="resume= belongs to the upload of"):
        client.upload_file(other, "assistants", resume=partial)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    with pytest.raises(ow.InvalidInputError, match="notes.txt changed since its upload began"):
        client.upload_file(path, "assistants", resume=partial)
    partial.expires_at = int(time.time()) - 1
    with pytest.raises(ow.InvalidInputError, match="has expired"):
        client.upload_file(path, "assistants", resume=partial)
    assert whole_requests(sandbox) == []


# -- 200 MB ----------------------------------------------------------------------------------


@pytest.fixture
def separate_sandbox():
    """A sandbox in another process: the memory the test measures is then the client's alone."""
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_widgets.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "the sandbox did not start"
        line = process.stdout.readline()  # "openai_widgets sandbox on http://127.0.0.1:PORT/v1 (...)"
        yield line.split(" on ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_200_mb_file_round_trips_in_parts_with_memory_under_two_parts(separate_sandbox, tmp_path):
    size = 200 * 1024**2
    path = tmp_path / "big.bin"
    with path.open("wb") as handle:  # sparse, with random bytes at the start of each part
        handle.truncate(size)
        for offset in range(0, size, parts.PART_BYTES):
            handle.seek(offset)
            handle.write(os.urandom(1024**2))
    with path.open("rb") as handle:
        expected = hashlib.file_digest(handle, "md5").hexdigest()
    try:
        with ow.Client(api_key=TEST_KEY, base_url=separate_sandbox, timeout=120) as client:
            gc.collect()
            tracemalloc.start()
            started = time.monotonic()
            try:
                record = client.upload_file(path, "assistants")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            seconds = time.monotonic() - started
            with httpx.stream(
                "GET",
                f"{separate_sandbox}/files/{record['id']}/content",
                headers={"Authorization": f"Bearer {TEST_KEY}"},
                timeout=60,
            ) as response:
                digest = hashlib.md5()
                for chunk in response.iter_bytes():
                    digest.update(chunk)
    finally:
        path.unlink()
    print(f"\n200 MB upload in parts: peak traced memory {peak / 1024**2:.1f} MB, {seconds:.1f} s")
    assert record["bytes"] == size
    assert digest.hexdigest() == expected
    assert peak < 2 * parts.PART_BYTES
