"""Old names and keywords: each still works for one release and warns with its replacement."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

import openai_widgets as ow
from openai_widgets.api._deprecated import REMOVED_IN, RENAMED, DeprecatedAPI
from tests.support.tuning import examples


def make_batch(client) -> str:
    return client.batch([{"model": "text-embedding-3-small", "input": "a"}], "/v1/embeddings", wait=False)[0][
        "id"
    ]


def test_batch_info_warns_and_returns_what_batch_job_returns(client):
    batch_id = make_batch(client)
    with pytest.warns(
        DeprecationWarning,
        match=r"batch_info\(\) is deprecated .* removed in openai_widgets 0\.3; use batch_job\(\)",
    ) as caught:
        old = client.batch_info(batch_id)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    new = client.batch_job(batch_id)
    assert isinstance(old, ow.Record)
    assert {k: old[k] for k in ("id", "object", "endpoint", "input_file_id")} == {
        k: new[k] for k in ("id", "object", "endpoint", "input_file_id")
    }


def test_the_old_name_is_a_module_level_function_too(connected):
    batch_id = make_batch(connected)
    with pytest.warns(DeprecationWarning, match=r"use batch_job\(\)") as caught:
        record = ow.batch_info(batch_id)
    assert caught[0].filename == __file__
    assert record["id"] == batch_id
    assert "batch_info" in ow.__all__
    assert inspect.signature(ow.batch_info) == inspect.signature(ow.batch_job)


def test_every_old_name_is_listed_and_keeps_the_new_names_signature():
    methods = {name for name, value in vars(DeprecatedAPI).items() if inspect.isfunction(value)}
    assert methods == set(RENAMED)
    for old, new in RENAMED.items():
        assert new in ow._API_FUNCTIONS and old in ow._API_FUNCTIONS
        assert inspect.signature(getattr(ow.Client, old)) == inspect.signature(getattr(ow.Client, new))
        assert f"use `{new}(" in getattr(ow.Client, old).__doc__
        assert f"removed in {REMOVED_IN}" in getattr(ow.Client, old).__doc__


@pytest.fixture
def job(client, sandbox):
    sandbox.job_seconds = 0.2
    try:
        yield client.fine_tune(examples(10))
    finally:
        sandbox.job_seconds = 0.6


def test_interval_is_taken_as_poll_interval_with_a_warning(client, job):
    with pytest.warns(
        DeprecationWarning, match=r"the keyword interval= is deprecated .* use poll_interval= instead"
    ) as caught:
        updates = list(client.watch_fine_tuning(job["id"], interval=0.02))
    assert caught[0].filename == __file__
    assert updates[-1].done
    with pytest.warns(DeprecationWarning, match="use poll_interval="):
        old = client.fine_tuning_events(job["id"], interval=0.02)
    new = client.fine_tuning_events(job["id"], poll_interval=0.02)
    assert old.equals(new)


def test_interval_is_checked_like_poll_interval(client, sandbox):
    with (
        pytest.warns(DeprecationWarning, match="use poll_interval="),
        pytest.raises(ow.InvalidInputError, match="poll_interval must be more than 0"),
    ):
        client.watch_fine_tuning("ftjob-x", interval=0)
    with pytest.raises(ow.InvalidTypeError, match="pass poll_interval only: interval is its old name"):
        client.fine_tuning_events("ftjob-x", interval=1, poll_interval=1)
    assert sandbox.requests == []


def test_signatures_show_only_the_new_keyword():
    for function in (ow.Client.fine_tuning_events, ow.Client.watch_fine_tuning, ow.fine_tuning_events):
        parameters = inspect.signature(function).parameters
        assert "poll_interval" in parameters and "interval" not in parameters


def test_new_names_do_not_warn(client, job):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        client.fine_tuning_events(job["id"], poll_interval=0.02)
        client.batch_job(make_batch(client))


def test_fine_tune_takes_training_file_and_validation_file_with_a_warning(client, sandbox):
    with pytest.warns(DeprecationWarning, match="is deprecated") as caught:
        job = client.fine_tune(training_file=examples(10), validation_file=examples(2))
    messages = [str(w.message) for w in caught]
    assert any(re.search(r"the keyword training_file= .* use training= instead", m) for m in messages)
    assert any(re.search(r"the keyword validation_file= .* use validation= instead", m) for m in messages)
    assert caught[0].filename == __file__
    body = sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()
    assert body["training_file"] == job["training_file"] and body["validation_file"] == job["validation_file"]
    with pytest.raises(ow.InvalidTypeError, match="pass training only: training_file is its old name"):
        client.fine_tune(examples(10), training_file=examples(10))
