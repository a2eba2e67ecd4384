"""The admin key: given like the API key, kept like it, and each key sent to its own routes only."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.admin_routes import is_admin_path
from openai_widgets.sandbox import SANDBOX_ADMIN_KEY
from tests.conftest import TEST_KEY

ADMIN_KEY = "sk-admin-" + "Pq4Wn8Rt2Ys6Uv0Xz3Ab5Cd7Ef9Gh1Jk"

ADMIN_PATHS = [
    "organization/usage/completions",
    "organization/costs",
    "organization/projects",
    "/organization",
    "fine_tuning/checkpoints/ft:gpt-4o-mini:org:x:ckpt-step-1/permissions",
    "fine_tuning/checkpoints/ckpt/permissions/cp_1",
]
ORDINARY_PATHS = [
    "models",
    "chat/completions",
    "fine_tuning/jobs",
    "fine_tuning/jobs/ftjob-1/checkpoints",
    "fine_tuning/checkpoints/ckpt",  # not the permissions
    "evals",
    "organizations",  # another word
    "v1/models",
]


def recording_client(**keys):
    """A client on a MockTransport; each request's (path, bearer key) is appended to `.seen`."""
    seen: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization", "")[7:]))
        return httpx.Response(200, json={"object": "list", "data": []})

    client = ow.Client(base_url="https://api.example.test/v1", transport=httpx.MockTransport(handler), **keys)
    client.seen = seen
    return client


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_admin_routes_are_recognised(path):
    assert is_admin_path(path.lstrip("/"))


@pytest.mark.parametrize("path", ORDINARY_PATHS)
def test_other_routes_are_not_admin_routes(path):
    assert not is_admin_path(path)


def test_each_key_goes_to_its_own_routes_only():
    client = recording_client(api_key=TEST_KEY, admin_key=ADMIN_KEY)
    for path in ADMIN_PATHS + ORDINARY_PATHS:
        client.request("GET", path)
    sent = dict(client.seen)
    for path in ADMIN_PATHS:
        assert sent[f"/v1/{path.lstrip('/')}"] == ADMIN_KEY, path
    for path in ORDINARY_PATHS:
        expected = "/v1/models" if path == "v1/models" else f"/v1/{path}"
        assert sent[expected] == TEST_KEY, path


def test_the_api_key_is_never_sent_to_an_admin_route():
    client = recording_client(api_key=TEST_KEY)
    for path in ADMIN_PATHS:
        with pytest.raises(ow.AdminKeyRequiredError, match=r"needs an admin key, and this client has none"):
            client.request("GET", path)
    assert client.seen == []
    with pytest.raises(ow.AdminKeyRequiredError, match=r"connect with ow\.connect\(admin_key=\.\.\.\)"):
        client.org_usage("completions", "1d")
    with pytest.raises(ow.AdminKeyRequiredError, match="OPENAI_ADMIN_KEY"):
        client.checkpoint_permissions("ft:gpt-4o-mini:org:x:ckpt-step-1")
    assert client.seen == []
    assert issubclass(ow.AdminKeyRequiredError, ow.NotConnectedError)


def test_an_admin_key_given_as_the_api_key_is_pointed_out():
    client = recording_client(api_key=ADMIN_KEY)
    with pytest.raises(ow.AdminKeyRequiredError, match="looks like an admin key: pass it as admin_key="):
        client.org_costs("7d")
    assert client.seen == []


def test_a_client_may_hold_only_an_admin_key():
    client = recording_client(admin_key=ADMIN_KEY)
    client.request("GET", "organization/costs")
    assert client.seen == [("/v1/organization/costs", ADMIN_KEY)]
    with pytest.raises(ow.NotConnectedError, match="has only an admin key"):
        client.models()
    assert len(client.seen) == 1


def test_the_admin_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN_KEY)
    client = recording_client(api_key=TEST_KEY)
    client.request("GET", "organization/costs")
    assert client.seen[-1][1] == ADMIN_KEY
    assert client.masked_admin_key == f"sk-...{ADMIN_KEY[-4:]}"


def test_the_admin_key_is_masked_and_checked_like_the_api_key():
    client = ow.Client(api_key=TEST_KEY, admin_key=ADMIN_KEY)
    shown = repr(client)
    assert ADMIN_KEY not in shown and f"admin_key='sk-...{ADMIN_KEY[-4:]}'" in shown
    assert ow.Client(api_key=TEST_KEY).masked_admin_key is None
    assert "admin_key" not in repr(ow.Client(api_key=TEST_KEY))
    with pytest.raises(ow.InvalidInputError, match="the admin key contains a space or line break"):
        ow.Client(api_key=TEST_KEY, admin_key="sk-admin-with space")
    with pytest.raises(ow.InvalidTypeError, match="admin_key must be a string, not int"):
        ow.Client(api_key=TEST_KEY, admin_key=42)
    with pytest.raises(TypeError):
        __import__("pickle").dumps(client)


def test_the_admin_key_is_redacted_from_errors_tracebacks_and_logs(sandbox, caplog):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key=ADMIN_KEY, max_retries=0)
    unreachable = ow.Client(api_key=TEST_KEY, base_url="http://127.0.0.1:9/v1", admin_key=ADMIN_KEY)
    unreachable.sleep = lambda seconds: None
    sandbox.api_keys = {"sk-another-key-entirely"}  # a 401 that echoes the key it was given
    with pytest.raises(ow.AuthenticationError, match=r"Check the admin key: ow\.connect\(admin_key=\.\.\.\)"):
        client.org_costs("1d")
    failures = [
        lambda: client.org_costs("1d"),
        lambda: unreachable.request("GET", f"organization/{ADMIN_KEY}"),
    ]
    for fail in failures:
        with pytest.raises(ow.APIError) as info:
            fail()
        text = "".join(traceback.format_exception(info.value))
        assert ADMIN_KEY not in text and ADMIN_KEY not in repr(info.value)
    sandbox.api_keys = None
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("openai_widgets").debug("a careless message with %s", ADMIN_KEY)
    assert all(ADMIN_KEY not in record.getMessage() for record in caplog.records)


def test_a_refusal_on_an_admin_route_is_about_the_admin_key(sandbox):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key="sk-not-an-admin-key-0000")
    with pytest.raises(ow.PermissionDeniedError, match=r"needs an admin key of the organization") as info:
        client.org_usage("completions", "1d")
    assert "insufficient permissions" in str(info.value)
    with pytest.raises(ow.NotFoundError, match=r"%openai models \(or ow.models\(\)\) lists the models"):
        client.model("gpt-99")  # elsewhere the 404 keeps the hint that fits the call


def test_connect_takes_an_admin_key_and_the_sandbox_brings_its_own(sandbox):
    try:
        client = ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key=ADMIN_KEY)
        assert client.masked_admin_key == f"sk-...{ADMIN_KEY[-4:]}" and ow.get_client() is client
        local = ow.connect(sandbox=True)
        assert local.masked_admin_key == f"sk-...{SANDBOX_ADMIN_KEY[-4:]}"
        assert list(local.org_costs("1d").columns) == ["start", "end", "cost"]
    finally:
        ow.set_client(None)


def test_a_verbose_traceback_shows_the_admin_key_only_masked():
    admin = "sk-admin-" + "v" * 24
    with pytest.raises(ow.InvalidInputError) as info:
        ow.Client(api_key="sk-test", admin_key=admin, base_url="notaurl")
    frames = [frame for frame, _ in traceback.walk_tb(info.value.__traceback__)][1:]  # past this test's
    assert any("admin_key" in frame.f_locals for frame in frames)
    for frame in frames:  # what %xmode Verbose prints: every frame's local values
        assert all(admin not in repr(value) for value in frame.f_locals.values())
    assert repr(frames[0].f_locals["self"]) == "<Client not yet connected>"
