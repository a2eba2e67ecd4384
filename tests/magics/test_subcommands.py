"""The subcommand contract: every module keeps the protocol; actions are real subparsers."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from openai_widgets.magics import _commands
from openai_widgets.magics._commands import COMMANDS, Subcommand
from openai_widgets.magics._parsing import MagicArgumentParser

ROOT = Path(__file__).resolve().parents[2]
# The subcommands with several actions, and the action a line naming none runs.
ACTIONS = {
    "files": (["list", "upload", "get", "content", "delete"], "list"),
    "fine-tune": (
        ["create", "list", "get", "pause", "resume", "cancel", "events", "checkpoints", "delete"],
        "list",
    ),
    "evals": (["list", "get", "create", "run", "runs", "results", "delete"], "list"),
    "batches": (["list", "get", "results", "cancel"], "list"),
    "audio": (["transcribe", "translate", "speak"], None),
    "responses": (["get", "delete", "cancel", "items"], None),
    "conversations": (["create", "get", "items", "update", "delete"], None),
    "stores": (["list", "create", "add", "files", "search", "delete"], "list"),
}


def magic(ip, line):
    return ip.run_line_magic("openai", line)


def parser_of(ip, name: str) -> MagicArgumentParser:
    return ip.magics_manager.registry["OpenAIMagics"]._parser(name, COMMANDS[name])


# -- the protocol ------------------------------------------------------------------------------


def test_the_registry_holds_modules_of_this_package():
    assert len(COMMANDS) == 24
    for name, module in COMMANDS.items():
        assert isinstance(module, types.ModuleType)
        assert module.__name__ == f"openai_widgets.magics.{name.replace('-', '_')}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_keeps_the_protocol_with_its_annotations(name):
    module = COMMANDS[name]
    assert isinstance(module, Subcommand)
    assert isinstance(module.SUMMARY, str) and module.SUMMARY and "\n" not in module.SUMMARY
    for function in ("configure", "run"):
        wanted = inspect.signature(getattr(Subcommand, function))
        given = inspect.signature(getattr(module, function))
        assert list(given.parameters) == list(wanted.parameters)[1:]  # no `self` on a module
        assert [p.annotation for p in given.parameters.values()] == [
            p.annotation for p in list(wanted.parameters.values())[1:]
        ]
        assert given.return_annotation == wanted.return_annotation


def test_a_module_without_the_protocol_is_told_apart():
    half = types.ModuleType("half")
    half.SUMMARY = "no run"
    half.configure = lambda parser: None
    assert not isinstance(half, Subcommand)


def test_a_type_checker_checks_each_module_against_the_protocol(tmp_path):
    pytest.importorskip("mypy")
    (tmp_path / "broken_command.py").write_text(
        textwrap.dedent(
            """
            SUMMARY = 3

            def configure(parser) -> None: ...

            def run(magic, args) -> None: ...
            """
        )
    )
    (tmp_path / "registry_check.py").write_text(
        "import broken_command\nfrom openai_widgets.magics._commands import Subcommand\n\n"
        "checked: Subcommand = broken_command\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            str(Path(_commands.__file__).parent),
            str(tmp_path / "registry_check.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, done.stdout + done.stderr  # the package's own modules pass
    assert errors[0].split(":")[0].endswith("registry_check.py")
    assert 'variable has type "Subcommand"' in errors[0]
    assert 'SUMMARY: expected "str", got "int"' in done.stdout
    assert "def run(magic: OpenAIMagics, args: Namespace, cell: str | None) -> Any" in done.stdout


# -- actions as subparsers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_are_subparsers_with_a_help_each(ip, capsys, name):
    actions, default = ACTIONS[name]
    parser = parser_of(ip, name)
    assert list(parser.action_parsers) == actions
    assert parser.default_action == default
    magic(ip, f"{name} --help")
    out = capsys.readouterr().out
    assert f"usage: %openai {name} [-h] [-o NAME]" in out
    assert "{" + ",".join(actions) + "}" in out
    assert f"%openai {name} ACTION --help shows the options of that action." in out
    for action, sub in parser.action_parsers.items():
        assert sub.prog == f"%openai {name} {action}"
        assert f"    {action} " in out  # listed with its help line
        assert magic(ip, f"{name} {action} --help") is None
        shown = capsys.readouterr().out
        assert shown.startswith(f"usage: %openai {name} {action} [-h]")
        assert sub.description in shown
        assert "-o NAME, --out NAME" in shown


def test_an_action_help_shows_only_its_own_options(ip, capsys):
    magic(ip, "files upload --help")
    upload = capsys.readouterr().out
    assert upload.startswith("usage: %openai files upload [-h] -p PURPOSE [-o NAME] PATH")
    assert "--raw" not in upload
    magic(ip, "help files content")
    assert capsys.readouterr().out.startswith("usage: %openai files content [-h] [--raw] [-o NAME] FILE_ID")
    magic(ip, "help audio")
    assert "{transcribe,translate,speak}" in capsys.readouterr().out


def test_the_default_action_runs_when_none_is_named(ip, sandbox, connected):
    connected.upload_file(b'{"a": 1}\n', "batch")
    connected.upload_file(b"x", "user_data")
    listed = magic(ip, "files --purpose batch -o batch_files")
    assert set(listed["purpose"]) == {"batch"}
    assert sandbox.requests_to("/files", "GET")[-1].query["purpose"] == ["batch"]
    assert ip.user_ns["batch_files"] is listed
    assert magic(ip, "fine-tune -o jobs") is ip.user_ns["jobs"]
    assert sandbox.requests[-1].path == "/fine_tuning/jobs"


def test_out_may_come_before_or_after_the_action(ip, connected):
    first = magic(ip, "files -o before list")
    second = magic(ip, "files list --out after")
    assert ip.user_ns["before"] is first
    assert ip.user_ns["after"] is second


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "audio",
            r"^%openai audio: the following arguments are required: action \(see %openai audio --help\)$",
        ),
        ("audio transcribe talk.wav --voice nova", r"^--voice is for speak, not transcribe$"),
        ("files list --raw", r"^--raw is for content, not list$"),
        ("files list --raw=yes", r"^--raw is for content, not list$"),
        (
            "files upload x.jsonl -p batch --limit 2",
            r"^%openai files upload: unrecognized arguments: --limit 2 ",
        ),
        ("files content", r"^%openai files content: the following arguments are required: FILE_ID "),
        (
            "files get file-1 file-2",
            r"^%openai files get: unrecognized arguments: file-2 \(see %openai files get --help\)$",
        ),
        ("batches cancel", r"^%openai batches cancel: the following arguments are required: BATCH_ID "),
        ("batches list --limit many", r"^%openai batches list: argument --limit: invalid int value: 'many' "),
        ("fine-tune events", r"^%openai fine-tune events: the following arguments are required: JOB_ID "),
        ("fine-tune create -t train --epochs two", r"argument --epochs: invalid int value: 'two'"),
        (
            "fine-tune rename ftjob-1",
            r"^%openai fine-tune: argument action: invalid choice: 'rename' \(choose from ",
        ),
    ],
)
def test_action_mistakes_are_one_line_usage_errors(ip, sandbox, line, message):
    with pytest.raises(UsageError, match=message) as info:
        magic(ip, line)
    assert "\n" not in str(info.value)
    assert sandbox.requests == []
