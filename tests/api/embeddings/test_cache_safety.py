"""The embeddings cache fails before paying, never returns a damaged vector, never touches a file not its own."""

from __future__ import annotations

import hashlib
import sqlite3
import warnings

import numpy as np
import pytest

import openai_widgets as ow
from openai_widgets._embeddings import cache as _embedding_cache

TEXTS = [f"cached text {n}" for n in range(2000)]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def neighbours(path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def foreign_database(path):
    """Another application's SQLite file, in its own journal mode."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.close()
    return path


@pytest.fixture
def filled(client, sandbox, tmp_path):
    """A cache holding TEXTS' vectors, and the matrix a clean run returns."""
    path = tmp_path / "vectors.sqlite3"
    frame = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    sandbox.clear_requests()
    return path, ow.as_matrix(frame)


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("/etc/hosts/x.sqlite3", "'/etc/hosts' is a file, not a folder"),
        ("/etc/hosts/deeper/x.sqlite3", "'/etc/hosts' is a file, not a folder"),
        (
            "/sys/embeddings.sqlite3",
            "SQLite cannot write it (unable to open database file)",
        ),  # read-only, even for root
        ("{tmp}", "it is a folder; name a file in it"),
    ],
)
def test_a_cache_that_cannot_work_is_refused_before_the_first_request(
    client, sandbox, tmp_path, where, words
):
    path = where.format(tmp=tmp_path)
    with pytest.raises(ow.InvalidInputError) as info:
        client.embed(TEXTS[:50], cache=path)
    assert f"cache {path!r} cannot be used: {words}" in str(info.value)
    assert "Pass cache=True for the default file, another path, or cache=False" in str(info.value)
    assert sandbox.requests == []


@pytest.mark.parametrize("kind", ["another application's database", "a text file"])
def test_a_file_that_is_not_a_cache_is_never_changed(client, sandbox, tmp_path, kind):
    path = tmp_path / "app.db"
    if kind == "a text file":
        path.write_text("name,price\ntea,3\n" * 200)
        words = "it is not an SQLite file, so not an embeddings cache; nothing in it was changed"
    else:
        foreign_database(path)
        words = (
            "it is another application's SQLite database, not an embeddings cache; nothing in it was changed"
        )
    before, files = digest(path), neighbours(path)
    for attempt in (
        lambda: client.embed(TEXTS[:50], cache=path),
        lambda: ow.cache_info(path),
        lambda: ow.clear_cache(path=path),
    ):
        with pytest.raises(ow.InvalidInputError) as info:
            attempt()
        assert f"cache {str(path)!r} cannot be used: {words}" in str(info.value)
    assert digest(path) == before and neighbours(path) == files  # no -wal, no -shm, no change
    assert sandbox.requests == []
    if kind != "a text file":
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert connection.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
        connection.close()


def test_a_flipped_vector_is_a_miss_fetched_again(client, sandbox, filled):
    path, clean = filled
    data = bytearray(path.read_bytes())
    target = clean[1234].astype("<f4").tobytes()
    at = data.find(target)
    assert at > 0, "the vector's bytes are in the file"
    data[at + 10] ^= 0x40  # one bit of one float
    path.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="1 damaged entry in the embeddings cache .* fetched again"):
        frame = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    matrix = ow.as_matrix(frame)
    assert np.array_equal(np.delete(matrix, 1234, axis=0), np.delete(clean, 1234, axis=0))
    assert np.allclose(matrix[1234], clean[1234], atol=1e-6)  # asked alone: the last bit may differ
    assert [t for r in sandbox.requests_to("/embeddings") for t in r.json()["input"]] == [TEXTS[1234]]
    sandbox.clear_requests()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # written over: clean again
        again = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    assert np.array_equal(ow.as_matrix(again), matrix) and sandbox.requests == []


@pytest.mark.parametrize("block", range(1, 40, 3))
def test_flipping_4_kib_anywhere_never_returns_a_wrong_vector(client, sandbox, filled, block):
    path, clean = filled
    data = bytearray(path.read_bytes())
    start = block * 4096
    if start >= len(data):
        pytest.skip("the file is shorter")
    data[start : start + 4096] = bytes(b ^ 0xFF for b in data[start : start + 4096])
    path.write_bytes(bytes(data))
    refusal = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # damaged entries are reported, then refetched
            frame = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    except ow.InvalidInputError as exc:  # a page SQLite itself cannot read
        refusal = str(exc)
    if refusal is not None:  # named, with the fix, found before paying
        assert f"the embeddings cache {str(path)!r} is damaged" in refusal
        assert f"ow.clear_cache(path={str(path)!r})" in refusal
        assert sandbox.requests == []
        assert ow.clear_cache(path=path) == 0 and not path.exists()
        frame = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    assert np.allclose(ow.as_matrix(frame), clean, atol=1e-6)  # refetched rows may differ in the last bit


def test_a_truncated_cache_is_named_with_its_fix_and_clear_cache_deletes_it(client, sandbox, filled):
    path, clean = filled
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    for attempt in (
        lambda: client.embed(TEXTS, dimensions=64, cache=path),
        lambda: ow.cache_info(path),
        lambda: ow.clear_cache(model="text-embedding-3-small", path=path),
    ):
        with pytest.raises(ow.InvalidInputError) as info:
            attempt()
        message = str(info.value)
        assert message.startswith(
            f"the embeddings cache {str(path)!r} is damaged (database disk image is malformed)"
        )
        assert message.endswith(
            f"delete it with ow.clear_cache(path={str(path)!r}) (it only holds vectors, fetched again when "
            "needed) or pass cache=False"
        )
    assert sandbox.requests == []
    assert ow.clear_cache(path=path) == 0
    assert not path.exists() and not any(p.name.startswith(path.name) for p in path.parent.iterdir())
    frame = client.embed(TEXTS, dimensions=64, cache=path, progress=False)
    assert np.array_equal(ow.as_matrix(frame), clean)


def test_a_cache_from_before_the_checksums_is_taken_over(client, sandbox, tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:  # the layout of version 1, entries without a checksum
        connection.execute(
            "CREATE TABLE embeddings (server TEXT NOT NULL, model TEXT NOT NULL, dimensions INTEGER NOT NULL, "
            "text_hash BLOB NOT NULL, vector BLOB NOT NULL, created REAL NOT NULL, "
            "PRIMARY KEY (server, model, dimensions, text_hash)) WITHOUT ROWID"
        )
        connection.execute(
            "INSERT INTO embeddings VALUES (?, ?, 4, ?, ?, 0)",
            (
                client.base_url,
                "text-embedding-3-small",
                _embedding_cache.text_hashes(["a"])[0],
                np.full(4, 9.0, "<f4").tobytes(),  # unverifiable: fetched again
            ),
        )
    connection.close()
    frame = client.embed(["a"], dimensions=4, cache=path, progress=False)
    assert not np.array_equal(ow.as_matrix(frame)[0], np.full(4, 9.0))
    assert len(sandbox.requests_to("/embeddings")) == 1
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA application_id").fetchone() == (_embedding_cache.APPLICATION_ID,)
        assert connection.execute("PRAGMA user_version").fetchone() == (_embedding_cache.SCHEMA_VERSION,)
    connection.close()
    sandbox.clear_requests()
    client.embed(["a"], dimensions=4, cache=path, progress=False)
    assert sandbox.requests == []


def test_a_cache_that_fails_while_storing_keeps_the_result(client, sandbox, tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    connect = sqlite3.connect

    class FullDisk:
        """A connection whose writes fail as on a full disk; everything else is the real one."""

        def __init__(self, *args, **kwargs):
            self._real = connect(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._real, name)

        def executemany(self, *args):
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(_embedding_cache.sqlite3, "connect", FullDisk)
    with pytest.warns(RuntimeWarning, match="could not store 10 vectors \\(database or disk is full\\)"):
        frame = client.embed(TEXTS[:10], dimensions=8, cache=path, progress=False)
    assert ow.as_matrix(frame).shape == (10, 8)
    assert len(sandbox.requests_to("/embeddings")) == 1
