"""The %openai magics: `%load_ext openai_widgets` registers them."""

from __future__ import annotations

from typing import Any

from ._core import OpenAIMagics

__all__ = ["OpenAIMagics", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    magics = OpenAIMagics(shell=ipython, parent=ipython)
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
