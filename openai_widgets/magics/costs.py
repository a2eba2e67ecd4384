"""%openai costs --since 30d [--until WHEN] [--group-by line_item] [--plot]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser
from .usage import plot, since, words

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "the organization's costs in US dollars per day -> DataFrame (admin key)"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("--since", required=True, help="when the report begins: 30d, a date or Unix seconds")
    parser.add_argument("--until", help="when it ends (default: now), in the same forms")
    parser.add_argument("--group-by", help="project_id, line_item and/or api_key_id, comma-separated")
    parser.add_argument("--plot", action="store_true", help="draw it over time instead of the table")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    frame = magic.client().org_costs(since(args.since), since(args.until), group_by=words(args.group_by))
    return plot(frame) if args.plot else frame
