"""The %openai subcommands: the protocol each follows, and the registry of them.

A subcommand is a module of this package with

- `SUMMARY`: one line for `%openai help`;
- `configure(parser)`: declares its arguments on a `MagicArgumentParser`; one with
  several actions (`%openai files list|upload|...`) declares them as subparsers with
  `parser.add_actions(default=...)`, each with its own options and --help;
- `run(magic, args, cell)`: calls one public function and returns its result.

`COMMANDS` is typed with the `Subcommand` protocol, so a type checker checks every
module against it. The modules are small and import nothing heavy (no pandas, PIL or
ipywidgets), so the registry imports them all.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from . import (
    audio,
    batches,
    call,
    chat,
    compare,
    complete,
    connect,
    conversations,
    costs,
    edit,
    embed,
    evals,
    files,
    fine_tune,
    image,
    image_edit,
    image_variation,
    models,
    moderate,
    respond,
    responses,
    stores,
    studio,
    usage,
)

if TYPE_CHECKING:
    from ._core import OpenAIMagics
    from ._parsing import MagicArgumentParser

__all__ = ["COMMANDS", "Subcommand"]


@runtime_checkable
class Subcommand(Protocol):
    """What `%openai NAME` needs of the module that implements NAME."""

    SUMMARY: str

    def configure(self, parser: MagicArgumentParser) -> None: ...

    def run(self, magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any: ...


COMMANDS: dict[str, Subcommand] = {
    "connect": connect,
    "models": models,
    "call": call,
    "studio": studio,
    "files": files,
    "fine-tune": fine_tune,
    "chat": chat,
    "edit": edit,
    "complete": complete,
    "moderate": moderate,
    "image": image,
    "image-edit": image_edit,
    "image-variation": image_variation,
    "audio": audio,
    "embed": embed,
    "batches": batches,
    "evals": evals,
    "compare": compare,
    "usage": usage,
    "costs": costs,
    "respond": respond,
    "responses": responses,
    "conversations": conversations,
    "stores": stores,
}
