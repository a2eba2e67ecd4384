"""The bulk options: one set, with one meaning, on embed, moderate and chat_map."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.bulk import resume as memory
from openai_widgets.bulk import rows as _row_results
from openai_widgets.bulk.options import BulkOptions
from tests.conftest import TEST_KEY

OPTIONS = ("max_concurrency", "requests_per_minute", "tokens_per_minute", "max_retries", "progress", "resume")
TEXTS = pd.Series([f"text {n}" for n in range(40)], index=[f"t{n}" for n in range(40)])
ROWS = pd.DataFrame({"text": [f"line {n}" for n in range(6)]}, index=range(10, 16))
CALLS = {
    "embed": lambda client, **options: client.embed(TEXTS, dimensions=8, **options),
    "moderate": lambda client, **options: client.moderate(TEXTS, **options),
    "chat_map": lambda client, **options: client.chat_map(ROWS, "Say {text}", **options),
}
PATHS = {"embed": "/embeddings", "moderate": "/moderations", "chat_map": "/chat/completions"}
ONE_REQUEST = {  # each sends one request, so its attempts are easy to count
    "embed": lambda client, **options: client.embed(["a", "b"], dimensions=8, **options),
    "moderate": lambda client, **options: client.moderate(["a", "b"], **options),
    "chat_map": lambda client, **options: client.chat_map(ROWS.head(1), "Say {text}", **options),
}


@pytest.fixture(autouse=True)
def _no_remembered_runs():
    memory._LAST.clear()
    yield
    memory._LAST.clear()


def make_client(sandbox, **settings):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, **settings)
    client.sleeps = []
    client.sleep = client.sleeps.append  # retry waits are recorded, not slept
    return client


@pytest.mark.parametrize("name", list(CALLS))
def test_every_bulk_call_takes_the_same_options_with_the_same_defaults(name):
    parameters = inspect.signature(getattr(ow.Client, name)).parameters
    defaults = {field: getattr(BulkOptions(), field) for field in OPTIONS}
    for option in OPTIONS:
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, option
        assert parameters[option].default == defaults[option], option
    assert defaults["max_retries"] is None  # None: the client's own max_retries


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"max_concurrency": 0}, ow.InvalidInputError, "max_concurrency must be between 1 and 2048, got 0"),
        (
            {"max_concurrency": "4"},
            ow.InvalidTypeError,
            "max_concurrency must be a whole number or None, not str",
        ),
        (
            {"requests_per_minute": -5},
            ow.InvalidInputError,
            "requests_per_minute must be more than 0, got -5",
        ),
        (
            {"tokens_per_minute": True},
            ow.InvalidTypeError,
            "tokens_per_minute must be a number or None, not bool",
        ),
        ({"max_retries": -1}, ow.InvalidInputError, "max_retries must be 0 or more, got -1"),
        ({"max_retries": 1.5}, ow.InvalidTypeError, "max_retries must be a whole number or None, not float"),
        ({"progress": "yes"}, ow.InvalidTypeError, "progress must be True or False, not str"),
        ({"resume": "yes"}, ow.InvalidTypeError, "resume must be True or "),
        ({"resume": True}, ow.InvalidInputError, r"resume=True, but no \w+\(\) call stopped in this session"),
    ],
)
@pytest.mark.parametrize("name", list(CALLS))
def test_options_are_checked_the_same_way_before_anything_is_sent(
    client, sandbox, name, options, error, message
):
    with pytest.raises(error, match=message):
        CALLS[name](client, **options)
    assert sandbox.requests == []


def test_bulk_options_are_frozen_and_give_the_engine_the_clients_retries(sandbox):
    options = BulkOptions(max_concurrency=4, requests_per_minute=60)
    with pytest.raises(AttributeError):
        options.max_concurrency = 8
    client = make_client(sandbox, max_retries=5)
    assert options.engine_settings(client) == {
        "max_concurrency": 4,
        "requests_per_minute": 60,
        "tokens_per_minute": None,
        "max_retries": 5,
        "progress": None,
    }
    assert BulkOptions(max_retries=0).engine_settings(client)["max_retries"] == 0


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize(("client_retries", "attempts"), [(0, 1), (2, 3)])
def test_max_retries_is_the_clients_setting(sandbox, name, client_retries, attempts):
    sandbox.inject("status", path=PATHS[name], status=500, times=50)
    with make_client(sandbox, max_retries=client_retries) as client, pytest.raises(ow.InternalServerError):
        ONE_REQUEST[name](client, progress=False)
    assert len(sandbox.requests_to(PATHS[name])) == attempts


@pytest.mark.parametrize("name", list(CALLS))
def test_max_retries_given_to_the_call_wins_over_the_clients(sandbox, name):
    sandbox.inject("status", path=PATHS[name], status=500, times=50)
    with make_client(sandbox, max_retries=0) as client, pytest.raises(ow.InternalServerError):
        ONE_REQUEST[name](client, progress=False, max_retries=2)
    assert len(sandbox.requests_to(PATHS[name])) == 3


@pytest.mark.parametrize("name", list(CALLS))
def test_rate_limit_waits_are_not_retries(sandbox, name):
    sandbox.inject("status", path=PATHS[name], status=429, retry_after_ms=10, times=4)
    with make_client(sandbox, max_retries=0) as client:
        result = CALLS[name](client, max_concurrency=1, progress=False)
    assert len(result) == (len(ROWS) if name == "chat_map" else len(TEXTS))
    assert client.sleeps[:4] == pytest.approx([0.01] * 4, abs=0.002)  # the wait asked, less the time gone


def test_moderate_paces_tokens_per_minute(client, sandbox, sleeps):
    """moderate() counts about 4 characters a token, so a tokens_per_minute limit holds it back."""
    texts = pd.Series(["x" * 40] * 96)  # 3 requests of 32 texts, 10 tokens each: 320 a request
    client.moderate(texts, max_concurrency=1, progress=False)
    assert sleeps == []  # no limit known: nothing waits
    client.moderate(texts, max_concurrency=1, tokens_per_minute=600, progress=False)  # 10 a second
    assert len(sandbox.requests_to("/moderations")) == 6
    assert len(sleeps) == 2 and min(sleeps) > 0.5  # the second and third requests wait for tokens


# -- resume=True: the last stopped run of the same function ---------------------------------------


def stop_after_first_batch(monkeypatch, job):
    """Ctrl-C when the second finished batch is stored."""
    calls = []
    if job == "embed":
        from openai_widgets.bulk import embedding_job

        cls, name = embedding_job.EmbeddingJob, "collect"
    else:
        cls, name = _row_results.RowResults, "store"
    original = getattr(cls, name)

    def stopping(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(cls, name, stopping)
    return lambda: monkeypatch.setattr(cls, name, original)


@pytest.mark.parametrize("name", ["moderate", "chat_map"])
def test_resume_true_finishes_the_last_stopped_run(client, sandbox, monkeypatch, name):
    clean = CALLS[name](client, progress=False)
    restore = stop_after_first_batch(monkeypatch, name)
    with pytest.raises(ow.BulkInterrupted) as info:
        CALLS[name](client, max_concurrency=1, progress=False)
    restore()
    assert "resume=True" in str(info.value)
    done = len(info.value.partial)
    assert 0 < done < len(clean)
    assert memory.last_partial(name) is info.value.partial

    sandbox.clear_requests()
    resumed = CALLS[name](client, resume=True, progress=False)

    assert resumed.equals(clean)
    sent = [r.json() for r in sandbox.requests_to(PATHS[name])]
    if name == "moderate":
        assert sum(len(body["input"]) for body in sent) == len(TEXTS) - done
    else:
        assert len(sent) == len(ROWS) - done
    assert memory.last_partial(name) is None  # finished: nothing left to resume
    with pytest.raises(ow.InvalidInputError, match=f"no {name}\\(\\) call stopped"):
        CALLS[name](client, resume=True)


def test_resume_true_belongs_to_its_own_function(client, monkeypatch):
    restore = stop_after_first_batch(monkeypatch, "moderate")
    with pytest.raises(ow.BulkInterrupted):
        CALLS["moderate"](client, max_concurrency=1, progress=False)
    restore()
    with pytest.raises(ow.InvalidInputError, match="no chat_map\\(\\) call stopped"):
        CALLS["chat_map"](client, resume=True)
    with pytest.raises(ow.InvalidInputError, match="partial result for other inputs"):
        client.moderate(TEXTS.iloc[:5], resume=True)
    assert memory.last_partial("moderate") is not None  # a refused resume keeps it


def test_chat_map_batch_resumes_only_the_missing_rows(client, sandbox, monkeypatch):
    restore = stop_after_first_batch(monkeypatch, "chat_map")
    with pytest.raises(ow.BulkInterrupted) as info:
        CALLS["chat_map"](client, max_concurrency=1, progress=False)
    restore()
    done = len(info.value.partial)
    answers = CALLS["chat_map"](client, batch=True, resume=True, poll_interval=0.05, progress=False)
    assert list(answers.index) == list(ROWS.index)
    assert all(f"Say line {n}" in answer for n, answer in enumerate(answers))
    content = sandbox.requests_to("/files", "POST")[-1].form()[1]["file"][0].content
    assert len(content.decode().splitlines()) == len(ROWS) - done  # only the missing rows went in the batch


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model": "gpt-4o"}, "model 'gpt-4o-mini', not 'gpt-4o'"),
        ({"system": "Answer in French."}, "system None, not 'Answer in French.'"),
        ({"temperature": 0.2}, "temperature None, not 0.2"),
        ({"response_format": "json"}, "response_format None, not {'type': 'json_object'}"),
    ],
)
def test_chat_map_refuses_a_partial_made_with_other_settings(client, sandbox, monkeypatch, change, words):
    restore = stop_after_first_batch(monkeypatch, "chat_map")
    with pytest.raises(ow.BulkInterrupted) as info:
        CALLS["chat_map"](client, max_concurrency=1, progress=False)
    restore()
    partial = info.value.partial
    sandbox.clear_requests()
    for resume in (partial, True):
        with pytest.raises(ow.InvalidInputError, match="partial result made with other settings") as refused:
            CALLS["chat_map"](client, resume=resume, progress=False, **change)
        assert words in str(refused.value)
        assert "call chat_map() with the settings of the run that stopped" in str(refused.value)
    assert sandbox.requests == []  # nothing asked, nothing mixed
    same = CALLS["chat_map"](client, resume=partial, progress=False)
    assert len(sandbox.requests_to("/chat/completions")) == len(ROWS) - len(partial)
    assert same.loc[partial.index].equals(partial)


def test_chat_map_refuses_a_partial_of_another_template(client, monkeypatch):
    restore = stop_after_first_batch(monkeypatch, "chat_map")
    with pytest.raises(ow.BulkInterrupted) as info:
        client.chat_map(ROWS, "{text}", max_concurrency=1, progress=False)
    restore()
    # The same prompts from another template and column: answers would match, yet the
    # template is part of what was asked, so the partial belongs to the other call.
    renamed = ROWS.rename(columns={"text": "line"})
    with pytest.raises(ow.InvalidInputError, match="template '{text}', not '{line}'"):
        client.chat_map(renamed, "{line}", resume=info.value.partial)


def test_moderate_refuses_a_partial_of_another_model(client, sandbox, monkeypatch):
    restore = stop_after_first_batch(monkeypatch, "moderate")
    with pytest.raises(ow.BulkInterrupted) as info:
        CALLS["moderate"](client, max_concurrency=1, progress=False)
    restore()
    with pytest.raises(
        ow.InvalidInputError, match="model 'omni-moderation-latest', not 'text-moderation-latest'"
    ):
        client.moderate(TEXTS, "text-moderation-latest", resume=info.value.partial)
