"""The fault table: every kind is one entry the server asks, parameters are checked, headers parse."""

from __future__ import annotations

import httpx
import pytest

from openai_widgets.sandbox._fault_kinds import BEHAVIOURS, Behaviour, Param
from openai_widgets.sandbox._faults import KINDS, make_fault, parse_fault_header
from openai_widgets.sandbox._http import JSONResponse

from ..conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
EARLIER_KINDS = {
    "status",
    "latency",
    "drop",
    "reset",
    "cut_stream",
    "malformed",
    "html",
    "extra_field",
    "missing_optional",
}


def get(sandbox, path, **headers):
    return httpx.get(f"{sandbox.base_url}{path}", headers={**AUTH, **headers}, timeout=10)


def test_every_kind_is_one_entry_of_the_table():
    assert set(KINDS) == set(BEHAVIOURS)
    assert EARLIER_KINDS | {"headers", "trickle", "failed_response"} == set(KINDS)
    assert all(isinstance(b, Behaviour) and b.summary for b in BEHAVIOURS.values())


def test_a_kind_added_to_the_table_works_without_touching_the_server(sandbox, monkeypatch):
    """The server asks the table at each step, so a new entry is all a new kind needs."""
    teapot = Behaviour(
        "answer 418",
        {"mood": Param(str, "short and stout")},
        answer=lambda fault: JSONResponse({"teapot": fault.params["mood"]}, 418),
        body=lambda body, fault: {**body, "poured": True},
    )
    monkeypatch.setitem(BEHAVIOURS, "teapot", teapot)
    sandbox.inject("teapot", path="/models", mood="steaming")
    response = get(sandbox, "/models")
    assert (response.status_code, response.json()) == (418, {"teapot": "steaming", "poured": True})
    assert sandbox.requests[-1].fault == "teapot"
    by_header = get(sandbox, "/models", **{"X-Sandbox-Fault": "teapot;mood=cold"})
    assert by_header.json() == {"teapot": "cold", "poured": True}


def test_parameters_get_their_defaults_and_types():
    assert make_fault("status").params == {
        "status": 500,
        "retry_after": None,
        "retry_after_ms": None,
        "retry_after_date": None,
        "should_retry": None,
        "headers": None,
    }
    assert make_fault("cut_stream").params["after"] == 2
    assert make_fault("trickle").params == {"bytes": 1, "interval": 0.3, "headers": None}
    assert make_fault("missing_optional", {"fields": "a, b"}).params["fields"] == ("a", "b")
    converted = make_fault("status", {"status": "503", "should_retry": False}).params
    assert (converted["status"], converted["should_retry"]) == (503, "false")


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("gremlins", {}, "unknown fault kind 'gremlins'"),
        ("status", {"staus": 429}, "fault 'status' has no parameter 'staus'; it takes headers, retry_after"),
        ("latency", {"seconds": -1}, "fault 'latency': bad value for 'seconds': expected seconds >= 0"),
        ("trickle", {"bytes": 0}, "fault 'trickle': bad value for 'bytes': expected a whole number >= 1"),
        ("status", {"status": "teapot"}, "fault 'status': bad value for 'status'"),
        (
            "headers",
            {"headers": {"bad name": "x"}},
            "fault 'headers': bad value for 'headers': 'bad name' is not",
        ),
        (
            "html",
            {"headers": {"x-a": "1\r\nx-b: 2"}},
            "fault 'html': bad value for 'headers': a header value cannot",
        ),
        (
            "headers",
            {"headers": "x-a: 1"},
            "fault 'headers': bad value for 'headers': expected a dict of header",
        ),
    ],
)
def test_bad_faults_are_refused_with_what_to_change(sandbox, kind, params, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        sandbox.inject(kind, **params)


def test_the_header_form_reads_response_headers_verbatim():
    fault = parse_fault_header("status; status=429; retry_after=1e3; headers.x-ratelimit-limit-tokens=0.001")
    assert fault.kind == "status"
    assert fault.params["status"] == 429
    assert fault.params["retry_after"] == "1e3"  # not 1000.0: header values go out as written
    assert fault.params["headers"] == {"x-ratelimit-limit-tokens": "0.001"}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("gremlins", "X-Sandbox-Fault: unknown fault kind 'gremlins'"),
        ("status;status", "X-Sandbox-Fault: expected key=value after the kind, got 'status'"),
        (
            "latency;secs=1",
            "X-Sandbox-Fault: fault 'latency' has no parameter 'secs'; it takes headers, seconds.",
        ),
    ],
)
def test_a_fault_header_the_sandbox_cannot_read_gets_a_400_that_says_why(sandbox, header, message):
    response = get(sandbox, "/models", **{"X-Sandbox-Fault": header})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith(message) and error["param"] == "x-sandbox-fault"


def test_random_error_rates_go_through_the_status_entry():
    from openai_widgets.sandbox import Sandbox

    with Sandbox(error_rates={503: 1.0}) as server:
        response = get(server, "/models")
        assert response.status_code == 503
        assert response.json()["error"]["type"] == "server_error"
        assert server.requests[-1].fault == "status"
