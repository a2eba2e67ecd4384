"""The opt-in embeddings cache: hits and misses, what keys it, info and clearing."""

from __future__ import annotations

import numpy as np
import pytest

import openai_widgets as ow
from openai_widgets._embeddings import cache as _embedding_cache
from openai_widgets.bulk import embedding_job as _embedding_job


def sent(sandbox):
    return [text for r in sandbox.requests_to("/embeddings") for text in r.json()["input"]]


def test_a_second_run_is_served_from_the_cache(client, sandbox, tmp_path):
    path = tmp_path / "cache.sqlite3"
    texts = [f"cached {i}" for i in range(10)]
    first = client.embed(texts, dimensions=8, cache=path)
    assert first.attrs["reused"] == 0
    assert len(sent(sandbox)) == 10
    sandbox.clear_requests()
    second = client.embed(texts, dimensions=8, cache=path)
    assert sent(sandbox) == []
    assert second.attrs["reused"] == 10
    assert second.attrs["requests"] == 0
    assert np.array_equal(ow.as_matrix(first), ow.as_matrix(second))
    assert list(second["input"]) == texts


def test_only_missing_inputs_are_sent_and_keys_include_model_dimensions_and_server(client, sandbox, tmp_path):
    path = tmp_path / "cache.sqlite3"
    client.embed(["one", "two"], dimensions=8, cache=path)
    sandbox.clear_requests()
    client.embed(["one", "two", "three"], dimensions=8, cache=path)
    assert sent(sandbox) == ["three"]
    sandbox.clear_requests()
    client.embed(["one"], dimensions=16, cache=path)  # another size: a miss
    client.embed(["one"], model="text-embedding-3-large", dimensions=8, cache=path)  # another model: a miss
    assert sent(sandbox) == ["one", "one"]
    cache = _embedding_cache.EmbeddingCache(path)
    assert cache.get("https://elsewhere.example/v1", "text-embedding-3-small", 8, ["one"]) == {}


def test_an_interrupted_run_resumes_for_free_from_the_cache(client, sandbox, tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite3"
    texts = [f"resumable {i}" for i in range(5000)]
    original = _embedding_job.EmbeddingJob.collect
    calls = []

    def interrupted(self, positions, result):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(self, positions, result)

    monkeypatch.setattr(_embedding_job.EmbeddingJob, "collect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        client.embed(texts, dimensions=8, cache=path, max_concurrency=1, progress=False)
    monkeypatch.setattr(_embedding_job.EmbeddingJob, "collect", original)
    sandbox.clear_requests()
    frame = client.embed(texts, dimensions=8, cache=path, progress=False)
    assert len(sent(sandbox)) == 5000 - 2048
    assert frame.attrs["reused"] == 2048
    assert list(frame["input"]) == texts


def test_cache_info_and_clear_cache(client, tmp_path):
    path = tmp_path / "cache.sqlite3"
    empty = ow.cache_info(path)
    assert empty["entries"] == 0
    assert empty["path"] == str(path)
    client.embed(["a", "b", "c"], dimensions=8, cache=path)
    client.embed(["a"], model="text-embedding-3-large", dimensions=8, cache=path)
    info = ow.cache_info(path)
    assert isinstance(info, ow.Record)
    assert info["entries"] == 4
    assert info["bytes"] > 0
    assert info["models"] == {"text-embedding-3-large": 1, "text-embedding-3-small": 3}
    assert ow.clear_cache(model="text-embedding-3-large", path=path) == 1
    assert ow.clear_cache(path=path) == 3
    assert ow.cache_info(path)["entries"] == 0


def test_cache_true_uses_the_folder_named_by_the_environment(client, sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_WIDGETS_CACHE_DIR", str(tmp_path / "cache-home"))
    assert ow.cache_info()["path"] == str(tmp_path / "cache-home" / "embeddings.sqlite3")
    client.embed(["x", "y"], dimensions=4, cache=True)
    assert ow.cache_info()["entries"] == 2
    sandbox.clear_requests()
    client.embed(["x", "y"], dimensions=4, cache=True)
    assert sent(sandbox) == []


def test_the_default_folder_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_WIDGETS_CACHE_DIR", raising=False)
    monkeypatch.setattr(_embedding_cache.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _embedding_cache.default_cache_path() == tmp_path / "openai_widgets" / "embeddings.sqlite3"
    monkeypatch.setattr(_embedding_cache.sys, "platform", "darwin")
    assert "Library/Caches/openai_widgets" in str(_embedding_cache.default_cache_path())
