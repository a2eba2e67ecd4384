"""moderate() over a Series and chat_map() on the bulk engine: order, index, faults, interrupts, resume."""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.bulk import rows as _row_results


@pytest.fixture
def comments():
    texts = [f"comment number {n}" for n in range(100)]
    texts[7] = "I will kill you"
    texts[77] = "I hate you, idiot"
    return pd.Series(texts, index=[f"c{n}" for n in range(100)], name="comment")


def interrupt_on_store(monkeypatch, call: int):
    """Ctrl-C while the `call`-th finished batch is being stored (in the calling thread)."""
    calls = []
    original = _row_results.RowResults.store

    def store(self, positions, values):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        original(self, positions, values)

    monkeypatch.setattr(_row_results.RowResults, "store", store)
    return lambda: monkeypatch.setattr(_row_results.RowResults, "store", original)


# -- moderate ------------------------------------------------------------------------------------


def test_moderation_runs_batches_concurrently_and_keeps_order_and_index(connected, sandbox, comments, spec):
    sandbox.configure(latency=0.05)
    frame = ow.moderate(comments, progress=False)
    sent = sandbox.requests_to("/moderations")
    assert sorted(len(r.json()["input"]) for r in sent) == [4, 32, 32, 32]
    for logged in sent:
        spec.validate_request("POST", "/moderations", logged.json())
    assert list(frame.index) == list(comments.index)
    assert list(frame["input"]) == list(comments)
    assert frame["flagged"].sum() == 2
    assert frame.loc["c7", "violence"] and frame.loc["c77", "harassment"]


def test_moderation_survives_a_429_storm_and_5xx(connected, sandbox, comments):
    sandbox.inject("status", path="/moderations", status=429, retry_after_ms=50, times=4)
    sandbox.inject("status", path="/moderations", status=503, times=2)
    frame = ow.moderate(comments, progress=False)
    assert list(frame["input"]) == list(comments)
    assert frame.index.is_unique and len(frame) == 100


def test_an_interrupted_moderation_keeps_what_finished_and_resumes(connected, sandbox, comments, monkeypatch):
    restore = interrupt_on_store(monkeypatch, call=3)
    with pytest.raises(KeyboardInterrupt) as info:
        ow.moderate(comments, progress=False, max_concurrency=1)
    restore()
    error = info.value
    assert isinstance(error, ow.BulkInterrupted)
    partial = error.partial
    assert len(partial) == 64 and list(partial.index) == list(comments.index[:64])
    assert "64 of 100 texts are checked" in str(error)
    sandbox.clear_requests()
    frame = ow.moderate(comments, resume=partial, progress=False)
    assert sorted(len(r.json()["input"]) for r in sandbox.requests_to("/moderations")) == [4, 32]
    assert list(frame["input"]) == list(comments)
    assert frame.equals(ow.moderate(comments, progress=False))


def test_a_failed_moderation_carries_its_partial_result(connected, sandbox, comments):
    sandbox.inject("status", path="/moderations", status=400, times=1)  # 400 is never retried
    with pytest.raises(ow.BadRequestError) as info:
        ow.moderate(comments, progress=False, max_concurrency=1)
    assert isinstance(info.value, ow.BulkError)
    assert len(info.value.partial) == 0  # the first batch failed: nothing finished


def test_resume_must_belong_to_the_same_inputs(connected, comments, monkeypatch):
    restore = interrupt_on_store(monkeypatch, call=2)
    with pytest.raises(ow.BulkInterrupted) as info:
        ow.moderate(comments, progress=False, max_concurrency=1)
    restore()
    with pytest.raises(ow.InvalidInputError, match="partial result for other inputs"):
        ow.moderate(comments.iloc[1:], resume=info.value.partial)
    with pytest.raises(
        ow.InvalidTypeError, match="resume must be True or the `partial` of an error raised by moderate"
    ):
        ow.moderate(comments, resume=pd.DataFrame())


# -- chat_map ------------------------------------------------------------------------------------


@pytest.fixture
def table():
    return pd.DataFrame(
        {"text": [f"sentence {n}" for n in range(30)], "language": ["French", "German"] * 15},
        index=pd.RangeIndex(100, 130),
    )


def test_chat_map_fills_the_template_per_row_and_keeps_the_index(connected, sandbox, table, spec):
    sandbox.configure(latency=0.05)
    answers = ow.chat_map(
        table, "Translate '{text}' into {language}.", system="Be brief.", temperature=0, progress=False
    )
    assert isinstance(answers, pd.Series) and answers.name == "answer"
    assert list(answers.index) == list(table.index)
    for position, (label, answer) in enumerate(answers.items()):
        row = table.loc[label]
        assert f"Translate '{row['text']}' into {row['language']}." in answer, position
    bodies = [r.json() for r in sandbox.requests_to("/chat/completions")]
    assert len(bodies) == 30
    for body in bodies:
        spec.validate_request("POST", "/chat/completions", body)
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}
        assert body["temperature"] == 0
    assert answers.attrs["usage"]["total_tokens"] > 0


def test_chat_map_over_a_series(connected):
    animals = pd.Series(["cat", "owl"], index=["x", "y"], name="animal")
    by_name = ow.chat_map(animals, "One line about the {animal}", progress=False)
    by_value = ow.chat_map(animals, "One line about the {value}", progress=False)
    positional = ow.chat_map(animals, "One line about the {}", progress=False)
    assert list(by_name) == list(by_value) == list(positional)
    assert "One line about the owl" in by_name["y"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "Translate {txt}",
            "template field(s) {txt} are not columns; name columns of the DataFrame: text, language",
        ),
        ("Translate {}", "template field(s) {} are not columns"),
        ("", "template is empty; write a prompt such as 'Summarise: {text}'"),
    ],
)
def test_chat_map_checks_the_template_before_sending(connected, sandbox, table, template, message):
    with pytest.raises((ow.InvalidInputError, ow.InvalidTypeError)) as info:
        ow.chat_map(table, template)
    assert message in str(info.value)
    assert sandbox.requests == []


def test_chat_map_reports_missing_values_and_bad_settings_before_sending(connected, sandbox, table):
    table.loc[105, "language"] = None
    with pytest.raises(
        ow.InvalidInputError, match=r"the value for \{language\} at index 105 is missing \(NaN\)"
    ):
        ow.chat_map(table, "{text} in {language}")
    with pytest.raises(ow.InvalidInputError, match="temperature must be between 0 and 2"):
        ow.chat_map(table.dropna(), "{text}", temperature=5)
    assert sandbox.requests == []


def test_chat_map_survives_faults_and_resumes_after_an_interrupt(connected, sandbox, table, monkeypatch):
    sandbox.inject("status", path="/chat/completions", status=429, retry_after_ms=20, times=3)
    sandbox.inject("drop", path="/chat/completions", times=2)
    clean = ow.chat_map(table, "{text}", progress=False)
    assert list(clean.index) == list(table.index)
    restore = interrupt_on_store(monkeypatch, call=11)
    with pytest.raises(ow.BulkInterrupted) as info:
        ow.chat_map(table, "{text}", progress=False, max_concurrency=1)
    restore()
    partial = info.value.partial
    assert list(partial.index) == list(table.index[:10])
    sandbox.clear_requests()
    resumed = ow.chat_map(table, "{text}", resume=partial, progress=False)
    assert len(sandbox.requests_to("/chat/completions")) == 20
    assert resumed.equals(clean)


def test_chat_map_through_the_batch_api(connected, sandbox, table):
    answers = ow.chat_map(table.head(5), "Say {text}", batch=True, progress=False)
    assert list(answers.index) == list(table.index[:5])
    assert all(f"Say sentence {n}" in a for n, a in enumerate(answers))
    assert answers.attrs["errors"] == {}
    assert sandbox.requests_to("/batches", "POST")
    assert not sandbox.requests_to("/chat/completions")  # the sandbox ran them inside the batch
