"""%%openai edit -i INSTRUCTION [-m MODEL] [-t TEMPERATURE]   (cell body: the text to edit)"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .._tables.text import Text
from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "edit the cell's text as an instruction says (runs on chat completions)"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("-i", "--instruction", required=True, help="what to change, e.g. 'Fix the spelling'")
    parser.add_argument("-m", "--model", help="model ID (default: %%config OpenAIMagics.edit_model)")
    parser.add_argument("-t", "--temperature", type=float, help="0 to 2; lower is more faithful")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    if cell is None or not cell.strip():
        raise UsageError("put the text to edit in the cell under %%openai edit -i INSTRUCTION")
    edited = magic.client().edit(
        cell, args.instruction, model=args.model or magic.edit_model, temperature=args.temperature
    )
    return Text(edited)
