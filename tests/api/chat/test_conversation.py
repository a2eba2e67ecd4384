"""Conversation: history kept across turns, system message, failures leave it unchanged."""

from __future__ import annotations

import pytest
from PIL import Image

import openai_widgets as ow


def test_each_turn_sends_the_history(sandbox, client, spec):
    talk = ow.Conversation(system="You answer briefly.", model="gpt-4o", client=client, temperature=0.5)
    first = talk.ask("Hi")
    second = talk.ask("And again?", max_completion_tokens=200)
    bodies = [r.json() for r in sandbox.requests_to("/chat/completions")]
    for body in bodies:
        spec.validate_request("POST", "/chat/completions", body)
    assert bodies[1]["messages"] == [
        {"role": "system", "content": "You answer briefly."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": "And again?"},
    ]
    assert bodies[0]["model"] == bodies[1]["model"] == "gpt-4o"
    assert bodies[0]["temperature"] == bodies[1]["temperature"] == 0.5
    assert bodies[1]["max_completion_tokens"] == 200
    assert "max_completion_tokens" not in bodies[0]
    assert len(talk) == 5
    assert talk.messages[-1] == {"role": "assistant", "content": second.text}
    assert talk.last is second
    assert talk.results == [first, second]


def test_uses_the_default_client_when_none_is_given(sandbox, connected):
    talk = ow.Conversation()
    talk.ask("hello")
    assert talk.messages[0] == {"role": "user", "content": "hello"}
    assert sandbox.requests_to("/chat/completions")[0].json()["model"] == "gpt-4o-mini"


def test_system_message_can_be_set_replaced_and_removed(client):
    talk = ow.Conversation(client=client)
    assert talk.system is None
    talk.system = "Be terse."
    talk.ask("hi")
    talk.system = "Be verbose."
    assert talk.messages[0] == {"role": "system", "content": "Be verbose."}
    assert len(talk) == 3
    talk.system = None
    assert talk.messages[0]["role"] == "user"


def test_clear_keeps_the_system_message(client):
    talk = ow.Conversation(system="S", client=client)
    talk.ask("one")
    talk.clear()
    assert talk.messages == [{"role": "system", "content": "S"}]
    assert talk.last is None


def test_add_puts_messages_without_asking(sandbox, client):
    talk = ow.Conversation(client=client)
    talk.add("user", "What is 2+2?")
    talk.add("assistant", "4")
    talk.ask("And 3+3?")
    sent = sandbox.requests_to("/chat/completions")[0].json()["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    with pytest.raises(ow.InvalidInputError, match=r"messages\[0\].role 'bot' is not a role"):
        talk.add("bot", "x")


def test_a_failed_turn_leaves_the_history_unchanged(sandbox, client):
    talk = ow.Conversation(client=client)
    talk.ask("first")
    before = talk.messages
    sandbox.configure(stream_interval=0.02)
    sandbox.inject("cut_stream", path="/chat/completions", after=3)
    with pytest.raises(ow.StreamInterruptedError):
        talk.ask("second", stream=True)
    assert talk.messages == before
    with pytest.raises(ow.NotFoundError):
        talk.ask("third", model="gpt-none")
    assert talk.messages == before


def test_an_interrupted_reply_is_kept_as_far_as_it_got(sandbox, client):
    sandbox.configure(stream_interval=0.02)
    talk = ow.Conversation(client=client)

    def stop(partial):
        if partial.text and not partial.interrupted:
            raise KeyboardInterrupt

    result = talk.ask("Hello", stream=True, on_update=stop)
    assert result.interrupted
    assert talk.messages[-1] == {"role": "assistant", "content": result.text}


def test_images_stay_in_the_history_as_sent(sandbox, client):
    talk = ow.Conversation(client=client)
    talk.ask(["What is this?", Image.new("RGB", (5, 5))])
    talk.ask("And its colour?")
    second = sandbox.requests_to("/chat/completions")[1].json()["messages"]
    assert second[0]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert "(+1 image)" in talk._repr_markdown_()


def test_markdown_transcript(client):
    talk = ow.Conversation(system="S", client=client)
    assert "**system**: S" in talk._repr_markdown_()
    talk.ask("hi")
    assert "**user**: hi" in talk._repr_markdown_()
    assert repr(talk) == "Conversation(model=None, messages=3)"
    assert ow.Conversation()._repr_markdown_() == "*(empty conversation)*"


def test_messages_are_copies(client):
    talk = ow.Conversation(system="S", client=client)
    talk.messages[0]["content"] = "changed"
    assert talk.system == "S"
