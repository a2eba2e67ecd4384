"""The type stub matches the package: every module-level function with its method's signature."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import openai_widgets as ow

ROOT = Path(__file__).resolve().parents[2]
STUB = ROOT / "openai_widgets" / "__init__.pyi"


def test_the_stub_is_what_the_generator_writes_now():
    done = subprocess.run(
        [sys.executable, "tools/generate_stub.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_stub_declares_every_public_name():
    tree = ast.parse(STUB.read_text())
    declared = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    declared |= {
        alias.asname for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert set(ow.__all__) <= declared


def test_py_typed_is_shipped():
    assert (ROOT / "openai_widgets" / "py.typed").exists()
