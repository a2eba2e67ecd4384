"""edit() on chat completions, and the deprecated complete() on /v1/completions."""

from __future__ import annotations

import warnings

import pytest

import openai_widgets as ow
from openai_widgets.api.completions import DEPRECATION
from openai_widgets.api.edits import EDIT_PROMPT

LEGACY = "legacy completions endpoint"


def test_edit_sends_the_instruction_as_a_system_message(sandbox, client, spec):
    edited = client.edit("teh cat sat on teh mat", "Fix the spelling", temperature=0)
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": EDIT_PROMPT.format(instruction="Fix the spelling")},
            {"role": "user", "content": "teh cat sat on teh mat"},
        ],
        "temperature": 0,
    }
    assert isinstance(edited, str)
    assert edited == "[sandbox] the cat sat on the mat"


def test_edit_returns_only_the_text(client):
    assert client.edit("hello world", "Use upper case", model="gpt-4o") == "[sandbox] HELLO WORLD"


def test_edit_is_documented_as_running_on_chat():
    assert "/v1/edits" in ow.Client.edit.__doc__
    assert "retired" in ow.Client.edit.__doc__


def test_a_fenced_reply_is_unwrapped():
    from openai_widgets.api import edits

    assert edits._unfenced("```text\nHELLO\n```", "hello") == "HELLO"
    assert edits._unfenced("```\nx = 1\n```", "```\nx=1\n```") == "```\nx = 1\n```"


def test_a_cut_edit_warns(client):
    with pytest.warns(RuntimeWarning, match="cut at the token limit"):
        assert client.edit("hello world", "upper case", max_completion_tokens=2) == "[sandbox"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("", "Fix it"), {}, ow.InvalidInputError, "input is empty; give the text to edit"),
        (("text", "  "), {}, ow.InvalidInputError, "instruction is empty; say what to change"),
        ((3, "Fix it"), {}, ow.InvalidTypeError, "input must be a string, not int"),
        (("text", "Fix"), {"stream": True}, ow.InvalidInputError, "edit() returns one whole text, so stream"),
        (("text", "Fix"), {"n": 2}, ow.InvalidInputError, "so n is not taken"),
        (("text", "Fix"), {"temperature": 9}, ow.InvalidInputError, "temperature must be between 0 and 2"),
    ],
)
def test_edit_refuses_bad_input_before_sending(sandbox, client, args, kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        client.edit(*args, **kwargs)
    assert sandbox.requests_to("/chat/completions") == []


def test_complete_warns_and_returns_the_text(sandbox, client, spec):
    with pytest.warns(DeprecationWarning, match=r"use chat\(\) instead") as caught:
        text = client.complete("Once upon a time", max_tokens=40, temperature=0.5)
    assert caught[0].filename == __file__  # points at the caller, not at the package
    (logged,) = sandbox.requests_to("/completions")
    body = logged.json()
    spec.validate_request("POST", "/completions", body)
    assert body == {
        "model": "gpt-3.5-turbo-instruct",
        "prompt": "Once upon a time",
        "max_tokens": 40,
        "temperature": 0.5,
    }
    assert text == (
        ' [sandbox] a deterministic continuation of "Once upon a time" from the local sandbox, not a model.'
    )


def test_complete_default_max_tokens_is_the_apis(client):
    with pytest.warns(DeprecationWarning, match=LEGACY):
        text = client.complete("Once upon a time")
    assert text == ' [sandbox] a deterministic continuation of "Once upon a time" from the local'


def test_module_level_complete_points_the_warning_at_the_caller(connected):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ow.complete("hi")
    assert caught[0].category is DeprecationWarning
    assert caught[0].filename == __file__
    assert str(caught[0].message) == DEPRECATION


def test_complete_refuses_chat_models_on_the_server(client):
    with (
        pytest.warns(DeprecationWarning, match=LEGACY),
        pytest.raises(ow.NotFoundError, match="This is a chat model"),
    ):
        client.complete("hi", model="gpt-4o-mini")


@pytest.mark.parametrize(
    ("prompt", "kwargs", "error", "message"),
    [
        ("", {}, ow.InvalidInputError, "prompt is empty"),
        (["a"], {}, ow.InvalidTypeError, "prompt must be a string, not list"),
        ("hi", {"stream": True}, ow.InvalidInputError, "does not stream"),
        ("hi", {"n": 3}, ow.InvalidInputError, "so n is not taken"),
        ("hi", {"top_p": 2}, ow.InvalidInputError, "top_p must be between 0 and 1, got 2"),
    ],
)
def test_complete_refuses_bad_input_before_sending(sandbox, client, prompt, kwargs, error, message):
    with pytest.warns(DeprecationWarning, match=LEGACY), pytest.raises(error, match=message):
        client.complete(prompt, **kwargs)
    assert sandbox.requests_to("/completions") == []
