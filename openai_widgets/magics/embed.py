"""%openai embed [-m MODEL] [--dimensions N] [--user ID] [--limit N] [--batch] TEXT | VARIABLE"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ._parsing import MagicArgumentParser, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "embed a text, or a variable holding texts (list, Series, DataFrame column) -> DataFrame"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument(
        "-m", "--model", help="embedding model (default: %%config OpenAIMagics.embedding_model)"
    )
    parser.add_argument(
        "--dimensions", type=int, help="shorten the vectors to N dimensions (text-embedding-3)"
    )
    parser.add_argument("--user", help="an ID for your end user, passed to the API")
    parser.add_argument("--limit", type=int, help="embed only the first N inputs")
    parser.add_argument(
        "--batch", action="store_true", help="go through the Batch API (half price, within 24 h)"
    )
    parser.add_argument(
        "text",
        nargs="*",
        help="the text, or the name of a variable; with %%%%openai embed, one text per line of the cell",
    )


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    if args.text:
        value = text_or_variable(args.text, magic.user_ns)
    elif cell and cell.strip():
        value = [line.strip() for line in cell.splitlines() if line.strip()]
    else:
        raise UsageError("%openai embed: give a text or a variable name (or one text per line of the cell)")
    return magic.client().embed(
        value,
        model=args.model or magic.embedding_model,
        user=args.user,
        limit=args.limit,
        dimensions=args.dimensions,
        batch=args.batch,
        cache=magic.embedding_cache,
    )
