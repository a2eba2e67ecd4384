"""%openai batches [list [--limit N] | get ID | results ID | cancel ID]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "Batch API jobs: list them, show one, collect its results, or cancel it"

_BATCH_ID: dict[str, Any] = {"metavar": "BATCH_ID", "help": "the batch's ID (batch_...)"}


def configure(parser: MagicArgumentParser) -> None:
    listing = parser.add_action("list", "the batches as a DataFrame (the default action)", default=True)
    listing.add_argument("--limit", type=int, help="list at most N batches")
    parser.add_action("get", "a batch's record").add_argument("batch_id", **_BATCH_ID)
    parser.add_action("results", "a batch's results, in input order").add_argument("batch_id", **_BATCH_ID)
    parser.add_action("cancel", "cancel a batch").add_argument("batch_id", **_BATCH_ID)


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "list":
        return client.batches(limit=args.limit)
    if args.action == "get":
        return client.batch_job(args.batch_id)
    if args.action == "results":
        return client.batch_results(args.batch_id)
    return client.cancel_batch(args.batch_id)
