"""The custom API call: any path under the base URL, never anywhere else."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import openai_widgets as ow
from tests.conftest import TEST_KEY


def test_get_with_query_and_headers(connected, sandbox):
    result = ow.request("GET", "models", headers={"X-Trace": "abc"}, query={"limit": 5})
    assert isinstance(result, ow.Record) and result["object"] == "list"
    logged = sandbox.requests[-1]
    assert logged.query == {"limit": ["5"]} and logged.headers["x-trace"] == "abc"
    assert logged.headers["authorization"] == f"Bearer {TEST_KEY}"  # added for the caller


def test_json_text_is_accepted_for_every_field(connected, sandbox):
    with pytest.raises(ow.NotFoundError):
        ow.request("post", "models", headers='{"X-A": "1"}', query='{"q": "x"}', body='{"k": [1, 2]}')
    logged = sandbox.requests[-1]
    assert (logged.method, logged.headers["x-a"], logged.query, logged.json()) == (
        "POST",
        "1",
        {"q": ["x"]},
        {"k": [1, 2]},
    )


def test_delete_and_non_json_answers(connected, sandbox):
    import httpx

    created = httpx.post(
        f"{sandbox.base_url}/files",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        data={"purpose": "user_data"},
        files={"file": ("a.bin", b"\x00\x01", "application/x")},
    )
    file_id = created.json()["id"]
    assert ow.request("GET", f"files/{file_id}/content") == b"\x00\x01"
    assert ow.request("DELETE", f"/files/{file_id}") == {"id": file_id, "object": "file", "deleted": True}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"body": '{"a": }'},
            ow.InvalidJSONError,
            "body is not valid JSON: Expecting value at line 1, column 7 (character 6)",
        ),
        ({"headers": "{'a': 1}"}, ow.InvalidJSONError, "headers is not valid JSON: Expecting property name"),
        ({"query": "[1, 2]"}, ow.InvalidTypeError, "query must be a JSON object"),
        (
            {"query": '{"a": 1,\n "b": }'},
            ow.InvalidJSONError,
            "query is not valid JSON: Expecting value at line 2",
        ),
        ({"headers": {"Authorization": "Bearer x"}}, ow.InvalidInputError, "is set by the client"),
        ({"headers": {"Host": "evil.test"}}, ow.InvalidInputError, "is set by the client"),
        ({"headers": {"X-A": "1\r\nX-B: 2"}}, ow.InvalidInputError, "line break"),
        (
            {"headers": {"X-A": "a\x00b"}},
            ow.InvalidInputError,
            "header 'X-A' 'a\\x00b' holds a control character (U+0000",
        ),
        (
            {"headers": {"X-A": "caf\u00e9"}},
            ow.InvalidInputError,
            "holds a non-ASCII character (U+00E9 at character 4)",
        ),
        ({"headers": {"X-A": "\x1b[31m"}}, ow.InvalidInputError, "holds a control character (U+001B"),
        (
            {"headers": {"X-A\r\nX-B": "1"}},
            ow.InvalidInputError,
            "header name 'X-A\\r\\nX-B' holds a character",
        ),
        ({"headers": {"X\x00A": "1"}}, ow.InvalidInputError, "a header name cannot have"),
        ({"headers": {"X A": "1"}}, ow.InvalidInputError, "a header name cannot have"),
        ({"headers": {"X-\u00e9": "1"}}, ow.InvalidInputError, "a header name cannot have"),
        ({"headers": {"X-A": None}}, ow.InvalidTypeError, "must be a text value, not NoneType"),
        ({"method": "TRACE"}, ow.InvalidInputError, "use one of GET, POST, PUT, PATCH, DELETE"),
        ({"method": 1}, ow.InvalidTypeError, "method must be a string"),
        ({"method": "GET", "body": {"a": 1}}, ow.InvalidInputError, "a GET request takes no body"),
        ({"path": "https://evil.test/v1/models"}, ow.InvalidInputError, "is an absolute URL"),
        ({"path": "//evil.test/models"}, ow.InvalidInputError, "names another host"),
        ({"path": "../../etc/passwd"}, ow.InvalidInputError, "'..'"),
        ({"path": "%2e%2e/admin"}, ow.InvalidInputError, "'..'"),
    ],
)
def test_bad_calls_are_refused_before_sending(connected, sandbox, kwargs, error, message):
    call = {"method": "POST", "path": "models", **kwargs}
    with pytest.raises(error) as info:
        ow.request(**call)
    assert message in str(info.value)
    assert sandbox.requests == []


def test_call_magic_sends_the_cell_as_body(ip, sandbox):
    ip.user_ns["name"] = "demo"
    with pytest.raises(UsageError, match="NotFoundError: 404"):
        ip.run_cell_magic("openai", 'call POST models --query \'{"v": "{name}"}\'', '{"who": "{name}"}')
    logged = sandbox.requests[-1]
    assert logged.json() == {"who": "demo"} and logged.query == {"v": ["demo"]}


def test_call_magic_line_form_returns_json(ip):
    result = ip.run_line_magic("openai", "call GET models/gpt-4o -o got")
    assert result["id"] == "gpt-4o" and ip.user_ns["got"] is result


def test_call_magic_reports_json_errors_in_one_line(ip, sandbox):
    with pytest.raises(
        UsageError, match=r"^body is not valid JSON: Expecting ',' delimiter at line 1, column 9"
    ):
        ip.run_cell_magic("openai", "call POST models", '{"a": 1 "b": 2}')
    with pytest.raises(UsageError, match="is an absolute URL"):
        ip.run_line_magic("openai", "call GET http://evil.test/x")
    assert sandbox.requests == []


def test_a_tab_inside_a_header_value_is_sent(connected, sandbox):
    ow.request("GET", "models", headers={"X-Note": "a\tb c"})
    assert sandbox.requests[-1].headers["x-note"] == "a\tb c"
