"""max_cost refuses a bulk call before anything is sent; a notebook threshold asks first."""

from __future__ import annotations

import builtins
import math

import pandas as pd
import pytest
from IPython.core.error import StdinNotImplementedError

import openai_widgets as ow
from openai_widgets._costs import guard

TEXTS = pd.Series([f"text number {i} about cats" for i in range(40)])
ROWS = pd.DataFrame({"text": ["a cat", "a dog", "a bird"]})


@pytest.fixture(autouse=True)
def clean(sandbox):
    sandbox.clear_requests()
    ow.set_prices(None)
    yield
    ow.set_prices(None)
    guard.set_confirm_threshold(None)


def refused(sandbox, call) -> str:
    with pytest.raises(ow.InvalidInputError) as info:
        call()
    assert sandbox.requests == [], "a request was sent although the call was refused"
    message = str(info.value)
    assert "\n" not in message
    return message


def test_embed_above_max_cost_is_refused_naming_the_estimate_and_the_limit(client, sandbox):
    ow.set_prices({"text-embedding-3-small": {"input": 1000.0}})  # $0.001 a token: easy to exceed
    message = refused(sandbox, lambda: client.embed(TEXTS, max_cost=0.05, progress=False))
    estimate = client.estimate_cost("embed", TEXTS)
    assert message == (
        f"embed() not started: its estimated cost, {estimate.cost_text()} USD for 1 request, may exceed "
        f"max_cost=$0.05; raise max_cost to at least {math.ceil(estimate.high * 100) / 100:.2f} or send less"
    )


def test_chat_map_and_its_batch_form_are_refused_before_anything_is_sent(client, sandbox):
    message = refused(sandbox, lambda: client.chat_map(ROWS, "Say {text}", "gpt-4o", max_cost=0.000001))
    assert message.startswith("chat_map() not started: its estimated cost, $")
    assert "for 3 requests, may exceed max_cost=$0.0000010" in message
    refused(sandbox, lambda: client.chat_map(ROWS, "Say {text}", "gpt-4o", batch=True, max_cost=0.000001))


def test_moderate_is_free_but_an_unpriced_model_cannot_be_checked(client, sandbox):
    frame = client.moderate(TEXTS[:3], max_cost=0.0, progress=False)  # free: within any limit
    assert len(frame) == 3 and len(sandbox.requests_to("/moderations")) == 1
    sandbox.clear_requests()
    message = refused(sandbox, lambda: client.moderate(TEXTS, "house-moderator", max_cost=1.0))
    assert message == (
        "moderate() not started: no price is known for house-moderator, so max_cost=$1.00 cannot be "
        "checked; set one with ow.set_prices({...}) or leave max_cost out"
    )
    ow.set_prices({"omni-moderation-latest": {"input": 10_000.0}})
    assert "may exceed max_cost=$0.01" in refused(sandbox, lambda: client.moderate(TEXTS, max_cost=0.01))


def test_a_call_within_max_cost_runs(client, sandbox):
    answers = client.chat_map(ROWS, "Say {text}", "gpt-4o-mini", max_completion_tokens=20, max_cost=0.01)
    assert answers.notna().all() and len(sandbox.requests_to("/chat/completions")) == 3
    frame = client.embed(TEXTS, max_cost=0.01, progress=False)
    assert len(frame) == len(TEXTS)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ow.InvalidInputError, "max_cost must be 0 or more USD, got -1"),
        ("5", ow.InvalidTypeError, "max_cost must be a number of USD or None, not str"),
        (True, ow.InvalidTypeError, "max_cost must be a number of USD or None, not bool"),
    ],
)
def test_a_wrong_max_cost_is_refused_like_the_other_bulk_options(client, sandbox, value, error, message):
    for call in (
        lambda: client.embed(TEXTS, max_cost=value),
        lambda: client.moderate(TEXTS, max_cost=value),
        lambda: client.chat_map(ROWS, "{text}", max_cost=value),
    ):
        with pytest.raises(error, match=message.replace("(", r"\(")):
            call()
    assert sandbox.requests == []


# -- the notebook's confirmation ------------------------------------------------------------


@pytest.fixture
def answers(monkeypatch):
    """What the user types at the prompt; the questions asked are kept."""
    asked: list[str] = []
    replies: list = []

    def fake_input(question: str = "") -> str:
        asked.append(question)
        reply = replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    monkeypatch.setattr(builtins, "input", fake_input)
    return replies, asked


def test_above_the_threshold_a_notebook_asks_and_yes_goes_ahead(ip, sandbox, answers):
    replies, asked = answers
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = 0.0")
    assert guard.confirm_threshold() == 0.0
    replies.append("y")
    result = ow.chat_map(ROWS, "Say {text}", "gpt-4o-mini", max_completion_tokens=20, progress=False)
    assert len(result) == 3 and len(sandbox.requests_to("/chat/completions")) == 3
    assert len(asked) == 1
    assert asked[0].startswith("chat_map() may cost up to $")
    assert asked[0].endswith("above confirm_cost_above=$0.00. Go ahead? [y/N] ")


def test_no_at_the_prompt_sends_nothing(ip, sandbox, answers):
    replies, _ = answers
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = 0.0")
    replies.append("no")
    message = refused(sandbox, lambda: ow.embed(TEXTS, progress=False))
    assert message.startswith("embed() not started: declined at an estimated cost of up to $")
    assert message.endswith("pass max_cost=0.01 to run it without being asked")


def test_a_frontend_that_cannot_ask_gets_a_one_line_instruction(ip, sandbox, answers):
    replies, _ = answers
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = 0.0")
    replies.append(
        StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")
    )
    message = refused(sandbox, lambda: ow.chat_map(ROWS, "Say {text}", max_completion_tokens=20))
    assert message.endswith(
        "above confirm_cost_above=$0.00, and this frontend cannot ask; run it again with max_cost=0.01 to go ahead"
    )
    result = ow.chat_map(ROWS, "Say {text}", max_completion_tokens=20, max_cost=0.01, progress=False)
    assert len(result) == 3  # with max_cost the call goes without a question


def test_below_the_threshold_or_without_one_nobody_is_asked(ip, sandbox, answers):
    _, asked = answers
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = 5.0")
    ow.chat_map(ROWS, "Say {text}", max_completion_tokens=20, progress=False)
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = None")
    assert guard.confirm_threshold() is None
    ow.embed(TEXTS, progress=False)
    assert asked == []


def test_unloading_the_magics_drops_the_threshold(ip):
    ip.run_line_magic("config", "OpenAIMagics.confirm_cost_above = 1.5")
    assert guard.confirm_threshold() == 1.5
    ip.run_line_magic("unload_ext", "openai_widgets")
    assert guard.confirm_threshold() is None
    ip.run_line_magic("load_ext", "openai_widgets")
