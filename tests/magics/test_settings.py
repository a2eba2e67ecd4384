"""%config OpenAIMagics.*: settings are checked where they are declared; wrong values are refused."""

from __future__ import annotations

import logging

import pytest
from IPython.core.error import UsageError
from traitlets import TraitError

import openai_widgets as ow
from openai_widgets.magics._core import MODEL_SETTINGS, OpenAIMagics


def settings(ip) -> OpenAIMagics:
    return ip.magics_manager.registry["OpenAIMagics"]


def test_every_model_setting_is_checked():
    declared = {name for name in OpenAIMagics.class_own_traits(config=True) if name.endswith("_model")}
    assert set(MODEL_SETTINGS) == declared
    assert len(MODEL_SETTINGS) == 12


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("timeout = -1", "OpenAIMagics.timeout must be a number of seconds above 0, or None; not -1.0"),
        ("timeout = 0", "OpenAIMagics.timeout must be a number of seconds above 0, or None; not 0.0"),
        (
            "timeout = float('inf')",
            "OpenAIMagics.timeout must be a number of seconds above 0, or None; not inf",
        ),
        ("timeout = 'soon'", "The 'timeout' trait of an OpenAIMagics instance expected a float"),
        ("max_retries = -1", "OpenAIMagics.max_retries must be 0 or more, or None; not -1"),
        ("max_retries = 1.5", "The 'max_retries' trait of an OpenAIMagics instance expected an int"),
        ("chat_model = ''", "OpenAIMagics.chat_model must be one model ID, such as 'gpt-4o-mini'; not ''"),
        (
            "embedding_model = '  '",
            "OpenAIMagics.embedding_model must be one model ID, such as 'gpt-4o-mini'; not '  '",
        ),
        (
            "speech_model = 'tts 1'",
            "OpenAIMagics.speech_model must be one model ID, such as 'gpt-4o-mini'; not 'tts 1'",
        ),
        (
            "confirm_cost_above = -1",
            "OpenAIMagics.confirm_cost_above must be 0 or more (USD), or None; not -1.0",
        ),
        (
            "confirm_cost_above = float('nan')",
            "OpenAIMagics.confirm_cost_above must be 0 or more (USD), or None; not nan",
        ),
    ],
)
def test_a_wrong_value_is_refused_with_a_clear_message(ip, caplog, line, message):
    magics = settings(ip)
    before = {
        name: getattr(magics, name)
        for name in ("timeout", "max_retries", "confirm_cost_above", *MODEL_SETTINGS)
    }
    with caplog.at_level(logging.ERROR):
        ip.run_line_magic("config", f"OpenAIMagics.{line}")
    assert [record.getMessage() for record in caplog.records if message in record.getMessage()]
    assert {name: getattr(magics, name) for name in before} == before  # nothing changed


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("timeout", -0.5, "timeout must be a number of seconds above 0"),
        ("max_retries", -3, "max_retries must be 0 or more"),
        ("image_model", "", "image_model must be one model ID"),
    ],
)
def test_setting_from_python_is_checked_too(name, value, message):
    magics = OpenAIMagics()
    with pytest.raises(TraitError, match=message):
        setattr(magics, name, value)


def test_right_values_are_taken_and_model_ids_trimmed(ip):
    magics = settings(ip)
    ip.run_line_magic("config", "OpenAIMagics.timeout = 2.5")
    ip.run_line_magic("config", "OpenAIMagics.max_retries = 0")
    ip.run_line_magic("config", "OpenAIMagics.chat_model = ' gpt-4o '")
    assert (magics.timeout, magics.max_retries, magics.chat_model) == (2.5, 0, "gpt-4o")
    client = magics.client()
    assert (client.timeout, client.max_retries) == (2.5, 0)
    ip.run_line_magic("config", "OpenAIMagics.timeout = None")
    ip.run_line_magic("config", "OpenAIMagics.max_retries = None")
    assert magics.client().timeout == ow.get_client().timeout


def test_loading_with_a_wrong_setting_in_the_config_says_what_to_fix(ip):
    ip.run_line_magic("unload_ext", "openai_widgets")
    ip.config.OpenAIMagics.max_retries = -1
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("load_ext", "openai_widgets")
    assert str(info.value) == (
        "OpenAIMagics.max_retries must be 0 or more, or None; not -1. "
        "Set it with %config OpenAIMagics.NAME = VALUE, then load again."
    )
    ip.config.OpenAIMagics.max_retries = 2
    ip.run_line_magic("load_ext", "openai_widgets")
    assert settings(ip).max_retries == 2
