"""%%openai complete [-m MODEL] [--max-tokens N] [-t TEMPERATURE]   (cell body: the prompt; legacy)"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .._tables.text import Text
from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "continue the cell's text with a legacy instruct model (deprecated: use chat)"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("prompt", nargs="*", help="the prompt, when not given in the cell")
    parser.add_argument("-m", "--model", help="model ID (default: %%config OpenAIMagics.completion_model)")
    parser.add_argument("--max-tokens", type=int, help="at most this many tokens (the API's default is 16)")
    parser.add_argument("-t", "--temperature", type=float, help="0 to 2")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    prompt = cell if cell is not None and cell.strip() else " ".join(args.prompt)
    if not prompt.strip():
        raise UsageError("write the prompt in the cell under %%openai complete")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        text = magic.client().complete(
            prompt,
            model=args.model or magic.completion_model,
            max_tokens=args.max_tokens,
            temperature=args.temperature,
        )
    for warning in caught:  # shown once, plainly: a magic has no caller line to point at
        print(f"{warning.category.__name__}: {warning.message}", file=sys.stderr)
    return Text(text)
