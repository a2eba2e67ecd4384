"""Under `%xmode Verbose` (every frame's arguments and locals printed), no failure shows the key.

Each case is a cell run in a real IPython shell, as a user would type it; the key comes
from a function, so the cell's own line never names it. The test reads the traceback text
the shell printed, and checks that a traceback was printed at all (a case that stopped
failing would prove nothing).
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY

# Cells that fail with the key in play, by the path they fail on.
CELLS = {
    "base URL not a URL": 'ow.connect(api_key=read_key(), base_url="notaurl")',
    "base URL bad IPv6": 'ow.connect(api_key=read_key(), base_url="http://[::1")',
    "base URL bad port": 'ow.Client(read_key(), base_url="http://host:99999/v1")',
    "timeout 0": "ow.connect(api_key=read_key(), timeout=0)",
    "max_retries -1": "ow.connect(api_key=read_key(), max_retries=-1)",
    "organization with a Unicode dash": 'ow.connect(api_key=read_key(), organization="org\\u2013team")',
    "project with CRLF": 'ow.Client(api_key=read_key(), project="proj_1\\r\\nX-Evil: 1")',
    "key with a control character": 'ow.connect(api_key=read_key() + "\\x01")',
    "key with a line break": 'ow.Client(api_key=read_key() + "\\nmore")',
    "connect positional": 'ow.widgets._front.connect(read_key(), None, None, "ftp://x")',
    "with_options timeout": "ow.Client(api_key=read_key(), base_url=base).with_options(timeout=-1)",
    "401 echoing the key": "wrong.models()",
    "404": 'client.model("no-such-model")',
    "unreachable server": "unreachable.models()",
    "429 beyond the cap": 'inject("status", status=429, retry_after=3600); client.models()',
    "429 with NaN retry-after": 'inject("status", status=400, retry_after="nan"); client.models()',
    "header with NUL": 'client.request("GET", "models", headers={"X-Note": "a\\x00b"})',
    "header name with CRLF": 'client.request("GET", "models", headers={"X-A\\r\\nB": "1"})',
    "lone surrogate in a chat": 'client.chat("hello \\ud800")',
    "lone surrogate in embed": 'client.embed(["ok", "bad \\udcff"])',
    "cache in a file's folder": 'client.embed(["a"], cache="/etc/hosts/x.sqlite3")',
    "missing value in chat_map": 'client.chat_map(pd.Series(["a", pd.NA]), "{}")',
    "bad path": 'client.request("GET", "https://elsewhere.example/v1/models")',
}


@pytest.fixture
def shell(sandbox):
    """An IPython shell in verbose traceback mode, with clients that hold the test key."""
    from IPython.core.interactiveshell import InteractiveShell

    made = InteractiveShell.instance()
    made.run_line_magic("colors", "nocolor")
    made.run_line_magic("xmode", "Verbose")
    clients = {
        "client": ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0),
        "wrong": ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0),
        "unreachable": ow.Client(api_key=TEST_KEY, base_url="http://127.0.0.1:9/v1", max_retries=0),
    }
    names = {"ow": ow, "pd": __import__("pandas"), "read_key": lambda: TEST_KEY, "base": sandbox.base_url}
    made.user_ns.update(names, inject=sandbox.inject, **clients)
    yield made
    for name in [*names, *clients, "inject"]:
        made.user_ns.pop(name, None)
    made.run_line_magic("xmode", "Context")
    for client in clients.values():
        client.close()
    ow.set_client(None)


def run(shell, cell: str) -> str:
    """What the shell printed for `cell`: its output and its traceback."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        shell.run_cell(cell)
    return printed.getvalue()


@pytest.mark.parametrize("case", CELLS)
def test_a_verbose_traceback_never_shows_the_key(shell, sandbox, case):
    if case == "401 echoing the key":
        sandbox.api_keys = {"sk-only-this-one-works"}
    text = run(shell, CELLS[case])
    assert "Traceback" in text or re.search(r"^\w*Error", text, re.MULTILINE), text[-2000:]
    assert "OpenAIError" in text or "Error:" in text
    assert TEST_KEY not in text, _around(text, TEST_KEY)
    assert TEST_KEY[8:20] not in text  # not even a piece of it
    raised = shell.last_execution_result.error_in_exec
    assert isinstance(raised, ow.OpenAIError), f"{type(raised).__name__}: {raised}"


def test_the_verbose_traceback_shows_the_key_masked_where_it_is_an_argument(shell):
    text = run(shell, CELLS["base URL not a URL"])
    assert f"Secret('sk-...{TEST_KEY[-4:]}')" in text  # the frames are there, the key is masked


def test_the_credential_widget_never_raises_into_the_cell(shell):
    from openai_widgets.widgets import CredentialWidget

    widget = CredentialWidget()
    shell.user_ns["form"] = widget
    try:
        widget.key.value = TEST_KEY
        widget.base_url.value = "http://[::1"
        text = run(shell, "form.connect_button.click()")
        assert shell.last_execution_result.error_in_exec is None, text
        assert text == ""
        assert "InvalidInputError" in widget.status.value and "Invalid IPv6 URL" in widget.status.value
        assert TEST_KEY not in widget.status.value
    finally:
        shell.user_ns.pop("form", None)


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(at - 600, 0) : at + 200]


ENVIRONMENT_CELLS = {
    "base URL not a URL": 'ow.connect(base_url="notaurl")',
    "timeout 0": "ow.connect(timeout=0)",
    "organization with a Unicode dash": 'ow.Client(organization="org\\u2013team")',
    "organization from the environment": "ow.Client()",
    "magic with a bad base URL": "%openai connect --base-url notaurl",
}


@pytest.mark.parametrize("case", ENVIRONMENT_CELLS)
def test_a_key_from_the_environment_stays_out_of_verbose_tracebacks(shell, monkeypatch, case):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    if case == "organization from the environment":
        monkeypatch.setenv("OPENAI_ORG_ID", "org\u2013team")
    shell.run_line_magic("load_ext", "openai_widgets")
    try:
        text = run(shell, ENVIRONMENT_CELLS[case])
    finally:
        shell.run_line_magic("unload_ext", "openai_widgets")
    assert "InvalidInputError" in text or "UsageError" in text, text[-1500:]
    assert TEST_KEY not in text and TEST_KEY[8:20] not in text, _around(text, TEST_KEY)
