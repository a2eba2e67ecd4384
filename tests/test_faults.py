"""Every public function under every fault, over real HTTP against the sandbox.

Each case either succeeds after retries or raises the documented error with a useful
message. The table of outcomes is printed at the end of the run.
"""

from __future__ import annotations

import pandas as pd
import pytest

import openai_widgets as ow

from .conftest import TEST_KEY
from .faults import CASES, REPORT, Target


def _upload(client, sandbox):
    from openai_widgets._transport import decode_json

    files = [("file", ("f.txt", b"abc", "text/plain"))]
    return decode_json(client._post_multipart("files", {"purpose": "user_data"}, files))


TARGETS = [
    Target(
        "models",
        lambda c, s: c.models(),
        "/models",
        check=lambda frame: pd.api.types.is_datetime64_any_dtype(frame["created"]) and len(frame) > 0,
    ),
    Target(
        "model",
        lambda c, s: c.model("gpt-4o"),
        "/models/gpt-4o",
        check=lambda record: record["id"] == "gpt-4o",
    ),
    Target(
        "request GET",
        lambda c, s: c.request("GET", "models/dall-e-2"),
        "/models/dall-e-2",
        check=lambda record: record["id"] == "dall-e-2",
    ),
    Target(
        "request POST (upload)",
        _upload,
        "/files",
        method="POST",
        check=lambda record: record["object"] == "file",
    ),
]


@pytest.fixture
def fault_client(sandbox):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, timeout=0.4, max_retries=2)
    client.sleeps = []
    client._sleep = client.sleeps.append
    yield client
    client.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_function_under_fault(target, case, sandbox, fault_client):
    if case.name in target.skip:
        pytest.skip(f"{case.name} does not apply to {target.name}")
    sandbox.inject(case.kind, path=target.path, method=target.method, times=case.times, **case.params)
    outcome = "FAILED"
    try:
        if case.expect is None:
            result = target.call(fault_client, sandbox)
            if target.check is not None:
                assert target.check(result) is not False
            outcome = f"succeeded after {fault_client.last_request.attempts} attempt(s)"
        else:
            with pytest.raises(case.expect) as info:
                target.call(fault_client, sandbox)
            message = str(info.value)
            assert len(message) > 40 and "\n" not in message, message
            assert TEST_KEY not in message
            outcome = f"raised {case.expect.__name__}"
    finally:
        REPORT.add(target.name, case.name, outcome)
    if case.expect is None and case.times and case.kind not in {"latency", "extra_field", "missing_optional"}:
        assert fault_client.last_request.attempts == case.times + 1
    if "Retry-After seconds" in case.name or "storm" in case.name:
        assert fault_client.sleeps[0] == 1.0  # the server's wait was honoured
