"""The %openai magics: `%load_ext openai_widgets` registers them."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from traitlets import TraitError

from .._costs import guard
from ._core import OpenAIMagics

__all__ = ["OpenAIMagics", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    try:
        magics = OpenAIMagics(shell=ipython, parent=ipython)
    except TraitError as exc:  # a setting from the config, refused
        problem = str(exc).rstrip(".")
        fix = "Set it with %config OpenAIMagics.NAME = VALUE, then load again."
        raise UsageError(f"{problem}. {fix}") from None
    ipython.register_magics(magics)
    if magics not in ipython.configurables:
        ipython.configurables.append(magics)  # so %config OpenAIMagics.* finds it


def unload_ipython_extension(ipython: Any) -> None:
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        manager.magics[kind].pop("openai", None)
    registered = manager.registry.pop("OpenAIMagics", None)
    if registered in ipython.configurables:
        ipython.configurables.remove(registered)
    guard.set_confirm_threshold(None)  # the setting leaves with the magics that held it
