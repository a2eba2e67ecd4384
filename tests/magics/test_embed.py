"""%openai embed and %openai batches in a real IPython shell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

import openai_widgets as ow


def test_embed_a_text_returns_the_frame(ip, sandbox):
    frame = ip.run_line_magic("openai", 'embed "the quick brown fox" --dimensions 16 --user u-1')
    assert list(frame["input"]) == ["the quick brown fox"]
    assert ow.as_matrix(frame).shape == (1, 16)
    (body,) = [r.json() for r in sandbox.requests_to("/embeddings")]
    assert body["model"] == "text-embedding-3-small"
    assert body["user"] == "u-1"


def test_embed_a_variable_with_a_model_a_limit_and_out(ip, sandbox):
    ip.user_ns["notes"] = pd.Series(["a", "b", "c"], index=[10, 20, 30])
    ip.run_line_magic("openai", "embed notes -m text-embedding-3-large --limit 2 --dimensions 8 -o vectors")
    frame = ip.user_ns["vectors"]
    assert list(frame.index) == [10, 20]
    assert frame.attrs["model"] == "text-embedding-3-large"


def test_the_cell_form_embeds_one_text_per_line(ip, sandbox):
    frame = ip.run_cell_magic("openai", "embed --dimensions 4", "first line\n\nsecond line\n")
    assert list(frame["input"]) == ["first line", "second line"]


def test_config_sets_the_default_model_and_the_cache(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_WIDGETS_CACHE_DIR", str(tmp_path))
    ip.run_line_magic("config", "OpenAIMagics.embedding_model = 'text-embedding-ada-002'")
    ip.run_line_magic("config", "OpenAIMagics.embedding_cache = True")
    try:
        ip.run_line_magic("openai", "embed 'cached'")
        sandbox.clear_requests()
        frame = ip.run_line_magic("openai", "embed 'cached'")
    finally:
        ip.run_line_magic("config", "OpenAIMagics.embedding_model = 'text-embedding-3-small'")
        ip.run_line_magic("config", "OpenAIMagics.embedding_cache = False")
    assert frame.attrs["model"] == "text-embedding-ada-002"
    assert frame.attrs["reused"] == 1
    assert not sandbox.requests_to("/embeddings")


def test_embed_through_the_batch_api(ip, sandbox):
    frame = ip.run_line_magic("openai", 'embed --batch --dimensions 8 "batched text"')
    assert ow.as_matrix(frame).shape == (1, 8)
    assert len(sandbox.requests_to("/batches", "POST")) == 1


def test_embed_mistakes_are_one_line_usage_errors(ip, sandbox):
    with pytest.raises(UsageError, match="give a text or a variable"):
        ip.run_line_magic("openai", "embed")
    ip.user_ns["empty"] = [""]
    with pytest.raises(UsageError, match="index 0 is an empty string"):
        ip.run_line_magic("openai", "embed empty")
    with pytest.raises(UsageError, match="NotFoundError: 404"):
        ip.run_line_magic("openai", "embed 'hello' -m no-such-model")


def test_batches_list_get_results_and_cancel(ip, connected, sandbox):
    (record,) = connected.batch(
        [{"input": "x", "model": "text-embedding-3-small"}], "/v1/embeddings", wait=False
    )
    listed = ip.run_line_magic("openai", "batches")
    assert record["id"] in set(listed["id"])
    assert len(ip.run_line_magic("openai", "batches list --limit 1")) == 1
    shown = ip.run_line_magic("openai", f"batches get {record['id']}")
    assert shown["id"] == record["id"]
    cancelled = ip.run_line_magic("openai", f"batches cancel {record['id']}")
    assert cancelled["status"] == "cancelling"
    results = ip.run_line_magic("openai", f"batches results {record['id']}")
    assert list(results["custom_id"]) == ["request-0"]
    with pytest.raises(
        UsageError, match="^%openai batches get: the following arguments are required: BATCH_ID "
    ):
        ip.run_line_magic("openai", "batches get")
    with pytest.raises(UsageError, match="^%openai batches: argument action: invalid choice: 'delete' "):
        ip.run_line_magic("openai", "batches delete x")


def test_help_lists_the_new_subcommands(ip, capsys):
    ip.run_line_magic("openai", "help")
    out = capsys.readouterr().out
    assert "embed" in out
    assert "batches" in out
    assert np is not None
