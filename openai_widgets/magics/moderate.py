"""%openai moderate [-m MODEL] TEXT | VARIABLE   (or %%openai moderate: one input per line)"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ._parsing import MagicArgumentParser, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "check texts for harmful content: a DataFrame with flags and scores per category"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("words", nargs="*", help="the text, or the name of a variable (str, list or Series)")
    parser.add_argument("-m", "--model", help="model ID (default: %%config OpenAIMagics.moderation_model)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    if cell is not None and cell.strip():
        value = [line for line in cell.splitlines() if line.strip()]
    elif args.words:
        value = text_or_variable(args.words, magic.user_ns)
    else:
        raise UsageError("give a text or a variable: %openai moderate TEXT | VARIABLE")
    return magic.client().moderate(value, model=args.model or magic.moderation_model)
