"""Error mapping: every status to its class, every body shape to one line that says what to do next."""

from __future__ import annotations

import json

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.errors import MAX_RETRY_AFTER, error_from_response
from openai_widgets._core.secrets import Secret
from tests.conftest import TEST_KEY


def answer(status: int, body=None, *, text: str | None = None, headers=None) -> httpx.Response:
    if text is None:
        text = json.dumps(body) if body is not None else ""
    return httpx.Response(status, text=text, headers=headers or {})


def api_error(message, *, type="invalid_request_error", code=None, param=None):
    return {"error": {"message": message, "type": type, "code": code, "param": param}}


@pytest.mark.parametrize(
    ("status", "cls", "hint"),
    [
        (400, ow.BadRequestError, "Check the arguments named in the message."),
        (401, ow.AuthenticationError, "Check the API key: ow.connect(api_key=...) or set OPENAI_API_KEY."),
        (
            403,
            ow.PermissionDeniedError,
            "The key may not use this resource: check the organization, project and key permissions.",
        ),
        (404, ow.NotFoundError, "Check the ID in the request."),  # no request to tell which ID
        (409, ow.ConflictError, "The resource changed meanwhile; try again."),
        (
            422,
            ow.UnprocessableEntityError,
            "The request was understood but cannot be processed; check its values.",
        ),
    ],
)
def test_each_client_error_status_has_its_class_and_hint(status, cls, hint):
    error = error_from_response(answer(status, api_error("It went wrong")))
    assert type(error) is cls
    reason = httpx.Response(status).reason_phrase
    assert str(error) == f"{status} {reason}: It went wrong. {hint}"
    assert error.message == str(error)
    assert (error.status_code, error.type, error.code, error.param) == (
        status,
        "invalid_request_error",
        None,
        None,
    )


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_every_5xx_is_an_internal_server_error(status):
    error = error_from_response(answer(status, api_error("The server had an error.", type="server_error")))
    assert type(error) is ow.InternalServerError
    reason = httpx.Response(status).reason_phrase or "Error"
    assert str(error) == f"{status} {reason}: The server had an error. The server failed; try again later."


@pytest.mark.parametrize(
    ("retries", "said"), [(1, "after 1 retry"), (2, "after 2 retries"), (5, "after 5 retries")]
)
def test_a_5xx_says_how_often_it_was_retried(retries, said):
    error = error_from_response(answer(503, api_error("down")), retries=retries)
    assert str(error) == f"503 Service Unavailable: down. The server failed {said}; try again later."


@pytest.mark.parametrize(
    ("status", "reason"), [(418, "I'm a teapot"), (451, "Unavailable For Legal Reasons")]
)
def test_other_statuses_are_plain_status_errors_without_a_hint(status, reason):
    error = error_from_response(answer(status, api_error("no")))
    assert type(error) is ow.APIStatusError
    assert str(error) == f"{status} {reason}: no."


def test_a_status_without_a_reason_phrase_says_error():
    error = error_from_response(answer(499, api_error("client closed")))
    assert str(error) == "499 Error: client closed."


UNCHECKED = object()
AFTER = {400: " Check the arguments named in the message.", 502: " The server failed; try again later."}


@pytest.mark.parametrize(
    ("response", "said", "body"),
    [
        (answer(400, api_error("bad value")), "bad value.", api_error("bad value")),
        (answer(400, api_error("Ends well!")), "Ends well!", UNCHECKED),
        (answer(400, api_error("Really?")), "Really?", UNCHECKED),
        (answer(400, api_error("Error code X")), "Error code X.", UNCHECKED),
        (answer(400, api_error("two\n  lines\tand  spaces")), "two lines and spaces.", UNCHECKED),
        (
            answer(400, {"error": "a plain text error"}),
            "a plain text error.",
            {"error": "a plain text error"},
        ),
        (answer(400, {"error": "  spread\nover lines "}), "spread over lines.", UNCHECKED),
        (
            answer(400, {"message": "top-level message"}),
            "top-level message.",
            {"message": "top-level message"},
        ),
        (answer(400, {"error": {"message": ""}, "message": "fallback"}), "fallback.", UNCHECKED),
        (answer(400, {"error": {"code": "x"}}), '{"error": {"code": "x"}}.', UNCHECKED),  # no words: as sent
        (answer(400, {"detail": "x"}), '{"detail": "x"}.', UNCHECKED),
        (answer(400, [1, 2]), "[1, 2].", "[1, 2]"),  # not an object: kept as the text sent
        (
            answer(400, text="plain words from a proxy"),
            "plain words from a proxy.",
            "plain words from a proxy",
        ),
        (answer(400, text="x" * 400), "x" * 300 + ".", "x" * 400),  # cut at 300 characters
        (answer(400, text="   "), "the server sent no error details.", None),
        (answer(400, text=""), "the server sent no error details.", None),
        (answer(400, text="null"), "null.", "null"),
        (
            answer(502, text="<HTML><head><title> 502\n Bad   Gateway </title></head><body>x</body></html>"),
            'the server sent an HTML page ("502 Bad Gateway") instead of an API error, likely from a proxy or gateway.',
            UNCHECKED,
        ),
        (
            answer(502, text="<!doctype html><html><body>nothing here</body></html>"),
            "the server sent an HTML page instead of an API error, likely from a proxy or gateway.",
            UNCHECKED,
        ),
        (
            answer(502, text="x" * 495 + "<html>"),  # the marker ends within the first 500 characters
            "the server sent an HTML page instead of an API error, likely from a proxy or gateway.",
            UNCHECKED,
        ),
        (answer(400, text="x" * 496 + "<html>"), "x" * 300 + ".", UNCHECKED),  # it ends past them
    ],
)
def test_every_body_shape_becomes_one_line(response, said, body):
    error = error_from_response(response)
    status = response.status_code
    assert str(error) == f"{status} {response.reason_phrase}: {said}{AFTER[status]}"
    if body is not UNCHECKED:
        assert error.body == body


def test_fields_come_from_the_error_object_and_are_text():
    response = answer(
        400, api_error("bad", type="invalid_request_error", code=400123, param=["messages", 0]), headers={}
    )
    error = error_from_response(response)
    assert (error.type, error.code, error.param) == ("invalid_request_error", "400123", "['messages', 0]")


def test_an_error_that_is_text_has_no_fields():
    error = error_from_response(answer(400, {"error": "plain"}))
    assert (error.type, error.code, error.param) == (None, None, None)


def test_the_request_id_is_kept_and_named():
    error = error_from_response(answer(404, api_error("gone"), headers={"x-request-id": "req_42"}))
    assert error.request_id == "req_42"
    assert str(error).endswith("Check the ID in the request. (request id req_42)")
    assert error_from_response(answer(404, api_error("gone"))).request_id is None


@pytest.mark.parametrize(
    ("headers", "hint", "retry_after"),
    [
        ({}, "Rate limit reached (requests or tokens per minute). Slow down or try again later.", None),
        (
            {"retry-after": "20"},
            "Rate limit reached (requests or tokens per minute). The server asked to wait 20 s. "
            "Slow down or try again later.",
            20.0,
        ),
        (
            {"retry-after-ms": "1500"},
            "Rate limit reached (requests or tokens per minute). The server asked to wait 1.5 s. "
            "Slow down or try again later.",
            1.5,
        ),
        (
            {"retry-after": str(MAX_RETRY_AFTER)},
            "Rate limit reached (requests or tokens per minute). The server asked to wait 60 s. "
            "Slow down or try again later.",
            60.0,
        ),
        (
            {"retry-after": "3600"},
            "Rate limit reached. Not retried: the server asked to wait 3600 s, more than the 60 s this "
            "client waits on its own; try again later.",
            3600.0,
        ),
        (
            {"retry-after": "nan"},
            "Rate limit reached (requests or tokens per minute). Slow down or try again later.",
            None,
        ),
    ],
)
def test_a_429_says_how_long_the_server_asked_to_wait(headers, hint, retry_after):
    error = error_from_response(
        answer(429, api_error("Rate limit reached for requests", type="requests"), headers=headers)
    )
    assert type(error) is ow.RateLimitError
    assert str(error) == f"429 Too Many Requests: Rate limit reached for requests. {hint}"
    assert error.retry_after == retry_after


def test_a_429_for_a_used_up_quota_says_so_whatever_the_wait():
    body = api_error("You exceeded your current quota", type="insufficient_quota", code="insufficient_quota")
    error = error_from_response(answer(429, body, headers={"retry-after": "5"}))
    assert str(error) == (
        "429 Too Many Requests: You exceeded your current quota. "
        "The quota is used up: check the plan and billing of this key's organization."
    )
    assert error.code == "insufficient_quota" and error.retry_after == 5.0


def test_a_server_message_echoing_the_key_is_redacted_in_message_and_body():
    Secret(TEST_KEY)  # a connected client registers its key
    echoed = f"Incorrect API key provided: {TEST_KEY}. You can find your API key at ..."
    body = {
        "error": {"message": echoed, "type": "invalid_request_error"},
        "echo": {"authorization": f"Bearer {TEST_KEY}"},
    }
    error = error_from_response(answer(401, body))
    masked = f"sk-...{TEST_KEY[-4:]}"
    assert TEST_KEY not in str(error) and TEST_KEY not in error.message and TEST_KEY not in repr(error)
    assert f"Incorrect API key provided: {masked}." in str(error)
    assert TEST_KEY not in json.dumps(error.body)
    assert error.body["echo"] == {"authorization": f"Bearer {masked}"}
    assert error.args == (str(error),)


def test_a_proxy_page_echoing_the_key_is_redacted_in_the_body():
    Secret(TEST_KEY)
    page = f"<html><title>Denied</title><pre>Authorization: Bearer {TEST_KEY}</pre></html>"
    error = error_from_response(answer(403, text=page))
    assert TEST_KEY not in error.body and f"Bearer sk-...{TEST_KEY[-4:]}" in error.body


def test_errors_built_by_hand_keep_their_fields():
    error = ow.RateLimitError(
        "slow down",
        status_code=429,
        type="requests",
        code="rate",
        param="p",
        request_id="r",
        retry_after=2.0,
        body={"a": 1},
    )
    assert (error.message, error.status_code, error.type, error.code, error.param, error.request_id) == (
        "slow down",
        429,
        "requests",
        "rate",
        "p",
        "r",
    )
    assert (error.retry_after, error.body, str(error)) == (2.0, {"a": 1}, "slow down")


def test_the_error_tree():
    assert issubclass(ow.InvalidInputError, ValueError) and issubclass(ow.InvalidTypeError, TypeError)
    assert issubclass(ow.NotConnectedError, RuntimeError)
    assert issubclass(ow.APITimeoutError, ow.APIConnectionError)
    assert issubclass(ow.StreamInterruptedError, ow.APIConnectionError)
    for cls in (ow.ConflictError, ow.RateLimitError, ow.InternalServerError, ow.NotFoundError):
        assert issubclass(cls, ow.APIStatusError) and issubclass(cls, ow.APIError)
    assert ow.APIError("x").request_id is None


def test_a_stream_interruption_keeps_what_arrived():
    error = ow.StreamInterruptedError("cut", partial="half a reply")
    assert (str(error), error.partial) == ("cut", "half a reply")
    assert ow.StreamInterruptedError("cut").partial is None


def test_invalid_json_names_the_field_line_and_column():
    try:
        json.loads('{"a": 1,\n "b": }')
    except json.JSONDecodeError as exc:
        decode_error = exc
    error = ow.InvalidJSONError.from_decode_error("body", decode_error)
    assert type(error) is ow.InvalidJSONError
    assert str(error) == (
        "body is not valid JSON: Expecting value at line 2, column 7 (character 15); fix the JSON text or pass a dict."
    )
