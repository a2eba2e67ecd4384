"""%openai usage KIND --since 7d [--until WHEN] [--bucket 1h] [--group-by model] [--models M1,M2] [--plot]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = (
    "the organization's usage of one kind (completions, embeddings, images, ...) -> DataFrame (admin key)"
)

_SINCE = "when the report begins: a time ago (30m, 12h, 7d), a date or Unix seconds"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("kind", metavar="KIND", help="completions, embeddings, moderations, images, ...")
    parser.add_argument("--since", required=True, help=_SINCE)
    parser.add_argument("--until", help="when it ends (default: now), in the same forms")
    parser.add_argument("--bucket", default="1d", help="1m, 1h or 1d (default 1d)")
    parser.add_argument("--group-by", help="fields to group by, comma-separated: model, project_id, ...")
    parser.add_argument("--models", help="only these models, comma-separated")
    parser.add_argument("--plot", action="store_true", help="draw it over time instead of the table")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    frame = magic.client().org_usage(
        args.kind,
        since(args.since),
        since(args.until),
        bucket=args.bucket,
        group_by=words(args.group_by),
        models=words(args.models),
    )
    return plot(frame) if args.plot else frame


def since(value: str | None) -> Any:
    """A time from the line: Unix seconds as a number, anything else as written."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def words(value: str | None) -> list[str] | None:
    return [word.strip() for word in value.split(",") if word.strip()] if value else None


def plot(frame: Any) -> Any:
    from .._usage.plot import plot_usage

    return plot_usage(frame)
