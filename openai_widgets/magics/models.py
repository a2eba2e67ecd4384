"""%openai models [MODEL_ID] [--search TEXT]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "list models as a DataFrame, or show one model's record"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("model_id", nargs="?", help="a model ID to show (default: list all)")
    parser.add_argument("--search", help="keep models whose ID contains this text")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.model_id:
        return client.model(args.model_id)
    frame = client.models()
    if args.search:
        frame = frame[frame["id"].str.contains(args.search, case=False, regex=False)].reset_index(drop=True)
    return frame
