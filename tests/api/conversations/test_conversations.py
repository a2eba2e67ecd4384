"""Conversations: create, get, update, list and add items, delete; respond() continuing one; and
Conversation(api="responses") keeping its thread on the server."""

from __future__ import annotations

import pytest

import openai_widgets as ow
from openai_widgets._responses.items import ITEM_COLUMNS
from tests.support.responses import bodies_sent, validate_request


def test_create_get_update_and_delete(sandbox, client, spec):
    made = client.create_conversation(["Hello there"], metadata={"topic": "greetings"})
    assert isinstance(made, ow.Record) and made["id"].startswith("conv_")
    (body,) = bodies_sent(sandbox, spec, "/conversations")
    assert body == {
        "items": [{"role": "user", "content": [{"type": "input_text", "text": "Hello there"}]}],
        "metadata": {"topic": "greetings"},
    }
    assert client.conversation(made["id"]) == made
    updated = client.update_conversation(made, {"topic": "travel"})  # a record works as the ID
    assert updated["metadata"] == {"topic": "travel"}
    update_body = sandbox.requests_to(f"/conversations/{made['id']}", "POST")[0].json()
    validate_request(spec, "POST", f"/conversations/{made['id']}", update_body)
    deleted = client.delete_conversation(made["id"])
    assert deleted == {"id": made["id"], "object": "conversation.deleted", "deleted": True}
    with pytest.raises(ow.NotFoundError):
        client.conversation(made["id"])


def test_items_are_listed_oldest_first_with_the_output_columns(client):
    made = client.create_conversation(
        [{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}]
    )
    frame = client.conversation_items(made["id"])
    assert list(frame.columns) == list(ITEM_COLUMNS)
    assert frame["text"].tolist() == ["one", "two"]
    assert frame["role"].tolist() == ["user", "assistant"]
    empty = client.conversation_items(client.create_conversation()["id"])
    assert list(empty.columns) == list(ITEM_COLUMNS) and len(empty) == 0
    assert len(client.conversation_items(made["id"], limit=1)) == 1


def test_more_than_twenty_items_go_in_several_requests(sandbox, client, spec):
    messages = [{"role": "user", "content": f"message {n}"} for n in range(45)]
    made = client.create_conversation(messages[:25])
    added = client.add_conversation_items(made["id"], messages[25:])
    assert added["text"].tolist() == [f"message {n}" for n in range(25, 45)]
    assert added["id"].str.startswith("msg_").all()
    posts = sandbox.requests_to("/conversations", "POST")
    sizes = [len(r.json()["items"]) for r in posts]
    assert sizes == [20, 5, 20]
    for logged in posts[1:]:
        validate_request(spec, "POST", logged.path, logged.json())
    assert client.conversation_items(made["id"])["text"].tolist() == [f"message {n}" for n in range(45)]


def test_an_item_can_be_deleted(client):
    joined = client.create_conversation(["one message", "in two parts"])  # plain content: one message
    assert client.conversation_items(joined)["text"].tolist() == ["one message in two parts"]
    made = client.create_conversation(
        [{"role": "user", "content": "keep"}, {"role": "user", "content": "drop"}]
    )
    frame = client.conversation_items(made["id"])
    record = client.delete_conversation_item(made["id"], frame.loc[1, "id"])
    assert record["id"] == made["id"]
    assert client.conversation_items(made["id"])["text"].tolist() == ["keep"]


def test_respond_continues_a_conversation(sandbox, client, spec):
    made = client.create_conversation(["My name is Ada."])
    reply = client.respond("What is it?", conversation=made["id"])
    (body,) = bodies_sent(sandbox, spec)
    assert body["conversation"] == made["id"]
    assert 'This is turn 2 of this conversation; it began with "My name is Ada."' in reply.text
    kinds = client.conversation_items(made["id"])["role"].tolist()
    assert kinds == ["user", "user", "assistant"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.create_conversation(metadata={"a": 1}),
            ow.InvalidTypeError,
            "metadata['a'] must be text",
        ),
        (lambda c: c.create_conversation([]), ow.InvalidInputError, "items is an empty list"),
        (lambda c: c.update_conversation("conv_1", None), ow.InvalidInputError, "metadata is required"),
        (lambda c: c.conversation(42), ow.InvalidTypeError, "conversation_id must be"),
        (lambda c: c.conversation_items(" "), ow.InvalidInputError, "conversation_id is empty"),
        (
            lambda c: c.add_conversation_items("conv_1", [{"role": "x", "content": "y"}]),
            ow.InvalidInputError,
            "items[0].role 'x'",
        ),
        (lambda c: c.delete_conversation_item("conv_1", ""), ow.InvalidInputError, "item_id is empty"),
    ],
)
def test_bad_input_is_refused_before_sending(sandbox, client, call, error, message):
    with pytest.raises(error) as info:
        call(client)
    assert message in str(info.value)
    assert sandbox.requests == []


# -- Conversation(api="responses") ------------------------------------------------------------


def test_a_server_side_conversation_sends_only_the_new_message(sandbox, client, spec):
    talk = ow.Conversation(
        system="Be brief.", api="responses", model="gpt-4o", client=client, temperature=0.5
    )
    assert talk.conversation_id is None and talk.items().empty
    first = talk.ask("My name is Ada.")
    second = talk.ask("What is it?", max_output_tokens=200)
    assert isinstance(first, ow.Response) and isinstance(second, ow.Response)
    created = bodies_sent(sandbox, spec, "/conversations")
    assert created == [{"items": []}]
    bodies = bodies_sent(sandbox, spec)
    assert [body["input"] for body in bodies] == ["My name is Ada.", "What is it?"]
    assert {body["conversation"] for body in bodies} == {talk.conversation_id}
    assert all(body["instructions"] == "Be brief." and body["model"] == "gpt-4o" for body in bodies)
    assert bodies[1]["max_output_tokens"] == 200 and "max_output_tokens" not in bodies[0]
    assert 'it began with "My name is Ada."' in second.text
    assert talk.messages[-1] == {"role": "assistant", "content": second.text}
    assert talk.items()["role"].tolist() == ["user", "assistant", "user", "assistant"]
    assert talk.results == [first, second] and talk.last is second
    assert "api='responses'" in repr(talk)


def test_messages_added_before_the_first_turn_go_into_the_new_conversation(sandbox, client, spec):
    talk = ow.Conversation(api="responses", client=client)
    talk.add("user", "I live in Oslo.")
    talk.ask("Where do I live?")
    (created,) = bodies_sent(sandbox, spec, "/conversations")
    assert created["items"] == [{"role": "user", "content": "I live in Oslo."}]
    talk.add("assistant", "Noted.")
    assert talk.items()["text"].tolist()[-1] == "Noted."
    talk.clear()
    assert talk.conversation_id is None and talk.messages == []


def test_an_existing_conversation_can_be_joined(client):
    made = client.create_conversation(["The code word is teal."])
    talk = ow.Conversation(api="responses", conversation=made, client=client)
    assert talk.conversation_id == made["id"]
    assert 'began with "The code word is teal."' in talk.ask("What was the code word?").text


def test_conversation_settings_are_checked(client):
    with pytest.raises(ow.InvalidInputError, match="api 'assistants' is not one of chat, responses"):
        ow.Conversation(api="assistants")
    with pytest.raises(ow.InvalidInputError, match="use it with api='responses'"):
        ow.Conversation(conversation="conv_1")
    with pytest.raises(ow.InvalidInputError, match="name= is a chat message field"):
        ow.Conversation(api="responses", client=client).ask("hi", name="bob")
