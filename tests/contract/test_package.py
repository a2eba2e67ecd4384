"""The package as a whole: light import, one public list, functions mirroring Client methods."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import openai_widgets as ow


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, openai_widgets\n"
        "heavy = [m for m in ('pandas', 'numpy', 'PIL', 'ipywidgets', 'IPython', 'tqdm') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_every_public_name_resolves():
    for name in ow.__all__:
        assert getattr(ow, name) is not None, name


def test_module_functions_mirror_client_methods():
    from openai_widgets import _API_FUNCTIONS

    assert {"models", "model", "request"} <= set(_API_FUNCTIONS)
    for name in set(_API_FUNCTIONS) - {"studio"}:  # ow.studio() also works unconnected (test_studio)
        method = inspect.signature(getattr(ow.Client, name))
        function = inspect.signature(getattr(ow, name))
        assert list(function.parameters) == list(method.parameters)[1:], name
        assert getattr(ow, name).__doc__.startswith(getattr(ow.Client, name).__doc__), name


def test_module_functions_use_the_current_default_client(sandbox):
    from tests.conftest import TEST_KEY

    first = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    models = ow.models  # looked up once, used after the default changes
    ow.set_client(first)
    try:
        assert len(models()) == len(sandbox.state.models)
        ow.set_client(None)
        with pytest.raises(ow.NotConnectedError, match=r"Not connected: run ow\.connect\(\)"):
            models()
    finally:
        ow.set_client(None)


def test_get_client_builds_one_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-0123456789")
    ow.set_client(None)
    try:
        client = ow.get_client()
        assert client is ow.get_client() and client.masked_key == "sk-...6789"
    finally:
        ow.set_client(None)


def test_errors_form_one_tree():
    for name in ("APIError", "NotConnectedError", "InvalidInputError", "InvalidTypeError"):
        assert issubclass(getattr(ow, name), ow.OpenAIError)
    assert issubclass(ow.InvalidInputError, ValueError) and issubclass(ow.InvalidTypeError, TypeError)
    assert issubclass(ow.APITimeoutError, ow.APIConnectionError)
    for name in (
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "BadRequestError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
    ):
        assert issubclass(getattr(ow, name), ow.APIStatusError)
