"""chat() checks messages and settings before sending: one rule per test, with its message."""

from __future__ import annotations

import re

import httpx
import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY


@pytest.fixture
def offline():
    """A client whose transport fails the test if anything is sent."""
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise AssertionError(f"a request was sent: {request.method} {request.url}")

    with ow.Client(api_key=TEST_KEY, transport=httpx.MockTransport(handler), max_retries=0) as made:
        yield made
    assert not sent


def raises(client, error, message, *args, **kwargs):
    with pytest.raises(error, match=re.escape(message)) as caught:
        client.chat(*args, **kwargs)
    return caught.value


def test_unknown_role_names_index_and_field(offline):
    error = raises(
        offline,
        ow.InvalidInputError,
        "messages[1].role 'robot' is not a role; use one of system, developer, user, assistant, tool",
        [{"role": "user", "content": "hi"}, {"role": "robot", "content": "beep"}],
    )
    assert isinstance(error, ValueError)


def test_missing_role(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[0] has no 'role'",
        [{"role": "user", "content": "a"}, {"content": "b"}][::-1],
    )


def test_name_with_space_is_refused(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[0].name 'Ada Lovelace' may only hold letters, digits, '_' and '-'",
        [{"role": "user", "content": "hi", "name": "Ada Lovelace"}],
    )


def test_name_longer_than_64_is_refused(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[2].name is 65 characters long; at most 64 are allowed",
        [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "u"},
            {"role": "user", "content": "u", "name": "a" * 65},
        ],
    )


def test_name_of_64_is_accepted(sandbox, client):
    name = "a_b-C9" + "x" * 58
    result = client.chat([{"role": "user", "content": "hi", "name": name}])
    assert sandbox.requests_to("/chat/completions")[0].json()["messages"][0]["name"] == name
    assert result.text.startswith("[sandbox]")


def test_name_must_be_text(offline):
    raises(
        offline,
        ow.InvalidTypeError,
        "messages[0].name must be a string, not int",
        [{"role": "user", "content": "x", "name": 7}],
    )


def test_empty_message_list(offline):
    raises(offline, ow.InvalidInputError, "messages is empty; pass a string or at least one message", [])


def test_empty_content(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[1].content is empty; write the message or remove it",
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "   "}],
    )


def test_missing_content(offline):
    raises(offline, ow.InvalidInputError, "messages[0].content is missing", [{"role": "user"}])


def test_empty_string_message(offline):
    raises(offline, ow.InvalidInputError, "messages[0].content is empty", "")


def test_empty_content_list(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[0].content is an empty list",
        [{"role": "user", "content": []}],
    )


def test_assistant_with_tool_calls_may_have_no_content(sandbox, client, spec):
    messages = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    result = client.chat(messages)
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert "content" not in body["messages"][1]
    assert result.text == "[sandbox] The tool returned: sunny"


def test_tool_message_needs_tool_call_id(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages[0].tool_call_id is missing; a tool message answers a tool call",
        [{"role": "tool", "content": "42"}],
    )


def test_images_only_in_user_messages(offline, tmp_path):
    from PIL import Image

    raises(
        offline,
        ow.InvalidInputError,
        "messages[0].content holds an image; only user messages may hold images",
        [{"role": "system", "content": ["look", Image.new("RGB", (4, 4))]}],
    )


def test_content_item_of_wrong_type(offline):
    raises(
        offline,
        ow.InvalidTypeError,
        "messages[0].content[1] has type int; content items are text, PIL images, image paths",
        ["how many?", 5],
    )


def test_mixing_dicts_and_content_is_refused(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "messages mixes message dicts and plain content",
        ["hi", {"role": "user", "content": "x"}],
    )


def test_messages_of_wrong_type(offline):
    raises(
        offline,
        ow.InvalidTypeError,
        "messages must be a string, a message dict or a list of them, not int",
        3,
    )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("temperature", 2.5, "temperature must be between 0 and 2, got 2.5"),
        ("temperature", -0.1, "temperature must be between 0 and 2, got -0.1"),
        ("top_p", 1.5, "top_p must be between 0 and 1, got 1.5"),
        ("top_p", -1, "top_p must be between 0 and 1, got -1"),
        ("presence_penalty", 3, "presence_penalty must be between -2 and 2, got 3"),
        ("frequency_penalty", -2.5, "frequency_penalty must be between -2 and 2, got -2.5"),
        ("n", 0, "n must be between 1 and 128, got 0"),
        ("max_completion_tokens", 0, "max_completion_tokens must be 1 or more, got 0"),
        ("top_logprobs", 21, "top_logprobs must be between 0 and 20, got 21"),
    ],
)
def test_settings_out_of_range(offline, setting, value, message):
    raises(offline, ow.InvalidInputError, message, "hi", **{setting: value})


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("temperature", "hot", "temperature must be a number, not str"),
        ("temperature", True, "temperature must be a number, not bool"),
        ("n", 1.5, "n must be a whole number, not float"),
        ("stop", 5, "stop must be a string or a list of strings"),
    ],
)
def test_settings_of_wrong_type(offline, setting, value, message):
    raises(offline, ow.InvalidTypeError, message, "hi", **{setting: value})


def test_too_many_stop_sequences(offline):
    raises(
        offline,
        ow.InvalidInputError,
        "stop holds 5 sequences; at most 4 are allowed",
        "hi",
        stop=list("abcde"),
    )


@pytest.mark.parametrize("value", [0, 2, 0.7])
def test_temperature_bounds_are_inclusive(sandbox, client, value):
    client.chat("hi", temperature=value)
    assert sandbox.requests_to("/chat/completions")[0].json()["temperature"] == value


def test_model_must_be_text(offline):
    raises(
        offline,
        ow.InvalidTypeError,
        "model must be a model ID string such as 'gpt-4o-mini', not int",
        "hi",
        4,
    )


def test_unknown_response_format(offline):
    raises(offline, ow.InvalidInputError, "response_format 'yaml' is not known", "hi", response_format="yaml")


def test_a_lone_surrogate_is_refused_before_sending_not_a_unicode_error(offline):
    error = raises(
        offline,
        ow.InvalidInputError,
        "POST chat/completions: the request holds U+D83D, a lone surrogate that cannot be sent as UTF-8",
        "half an emoji: \ud83d",
    )
    assert "text.encode('utf-8', 'replace').decode()" in str(error)


def test_a_non_ascii_header_reaching_the_transport_is_refused_in_words(offline):
    with pytest.raises(ow.InvalidInputError, match="a header holds the non-ASCII character U\\+00E9"):
        offline._request("GET", "models", headers={"X-Name": "caf\u00e9"})
