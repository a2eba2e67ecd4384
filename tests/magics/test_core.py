"""The %openai framework in a real IPython shell: dispatch, help, -o, {var}, errors, %config."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import openai_widgets as ow
from openai_widgets.magics._commands import COMMANDS
from openai_widgets.magics._parsing import interpolate, split_line, text_or_variable


def test_help_lists_every_subcommand(ip, capsys):
    assert ip.run_line_magic("openai", "help") is None
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"\n  {name} " in out
    assert "-o/--out NAME" in out


def test_empty_line_shows_help_too(ip, capsys):
    ip.run_line_magic("openai", "")
    assert "%openai SUBCOMMAND" in capsys.readouterr().out


@pytest.mark.parametrize("line", ["models --help", "help models", "call -h"])
def test_subcommand_help_prints_usage_and_returns_none(ip, capsys, line):
    assert ip.run_line_magic("openai", line) is None
    assert "usage: %openai" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("fly", "unknown subcommand 'fly'; one of: "),
        ("models --nope", "%openai models: unrecognized arguments: --nope (see %openai models --help)"),
        ("call GET", "%openai call: the following arguments are required: path"),
        ("models 'open", "cannot read the line: No closing quotation"),
        ("models -o 2x", "-o/--out needs a variable name, not '2x'"),
        ("models nope-model", "NotFoundError: 404 Not Found"),
    ],
)
def test_mistakes_are_one_line_usage_errors(ip, line, message):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("openai", line)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_out_stores_the_result(ip):
    result = ip.run_line_magic("openai", "models --out listing")
    assert ip.user_ns["listing"] is result


def test_braces_interpolate_known_names_only():
    namespace = {"who": "Ada", "n": 3}
    assert (
        interpolate("hi {who}, {n} {missing} {{who}} {not valid}", namespace)
        == "hi Ada, 3 {missing} {Ada} {not valid}"
    )


def test_dollar_signs_are_left_alone(ip, sandbox):
    ip.user_ns["price"] = 5
    with pytest.raises(UsageError):
        ip.run_line_magic("openai", "models '$price {price}'")
    assert sandbox.requests[-1].path == "/models/$price 5"


def test_a_lone_variable_name_is_the_variable():
    namespace = {"texts": ["a", "b"]}
    assert text_or_variable(["texts"], namespace) == ["a", "b"]
    assert text_or_variable(["texts", "more"], namespace) == "texts more"
    with pytest.raises(
        UsageError, match=r"^'textz' is not a variable in the notebook \(did you mean 'texts'\?\)"
    ):
        text_or_variable(["textz"], namespace)
    assert text_or_variable(split_line("'textz'"), namespace) == "textz"  # quoted: the text itself


def test_config_sets_defaults_per_module(ip):
    ip.run_line_magic("config", "OpenAIMagics.chat_model = 'gpt-4o'")
    ip.run_line_magic("config", "OpenAIMagics.timeout = 7.5")
    magics = ip.magics_manager.registry["OpenAIMagics"]
    assert magics.chat_model == "gpt-4o"
    assert magics.client().timeout == 7.5
    ip.run_line_magic("config", "OpenAIMagics.timeout = None")
    assert magics.client().timeout == ow.get_client().timeout


def test_connect_sandbox_magic(ip, capsys):
    client = ip.run_line_magic("openai", "connect --sandbox")
    assert ow.get_client() is client
    assert client.base_url == ow.sandbox.shared().base_url
    out = capsys.readouterr().out
    assert out.startswith("connected to 127.0.0.1:") and "models" in out and "sk-sandbox-local" not in out


def test_connect_magic_without_a_key_outside_a_notebook(ip, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(UsageError, match="No API key"):
        ip.run_line_magic("openai", "connect")


def test_connect_magic_with_a_base_url(ip, sandbox, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-123")
    client = ip.run_line_magic("openai", f"connect --base-url {sandbox.base_url} --organization org-9")
    assert (client.base_url, client.organization) == (sandbox.base_url, "org-9")
    assert "organization org-9, key sk-...-123" in capsys.readouterr().out
    assert sandbox.requests_to("/models")[-1].headers["openai-organization"] == "org-9"


def test_unload_removes_the_magic(ip):
    ip.run_line_magic("unload_ext", "openai_widgets")
    assert "openai" not in ip.magics_manager.magics["line"]
    ip.run_line_magic("load_ext", "openai_widgets")
    assert "openai" in ip.magics_manager.magics["cell"]
