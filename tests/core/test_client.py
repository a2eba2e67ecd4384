"""The HTTP core, on httpx.MockTransport: headers, settings, retries, errors, pages, streams."""

from __future__ import annotations

import json
import pickle
import time

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.paths import resolve_path
from tests.conftest import TEST_KEY


def make_client(handler, **options):
    options.setdefault("max_retries", 2)
    client = ow.Client(
        api_key=TEST_KEY, base_url="https://api.test/v1", transport=httpx.MockTransport(handler), **options
    )
    client.sleeps = []
    client.sleep = client.sleeps.append
    return client


def ok(body, **kwargs):
    return httpx.Response(200, json=body, **kwargs)


def error(status, message="boom", *, type="invalid_request_error", code=None, headers=None):
    body = {"error": {"message": message, "type": type, "param": None, "code": code}}
    return httpx.Response(status, json=body, headers=headers or {})


# -- settings and headers --------------------------------------------------------------


def test_headers_carry_key_organization_project_and_user_agent():
    seen = []
    client = make_client(
        lambda r: seen.append(r) or ok({"object": "list", "data": []}),
        organization="org-abc",
        project="proj_xyz",
    )
    client.models()
    request = seen[0]
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert request.headers["openai-organization"] == "org-abc"
    assert request.headers["openai-project"] == "proj_xyz"
    assert request.headers["user-agent"].startswith(f"openai-widgets/{ow.__version__} ")
    assert str(request.url) == "https://api.test/v1/models"


def test_organization_and_project_headers_are_absent_when_unset():
    seen = []
    make_client(lambda r: seen.append(r) or ok({"object": "list", "data": []})).models()
    assert "openai-organization" not in seen[0].headers
    assert "openai-project" not in seen[0].headers


def test_settings_fall_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1/")
    client = ow.Client()
    assert (client.organization, client.project, client.base_url) == (
        "org-env",
        "proj_env",
        "http://127.0.0.1:9/v1",
    )
    assert client.masked_key == f"sk-...{TEST_KEY[-4:]}"


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    client = ow.Client(api_key=TEST_KEY, organization="org-arg")
    assert client.organization == "org-arg"
    assert client.base_url == "https://api.openai.com/v1"


def test_no_key_anywhere_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ow.NotConnectedError, match="No API key: pass api_key=..., set OPENAI_API_KEY"):
        ow.Client()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"base_url": "api.openai.com"}, ow.InvalidInputError, "is not an http(s) URL"),
        ({"base_url": "ftp://host/v1"}, ow.InvalidInputError, "is not an http(s) URL"),
        ({"base_url": "https://host/v1?x=1"}, ow.InvalidInputError, "must not have a query"),
        ({"timeout": 0}, ow.InvalidInputError, "timeout must be more than 0 seconds"),
        ({"timeout": "10"}, ow.InvalidTypeError, "timeout must be a number of seconds"),
        ({"max_retries": -1}, ow.InvalidInputError, "max_retries must be 0 or more"),
        ({"max_retries": 1.5}, ow.InvalidTypeError, "max_retries must be a whole number"),
        (
            {"api_key": "sk-abc def ghi jkl"},
            ow.InvalidInputError,
            "contains a space or line break (character 7)",
        ),
        ({"api_key": 123}, ow.InvalidTypeError, "api_key must be a string"),
        (
            {"api_key": "sk-abc\x00defghijkl"},
            ow.InvalidInputError,
            "a control character (U+0000, character 7)",
        ),
        (
            {"api_key": "sk-abc\x01defghijkl"},
            ow.InvalidInputError,
            "a control character (U+0001, character 7)",
        ),
        (
            {"api_key": "sk-abc\x7fdefghijkl"},
            ow.InvalidInputError,
            "a control character (U+007F, character 7)",
        ),
        (
            {"api_key": "sk-abc\x1b[0mdefghi"},
            ow.InvalidInputError,
            "a control character (U+001B, character 7)",
        ),
        (
            {"api_key": "sk-abc\u2013defghijk"},
            ow.InvalidInputError,
            "a non-ASCII character (U+2013, character 7)",
        ),
        ({"base_url": "http://[::1"}, ow.InvalidInputError, "is not a valid URL (Invalid IPv6 URL)"),
        ({"base_url": "http://host:99999/v1"}, ow.InvalidInputError, "is not a valid URL (Port out of range"),
        ({"base_url": "http://:80/v1"}, ow.InvalidInputError, "is not an http(s) URL"),
        ({"base_url": 5}, ow.InvalidTypeError, "base_url must be a string"),
        (
            {"organization": "org\u2013team"},
            ow.InvalidInputError,
            "organization 'org\u2013team' holds a non-ASCII character (U+2013 at character 4)",
        ),
        (
            {"organization": "org-a\r\nX-Evil: 1"},
            ow.InvalidInputError,
            "holds a line break (U+000D at character 6)",
        ),
        (
            {"project": "proj_\x00"},
            ow.InvalidInputError,
            "project 'proj_\\x00' holds a control character (U+0000",
        ),
        ({"project": 12}, ow.InvalidTypeError, "project must be a string"),
    ],
)
def test_bad_settings_are_refused_with_a_sentence(kwargs, error, message):
    kwargs.setdefault("api_key", TEST_KEY)
    with pytest.raises(error) as info:
        ow.Client(**kwargs)
    assert message in str(info.value)


def test_key_is_masked_in_repr_and_refuses_pickling():
    client = ow.Client(api_key=TEST_KEY, organization="org-1")
    assert repr(client) == (
        f"Client(base_url='https://api.openai.com/v1', api_key='sk-...{TEST_KEY[-4:]}', organization='org-1')"
    )
    assert TEST_KEY not in str(client)
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(client)


def test_with_options_shares_the_connection_pool():
    client = make_client(lambda r: ok({}))
    fast = client.with_options(timeout=3, max_retries=0)
    assert (fast.timeout, fast.max_retries) == (3.0, 0)
    assert (client.timeout, client.max_retries) == (60.0, 2)
    assert fast._http is client._http


def test_timeout_is_set_per_call():
    seen = []
    client = make_client(lambda r: seen.append(r) or ok({"ok": True}), timeout=30)
    client.request("GET", "anything")
    client.request("GET", "anything", timeout=2.5)
    assert seen[0].extensions["timeout"]["read"] == 30
    assert seen[1].extensions["timeout"]["read"] == 2.5
    assert seen[1].extensions["timeout"]["connect"] == 2.5  # never longer than the call's timeout


# -- retries -----------------------------------------------------------------------------


def scripted(*responses):
    """A handler answering with `responses` in turn (callables or exceptions allowed)."""
    queue = list(responses)
    calls = []

    def handler(request):
        calls.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    handler.calls = calls
    return handler


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(status):
    handler = scripted(error(status), ok({"object": "model", "id": "m"}))
    client = make_client(handler)
    assert client.model("m")["id"] == "m"
    assert len(handler.calls) == 2
    assert len(client.sleeps) == 1
    assert client.last_request.attempts == 2


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ow.BadRequestError),
        (401, ow.AuthenticationError),
        (403, ow.PermissionDeniedError),
        (404, ow.NotFoundError),
        (422, ow.UnprocessableEntityError),
    ],
)
def test_client_errors_are_never_retried(status, cls):
    handler = scripted(error(status), ok({}))
    client = make_client(handler)
    with pytest.raises(cls):
        client.model("m")
    assert len(handler.calls) == 1 and client.sleeps == []


def test_retries_stop_after_max_retries_and_say_so():
    handler = scripted(*[error(503, "overloaded", type="server_error")] * 3)
    client = make_client(handler)
    with pytest.raises(ow.InternalServerError) as info:
        client.model("m")
    assert len(handler.calls) == 3
    assert "overloaded" in str(info.value) and "after 2 retries" in str(info.value)
    assert info.value.status_code == 503


def test_retry_after_is_honoured():
    handler = scripted(
        error(429, headers={"retry-after": "2"}),
        error(429, headers={"retry-after-ms": "150"}),
        ok({"id": "m"}),
    )
    client = make_client(handler)
    client.model("m")
    assert client.sleeps == [2.0, 0.15]


def test_a_retry_after_beyond_the_cap_is_not_waited_on_silently():
    handler = scripted(error(429, "slow down", headers={"retry-after": "600"}), ok({}))
    client = make_client(handler)
    with pytest.raises(ow.RateLimitError) as info:
        client.model("m")
    assert len(handler.calls) == 1 and client.sleeps == []
    assert "the server asked to wait 600 s" in str(info.value)
    assert info.value.retry_after == 600


def test_x_should_retry_wins():
    handler = scripted(error(503, headers={"x-should-retry": "false"}), ok({}))
    with pytest.raises(ow.InternalServerError):
        make_client(handler).model("m")
    assert len(handler.calls) == 1
    handler = scripted(error(400, headers={"x-should-retry": "true"}), ok({"id": "m"}))
    assert make_client(handler).model("m") == {"id": "m"}


def test_connection_errors_are_retried_then_reported():
    handler = scripted(
        httpx.ConnectError("refused"), httpx.ConnectError("refused"), httpx.ConnectError("refused")
    )
    client = make_client(handler)
    with pytest.raises(ow.APIConnectionError) as info:
        client.model("m")
    assert len(handler.calls) == 3
    assert "the connection to api.test failed (ConnectError: refused) after 3 attempts" in str(info.value)
    assert info.value.__suppress_context__  # httpx's own chain (which holds the request) is not shown


def test_timeouts_are_retried_then_raise_api_timeout_error():
    handler = scripted(httpx.ReadTimeout("slow"), ok({"id": "m"}))
    assert make_client(handler).model("m") == {"id": "m"}
    handler = scripted(*[httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(ow.APITimeoutError, match="no answer within 60 s after 3 attempts"):
        make_client(handler).model("m")


def test_a_body_that_trickles_past_the_timeout_fails():
    def slow_body():
        yield b'{"id":'
        time.sleep(0.3)
        yield b'"m"}'

    client = make_client(lambda r: httpx.Response(200, content=slow_body()), timeout=0.1, max_retries=0)
    with pytest.raises(ow.APITimeoutError):
        client.model("m")


def test_max_retries_zero_sends_once():
    handler = scripted(error(503), ok({}))
    with pytest.raises(ow.InternalServerError):
        make_client(handler, max_retries=0).model("m")
    assert len(handler.calls) == 1


# -- error messages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "cls", "pieces"),
    [
        (
            error(401, "Incorrect API key provided", code="invalid_api_key"),
            ow.AuthenticationError,
            ["401 Unauthorized: Incorrect API key provided.", "Check the API key"],
        ),
        (error(403, "not allowed"), ow.PermissionDeniedError, ["403 Forbidden: not allowed.", "permissions"]),
        (
            error(404, "no such model"),
            ow.NotFoundError,
            ["no such model.", "%openai models (or ow.models()) lists"],
        ),
        (
            error(
                429, "You exceeded your current quota", type="insufficient_quota", code="insufficient_quota"
            ),
            ow.RateLimitError,
            ["exceeded your current quota", "The quota is used up"],
        ),
        (
            httpx.Response(
                502,
                text="<html><head><title>502 Bad Gateway</title></head></html>",
                headers={"content-type": "text/html"},
            ),
            ow.InternalServerError,
            ['an HTML page ("502 Bad Gateway")', "proxy"],
        ),
        (httpx.Response(500, text=""), ow.InternalServerError, ["no error details"]),
        (httpx.Response(418, text="I'm a teapot"), ow.APIStatusError, ["418", "I'm a teapot"]),
    ],
)
def test_errors_say_what_happened_and_what_to_do(response, cls, pieces):
    response.headers["x-request-id"] = "req_123"
    client = make_client(lambda r: response, max_retries=0)
    with pytest.raises(cls) as info:
        client.model("m")
    text = str(info.value)
    for piece in pieces:
        assert piece in text
    assert "(request id req_123)" in text
    assert info.value.request_id == "req_123"
    assert "\n" not in text


def test_status_error_fields_come_from_the_error_body():
    response = httpx.Response(
        400,
        json={
            "error": {
                "message": "bad temperature",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": "invalid_value",
            }
        },
    )
    with pytest.raises(ow.BadRequestError) as info:
        make_client(lambda r: response).model("m")
    error = info.value
    assert (error.status_code, error.type, error.param, error.code) == (
        400,
        "invalid_request_error",
        "temperature",
        "invalid_value",
    )


def test_malformed_json_is_a_response_validation_error():
    client = make_client(
        lambda r: httpx.Response(200, text='{"id": "m"', headers={"content-type": "application/json"})
    )
    with pytest.raises(ow.APIResponseValidationError, match="not valid JSON"):
        client.model("m")


def test_redirects_are_not_followed():
    seen = []

    def handler(request):
        seen.append(request.url.host)
        return httpx.Response(302, headers={"location": "https://elsewhere.test/v1/models"})

    with pytest.raises(ow.APIStatusError, match="redirected to https://elsewhere.test/v1/models"):
        make_client(handler).models()
    assert seen == ["api.test"]


# -- paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("models", "models"),
        ("/models", "models"),
        ("models/ft:gpt-4o:org::abc", "models/ft:gpt-4o:org::abc"),
        ("files/file-1/content", "files/file-1/content"),
        ("models?x=1", "models?x=1"),
    ],
)
def test_relative_paths(path, expected):
    assert resolve_path(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.test/v1/models",
        "http://127.0.0.1/x",
        "//evil.test/models",
        "../admin",
        "models/../../x",
        "models/%2e%2e/x",
        "%2e%2e/x",
        "%252e%252e/x",
        "%2F%2Fevil.test/x",
        "models\\..\\x",
        "models\r\nX: y",
        "./models",
        "HTTPS://evil.test",
        "mailto:someone",
        "%68ttps://evil.test",
    ],
)
def test_paths_that_could_leave_the_base_url_are_refused(path):
    with pytest.raises(ow.InvalidInputError, match="give a path relative to the base URL"):
        resolve_path(path)


def test_a_pasted_v1_prefix_is_not_doubled():
    seen = []
    make_client(lambda r: seen.append(str(r.url)) or ok({})).request("GET", "/v1/models")
    assert seen == ["https://api.test/v1/models"]


# -- pages and streams -------------------------------------------------------------------------


def test_pagination_collects_every_page():
    pages = {None: (["a", "b"], True), "b": (["c", "d"], True), "d": (["e"], False)}
    seen = []

    def handler(request):
        after = request.url.params.get("after")
        seen.append((after, request.url.params.get("limit")))
        ids, more = pages[after]
        return ok({"object": "list", "data": [{"id": i} for i in ids], "has_more": more})

    items = make_client(handler)._paginate("files", page_size=2)
    assert [i["id"] for i in items] == ["a", "b", "c", "d", "e"]
    assert seen == [(None, "2"), ("b", "2"), ("d", "2")]


def test_pagination_refuses_a_cursor_that_does_not_move():
    handler = lambda r: ok({"object": "list", "data": [{"id": "a"}], "has_more": True})  # noqa: E731
    with pytest.raises(ow.APIResponseValidationError, match="gives no new cursor"):
        make_client(handler)._paginate("files")


def sse(*events, done=True):
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + ("data: [DONE]\n\n" if done else "")
    return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})


def test_streams_yield_events_until_done():
    client = make_client(lambda r: sse({"n": 1}, {"n": 2}))
    assert [e["n"] for e in client._stream_events("POST", "chat/completions", json={})] == [1, 2]


def test_a_stream_without_its_end_marker_is_interrupted():
    client = make_client(lambda r: sse({"n": 1}, done=False))
    events = []
    with pytest.raises(ow.StreamInterruptedError, match="without its end marker"):
        events.extend(client._stream_events("POST", "chat/completions", json={}))
    assert events == [{"n": 1}]


def test_an_error_event_raises():
    client = make_client(lambda r: sse({"n": 1}, {"error": {"message": "overloaded"}}))
    with pytest.raises(ow.APIError, match="mid-stream: overloaded"):
        list(client._stream_events("POST", "chat/completions", json={}))


def test_sse_comments_multiline_data_and_event_names():
    from openai_widgets._core.sse import parse_sse_lines

    lines = [": keep-alive", "event: update", 'data: {"a":', "data: 1}", "", "data: [DONE]", ""]
    assert list(parse_sse_lines(lines)) == [("update", '{"a":\n1}'), (None, "[DONE]")]


# -- downloads and listeners -------------------------------------------------------------------


def test_external_downloads_never_carry_the_key():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, content=b"PNG")

    client = make_client(handler)
    assert client._fetch_external("https://files.example/img.png?sig=1") == b"PNG"
    assert "authorization" not in seen[0].headers


def test_listeners_hear_every_request():
    heard = []
    client = make_client(scripted(error(404, "nope"), ok({"id": "m"})))
    client.add_listener(heard.append)
    with pytest.raises(ow.NotFoundError):
        client.model("x")
    client.model("m")
    assert [(i.method, i.path, i.status) for i in heard] == [
        ("GET", "/models/x", 404),
        ("GET", "/models/m", 200),
    ]
    assert "nope" in heard[0].error and heard[1].error is None
    client.remove_listener(heard.append)
