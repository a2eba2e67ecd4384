"""One rule for every text a bulk call sends, checked for all rows before the first request.

embed, moderate and the values chat_map fills into its template refuse the same values
with the same words, naming the row by its index label, and the server receives nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow

CALLS = {
    "embed": lambda client, values: client.embed(values, dimensions=8, progress=False),
    "moderate": lambda client, values: client.moderate(values, progress=False),
    "chat_map": lambda client, values: client.chat_map(values, "Say {}", progress=False),
}
WHAT = {"embed": "input", "moderate": "input", "chat_map": "the value for {}"}

# value at index 'c' -> (error class, the words that follow "<what> at index 'c' ")
BAD = {
    "None": (None, ow.InvalidInputError, "is missing (None); drop or fill missing values first"),
    "NaN": (float("nan"), ow.InvalidInputError, "is missing (NaN)"),
    "numpy float32 NaN": (np.float32("nan"), ow.InvalidInputError, "is missing (nan)"),
    "pd.NA": (pd.NA, ow.InvalidInputError, "is missing (<NA>)"),
    "NaT": (pd.NaT, ow.InvalidInputError, "is missing (NaT)"),
    "numpy NaT": (np.datetime64("NaT"), ow.InvalidInputError, "is missing (NaT)"),
    "int": (7, ow.InvalidTypeError, "is a int, not text; convert it first, e.g. series.astype(str)"),
    "numpy int": (np.int64(7), ow.InvalidTypeError, "is a int64, not text"),
    "float": (2.5, ow.InvalidTypeError, "is a float, not text"),
    "bytes": (b"caf\xc3\xa9", ow.InvalidTypeError, "is bytes, not text; decode it first"),
    "list": (["a"], ow.InvalidTypeError, "is a list, not text"),
    "lone surrogate": (
        "bad \udcff end",
        ow.InvalidInputError,
        "holds a lone surrogate (U+DCFF at character 5), which cannot be sent as UTF-8",
    ),
}


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("call", CALLS)
def test_every_bulk_call_refuses_the_same_values_before_sending(client, sandbox, call, kind):
    value, error, words = BAD[kind]
    values = pd.Series(["first", "second", value, "fourth"], index=["a", "b", "c", "d"], dtype=object)
    with pytest.raises(error) as info:
        CALLS[call](client, values)
    assert f"{WHAT[call]} at index 'c' {words}" in str(info.value)
    assert sandbox.requests == []  # not one row sent, not even the two before the bad one


@pytest.mark.parametrize("call", CALLS)
def test_a_pandas_string_column_with_a_gap_is_refused(client, sandbox, call):
    values = pd.Series(["one", None, "three"], dtype="string")  # pd.NA inside
    with pytest.raises(ow.InvalidInputError, match=r"at index 1 is missing \(<NA>\)"):
        CALLS[call](client, values)
    assert sandbox.requests == []


def test_chat_map_checks_every_template_field_of_a_frame(client, sandbox):
    frame = pd.DataFrame({"text": ["a", "b"], "n": [1, 2]}, index=[100, 101])
    with pytest.raises(ow.InvalidTypeError, match=r"the value for \{n\} at index 100 is a int, not text"):
        client.chat_map(frame, "{text} times {n}")
    assert client.chat_map(frame.astype({"n": str}), "{text} times {n}", progress=False)[101].count(
        "b times 2"
    )
    frame.loc[101, "text"] = None  # pandas stores it as NaN
    with pytest.raises(ow.InvalidInputError, match=r"the value for \{text\} at index 101 is missing \(NaN\)"):
        client.chat_map(frame.astype({"n": str}), "{text} times {n}")


def test_chat_map_takes_empty_values_but_not_a_surrogate_in_the_template(client, sandbox):
    answers = client.chat_map(pd.Series(["", "x"]), "Say [{}]", progress=False)
    assert "Say []" in answers[0]
    sandbox.clear_requests()
    with pytest.raises(ow.InvalidInputError, match=r"the prompt at index 0 holds a lone surrogate \(U\+D800"):
        client.chat_map(pd.Series(["x", "y"]), "Say \ud800{}")
    assert sandbox.requests == []


def test_a_template_that_cannot_be_filled_is_refused_in_words(client, sandbox):
    for template, words in [("{:.2f}", "Unknown format code 'f'"), ("{!x}", "Unknown conversion")]:
        with pytest.raises(ow.InvalidInputError, match="cannot be filled") as info:
            client.chat_map(pd.Series(["1"]), template)
        assert words in str(info.value)
    assert sandbox.requests == []


def test_embed_refuses_an_empty_string_but_moderate_and_chat_map_values_take_it(client, sandbox):
    with pytest.raises(ow.InvalidInputError, match="input at index 1 is an empty string"):
        client.embed(["a", ""])
    assert len(client.moderate(["a", ""], progress=False)) == 2


def test_the_rule_is_fast_on_many_good_texts():
    import time

    from openai_widgets._tables.text_input import check_texts

    texts = [f"text number {n} é" for n in range(200_000)]
    started = time.perf_counter()
    check_texts(texts, range(len(texts)), "input")
    assert time.perf_counter() - started < 1.0
