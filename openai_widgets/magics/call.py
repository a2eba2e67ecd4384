"""%%openai call METHOD PATH [--headers JSON] [--query JSON]   (cell body: the JSON body)"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "a custom API call: METHOD PATH relative to the base URL; the cell holds the JSON body"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("method", help="GET, POST, PUT, PATCH or DELETE")
    parser.add_argument("path", help="relative to the base URL, e.g. models or chat/completions")
    parser.add_argument("--headers", help="extra headers as a JSON object")
    parser.add_argument("--query", help="query parameters as a JSON object")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    body = cell if cell and cell.strip() else None
    return magic.client().request(args.method, args.path, headers=args.headers, query=args.query, body=body)
